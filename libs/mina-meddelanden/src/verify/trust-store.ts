import { X509Certificate } from 'node:crypto';
import { CredentialError } from '../errors';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Splits a PEM bundle into certificates. */
export function parseCertificates(pems: string | Buffer | (string | Buffer)[]): X509Certificate[] {
  const list = Array.isArray(pems) ? pems : [pems];
  const out: X509Certificate[] = [];
  for (const item of list) {
    const text = Buffer.isBuffer(item) ? item.toString('utf8') : item;
    const blocks = text.match(PEM_BLOCK);
    if (!blocks) throw new CredentialError('no PEM certificate found in a trust entry');
    for (const b of blocks) {
      try {
        out.push(new X509Certificate(b));
      } catch (e) {
        throw new CredentialError(`cannot read a trusted certificate: ${(e as Error).message}`);
      }
    }
  }
  return out;
}

export type TrustDecision = { trusted: true; anchor: X509Certificate } | { trusted: false; reason: string };

/**
 * The certificates a verifier trusts: pinned end-entity certificates and issuing CAs. A certificate
 * is never trusted because a document carries it; it must be pinned here or issued by a CA here.
 */
export class TrustStore {
  private readonly pinned: X509Certificate[];
  private readonly cas: X509Certificate[];
  /**
   * What the chain check found for a certificate object: the pinned certificate or the issuing CA
   * whose signature on it verified, or null for neither. It depends only on the certificate's bytes and
   * on this store, which does not change; the validity periods, which depend on the time asked about,
   * are checked on every call. The verifier hands out one X509Certificate object per certificate
   * (certificate-cache.ts), so each signer's chain is verified once, not once per delivery.
   */
  private readonly anchors = new WeakMap<X509Certificate, X509Certificate | null>();

  constructor(options: { certificates?: (string | Buffer)[]; cas?: (string | Buffer)[] }) {
    this.pinned = options.certificates?.length ? parseCertificates(options.certificates) : [];
    this.cas = options.cas?.length ? parseCertificates(options.cas) : [];
    for (const ca of this.cas) {
      if (!ca.ca) throw new CredentialError(`trusted CA ${ca.subject.replace(/\n/g, ', ')} is not a CA certificate (basicConstraints)`);
    }
  }

  get size(): number {
    return this.pinned.length + this.cas.length;
  }

  /** Decides whether `cert` is trusted at time `at` (validity period of the certificate and its CA). */
  check(cert: X509Certificate, at: Date = new Date()): TrustDecision {
    const validity = checkValidity(cert, at);
    if (validity) return { trusted: false, reason: validity };
    let anchor = this.anchors.get(cert);
    if (anchor === undefined) {
      anchor = this.findAnchor(cert);
      this.anchors.set(cert, anchor);
    }
    if (anchor && this.pinned.includes(anchor)) return { trusted: true, anchor };
    if (anchor) {
      const caValidity = checkValidity(anchor, at);
      if (caValidity) return { trusted: false, reason: `issuing CA: ${caValidity}` };
      return { trusted: true, anchor };
    }
    return { trusted: false, reason: `certificate ${cert.subject.replace(/\n/g, ', ')} is neither pinned nor issued by a trusted CA` };
  }

  /** The pinned copy of `cert`, else the first CA that issued it and whose signature on it verifies. */
  private findAnchor(cert: X509Certificate): X509Certificate | null {
    const pin = this.pinned.find((p) => p.raw.equals(cert.raw));
    if (pin) return pin;
    return this.cas.find((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey)) ?? null;
  }
}

function checkValidity(cert: X509Certificate, at: Date): string | undefined {
  if (at < new Date(cert.validFrom)) return `certificate not valid before ${cert.validFrom}`;
  if (at > new Date(cert.validTo)) return `certificate expired ${cert.validTo}`;
  return undefined;
}
