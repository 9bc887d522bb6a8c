import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '@hub/letters';

/** One change made by a person or system, as the audit trail keeps it. */
export interface AuditEntryInput {
  tenantId: string;
  /** Who: a user id or an API client id (from the token). */
  actor: string;
  /** What, as a dotted verb: `caseType.create`, `webhook.update`, `retentionRule.delete`, `key.rotate`… */
  action: string;
  /** Which object: `caseType:<id>`, `webhook:<id>`… */
  target: string;
  /** The change: new values (and old ones where useful). Never secrets or personal data. */
  detail: Record<string, unknown>;
}

export interface AuditEntry extends AuditEntryInput {
  id: string;
  seq: number;
  createdAt: string;
  prevHash: string;
  hash: string;
}

/**
 * The hash of an entry: SHA-256 (hex) over the previous entry's hash and the entry's content in a
 * canonical form (keys sorted, no whitespace), so that the same content always hashes the same.
 */
export function auditHash(prevHash: string, e: { tenantId: string; seq: number; actor: string; action: string; target: string; detail: unknown; createdAt: string }): string {
  const content = canonicalJson({ tenantId: e.tenantId, seq: e.seq, actor: e.actor, action: e.action, target: e.target, detail: e.detail, createdAt: e.createdAt });
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}

/** JSON with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * Appends an entry to the tenant's audit trail in the caller's tenant transaction (so the entry
 * exists exactly when the change it records is committed). Entries of one tenant are serialised by
 * a transaction-scoped advisory lock, so the chain never forks.
 */
export async function appendAudit(em: EntityManager, entry: AuditEntryInput): Promise<AuditEntry> {
  await sql(em, `select pg_advisory_xact_lock(hashtextextended('audit_log:' || $1, 0))`, [entry.tenantId]);
  const last = (await sql<{ seq: string; hash: string }>(em, `select seq, hash from audit_log where tenant_id = $1 order by seq desc limit 1`, [entry.tenantId])).rows[0];
  const seq = last ? Number(last.seq) + 1 : 1;
  const prevHash = last?.hash ?? '';
  // Millisecond ISO text, stored as it was hashed (timestamptz keeps microseconds; we store ms).
  const createdAt = new Date().toISOString();
  // Hash exactly what jsonb will give back (a Date becomes its ISO text, undefined disappears), so
  // that verification, which reads the stored detail, recomputes the same hash.
  const detail = JSON.parse(JSON.stringify(entry.detail ?? {})) as Record<string, unknown>;
  entry = { ...entry, detail };
  const hash = auditHash(prevHash, { ...entry, seq, createdAt });
  const { rows } = await sql<{ id: string }>(
    em,
    `insert into audit_log (tenant_id, seq, actor, action, target, detail, created_at, prev_hash, hash)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id::text`,
    [entry.tenantId, seq, entry.actor, entry.action, entry.target, JSON.stringify(entry.detail), createdAt, prevHash, hash],
  );
  return { ...entry, id: rows[0].id, seq, createdAt, prevHash, hash };
}
