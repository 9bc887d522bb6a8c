import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import type { FieldViolation } from '@hub/letters';
import { SigningCredential, subjectSerialNumber } from '@hub/mina-meddelanden';

/** A certificate this close to its end (or closer) is flagged, so that an admin renews it in time. */
export const CERTIFICATE_WARNING_DAYS = 30;
/** No certificate, key or PKCS#12 file is anywhere near this large; anything bigger is not one. */
export const MAX_CREDENTIAL_FILE_BYTES = 64 * 1024;

const DAY_MS = 24 * 3600 * 1000;

export type CertificateStatus = 'VALID' | 'EXPIRES_SOON' | 'EXPIRED' | 'NOT_YET_VALID';

/** What an admin needs to know about an installed sender certificate (never its key). */
export interface CertificateFacts {
  /** RFC 4514, most specific first, as X509SubjectName carries it. */
  subject: string;
  issuer: string;
  /** The certificate's serial number (hex, upper case). */
  serialNumber: string;
  /** The subject's serialNumber attribute: "16" + organisationsnummer for a Swedish function certificate. */
  subjectSerialNumber: string | null;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the DER, "AB:CD:…" */
  fingerprintSha256: string;
}

function rfc4514(multiline: string): string {
  const names: Record<string, string> = { serialNumber: 'SERIALNUMBER', '2.5.4.5': 'SERIALNUMBER' };
  return multiline
    .split('\n')
    .filter((l) => l.length > 0)
    .map((rdn) =>
      rdn
        .split(' + ')
        .map((part) => {
          const eq = part.indexOf('=');
          const key = part.slice(0, eq);
          return `${names[key] ?? key}=${part.slice(eq + 1).replace(/([,+"\\<>;])/g, '\\$1')}`;
        })
        .join(' + '),
    )
    .reverse()
    .join(', ');
}

export function certificateFacts(cert: X509Certificate): CertificateFacts {
  return {
    subject: rfc4514(cert.subject),
    issuer: rfc4514(cert.issuer),
    serialNumber: cert.serialNumber.toUpperCase(),
    subjectSerialNumber: subjectSerialNumber(cert) ?? null,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    fingerprintSha256: cert.fingerprint256,
  };
}

/** Whole days until `notAfter` (negative once it has passed; 0 on its last day). */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}

export function certificateStatus(facts: Pick<CertificateFacts, 'notBefore' | 'notAfter'>, now: Date): CertificateStatus {
  if (facts.notAfter.getTime() <= now.getTime()) return 'EXPIRED';
  if (facts.notBefore.getTime() > now.getTime()) return 'NOT_YET_VALID';
  return daysLeft(facts.notAfter, now) <= CERTIFICATE_WARNING_DAYS ? 'EXPIRES_SOON' : 'VALID';
}

/** A sender credential as uploaded: a PKCS#12 file, or a certificate (PEM or DER, chain allowed) with its PEM key. */
export type CredentialUpload =
  | { kind: 'pkcs12'; pkcs12: Buffer; password: string }
  | { kind: 'pem'; certificate: Buffer; privateKey: Buffer; password?: string };

export type CheckedCredential =
  | {
      ok: true;
      /** The certificate as PEM: what `sending_unit.certificate_pem` stores and the dispatch signs with. */
      certificatePem: string;
      /** The key as unencrypted PKCS#8 PEM, to be encrypted with the KeyVault before it is stored. */
      keyPem: string;
      facts: CertificateFacts;
    }
  | { ok: false; fields: FieldViolation[] };

const dateOnly = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Reads an uploaded sender credential and checks it as Mina meddelanden will: an RSA key that belongs
 * to the certificate, a certificate valid now, an end-entity (not CA) certificate, and issued to the
 * sending unit's organisation (subject serialNumber = "16" + organisationsnummer; the mailbox
 * operators refuse a sender signature from another organisation's certificate, fault 5002).
 * Field paths are those of `SenderCertificateInput`. Messages never contain the password or the key.
 */
