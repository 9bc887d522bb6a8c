/** Signing and verifying webhook requests: the same code a receiver runs. */
import { generateWebhookSecret, signWebhookPayload, verifyWebhookSignature } from './webhook-signature';

const secret = generateWebhookSecret();
const body = JSON.stringify({ id: '42', type: 'letter.delivered', letterId: 'x' });
const t = 1_800_000_000;
const at = (seconds: number) => new Date(seconds * 1000);

it('generates distinct secrets with 32 random bytes', () => {
  const other = generateWebhookSecret();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  expect(other).not.toBe(secret);
});

it('verifies a body signed under the secret at a recent time', () => {
  const header = signWebhookPayload([secret], body, t);
  expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
  expect(verifyWebhookSignature(secret, header, body, at(t + 10))).toEqual({ ok: true, timestamp: t });
  expect(verifyWebhookSignature(secret, header, Buffer.from(body), at(t))).toEqual({ ok: true, timestamp: t });
});

it('refuses a changed body, another secret, and a changed timestamp', () => {
  const header = signWebhookPayload([secret], body, t);
  expect(verifyWebhookSignature(secret, header, body.replace('42', '43'), at(t))).toMatchObject({ ok: false, reason: 'SIGNATURE_MISMATCH' });
  expect(verifyWebhookSignature(generateWebhookSecret(), header, body, at(t))).toMatchObject({ ok: false, reason: 'SIGNATURE_MISMATCH' });
  // Moving the timestamp forward to pass the age check breaks the signature (it covers the timestamp).
  expect(verifyWebhookSignature(secret, header.replace(`t=${t}`, `t=${t + 1000}`), body, at(t + 1000))).toMatchObject({ ok: false, reason: 'SIGNATURE_MISMATCH' });
});

it('refuses a timestamp older or newer than the tolerance (a replay, or a clock far off)', () => {
  const header = signWebhookPayload([secret], body, t);
  expect(verifyWebhookSignature(secret, header, body, at(t + 300))).toMatchObject({ ok: true });
  expect(verifyWebhookSignature(secret, header, body, at(t + 301))).toMatchObject({ ok: false, reason: 'TIMESTAMP_OUT_OF_TOLERANCE' });
  expect(verifyWebhookSignature(secret, header, body, at(t - 301))).toMatchObject({ ok: false, reason: 'TIMESTAMP_OUT_OF_TOLERANCE' });
  expect(verifyWebhookSignature(secret, header, body, at(t + 50), 30)).toMatchObject({ ok: false, reason: 'TIMESTAMP_OUT_OF_TOLERANCE' });
});

it('refuses a missing or malformed header, saying so', () => {
  for (const header of [undefined, '', 'v1=abc', `t=${t}`, `t=${t},v1=nothex`, `t=soon,v1=${'0'.repeat(64)}`]) {
    expect(verifyWebhookSignature(secret, header, body, at(t))).toMatchObject({ ok: false, reason: 'MALFORMED_HEADER', message: expect.stringContaining('X-Hub-Signature') });
  }
});

it('during a rotation carries one signature per secret, and either secret verifies', () => {
  const previous = generateWebhookSecret();
  const header = signWebhookPayload([secret, previous], body, t);
  expect(header.split(',').filter((p) => p.startsWith('v1='))).toHaveLength(2);
  expect(verifyWebhookSignature(secret, header, body, at(t))).toMatchObject({ ok: true });
  expect(verifyWebhookSignature(previous, header, body, at(t))).toMatchObject({ ok: true });
  expect(verifyWebhookSignature(generateWebhookSecret(), header, body, at(t))).toMatchObject({ ok: false });
  expect(() => signWebhookPayload([], body, t)).toThrow(/at least one secret/);
});
