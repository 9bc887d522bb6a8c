import { sql } from '@hub/letters';
import type { TenantDb } from '@hub/persistence';
import type { PurgeRecord, PurgeTrigger, RetentionCounts } from './retention-purge';
import { RetentionContext, RetentionError } from './retention-rule';

interface RecordRow extends Record<string, unknown> {
  id: string;
  tenant_id: string;
  rule_id: string;
  rule: Record<string, unknown>;
  dry_run: boolean;
  trigger: PurgeTrigger;
  actor: string;
  as_of: Date;
  started_at: Date;
  finished_at: Date;
  counts: RetentionCounts;
  error: string | null;
  cursor_at: string;
}

export interface PurgeRecordPage {
  items: { cursor: string; record: PurgeRecord }[];
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface PurgeRecordFilter {
  ruleId?: string | null;
  dryRun?: boolean | null;
}

const CURSOR = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function encode(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id]), 'utf8').toString('base64url');
}

function decode(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && CURSOR.test(at) && typeof id === 'string' && UUID.test(id)) return { at, id };
  } catch {
    // fall through
  }
  throw new RetentionError('BAD_INPUT', 'after is not a cursor this API returned: pass pageInfo.endCursor from the previous page unchanged.');
}

/** A tenant's purge records, newest first (keyset-paged). */
export class PurgeRecords {
  constructor(private readonly db: TenantDb) {}

  async list(ctx: RetentionContext, filter: PurgeRecordFilter, first: number, after?: string | null): Promise<PurgeRecordPage> {
    const from = after ? decode(after) : null;
    if (filter.ruleId && !UUID.test(filter.ruleId)) return { items: [], hasNextPage: false, endCursor: null };
    return this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const rows = (
          await sql<RecordRow>(
            em,
            `select id, tenant_id, rule_id, rule, dry_run, trigger, actor, as_of, started_at, finished_at, counts, error,
                    to_char(finished_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at
               from retention_purge
              where ($1::uuid is null or rule_id = $1) and ($2::boolean is null or dry_run = $2)
                and ($3::timestamptz is null or (finished_at, id) < ($3::timestamptz, $4::uuid))
              order by finished_at desc, id desc limit $5`,
            [filter.ruleId ?? null, filter.dryRun ?? null, from?.at ?? null, from?.id ?? null, first + 1],
          )
        ).rows;
        const page = rows.slice(0, first);
        const items = page.map((r) => ({
          cursor: encode(r.cursor_at, r.id),
          record: {
            id: r.id,
            tenantId: r.tenant_id,
            ruleId: r.rule_id,
            rule: r.rule,
            dryRun: r.dry_run,
            trigger: r.trigger,
            actor: r.actor,
            asOf: new Date(r.as_of),
            startedAt: new Date(r.started_at),
            finishedAt: new Date(r.finished_at),
            counts: r.counts,
            error: r.error,
          },
        }));
        return { items, hasNextPage: rows.length > first, endCursor: items.length ? items[items.length - 1].cursor : null };
      },
      ctx.actor,
    );
  }
}