export function checkSenderCredential(upload: CredentialUpload, orgNumber: string, now: Date): CheckedCredential {
  const fields: FieldViolation[] = [];
  let credential: SigningCredential | undefined;
  if (upload.kind === 'pkcs12') {
    try {
      credential = SigningCredential.fromPkcs12(upload.pkcs12, upload.password);
    } catch (e) {
      const message = (e as Error).message;
      if (/MAC could not be verified|Invalid password/i.test(message)) {
        fields.push({ path: 'password', rule: 'password', message: 'does not open the PKCS#12 file: check the password you were given with the certificate' });
      } else if (/holds no certificate matching/.test(message)) {
        fields.push({ path: 'pkcs12', rule: 'keyMismatch', message: 'holds a private key but no certificate that belongs to it: export the file again with its certificate' });
      } else if (/holds no private key/.test(message)) {
        fields.push({ path: 'pkcs12', rule: 'noKey', message: 'holds no private key: export the certificate together with its private key (.p12/.pfx)' });
      } else if (/must be RSA/.test(message)) {
        fields.push({ path: 'pkcs12', rule: 'keyType', message: 'holds a key that is not RSA: Mina meddelanden signs with RSA-SHA256' });
      } else {
        fields.push({ path: 'pkcs12', rule: 'format', message: 'is not a PKCS#12 file (.p12/.pfx) we can read: export the certificate with its private key as PKCS#12' });
      }
      return { ok: false, fields };
    }
  } else {
    let key: KeyObject | undefined;
    const pem = upload.privateKey.toString('latin1');
    const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(pem);
    if (encrypted && !upload.password) fields.push({ path: 'password', rule: 'required', message: 'is required: the private key is encrypted with a password' });
    else {
      try {
        key = createPrivateKey({ key: pem, format: 'pem', ...(encrypted ? { passphrase: upload.password } : {}) });
      } catch {
        if (encrypted) fields.push({ path: 'password', rule: 'password', message: 'does not decrypt the private key: check the password' });
        else fields.push({ path: 'privateKeyPem', rule: 'format', message: 'is not a PEM private key ("-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----" or "-----BEGIN ENCRYPTED PRIVATE KEY-----")' });
      }
    }
    const certs = readCertificates(upload.certificate);
    if (certs.length === 0) fields.push({ path: 'certificatePem', rule: 'format', message: 'is not a certificate: give the PEM ("-----BEGIN CERTIFICATE-----") or DER file' });
    if (!key || certs.length === 0) return { ok: false, fields };
    if (key.asymmetricKeyType !== 'rsa') {
      return { ok: false, fields: [{ path: 'privateKeyPem', rule: 'keyType', message: `is a ${key.asymmetricKeyType?.toUpperCase() ?? 'non-RSA'} key; Mina meddelanden signs with RSA-SHA256` }] };
    }
    // A file may carry the chain too: the sender certificate is the one the key belongs to.
    const own = certs.find((c) => c.checkPrivateKey(key));
    if (!own) {
      return {
        ok: false,
        fields: [{ path: 'privateKeyPem', rule: 'keyMismatch', message: `does not belong to the certificate ${rfc4514(certs[0].subject)}: upload the key that was created with this certificate` }],
      };
    }
    credential = SigningCredential.fromPem(key.export({ type: 'pkcs8', format: 'pem' }), own.toString());
  }

  const cert = credential.certificate;
  const facts = certificateFacts(cert);
  const file = upload.kind === 'pkcs12' ? 'pkcs12' : 'certificatePem';
  if (cert.ca) fields.push({ path: file, rule: 'notEndEntity', message: `is a CA certificate (${facts.subject}); upload the sending unit's own function certificate` });
  if (facts.notAfter.getTime() <= now.getTime()) {
    fields.push({ path: file, rule: 'expired', message: `expired on ${dateOnly(facts.notAfter)}: order a new certificate from the issuer (${facts.issuer})` });
  } else if (facts.notBefore.getTime() > now.getTime()) {
    fields.push({ path: file, rule: 'notYetValid', message: `is valid only from ${facts.notBefore.toISOString()}: upload it on or after that day` });
  }
  if (facts.subjectSerialNumber !== orgNumber) {
    fields.push({
      path: file,
      rule: 'orgNumber',
      message: facts.subjectSerialNumber
        ? `is issued to organisation ${facts.subjectSerialNumber} (serialNumber in the subject), not to the sending unit's ${orgNumber}: Mina meddelanden refuses a signature from another organisation's certificate`
        : `has no serialNumber in its subject; a Swedish function certificate carries "16" + the organisationsnummer (${orgNumber}) there`,
    });
  }
  if (fields.length) return { ok: false, fields };
  return { ok: true, certificatePem: credential.certificatePem, keyPem: credential.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), facts };
}

/** Every certificate in a PEM bundle, or the one DER certificate; none when it is neither. */
function readCertificates(data: Buffer): X509Certificate[] {
  const text = data.toString('latin1');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  const out: X509Certificate[] = [];
  for (const block of blocks ?? [data]) {
    try {
      out.push(new X509Certificate(block));
    } catch {
      // not a certificate: reported by the caller when none is left
    }
  }
  return out;
}
