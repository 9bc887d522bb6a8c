/**
 * Sender certificates for tests that the test PKI does not issue: any validity period (expired, not
 * yet valid, about to expire), any organisation, signed by the test PKI's CA (so the simulated
 * mailbox operators trust them), plus PKCS#12 files of them.
 */
import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

const DAY_MS = 24 * 3600 * 1000;
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** forge builds the certificate; Node does the RSA operation (forge's pure-JS one is slow under jest). */
function nativeSigner(key: crypto.KeyObject): forge.pki.rsa.PrivateKey {
  return {
    sign(md: forge.md.MessageDigest): string {
      const digestInfo = Buffer.concat([SHA256_DIGEST_INFO, Buffer.from(md.digest().getBytes(), 'binary')]);
      return crypto.privateEncrypt({ key, padding: crypto.constants.RSA_PKCS1_PADDING }, digestInfo).toString('binary');
    },
  } as unknown as forge.pki.rsa.PrivateKey;
}

export interface TestCredential {
  certPem: string;
  keyPem: string;
  serialHex: string;
  notAfter: Date;
}

/**
 * A function certificate for `orgNumber` ("16" + 10 digits), issued by the CA in `pkiDir`, valid from
 * `validFromDays` to `validToDays` days from now (negative: in the past).
 */
export function issueSenderCertificate(pkiDir: string, options: { orgNumber: string; name: string; validFromDays?: number; validToDays?: number; keyBits?: number }): TestCredential {
  const caCert = forge.pki.certificateFromPem(readFileSync(join(pkiDir, 'ca.crt.pem'), 'utf8'));
  const caKey = crypto.createPrivateKey(readFileSync(join(pkiDir, 'ca.key.pem')));
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: options.keyBits ?? 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const serial = crypto.randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x40;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now + (options.validFromDays ?? -1) * DAY_MS);
  cert.validity.notAfter = new Date(now + (options.validToDays ?? 365) * DAY_MS);
  cert.setSubject([
    { type: '2.5.4.6', value: 'SE' },
    { type: '2.5.4.10', value: options.name, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class },
    { type: '2.5.4.5', value: options.orgNumber },
    { type: '2.5.4.3', value: options.name, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class },
  ]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(nativeSigner(caKey), forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    serialHex: cert.serialNumber.toUpperCase(),
    notAfter: cert.validity.notAfter,
  };
}

/** A PKCS#12 file with the key and certificate (3DES, readable by OpenSSL, Java and .NET alike). */
export function toPkcs12(credential: Pick<TestCredential, 'certPem' | 'keyPem'>, password: string): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(credential.keyPem), [forge.pki.certificateFromPem(credential.certPem)], password, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
