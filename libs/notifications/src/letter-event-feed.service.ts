import { sql } from '@hub/letters';
import type { TenantDb } from '@hub/persistence';
import { isNotificationEventType, logTypesFor, NOTIFICATION_EVENT_TYPES, NotificationEventType } from './notification-events';
import { loadTenantProfile, LetterNotification, NOTIFICATION_COLUMNS, NOTIFICATION_FROM, NotificationRow, toNotification } from './notification-payload';
import { decodeIdCursor, encodeIdCursor, pageSize, WebhookValidationError } from './notification.errors';

/** Who reads the feed: the municipality, and a case system bound to one sending unit (it sees that unit's letters). */
export interface FeedCaller {
  tenantId: string;
  actor: string;
  boundSendingUnitId?: string;
}

export interface LetterEventFeedPage {
  items: { cursor: string; event: LetterNotification }[];
  hasNextPage: boolean;
  /** The cursor to pass as `after` next time: the last event's, or the given one when the page is empty. */
  endCursor: string | null;
}

export interface LetterEventFeedOptions {
  pageSizeMax: number;
  /**
   * Events are listed once they are this old (default 2000 ms): a transaction that commits late can
   * make an event with a smaller id visible after a larger one, and a reader that moved its cursor
   * past it would never see it.
   */
  settleMs?: number;
}

/**
 * The ordered feed for systems that cannot take webhooks (GraphQL `letterEvents`): the
 * municipality's published letter events in event-id order, with the webhook payload shape, after an
 * opaque cursor. Reading with the last endCursor again and again sees every event once, in order.
 */
export class LetterEventFeed {
  constructor(
    private readonly db: TenantDb,
    private readonly options: LetterEventFeedOptions,
  ) {}

  async page(ctx: FeedCaller, args: { after?: string | null; first?: number | null; types?: readonly string[] | null } = {}): Promise<LetterEventFeedPage> {
    const first = pageSize(args.first, this.options.pageSizeMax);
    const afterId = args.after ? decodeIdCursor('le', args.after) : '0';
    let types: NotificationEventType[] = [...NOTIFICATION_EVENT_TYPES];
    if (args.types?.length) {
      const bad = args.types.map((t, i) => ({ t, i })).filter(({ t }) => !isNotificationEventType(t));
      if (bad.length) {
        throw new WebhookValidationError(
          bad.map(({ t, i }) => ({ path: `types[${i}]`, rule: 'enum', message: `is ${JSON.stringify(t)}, which is not an event; choose from ${NOTIFICATION_EVENT_TYPES.join(', ')}` })),
          'The feed request was refused',
        );
      }
      types = args.types as NotificationEventType[];
    }
    const params: unknown[] = [ctx.tenantId, afterId, logTypesFor(types), (this.options.settleMs ?? 2000) / 1000];
    const where = ['e.tenant_id = $1', 'e.id > $2::bigint', 'e.type = any($3::text[])', 'e.created_at < now() - make_interval(secs => $4)'];
    if (ctx.boundSendingUnitId) {
      params.push(ctx.boundSendingUnitId);
      where.push(`l.sending_unit_id = $${params.length}`);
    }
    params.push(first + 1);
    const { rows, tenant } = await this.db.inTenant(
      ctx.tenantId,
      async (em) => ({
        tenant: await loadTenantProfile(em, ctx.tenantId),
        rows: (await sql<NotificationRow>(em, `select ${NOTIFICATION_COLUMNS} from ${NOTIFICATION_FROM} where ${where.join(' and ')} order by e.id limit $${params.length}`, params)).rows,
      }),
      ctx.actor,
    );
    const items = rows.slice(0, first).flatMap((r) => {
      const event = toNotification(r, tenant);
      return event ? [{ cursor: encodeIdCursor('le', event.id), event }] : [];
    });
    return { items, hasNextPage: rows.length > first, endCursor: items.length ? items[items.length - 1].cursor : (args.after ?? null) };
  }
}
