import { createHash, KeyObject, X509Certificate } from 'node:crypto';
import { rfc4514Subject, subjectSerialNumber } from '../signing/credential';

/** A certificate from KeyInfo, read once, with what verification needs of it. */
export interface KnownCertificate {
  certificate: X509Certificate;
  subject: string;
  serialNumber: string | undefined;
  fingerprint: string;
  /** Its public key, created on first use (a certificate that is never trusted never needs one). */
  publicKey?: KeyObject;
}

/**
 * A handful of signers (the municipalities, the förmedlare) send every delivery, so the same few
 * certificates arrive again and again: parsing one, deriving its subject and fingerprint and creating its
 * public key costs more than the RSA verification itself. Entries are keyed by the SHA-256 of the DER
 * bytes. The same X509Certificate object is handed out for the same certificate, which also lets
 * TrustStore remember its decision about the chain (see TrustStore.check). Bounded: the oldest entry
 * goes first.
 */
const MAX_ENTRIES = 256;
const known = new Map<string, KnownCertificate>();

/** Reads the DER certificate in `base64` (whitespace already removed). Throws what X509Certificate throws. */
export function knownCertificate(base64: string): KnownCertificate {
  const der = Buffer.from(base64, 'base64');
  const key = createHash('sha256').update(der).digest('base64');
  const hit = known.get(key);
  if (hit) return hit;
  const certificate = new X509Certificate(der);
  const entry: KnownCertificate = {
    certificate,
    subject: rfc4514Subject(certificate),
    serialNumber: subjectSerialNumber(certificate),
    fingerprint: certificate.fingerprint256,
  };
  if (known.size >= MAX_ENTRIES) known.delete(known.keys().next().value!);
  known.set(key, entry);
  return entry;
}
