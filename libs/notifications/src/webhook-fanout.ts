import { LetterEventStream, sql, StreamedLetterEvent } from '@hub/letters';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { notificationTypeOf } from './notification-events';

/** The event stream consumer name of the webhook fan-out (its cursor in `event_consumer`). */
export const WEBHOOK_CONSUMER = 'webhooks';

export interface WebhookFanoutOptions {
  db: TenantDb;
  log: Logger;
  /** Events read per pass (default 500). */
  batch?: number;
  /** See LetterEventStream: events are taken once this old (default 2000 ms). */
  settleMs?: number;
}

/**
 * Follows the letter event stream and queues one delivery per published event and active
 * subscription that asked for it (and existed when the event happened). At-least-once: a worker
 * that dies before moving the cursor reads the events again, and the unique (subscription, event)
 * makes the second insert a no-op; several workers may run it at once for the same reason.
 */
export class WebhookFanout {
  private readonly stream: LetterEventStream;
  private readonly batch: number;

  constructor(private readonly options: WebhookFanoutOptions) {
    this.batch = options.batch ?? 500;
    this.stream = new LetterEventStream(options.db, WEBHOOK_CONSUMER, { batch: this.batch, settleMs: options.settleMs ?? 2000 });
  }

  /** One pass; true when a full batch was read (more may be waiting). */
  async tick(): Promise<boolean> {
    const events = await this.stream.next();
    if (events.length === 0) return false;
    const byTenant = new Map<string, StreamedLetterEvent[]>();
    for (const e of events) {
      if (!notificationTypeOf(e.type)) continue;
      const list = byTenant.get(e.tenantId) ?? [];
      list.push(e);
      byTenant.set(e.tenantId, list);
    }
    let queued = 0;
    for (const [tenantId, list] of byTenant) queued += await this.queue(tenantId, list);
    await this.stream.commit(events[events.length - 1].id);
    if (queued > 0) this.options.log.debug({ events: events.length, deliveries: queued }, 'webhook deliveries queued');
    return events.length >= this.batch;
  }

  private queue(tenantId: string, events: StreamedLetterEvent[]): Promise<number> {
    return this.options.db.inTenant(
      tenantId,
      async (em) => {
        const subs = (await sql<{ id: string; events: string[]; created_at: Date }>(em, `select id, events, created_at from webhook_subscription where tenant_id = $1 and active`, [tenantId])).rows;
        if (subs.length === 0) return 0;
        const cols: { sub: string[]; event: string[]; type: string[]; letter: string[] } = { sub: [], event: [], type: [], letter: [] };
        for (const e of events) {
          const type = notificationTypeOf(e.type)!;
          for (const s of subs) {
            if (!s.events.includes(type) || new Date(s.created_at) > e.createdAt) continue;
            cols.sub.push(s.id);
            cols.event.push(e.id);
            cols.type.push(type);
            cols.letter.push(e.letterId);
          }
        }
        if (cols.sub.length === 0) return 0;
        const { rowCount } = await sql(
          em,
          `insert into webhook_delivery (tenant_id, subscription_id, event_id, event_type, letter_id)
           select $1, u.s, u.e, u.t, u.l from unnest($2::uuid[], $3::bigint[], $4::text[], $5::uuid[]) as u(s, e, t, l)
           on conflict (subscription_id, event_id) do nothing`,
          [tenantId, cols.sub, cols.event, cols.type, cols.letter],
        );
        return rowCount;
      },
      'webhook-fanout',
    );
  }
}
