import { randomBytes } from 'node:crypto';
import { IntakeBadInputError } from './intake.errors';

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a syntactically valid UUID (anything else cannot be a letter id). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * An opaque keyset cursor over (created_at desc, id desc): the row's created_at to the microsecond
 * (as PostgreSQL stores it, so no row is skipped or repeated) and its id.
 */
export function encodeCursor(createdAtMicros: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAtMicros, id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && ISO_MICROS.test(createdAt) && typeof id === 'string' && UUID.test(id)) return { createdAt, id };
  } catch {
    // fall through
  }
  throw new IntakeBadInputError('after is not a cursor this API returned: pass pageInfo.endCursor (or an edge cursor) from the previous page unchanged.');
}

/**
 * A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits. Letter ids made in time order keep
 * the primary key index append-mostly under bulk intake.
 */
export function uuidv7(now = Date.now()): string {
  const b = randomBytes(16);
  b.writeUIntBE(now, 0, 6);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
