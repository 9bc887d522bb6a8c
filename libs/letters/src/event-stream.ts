import type { EntityManager } from '@mikro-orm/postgresql';
import type { TenantDb } from '@hub/persistence';
import { sql } from './intake/sql';

/** One letter event as the stream hands it to consumers (every tenant, in id order). */
export interface StreamedLetterEvent {
  id: string;
  tenantId: string;
  letterId: string;
  type: string;
  fromStatus: string | null;
  toStatus: string | null;
  detail: Record<string, unknown>;
  createdAt: Date;
}

/**
 * Follows the letter event log of every municipality in order, for one named consumer (webhook
 * notifications, diary hooks…): `next()` returns the events after the consumer's cursor, and
 * `commit(lastId)` moves the cursor once they are handled (at-least-once: a consumer that dies
 * before committing sees them again, so its handling must be idempotent, e.g. keyed by event id).
 * Events are returned only once they are `settleMs` old, so a transaction committing late with a
 * smaller id is never skipped.
 */
export class LetterEventStream {
  constructor(
    private readonly db: TenantDb,
    readonly consumer: string,
    private readonly options: { batch?: number; settleMs?: number } = {},
  ) {}

  async next(): Promise<StreamedLetterEvent[]> {
    return this.db.withoutTenant(async (em) => {
      const e = em as EntityManager;
      await sql(e, `insert into event_consumer (name) values ($1) on conflict (name) do nothing`, [this.consumer]);
      const cursor = (await sql<{ last_event_id: string }>(e, `select last_event_id from event_consumer where name = $1`, [this.consumer])).rows[0];
      const rows = (
        await sql<{ id: string; tenant_id: string; letter_id: string; type: string; from_status: string | null; to_status: string | null; detail: Record<string, unknown>; created_at: Date }>(
          e,
          `select * from letter_events_after($1, $2, make_interval(secs => $3))`,
          [cursor.last_event_id, this.options.batch ?? 500, (this.options.settleMs ?? 2000) / 1000],
        )
      ).rows;
      return rows.map((r) => ({
        id: String(r.id),
        tenantId: r.tenant_id,
        letterId: r.letter_id,
        type: r.type,
        fromStatus: r.from_status,
        toStatus: r.to_status,
        detail: r.detail,
        createdAt: new Date(r.created_at),
      }));
    });
  }

  /** Moves the cursor to `lastId` (never backwards). */
  async commit(lastId: string): Promise<void> {
    await this.db.withoutTenant((em) =>
      sql(em as EntityManager, `update event_consumer set last_event_id = greatest(last_event_id, $2::bigint), updated_at = now() where name = $1`, [this.consumer, lastId]),
    );
  }
}
