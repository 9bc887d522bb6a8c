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
    const pin = this.pinned.find((p) => p.raw.equals(cert.raw));
    if (pin) return { trusted: true, anchor: pin };
    for (const ca of this.cas) {
      if (cert.checkIssued(ca) && cert.verify(ca.publicKey)) {
        const caValidity = checkValidity(ca, at);
        if (caValidity) return { trusted: false, reason: `issuing CA: ${caValidity}` };
        return { trusted: true, anchor: ca };
      }
    }
    return { trusted: false, reason: `certificate ${cert.subject.replace(/\n/g, ', ')} is neither pinned nor issued by a trusted CA` };
  }
}

function checkValidity(cert: X509Certificate, at: Date): string | undefined {
  if (at < new Date(cert.validFrom)) return `certificate not valid before ${cert.validFrom}`;
  if (at > new Date(cert.validTo)) return `certificate expired ${cert.validTo}`;
  return undefined;
}
