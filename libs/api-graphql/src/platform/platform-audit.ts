import type { EntityManager } from '@mikro-orm/postgresql';
import { auditHash } from '@hub/audit';
import { sql } from '@hub/letters';

/**
 * The platform's audit trail (`platform_audit_log`): the platform operator's changes, which belong
 * to no tenant (print vendors) or to a tenant that is being created. One hash chain for the whole
 * platform, built exactly like a tenant's (`auditHash` over the previous hash and the entry, with
 * {@link PLATFORM_CHAIN} in the tenant's place), append-only by trigger.
 */
export const PLATFORM_CHAIN = 'platform';

export interface PlatformAuditInput {
  actor: string;
  /** `tenant.onboard`, `tenant.update`, `printVendor.create`, `printVendor.update`. */
  action: string;
  /** `tenant:<id>`, `printVendor:<id>`. */
  target: string;
  /** The change: new values (and old ones where useful). Never secrets or personal data. */
  detail: Record<string, unknown>;
}

export interface PlatformAuditEntry extends PlatformAuditInput {
  seq: number;
  createdAt: string;
  prevHash: string;
  hash: string;
}

/** Appends an entry in the caller's transaction (so it exists exactly when the change is committed). */
export async function appendPlatformAudit(em: EntityManager, entry: PlatformAuditInput): Promise<PlatformAuditEntry> {
  await sql(em, `select pg_advisory_xact_lock(hashtextextended('platform_audit_log', 0))`);
  const last = (await sql<{ seq: string; hash: string }>(em, `select seq, hash from platform_audit_log order by seq desc limit 1`)).rows[0];
  const seq = last ? Number(last.seq) + 1 : 1;
  const prevHash = last?.hash ?? '';
  const createdAt = new Date().toISOString();
  // Hash what jsonb gives back (see appendAudit), so that verification recomputes the same hash.
  const detail = JSON.parse(JSON.stringify(entry.detail ?? {})) as Record<string, unknown>;
  const hash = auditHash(prevHash, { tenantId: PLATFORM_CHAIN, seq, actor: entry.actor, action: entry.action, target: entry.target, detail, createdAt });
  await sql(
    em,
    `insert into platform_audit_log (seq, actor, action, target, detail, created_at, prev_hash, hash) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [seq, entry.actor, entry.action, entry.target, JSON.stringify(detail), createdAt, prevHash, hash],
  );
  return { ...entry, detail, seq, createdAt, prevHash, hash };
}

interface Row {
  seq: string;
  actor: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
  created_at_text: string;
  prev_hash: string;
  hash: string;
}

const COLUMNS = `seq::text, actor, action, target, detail,
  to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as created_at_text, prev_hash, hash`;

/** The stored time as appendPlatformAudit hashed it (ISO 8601 UTC, milliseconds). */
function hashedTime(text: string): string {
  return text.endsWith('000') ? `${text.slice(0, -3)}Z` : `${text}Z`;
}

function toEntry(r: Row): PlatformAuditEntry {
  return { seq: Number(r.seq), actor: r.actor, action: r.action, target: r.target, detail: r.detail, createdAt: hashedTime(r.created_at_text), prevHash: r.prev_hash, hash: r.hash };
}

/** The newest entries first, `first` of them, before sequence number `beforeSeq` when given. */
export async function readPlatformAudit(em: EntityManager, first: number, beforeSeq: number | null): Promise<{ entries: PlatformAuditEntry[]; hasNextPage: boolean }> {
  const rows = (
    await sql<Row>(em, `select ${COLUMNS} from platform_audit_log where ($1::bigint is null or seq < $1) order by seq desc limit $2`, [beforeSeq, first + 1])
  ).rows;
  return { entries: rows.slice(0, first).map(toEntry), hasNextPage: rows.length > first };
}

export interface PlatformAuditVerification {
  ok: boolean;
  entries: number;
  lastHash: string;
  /** The first entry that does not fit: its sequence number and what is wrong. */
  firstBroken: { seq: number; problem: 'SEQ' | 'PREV_HASH' | 'HASH'; message: string } | null;
}

/** Walks the whole chain oldest first and recomputes every link and hash (as verifyAuditTrail does for a tenant). */
export async function verifyPlatformAudit(em: EntityManager, pageSize = 5000): Promise<PlatformAuditVerification> {
  let expectedSeq = 1;
  let prevHash = '';
  let count = 0;
  for (;;) {
    const rows = (await sql<Row>(em, `select ${COLUMNS} from platform_audit_log where seq >= $1 order by seq limit $2`, [expectedSeq, pageSize])).rows;
    for (const r of rows.map(toEntry)) {
      count++;
      const broken = (problem: 'SEQ' | 'PREV_HASH' | 'HASH', message: string): PlatformAuditVerification => ({ ok: false, entries: count, lastHash: prevHash, firstBroken: { seq: r.seq, problem, message } });
      if (r.seq !== expectedSeq) return broken('SEQ', `entry ${r.seq} follows entry ${expectedSeq - 1}: entries in between were removed or renumbered`);
      if (r.prevHash !== prevHash) return broken('PREV_HASH', `entry ${r.seq} links to ${r.prevHash || '(nothing)'}, but the entry before it hashes to ${prevHash || '(nothing)'}`);
      const hash = auditHash(prevHash, { tenantId: PLATFORM_CHAIN, seq: r.seq, actor: r.actor, action: r.action, target: r.target, detail: r.detail, createdAt: r.createdAt });
      if (hash !== r.hash) return broken('HASH', `entry ${r.seq} was changed after it was written (its content hashes to ${hash}, stored ${r.hash})`);
      prevHash = r.hash;
      expectedSeq = r.seq + 1;
    }
    if (rows.length < pageSize) return { ok: true, entries: count, lastHash: prevHash, firstBroken: null };
  }
}
