import type { EntityManager } from '@mikro-orm/postgresql';
import { appendAudit } from '@hub/audit';
import { isUuid, sql } from '@hub/letters';
import type { TenantDb } from '@hub/persistence';
import { NotificationEventType } from './notification-events';
import { decodeIdCursor, encodeIdCursor, NotificationBadInputError, NotificationNotFoundError, pageSize } from './notification.errors';
import type { NotificationCaller } from './webhook-subscription.service';

export const WEBHOOK_DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'DEAD'] as const;
/** PENDING: waiting for its next attempt; DELIVERED: the receiver answered 2xx; DEAD: retries ran out (a dead letter). */
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** One event for one subscription, and how sending it went. */
export interface WebhookDeliveryView {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: NotificationEventType;
  letterId: string;
  status: WebhookDeliveryStatus;
  /** Attempts in the current series (a replay starts a new series). */
  attempts: number;
  totalAttempts: number;
  replays: number;
  seriesStartedAt: Date;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  /** The receiver's HTTP status of the last attempt (null: no answer). */
  lastStatusCode: number | null;
  /** What went wrong in the last attempt (status, timeout, connection error). */
  lastError: string | null;
  deliveredAt: Date | null;
  deadAt: Date | null;
  createdAt: Date;
}

export interface WebhookDeliveryPage {
  items: { cursor: string; delivery: WebhookDeliveryView }[];
  hasNextPage: boolean;
  endCursor: string | null;
}

interface Row {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: NotificationEventType;
  letter_id: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  total_attempts: number;
  replays: number;
  series_started_at: Date;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  dead_at: Date | null;
  created_at: Date;
}

const COLUMNS = `id::text, subscription_id, event_id::text, event_type, letter_id, status, attempts, total_attempts, replays, series_started_at,
  next_attempt_at, last_attempt_at, last_status_code, last_error, delivered_at, dead_at, created_at`;

const date = (d: Date | null): Date | null => (d ? new Date(d) : null);

function toView(r: Row): WebhookDeliveryView {
  return {
    id: r.id,
    webhookId: r.subscription_id,
    eventId: r.event_id,
    eventType: r.event_type,
    letterId: r.letter_id,
    status: r.status,
    attempts: r.attempts,
    totalAttempts: r.total_attempts,
    replays: r.replays,
    seriesStartedAt: new Date(r.series_started_at),
    nextAttemptAt: r.status === 'PENDING' ? new Date(r.next_attempt_at) : null,
    lastAttemptAt: date(r.last_attempt_at),
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    deliveredAt: date(r.delivered_at),
    deadAt: date(r.dead_at),
    createdAt: new Date(r.created_at),
  };
}

/** A municipality's webhook deliveries for its admins: per subscription, the dead letters, and replaying one. */
export class WebhookDeliveryService {
  constructor(
    private readonly db: TenantDb,
    private readonly options: { pageSizeMax: number },
  ) {}

  /** A subscription's deliveries, newest first, optionally of one status. */
  async deliveries(ctx: NotificationCaller, webhookId: string, filter: { status?: WebhookDeliveryStatus | null; first?: number | null; after?: string | null } = {}): Promise<WebhookDeliveryPage> {
    if (!isUuid(webhookId)) throw new NotificationNotFoundError('webhook', webhookId);
    if (filter.status && !WEBHOOK_DELIVERY_STATUSES.includes(filter.status)) {
      throw new NotificationBadInputError(`status is ${JSON.stringify(filter.status)}; use ${WEBHOOK_DELIVERY_STATUSES.join(', ')}.`);
    }
    return this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const exists = (await sql(em, `select 1 from webhook_subscription where tenant_id = $1 and id = $2`, [ctx.tenantId, webhookId])).rows.length;
        if (!exists) throw new NotificationNotFoundError('webhook', webhookId);
        return this.page(em, ctx, ['subscription_id = $2', ...(filter.status ? ['status = $3'] : [])], [webhookId, ...(filter.status ? [filter.status] : [])], filter);
      },
      ctx.actor,
    );
  }

  /** Deliveries whose retries ran out (of one subscription, or all), newest first. */
  async deadLetters(ctx: NotificationCaller, filter: { webhookId?: string | null; first?: number | null; after?: string | null } = {}): Promise<WebhookDeliveryPage> {
    if (filter.webhookId && !isUuid(filter.webhookId)) throw new NotificationNotFoundError('webhook', filter.webhookId);
    return this.db.inTenant(
      ctx.tenantId,
      (em) => this.page(em, ctx, [`status = 'DEAD'`, ...(filter.webhookId ? ['subscription_id = $2'] : [])], filter.webhookId ? [filter.webhookId] : [], filter),
      ctx.actor,
    );
  }

  /**
   * Sends a dead letter again: a new series of attempts (the same event id, so a receiver that did
   * get it before recognises it), with the retry window counted from now. Only DEAD deliveries.
   */
  async replay(ctx: NotificationCaller, deliveryId: string): Promise<WebhookDeliveryView> {
    if (!/^\d{1,19}$/.test(deliveryId)) throw new NotificationNotFoundError('delivery', deliveryId);
    return this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const current = (await sql<Row>(em, `select ${COLUMNS} from webhook_delivery where tenant_id = $1 and id = $2 for update`, [ctx.tenantId, deliveryId])).rows[0];
        if (!current) throw new NotificationNotFoundError('delivery', deliveryId);
        if (current.status !== 'DEAD') {
          throw new NotificationBadInputError(`Delivery ${deliveryId} is ${current.status}, not DEAD: only a dead letter can be replayed (a pending one is still being retried).`);
        }
        const row = (
          await sql<Row>(
            em,
            `update webhook_delivery set status = 'PENDING', attempts = 0, replays = replays + 1, series_started_at = now(), next_attempt_at = now(),
                    dead_at = null, lease_owner = null, lease_until = null
              where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
            [ctx.tenantId, deliveryId],
          )
        ).rows[0];
        await appendAudit(em, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: 'webhookDelivery.replay',
          target: `webhookDelivery:${deliveryId}`,
          detail: { webhookId: row.subscription_id, eventId: row.event_id, eventType: row.event_type, replay: row.replays, attemptsBefore: current.total_attempts },
        });
        return toView(row);
      },
      ctx.actor,
    );
  }

  private async page(
    em: EntityManager,
    ctx: NotificationCaller,
    where: string[],
    params: unknown[],
    filter: { first?: number | null; after?: string | null },
  ): Promise<WebhookDeliveryPage> {
    const first = pageSize(filter.first, this.options.pageSizeMax);
    const all: unknown[] = [ctx.tenantId, ...params];
    const clauses = ['tenant_id = $1', ...where];
    if (filter.after) {
      all.push(decodeIdCursor('wd', filter.after));
      clauses.push(`id < $${all.length}::bigint`);
    }
    all.push(first + 1);
    const { rows } = await sql<Row>(em, `select ${COLUMNS} from webhook_delivery where ${clauses.join(' and ')} order by id desc limit $${all.length}`, all);
    const items = rows.slice(0, first).map((r) => ({ cursor: encodeIdCursor('wd', r.id), delivery: toView(r) }));
    return { items, hasNextPage: rows.length > first, endCursor: items.length ? items[items.length - 1].cursor : null };
  }
}
