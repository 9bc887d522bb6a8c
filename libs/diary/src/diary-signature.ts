import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries the signature of a diary hook request. */
export const DIARY_SIGNATURE_HEADER = 'X-Hub-Signature';

/**
 * The signature header of a body sent at `timestamp` (unix seconds): `t=<unix>,v1=<hex>`, where v1
 * is HMAC-SHA256 with the hook's secret over `<unix>.<body>` (the body exactly as sent, UTF-8). The
 * same scheme as the hub's webhook notifications, so that one receiver library serves both.
 */
export function signDiaryBody(secret: string, body: string, timestamp: number): string {
  if (!Number.isInteger(timestamp) || timestamp < 0) throw new RangeError('timestamp must be whole unix seconds');
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, body)}`;
}

/** Why a receiver refuses a signed request. */
export type SignatureRefusal = 'missing' | 'malformed' | 'stale' | 'mismatch';

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: SignatureRefusal };

/**
 * What a registry (or any receiver) does with a request: parse `t=…,v1=…`, refuse a timestamp
 * further than `toleranceSeconds` (default 300) from its own clock (a replayed old request), and
 * compare the HMAC in constant time. Several `v1` values are allowed (one of them must match), so
 * that a sender may sign with an old and a new secret while a secret is being rotated.
 */
export function verifyDiarySignature(
  secret: string,
  body: string,
  header: string | undefined | null,
  options: { toleranceSeconds?: number; now?: () => number } = {},
): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing' };
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return { ok: false, reason: 'malformed' };
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value)) return { ok: false, reason: 'malformed' };
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) return { ok: false, reason: 'malformed' };
      signatures.push(value);
    }
  }
  if (timestamp === undefined || signatures.length === 0) return { ok: false, reason: 'malformed' };
  const now = Math.floor((options.now?.() ?? Date.now()) / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  const match = signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
  return match ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body, 'utf8').digest('hex');
}
