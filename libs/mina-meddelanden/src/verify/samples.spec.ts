import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { SignatureVerificationError } from '../errors';
import { TrustStore } from './trust-store';
import { verifyDelivery, VerifyOptions } from './delivery-verifier';

const fx = (p: string) => readFileSync(join(__dirname, '../../test-fixtures', p), 'utf8');
function certOf(xml: string): string {
  const b64 = /X509Certificate>([^<]+)</.exec(xml)![1];
  return new X509Certificate(Buffer.from(b64, 'base64')).toString();
}
function refusal(xml: string, options: VerifyOptions): SignatureVerificationError {
  try {
    verifyDelivery(xml, options);
  } catch (e) {
    expect(e).toBeInstanceOf(SignatureVerificationError);
    return e as SignatureVerificationError;
  }
  throw new Error('expected the document to be refused');
}

describe('signed v3 samples from a .NET client', () => {
  const sealedWithSig = fx('signed-v3/SealedDeliveryWithSignature.xml');
  // The sample's certificate expired in 2021 and its CA is not ours: pin it and verify as of its seal date.
  const kommunA = new TrustStore({ certificates: [certOf(sealedWithSig)] });
  const at = new Date('2020-05-28T12:00:00Z');

  it('SealedDeliveryWithSignature verifies in both layers and returns what was signed', () => {
    const v = verifyDelivery(sealedWithSig, { senderTrust: kommunA, sealTrust: kommunA, at });
    expect(v.sender.serialNumber).toBe('162021004748');
    expect(v.sender.signatureAlgorithm).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(v.seal?.signaturesOk).toBe(true);
    expect(v.seal?.receivedTime).toBe('2020-05-28');
    expect(v.delivery.recipient).toBe('198101052382');
    expect(v.delivery.messages[0].subject).toMatch(/^Säkert Meddelande/);
    expect(v.delivery.messages[0].officialMatter?.precedingEventId).toBe('234243');
    expect(v.delivery.messages[0].attachments[0].contentType).toBe('application/pdf');
  });

  it('is refused when the certificate is not trusted, or has expired', () => {
    const other = new TrustStore({ certificates: [certOf(fx('wire-v3/kivra-deliverSecure-v3.xml'))] });
    expect(refusal(sealedWithSig, { senderTrust: other, sealTrust: kommunA, at }).reason).toBe('untrusted-certificate');
    expect(refusal(sealedWithSig, { senderTrust: kommunA, sealTrust: kommunA }).reason).toBe('untrusted-certificate');
  });

  it('SealedDelivery (no seal signature) verifies in its sender layer and is refused where a seal is required', () => {
    const xml = fx('signed-v3/SealedDelivery.xml');
    const v = verifyDelivery(xml, { senderTrust: kommunA, requireSeal: false, at });
    expect(v.seal).toBeUndefined();
    expect(v.sender.serialNumber).toBe('162021004748');
    const e = refusal(xml, { senderTrust: kommunA, sealTrust: kommunA, at });
    expect(e.layer).toBe('document');
    expect(e.reason).toBe('structure');
  });

  it('SignedDeliveryWithSignature, pretty-printed after signing, fails', () => {
    const xml = fx('signed-v3/SignedDeliveryWithSignature.xml');
    const e = refusal(xml, { senderTrust: kommunA, requireSeal: false, at });
    expect(e.layer).toBe('sender');
    expect(e.reason).toBe('invalid-signature');
  });
});

describe("a mailbox operator's own signed deliverSecure envelope, prefixed on the wire", () => {
  const wire = fx('wire-v3/kivra-deliverSecure-v3.xml');
  const kivraCert = fx('wire-v3/kivra-test-cert.pem');
  const kivra = new TrustStore({ certificates: [kivraCert] });

  it('verifies in both layers with the Kivra test certificate trusted (SHA-1 enabled)', () => {
    const v = verifyDelivery(wire, { senderTrust: kivra, sealTrust: kivra, allowSha1: true });
    expect(v.sender.serialNumber).toBe('165568402266');
    expect(v.seal?.serialNumber).toBe('165568402266');
    expect(v.delivery.messages[0].subject).toBe('Välkommen till bruket');
    expect(v.delivery.messages[0].body.text).toBe('Här är din pdf.');
    expect(v.delivery.messages[0].attachments[0].checksum).toBe('DDB0C170A9145291740E6D9B7253C6A1');
  });

  it('is refused when the certificate is not trusted', () => {
    const other = new TrustStore({ certificates: [certOf(fx('signed-v3/SealedDeliveryWithSignature.xml'))] });
    expect(refusal(wire, { senderTrust: other, sealTrust: other, allowSha1: true }).reason).toBe('untrusted-certificate');
  });

  it('is refused when SHA-1 is not enabled', () => {
    expect(refusal(wire, { senderTrust: kivra, sealTrust: kivra }).reason).toBe('algorithm');
  });
});
