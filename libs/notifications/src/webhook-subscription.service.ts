import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { appendAudit } from '@hub/audit';
import type { KeyVault } from '@hub/keys';
import { FieldViolation, isUuid, sql } from '@hub/letters';
import type { TenantDb } from '@hub/persistence';
import { NotificationEventType } from './notification-events';
import { NotificationNotFoundError, WebhookValidationError } from './notification.errors';
import { generateWebhookSecret } from './webhook-signature';
import { checkSecret, CreateWebhookInput, redactUrl, UpdateWebhookInput, validateCreateWebhook, validateUpdateWebhook } from './webhook-input';

/** Who acts: the caller's municipality and, for the audit trail, the user or client. */
export interface NotificationCaller {
  tenantId: string;
  actor: string;
}

/** A webhook subscription as admins see it (never its secret). */
export interface WebhookSubscriptionView {
  id: string;
  url: string;
  description: string | null;
  events: NotificationEventType[];
  active: boolean;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  secretRotatedAt: Date | null;
  /** After a rotation, until when the previous secret still signs (null: it no longer does). */
  previousSecretValidUntil: Date | null;
  pendingDeliveries: number;
  deadLetters: number;
}

/** A subscription with its secret: returned once, at creation and at rotation. */
export interface WebhookWithSecret {
  webhook: WebhookSubscriptionView;
  secret: string;
}

export interface WebhookSubscriptionServiceOptions {
  /** Encrypts the signing secrets at rest (AES-256-GCM under MASTER_KEY). */
  vault: KeyVault;
  /** Accept http:// to localhost/127.0.0.1/[::1] (tests and the demo); https only otherwise. */
  allowHttpLocalhost: boolean;
}

/** The KeyVault context of a subscription's secret (binds the ciphertext to its row). */
export const secretContext = (id: string, which: 'current' | 'previous' = 'current'): string =>
  which === 'current' ? `webhook_subscription:${id}` : `webhook_subscription:${id}:previous`;

interface Row {
  id: string;
  url: string;
  description: string | null;
  events: NotificationEventType[];
  active: boolean;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  secret_rotated_at: Date | null;
  previous_secret_until: Date | null;
  pending: string;
  dead: string;
}

const VIEW_SQL = `select s.id, s.url, s.description, s.events, s.active, s.created_by, s.created_at, s.updated_at, s.secret_rotated_at,
       case when s.previous_secret_until > now() then s.previous_secret_until end as previous_secret_until,
       (select count(*) from webhook_delivery d where d.subscription_id = s.id and d.status = 'PENDING') as pending,
       (select count(*) from webhook_delivery d where d.subscription_id = s.id and d.status = 'DEAD') as dead
  from webhook_subscription s`;

function toView(r: Row): WebhookSubscriptionView {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    events: r.events,
    active: r.active,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    secretRotatedAt: r.secret_rotated_at ? new Date(r.secret_rotated_at) : null,
    previousSecretValidUntil: r.previous_secret_until ? new Date(r.previous_secret_until) : null,
    pendingDeliveries: Number(r.pending),
    deadLetters: Number(r.dead),
  };
}

/**
 * A municipality's webhook subscriptions, for its admins: list, create (the secret is shown once),
 * change, delete, rotate the secret. Every change is recorded in the audit trail in the same
 * transaction (URLs with their query values hidden; never a secret).
 */
export class WebhookSubscriptionService {
  constructor(
    private readonly db: TenantDb,
    private readonly options: WebhookSubscriptionServiceOptions,
  ) {}

  list(ctx: NotificationCaller): Promise<WebhookSubscriptionView[]> {
    return this.db.inTenant(ctx.tenantId, async (em) => (await sql<Row>(em, `${VIEW_SQL} where s.tenant_id = $1 order by s.created_at, s.id`, [ctx.tenantId])).rows.map(toView), ctx.actor);
  }

  get(ctx: NotificationCaller, id: string): Promise<WebhookSubscriptionView> {
    return this.db.inTenant(ctx.tenantId, (em) => this.load(em, ctx, id), ctx.actor);
  }

