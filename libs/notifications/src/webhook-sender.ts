import { randomUUID } from 'node:crypto';
import type { KeyVault } from '@hub/keys';
import { sql } from '@hub/letters';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { loadNotifications } from './notification-payload';
import { afterFailure, DEFAULT_WEBHOOK_RETRY, WebhookRetrySettings } from './webhook-retry';
import { DELIVERY_ID_HEADER, EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signWebhookPayload } from './webhook-signature';
import { checkWebhookUrl } from './webhook-input';
import { secretContext } from './webhook-subscription.service';

export interface WebhookSenderOptions {
  db: TenantDb;
  vault: KeyVault;
  log: Logger;
  /** This worker's name on its leases (default: a random id). */
  owner?: string;
  /** Longest wait for a receiver's answer (default 10 s). */
  timeoutMs?: number;
  retry?: Partial<WebhookRetrySettings>;
  /** Requests in flight at once per worker (default 8). */
  concurrency?: number;
  /** Accept http:// to localhost (tests and the demo); otherwise such a delivery fails without a request. */
  allowHttpLocalhost?: boolean;
  /** For tests: the jitter's random source. */
  random?: () => number;
}

interface Claimed {
  tenant_id: string;
  delivery_id: string;
}

interface Prepared {
  url: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  attempts: number;
  seriesStartedAt: Date;
  secrets: string[];
  body: string | null;
}

/** What one attempt came to. */
export type AttemptOutcome = 'DELIVERED' | 'RETRY' | 'DEAD' | 'SKIPPED';

/**
 * Sends due webhook deliveries: leases them across tenants (`webhook_deliveries_claim`, FOR UPDATE
 * SKIP LOCKED, so many workers share the work), builds the payload from the letter at send time,
 * signs it (HMAC-SHA256 over `<timestamp>.<body>`) and POSTs it with a timeout; a 2xx answer
 * delivers it, anything else (another status, a redirect, a timeout, no connection) schedules a retry
 * with backoff and jitter until the retry window ends, when the delivery becomes a dead letter.
 * No transaction is held during the request; the lease keeps other workers off meanwhile.
 *
 * Ordering per subscription is best effort: due deliveries are taken oldest first, but requests run
 * in parallel and a failed one is retried later while newer ones go ahead. Receivers order by the
 * event id (increasing) or `occurredAt`, and deduplicate by event id.
 */
export class WebhookSender {
  readonly owner: string;
  private readonly timeoutMs: number;
  private readonly retry: WebhookRetrySettings;
  private readonly concurrency: number;
  private readonly inFlight = new Set<Promise<AttemptOutcome>>();

