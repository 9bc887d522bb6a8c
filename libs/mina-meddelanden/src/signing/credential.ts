import { createPrivateKey, createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { CredentialError } from '../errors';

const SHORT_NAMES: Record<string, string> = {
  CN: 'CN',
  O: 'O',
  OU: 'OU',
  C: 'C',
  L: 'L',
  ST: 'ST',
  serialNumber: 'SERIALNUMBER',
  SERIALNUMBER: 'SERIALNUMBER',
  '2.5.4.5': 'SERIALNUMBER',
};

/**
 * Formats a certificate's subject as an RFC 4514 string, most specific first
 * ("CN=Kommun A, SERIALNUMBER=162021004748, O=Kommun A, C=SE"), as X509SubjectName carries it.
 */
export function rfc4514Subject(cert: X509Certificate): string {
  return subjectRdns(cert)
    .map((rdn) => rdn.map(([k, v]) => `${SHORT_NAMES[k] ?? k}=${v.replace(/([,+"\\<>;])/g, '\\$1')}`).join(' + '))
    .reverse()
    .join(', ');
}

/** The subject as RDNs (least specific first), each a list of [attribute, value] (multi-valued RDNs joined by " + "). */
function subjectRdns(cert: X509Certificate): [string, string][][] {
  return cert.subject
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) =>
      line.split(' + ').map((part): [string, string] => {
        const eq = part.indexOf('=');
        return [part.slice(0, eq), part.slice(eq + 1)];
      }),
    );
}

/** The subject's serialNumber attribute (for Swedish function certificates "16" + organisationsnummer). */
export function subjectSerialNumber(cert: X509Certificate): string | undefined {
  for (const rdn of subjectRdns(cert)) {
    const hit = rdn.find(([k]) => SHORT_NAMES[k] === 'SERIALNUMBER');
    if (hit) return hit[1];
  }
  return undefined;
}

/**
 * A signing key with its certificate, parsed once into `KeyObject`/`X509Certificate` and reused for
 * every signature (parsing a PEM per message costs more than the RSA operation itself).
 */
export class SigningCredential {
  /** The certificate's DER as one line of base64, as X509Certificate carries it. */
  readonly certificateBase64: string;
  /** RFC 4514 subject, as X509SubjectName carries it. */
  readonly subjectName: string;
  readonly serialNumber: string | undefined;
  /** The certificate as PEM, for TLS client authentication with the same function certificate. */
  readonly certificatePem: string;

  private constructor(
    readonly privateKey: KeyObject,
    readonly certificate: X509Certificate,
  ) {
    if (privateKey.asymmetricKeyType !== 'rsa') {
      throw new CredentialError(`signing key must be RSA (Mina meddelanden uses RSA-SHA256), got ${privateKey.asymmetricKeyType}`);
    }
    if (!certificate.checkPrivateKey(privateKey)) {
      throw new CredentialError(`private key does not belong to the certificate ${certificate.subject.replace(/\n/g, ', ')}`);
    }
    this.certificateBase64 = certificate.raw.toString('base64');
    this.subjectName = rfc4514Subject(certificate);
    this.serialNumber = subjectSerialNumber(certificate);
    this.certificatePem = certificate.toString();
  }

  /** Loads a PEM private key (optionally encrypted) and its PEM certificate. */
  static fromPem(keyPem: string | Buffer, certPem: string | Buffer, passphrase?: string): SigningCredential {
    let key: KeyObject;
    let cert: X509Certificate;
    try {
      key = createPrivateKey({ key: keyPem, format: 'pem', passphrase });
    } catch (e) {
      throw new CredentialError(`cannot read the private key: ${(e as Error).message}`);
    }
    try {
      cert = new X509Certificate(certPem);
    } catch (e) {
      throw new CredentialError(`cannot read the certificate: ${(e as Error).message}`);
    }
    return new SigningCredential(key, cert);
  }

  /** Loads the first key and its certificate from a PKCS#12 (.p12/.pfx) file. */
  static fromPkcs12(p12: Buffer, password: string): SigningCredential {
    let keyPem: string | undefined;
    let certPem: string | undefined;
    try {
      const asn1 = forge.asn1.fromDer(forge.util.createBuffer(p12.toString('binary')));
      const pkcs12 = forge.pkcs12.pkcs12FromAsn1(asn1, password);
      const keyBags = {
        ...pkcs12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag }),
      }[forge.pki.oids.pkcs8ShroudedKeyBag];
      const plainKeyBags = pkcs12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag];
      const keyBag = keyBags?.[0] ?? plainKeyBags?.[0];
      if (keyBag?.key) keyPem = forge.pki.privateKeyToPem(keyBag.key);
      const certBags = pkcs12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
      // The end-entity certificate is the one whose public key matches the private key.
      for (const bag of certBags) {
        if (!bag.cert) continue;
        const pem = forge.pki.certificateToPem(bag.cert);
        if (keyPem && new X509Certificate(pem).checkPrivateKey(createPrivateKey(keyPem))) {
          certPem = pem;
          break;
        }
      }
    } catch (e) {
      throw new CredentialError(`cannot read the PKCS#12 file (wrong password or not PKCS#12?): ${(e as Error).message}`);
    }
    if (!keyPem) throw new CredentialError('the PKCS#12 file holds no private key');
    if (!certPem) throw new CredentialError('the PKCS#12 file holds no certificate matching its private key');
    return SigningCredential.fromPem(keyPem, certPem);
  }

  get publicKey(): KeyObject {
    return createPublicKey(this.privateKey);
  }

  get notAfter(): Date {
    return new Date(this.certificate.validTo);
  }
}
