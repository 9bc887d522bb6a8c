import { LetterEventStream, sql, StreamedLetterEvent } from '@hub/letters';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { DISPATCHED_EVENTS } from './diary.types';

/** The name of the diary hooks' cursor on the letter event stream. */
export const DIARY_CONSUMER = 'diary-hooks';

export interface DiaryConsumerOptions {
  db: TenantDb;
  log: Logger;
  /** How long a registration is retried before it fails, counted from when it is created. */
  retryTotalMs: number;
  /** Events read per round. */
  batch?: number;
  /** Passed to the event stream: events younger than this wait (a late commit is never skipped). */
  settleMs?: number;
}

/**
 * Follows every municipality's letter events and, for each letter that was dispatched (DELIVERED
 * digitally or POSTED on paper), creates its diary registration when a hook applies:
 *
 * - the live hook for the letter's case type if there is one, else the tenant-wide hook (case type
 *   null); a disabled hook for the case type means "not registered" even with a tenant-wide hook;
 * - only a hook that existed when the letter was dispatched (a new hook does not send the history);
 * - one registration per (letter, hook): the unique key makes a repeated event (the stream is
 *   at-least-once) or a second worker's round a no-op.
 */
export class DiaryEventConsumer {
  private readonly stream: LetterEventStream;

  constructor(private readonly options: DiaryConsumerOptions) {
    this.stream = new LetterEventStream(options.db, DIARY_CONSUMER, { batch: options.batch ?? 500, ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}) });
  }

  /** One round; true when a full batch was read (more may be waiting). */
  async tick(): Promise<boolean> {
    const events = await this.stream.next();
    if (events.length === 0) return false;
    // One statement (and transaction) per municipality per round, not one per letter: the consumer
    // sees every dispatched letter, also of municipalities without hooks.
    const byTenant = new Map<string, StreamedLetterEvent[]>();
    for (const e of events) {
      if (!isDispatch(e)) continue;
      const list = byTenant.get(e.tenantId);
      if (list) list.push(e);
      else byTenant.set(e.tenantId, [e]);
    }
    let created = 0;
    for (const [tenantId, dispatched] of byTenant) created += await this.register(tenantId, dispatched);
    await this.stream.commit(events[events.length - 1].id);
    if (created) this.options.log.info({ events: events.length, registrations: created }, 'diary registrations created for dispatched letters');
    return events.length >= (this.options.batch ?? 500);
  }

  /** Creates the registrations of one municipality's dispatched letters; returns how many were new. */
  private register(tenantId: string, events: StreamedLetterEvent[]): Promise<number> {
    return this.options.db.inTenant(tenantId, async (em) => {
      const { rowCount } = await sql(
        em,
        `insert into diary_registration (tenant_id, letter_id, hook_id, event_id, status, next_attempt_at, give_up_at)
         -- next_attempt_at one microsecond apart in event order: the sender takes the oldest first, so
         -- letters are registered in the order they were dispatched, as with one statement per letter.
         select l.tenant_id, l.id, h.id, e.event_id, 'PENDING', now() + make_interval(secs => (e.n - 1) / 1e6), now() + make_interval(secs => $4)
           from unnest($1::uuid[], $2::bigint[], $3::timestamptz[]) with ordinality as e(letter_id, event_id, dispatched_at, n)
           join letter l on l.id = e.letter_id
           join lateral (
             select h.id, h.enabled from diary_hook h
              where h.deleted_at is null and h.created_at <= e.dispatched_at
                and (h.case_type_code = l.case_type_code or h.case_type_code is null)
              order by h.case_type_code is null, h.created_at
              limit 1) h on true
          where h.enabled
            -- The case type is the switch (case_type.diary_enabled); the hook is where registrations go.
            and (l.case_type_code is null or exists (select 1 from case_type ct
                  where ct.tenant_id = l.tenant_id and ct.code = l.case_type_code and ct.diary_enabled))
         on conflict (letter_id, hook_id) do nothing`,
        [events.map((e) => e.letterId), events.map((e) => e.id), events.map((e) => e.createdAt), this.options.retryTotalMs / 1000],
      );
      return rowCount;
    });
  }
}

function isDispatch(e: StreamedLetterEvent): boolean {
  return DISPATCHED_EVENTS.includes(e.type) && e.toStatus === e.type;
}
