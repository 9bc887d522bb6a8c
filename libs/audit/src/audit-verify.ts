import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '@hub/letters';
import { AuditEntry, auditHash } from './audit-log';

/**
 * Runs one SQL statement with `$n` parameters and returns its rows: an entity manager in a tenant
 * transaction (the API, under row-level security) or a plain owner connection (the CLI) both fit.
 */
export type AuditQuery = <R extends Record<string, unknown>>(text: string, params: unknown[]) => Promise<R[]>;

/** An {@link AuditQuery} on an entity manager's transaction. */
export function auditQueryOf(em: EntityManager): AuditQuery {
  return async <R extends Record<string, unknown>>(text: string, params: unknown[]) => (await sql<R>(em, text, params)).rows;
}

/** What is wrong with the first broken entry of a chain. */
export type AuditBreakProblem = 'SEQ' | 'PREV_HASH' | 'HASH';

export interface AuditBreak {
  /** The first entry that does not fit (its stored sequence number and row id). */
  seq: number;
  id: string;
  /**
   * - `SEQ`: its sequence number is not the one after the previous entry's (entries before it were
   *   removed, or it was renumbered);
   * - `PREV_HASH`: its link does not match the previous entry's hash (an entry before it was changed
   *   and its hash recomputed, or entries were reordered or removed);
   * - `HASH`: its hash does not match its own content (it was changed after it was written).
   */
  problem: AuditBreakProblem;
  message: string;
  expected: string;
  actual: string;
}

export interface AuditVerification {
  tenantId: string;
  ok: boolean;
  /** Entries checked (up to and including the first broken one). */
  entries: number;
  /** The hash of the last entry checked (the chain's head when ok). */
  lastHash: string;
  firstBroken?: AuditBreak;
}

interface StoredRow extends Record<string, unknown> {
  id: string;
  tenant_id: string;
  seq: string;
  actor: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
  created_at_text: string;
  prev_hash: string;
  hash: string;
}

const COLUMNS = `id::text, tenant_id::text, seq::text, actor, action, target, detail,
  to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as created_at_text, prev_hash, hash`;

/**
 * The creation time as appendAudit hashed it: ISO 8601 UTC with milliseconds. A stored time with
 * sub-millisecond digits was not written by appendAudit; it is kept whole so that its hash fails.
 */
function hashedTime(text: string): string {
  return text.endsWith('000') ? `${text.slice(0, -3)}Z` : `${text}Z`;
}

/**
 * Verifies a tenant's audit trail: walks its entries in sequence order (pages of `pageSize`),
 * recomputes each entry's hash from its stored content and the previous entry's hash, and reports
 * the first entry whose sequence number, link (`prev_hash`) or hash does not fit.
 *
 * What it cannot see: removing the newest entries (the chain that is left is whole). Compare the
 * returned `lastHash` with one kept elsewhere (a receipt, a log line) to cover that.
 */
export async function verifyAuditTrail(query: AuditQuery, tenantId: string, options: { pageSize?: number } = {}): Promise<AuditVerification> {
  const pageSize = options.pageSize ?? 5000;
  let expectedSeq = 1;
  let prevHash = '';
  let prevSeq = 0;
  let entries = 0;
  for (;;) {
    const rows = await query<StoredRow>(`select ${COLUMNS} from audit_log where tenant_id = $1 and seq > $2 order by audit_log.seq limit $3`, [tenantId, prevSeq, pageSize]);
    for (const row of rows) {
      entries++;
      const seq = Number(row.seq);
      const broken = (problem: AuditBreakProblem, message: string, expected: string, actual: string): AuditVerification => ({
        tenantId,
        ok: false,
        entries,
        lastHash: prevHash,
        firstBroken: { seq, id: row.id, problem, message, expected, actual },
      });
      if (seq !== expectedSeq) {
        return broken(
          'SEQ',
          expectedSeq === 1
            ? `the first entry has sequence number ${seq}, not 1: the entries before it were removed`
            : `entry ${seq} follows entry ${expectedSeq - 1}: ${seq > expectedSeq ? `${seq - expectedSeq} entr${seq - expectedSeq === 1 ? 'y was' : 'ies were'} removed before it` : 'it was renumbered'}`,
          String(expectedSeq),
          String(seq),
        );
      }
      if (row.prev_hash !== prevHash) {
        return broken(
          'PREV_HASH',
          expectedSeq === 1
            ? 'the first entry links to a previous entry although there is none'
            : `its prev_hash is not the hash of entry ${expectedSeq - 1}: an entry before it was changed (and its hash recomputed), removed or reordered`,
          prevHash,
          row.prev_hash,
        );
      }
      const recomputed = auditHash(row.prev_hash, {
        tenantId: row.tenant_id,
        seq,
        actor: row.actor,
        action: row.action,
        target: row.target,
        detail: row.detail,
        createdAt: hashedTime(row.created_at_text),
      });
      if (recomputed !== row.hash) {
        return broken('HASH', `its hash does not match its content: entry ${seq} was changed after it was written`, recomputed, row.hash);
      }
      prevHash = row.hash;
      expectedSeq = seq + 1;
    }
    if (rows.length < pageSize) break;
    prevSeq = Number(rows[rows.length - 1].seq);
  }
  return { tenantId, ok: true, entries, lastHash: prevHash };
}

/** A page of a tenant's audit trail, newest first. */
export interface AuditTrailPage {
  entries: AuditEntry[];
  hasNextPage: boolean;
  /** Pass as `beforeSeq` for the next (older) page. */
  endSeq: number | null;
}

/**
 * Reads a tenant's audit trail, newest first, `first` entries older than `beforeSeq` (the previous
 * page's `endSeq`). Runs in the caller's tenant transaction: row-level security shows only its entries.
 */
export async function readAuditTrail(em: EntityManager, tenantId: string, options: { first: number; beforeSeq?: number | null }): Promise<AuditTrailPage> {
  const rows = (
    await sql<StoredRow>(em, `select ${COLUMNS} from audit_log where tenant_id = $1 and ($2::bigint is null or seq < $2) order by audit_log.seq desc limit $3`, [
      tenantId,
      options.beforeSeq ?? null,
      options.first + 1,
    ])
  ).rows;
  const page = rows.slice(0, options.first);
  return {
    entries: page.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      seq: Number(r.seq),
      actor: r.actor,
      action: r.action,
      target: r.target,
      detail: r.detail,
      createdAt: hashedTime(r.created_at_text),
      prevHash: r.prev_hash,
      hash: r.hash,
    })),
    hasNextPage: rows.length > options.first,
    endSeq: page.length ? Number(page[page.length - 1].seq) : null,
  };
}