  constructor(private readonly options: WebhookSenderOptions) {
    this.owner = options.owner ?? `webhook-sender-${randomUUID()}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retry = { ...DEFAULT_WEBHOOK_RETRY, ...options.retry };
    this.concurrency = options.concurrency ?? 8;
  }

  /** Leases as many due deliveries as there are free slots and starts them; true when more may be due. */
  async tick(): Promise<boolean> {
    const free = this.concurrency - this.inFlight.size;
    if (free <= 0) {
      await Promise.race(this.inFlight);
      return true;
    }
    const leaseSeconds = (this.timeoutMs + 30_000) / 1000;
    const claimed = await this.options.db.withoutTenant(
      async (em) => (await sql<Claimed>(em, `select tenant_id, delivery_id::text from webhook_deliveries_claim($1, $2, $3)`, [this.owner, leaseSeconds, free])).rows,
    );
    for (const c of claimed) {
      const p: Promise<AttemptOutcome> = this.attempt(c.tenant_id, c.delivery_id)
        .catch((e: unknown) => {
          this.options.log.error({ err: e, tenantId: c.tenant_id, deliveryId: c.delivery_id }, 'webhook attempt failed unexpectedly; its lease runs out and it is tried again');
          return 'SKIPPED' as const;
        })
        .finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
    return claimed.length === free;
  }

  /** Waits for the requests in flight. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async attempt(tenantId: string, deliveryId: string): Promise<AttemptOutcome> {
    const prepared = await this.prepare(tenantId, deliveryId);
    if (!prepared) return 'SKIPPED';
    const log = this.options.log.child({ tenantId, deliveryId, webhookId: prepared.webhookId, eventId: prepared.eventId, host: hostOf(prepared.url) });
    if (prepared.body === null) return this.finish(tenantId, deliveryId, prepared, { ok: false, status: null, error: 'the letter event no longer exists (purged by retention)', final: true }, log);
    const refused = checkWebhookUrl(prepared.url, this.options.allowHttpLocalhost ?? false);
    if (refused) return this.finish(tenantId, deliveryId, prepared, { ok: false, status: null, error: `not sent: the URL ${refused}` }, log);

    const timestamp = Math.floor(Date.now() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(prepared.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'dispatch-hub-webhooks/1',
          [SIGNATURE_HEADER]: signWebhookPayload(prepared.secrets, prepared.body, timestamp),
          [EVENT_ID_HEADER]: prepared.eventId,
          [EVENT_TYPE_HEADER]: prepared.eventType,
          [DELIVERY_ID_HEADER]: deliveryId,
        },
        body: prepared.body,
      });
      status = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (status < 200 || status > 299) error = status >= 300 && status < 400 ? `answered HTTP ${status} (redirects are not followed)` : `answered HTTP ${status}`;
    } catch (e) {
      error = describeFetchError(e, this.timeoutMs);
    }
    return this.finish(tenantId, deliveryId, prepared, { ok: error === null, status, error }, log);
  }

  private prepare(tenantId: string, deliveryId: string): Promise<Prepared | null> {
    return this.options.db.inTenant(
      tenantId,
      async (em) => {
        const row = (
          await sql<{
            status: string;
            lease_owner: string | null;
            event_id: string;
            event_type: string;
            attempts: number;
            series_started_at: Date;
            subscription_id: string;
            url: string;
            secret_ciphertext: Buffer;
            previous_secret_ciphertext: Buffer | null;
            previous_valid: boolean | null;
          }>(
            em,
            `select d.status, d.lease_owner, d.event_id::text, d.event_type, d.attempts, d.series_started_at, d.subscription_id, s.url,
                    s.secret_ciphertext, s.previous_secret_ciphertext, s.previous_secret_until > now() as previous_valid
               from webhook_delivery d join webhook_subscription s on s.id = d.subscription_id
              where d.tenant_id = $1 and d.id = $2`,
            [tenantId, deliveryId],
          )
        ).rows[0];
        if (!row || row.status !== 'PENDING' || row.lease_owner !== this.owner) return null;
        const notification = (await loadNotifications(em, tenantId, [row.event_id])).get(row.event_id);
        const { vault } = this.options;
        const secrets = [vault.decrypt(row.secret_ciphertext, secretContext(row.subscription_id)).toString('utf8')];
        if (row.previous_valid && row.previous_secret_ciphertext) secrets.push(vault.decrypt(row.previous_secret_ciphertext, secretContext(row.subscription_id, 'previous')).toString('utf8'));
        return {
          url: row.url,
          webhookId: row.subscription_id,
          eventId: row.event_id,
          eventType: row.event_type,
          attempts: row.attempts,
          seriesStartedAt: new Date(row.series_started_at),
          secrets,
          body: notification ? JSON.stringify(notification) : null,
        };
      },
      'webhook-sender',
    );
  }

  private async finish(
    tenantId: string,
    deliveryId: string,
    prepared: Prepared,
    result: { ok: boolean; status: number | null; error: string | null; final?: boolean },
    log: Logger,
  ): Promise<AttemptOutcome> {
    const attempt = prepared.attempts + 1;
    const now = new Date();
    const next = result.ok ? null : result.final ? { dead: true as const } : afterFailure(attempt, prepared.seriesStartedAt, now, this.retry, this.options.random);
    const outcome: AttemptOutcome = result.ok ? 'DELIVERED' : next?.dead ? 'DEAD' : 'RETRY';
    const applied = await this.options.db.inTenant(
      tenantId,
      async (em) =>
        (
          await sql(
            em,
            `update webhook_delivery set
                status = $4, attempts = attempts + 1, total_attempts = total_attempts + 1, last_attempt_at = now(),
                last_status_code = $5, last_error = $6,
                delivered_at = case when $4 = 'DELIVERED' then now() else delivered_at end,
                dead_at = case when $4 = 'DEAD' then now() else dead_at end,
                next_attempt_at = coalesce($7::timestamptz, next_attempt_at),
                lease_owner = null, lease_until = null
              where tenant_id = $1 and id = $2 and lease_owner = $3 and status = 'PENDING'`,
            [tenantId, deliveryId, this.owner, outcome === 'RETRY' ? 'PENDING' : outcome, result.status, result.error, next && !next.dead ? next.nextAttemptAt : null],
          )
        ).rowCount,
      'webhook-sender',
    );
    if (applied === 0) {
      // The lease ran out during the request and another worker took over: its outcome counts.
      log.warn({ attempt }, 'webhook attempt finished after its lease ran out; result not recorded');
      return 'SKIPPED';
    }
    if (outcome === 'DELIVERED') log.info({ attempt, status: result.status }, 'webhook delivered');
    else if (outcome === 'RETRY') log.warn({ attempt, status: result.status, error: result.error, nextAttemptAt: next && !next.dead ? next.nextAttemptAt : undefined }, 'webhook attempt failed; retrying later');
    else log.error({ attempt, status: result.status, error: result.error, alert: 'WEBHOOK_DEAD_LETTER' }, 'webhook delivery is dead: retries ran out; an admin can replay it');
    return outcome;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid)';
  }
}

function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
  return `could not connect or send: ${code}`;
}