  async create(ctx: NotificationCaller, input: CreateWebhookInput): Promise<WebhookWithSecret> {
    const checked = validateCreateWebhook(input, this.options.allowHttpLocalhost);
    if (!checked.ok) throw new WebhookValidationError(checked.fields);
    const { url, events, description, active } = checked.value;
    const id = randomUUID();
    const secret = checked.value.secret ?? generateWebhookSecret();
    return this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        await sql(
          em,
          `insert into webhook_subscription (id, tenant_id, url, description, events, secret_ciphertext, active, created_by)
           values ($1, $2, $3, $4, $5::text[], $6, $7, $8)`,
          [id, ctx.tenantId, url, description, events, this.options.vault.encrypt(secret, secretContext(id)), active, ctx.actor],
        );
        await appendAudit(em, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: 'webhook.create',
          target: `webhook:${id}`,
          detail: { url: redactUrl(url), events, description, active, secret: checked.value.secret ? 'given' : 'generated' },
        });
        return { webhook: await this.load(em, ctx, id), secret };
      },
      ctx.actor,
    );
  }

  async update(ctx: NotificationCaller, id: string, input: UpdateWebhookInput): Promise<WebhookSubscriptionView> {
    const checked = validateUpdateWebhook(input, this.options.allowHttpLocalhost);
    if (!checked.ok) throw new WebhookValidationError(checked.fields, 'The change was refused');
    const change = checked.value;
    return this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const before = await this.load(em, ctx, id, true);
        await sql(
          em,
          `update webhook_subscription set
              url = coalesce($3, url), events = coalesce($4::text[], events),
              description = case when $5 then $6 else description end,
              active = coalesce($7, active), updated_at = now()
            where tenant_id = $1 and id = $2`,
          [ctx.tenantId, id, change.url ?? null, change.events ?? null, change.description !== undefined, change.description ?? null, change.active ?? null],
        );
        const after = await this.load(em, ctx, id);
        const diff: Record<string, { from: unknown; to: unknown }> = {};
        if (change.url !== undefined && change.url !== before.url) diff.url = { from: redactUrl(before.url), to: redactUrl(after.url) };
        if (change.events !== undefined && JSON.stringify(change.events) !== JSON.stringify(before.events)) diff.events = { from: before.events, to: after.events };
        if (change.description !== undefined && change.description !== before.description) diff.description = { from: before.description, to: after.description };
        if (change.active !== undefined && change.active !== before.active) diff.active = { from: before.active, to: after.active };
        await appendAudit(em, { tenantId: ctx.tenantId, actor: ctx.actor, action: 'webhook.update', target: `webhook:${id}`, detail: { changes: diff } });
        return after;
      },
      ctx.actor,
    );
  }

  /** Deletes the subscription and its deliveries (dead letters included). */
  async delete(ctx: NotificationCaller, id: string): Promise<boolean> {
    return this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const before = await this.load(em, ctx, id, true);
        await sql(em, `delete from webhook_subscription where tenant_id = $1 and id = $2`, [ctx.tenantId, id]);
        await appendAudit(em, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: 'webhook.delete',
          target: `webhook:${id}`,
          detail: { url: redactUrl(before.url), events: before.events, pendingDeliveries: before.pendingDeliveries, deadLetters: before.deadLetters },
        });
        return true;
      },
      ctx.actor,
    );
  }

  /**
   * Replaces the signing secret (the given one, or a new one) and returns it once. The previous
   * secret keeps signing alongside the new one for `previousValidHours` (default 24; 0 stops it now),
   * so a receiver can switch without rejecting events in between.
   */
  async rotateSecret(ctx: NotificationCaller, id: string, options: { secret?: string | null; previousValidHours?: number | null } = {}): Promise<WebhookWithSecret> {
    const hours = options.previousValidHours ?? 24;
    const fields: FieldViolation[] = [];
    if (!Number.isInteger(hours) || hours < 0 || hours > 168) fields.push({ path: 'previousSecretValidHours', rule: 'range', message: `is ${hours}; give whole hours from 0 to 168` });
    if (options.secret !== undefined && options.secret !== null) {
      const problem = checkSecret(options.secret);
      if (problem) fields.push({ path: 'secret', rule: 'format', message: problem });
    }
    if (fields.length) throw new WebhookValidationError(fields, 'The rotation was refused');
    const secret = options.secret ?? generateWebhookSecret();
    return this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        await this.load(em, ctx, id, true);
        const [row] = (await sql<{ secret_ciphertext: Buffer }>(em, `select secret_ciphertext from webhook_subscription where tenant_id = $1 and id = $2`, [ctx.tenantId, id])).rows;
        const vault = this.options.vault;
        const previous = hours > 0 ? vault.encrypt(vault.decrypt(row.secret_ciphertext, secretContext(id)), secretContext(id, 'previous')) : null;
        const { rows } = await sql<{ until: Date | null }>(
          em,
          `update webhook_subscription set secret_ciphertext = $3, previous_secret_ciphertext = $4,
                  previous_secret_until = case when $4::bytea is null then null else now() + make_interval(hours => $5) end,
                  secret_rotated_at = now(), updated_at = now()
            where tenant_id = $1 and id = $2 returning previous_secret_until as until`,
          [ctx.tenantId, id, vault.encrypt(secret, secretContext(id)), previous, hours],
        );
        await appendAudit(em, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: 'webhook.rotateSecret',
          target: `webhook:${id}`,
          detail: { secret: options.secret ? 'given' : 'generated', previousSecretValidUntil: rows[0].until ? new Date(rows[0].until).toISOString() : null },
        });
        return { webhook: await this.load(em, ctx, id), secret };
      },
      ctx.actor,
    );
  }

  private async load(em: EntityManager, ctx: NotificationCaller, id: string, forUpdate = false): Promise<WebhookSubscriptionView> {
    if (!isUuid(id)) throw new NotificationNotFoundError('webhook', id);
    if (forUpdate) await sql(em, `select 1 from webhook_subscription where tenant_id = $1 and id = $2 for update`, [ctx.tenantId, id]);
    const row = (await sql<Row>(em, `${VIEW_SQL} where s.tenant_id = $1 and s.id = $2`, [ctx.tenantId, id])).rows[0];
    if (!row) throw new NotificationNotFoundError('webhook', id);
    return toView(row);
  }
}
