import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The header that carries the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=<hex>…]`. */
export const SIGNATURE_HEADER = 'X-Hub-Signature';
/** The header that carries the event id (the same as the body's `id`). */
export const EVENT_ID_HEADER = 'X-Hub-Event-Id';
/** The header that carries the event type (the same as the body's `type`). */
export const EVENT_TYPE_HEADER = 'X-Hub-Event';
/** The header that carries the hub's delivery id (for support: which delivery this request belongs to). */
export const DELIVERY_ID_HEADER = 'X-Hub-Delivery-Id';

/** How old (or how far in the future) a signed timestamp may be by default: 5 minutes. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/** A new signing secret: `whsec_` and 32 random bytes (base64url). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function hmacHex(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/**
 * The signature header value for a body sent at `timestamp` (unix seconds): one `v1` per secret (the
 * current one first; during a secret rotation also the previous one, so a receiver with either verifies).
 */
export function signWebhookPayload(secrets: readonly string[], body: string | Buffer, timestamp: number): string {
  if (secrets.length === 0) throw new Error('at least one secret is needed to sign');
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${hmacHex(s, timestamp, body)}`)].join(',');
}

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'MALFORMED_HEADER' | 'TIMESTAMP_OUT_OF_TOLERANCE' | 'SIGNATURE_MISMATCH'; message: string };

/**
 * Verifies a webhook request as a receiver must: the header parses, its timestamp is within
 * `toleranceSec` of `now` (older requests are replays, or too late), and one of its `v1` signatures is
 * the HMAC-SHA256 of `<timestamp>.<body>` under `secret`, compared in constant time. `body` must be
 * the raw request body exactly as received (not re-serialised JSON).
 *
 * The timestamp check alone does not stop a replay within the tolerance: also refuse to process an
 * event id you have already processed (see README-receiver.md).
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string | Buffer,
  now: Date = new Date(),
  toleranceSec: number = DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
): SignatureCheck {
  if (!header) return { ok: false, reason: 'MALFORMED_HEADER', message: `no ${SIGNATURE_HEADER} header` };
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) {
    return { ok: false, reason: 'MALFORMED_HEADER', message: `${SIGNATURE_HEADER} must be "t=<unix seconds>,v1=<64 hex digits>"` };
  }
  const age = Math.floor(now.getTime() / 1000) - timestamp;
  if (Math.abs(age) > toleranceSec) {
    return { ok: false, reason: 'TIMESTAMP_OUT_OF_TOLERANCE', message: `the signed timestamp is ${age} s from now; at most ${toleranceSec} s is accepted` };
  }
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  const match = signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
  return match ? { ok: true, timestamp } : { ok: false, reason: 'SIGNATURE_MISMATCH', message: 'no signature matches the body under this secret' };
}
