import type { EntityManager } from '@mikro-orm/postgresql';
import { KeyVault, KeyVaultError } from '@hub/keys';
import { sql } from '@hub/letters';
import { Logger, maskPersonalIds } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { DiaryEvent } from './diary.types';
import { hookSecretContext } from './diary-hook.service';
import { DIARY_SIGNATURE_HEADER, signDiaryBody } from './diary-signature';
import { buildDispatchedDocument, DocumentUnavailableError, loadRegistrationWork, RegistrationWork } from './dispatched-document';
import { postToRegistry, RegistryOutcome } from './registry-client';

export interface DiarySenderOptions {
  db: TenantDb;
  vault: KeyVault;
  log: Logger;
  /** This worker's name in leases. */
  owner: string;
  /** Registrations claimed (and sent at once) per round. */
  batch?: number;
  /** How long a claim lasts; longer than one registry call plus rendering. */
  leaseMs?: number;
  timeoutMs?: number;
  allowHttpLocalhost?: boolean;
  /** Trusted CAs for the registries' https (default: Node's bundled roots). */
  ca?: string | Buffer | (string | Buffer)[];
  /** First retry delay; doubles per attempt up to retryMaxMs (±20 % jitter). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  now?: () => Date;
}

/** What one attempt at a registration came to. */
export type SendOutcome = 'REGISTERED' | 'RETRY_SCHEDULED' | 'FAILED' | 'SKIPPED';

/** The delay before attempt `attempt + 1`: base × 2^(attempt−1), capped, with ±20 % jitter. */
export function diaryRetryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const plain = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(plain * (0.8 + 0.4 * random()));
}

/**
 * Sends due diary registrations to the municipalities' registries: claims them across tenants
 * (a lease, rows skipped when another worker holds them), builds the signed document in the
 * letter's tenant, posts it, and records the outcome under the lease:
 *
 * - a registration number: REGISTERED, and the letter gets a DIARY_REGISTERED event;
 * - a retryable failure: tried again with backoff until its give-up time, then FAILED;
 * - a permanent one (4xx, a URL it may not call, a document that cannot be built): FAILED now.
 *
 * A FAILED registration gets a DIARY_REGISTRATION_FAILED event and waits for an admin's retry.
 * Each request carries the registration id (`X-Hub-Delivery`): a worker that dies after the
 * registry answered and before the hub committed sends it again after its lease, and the registry
 * recognises it by that id.
 */
export class DiarySender {
  private readonly now: () => Date;

  constructor(private readonly options: DiarySenderOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** One round; true when a full batch was claimed (more may be due). */
  async tick(): Promise<boolean> {
    const batch = this.options.batch ?? 8;
    const claimed = await this.options.db.withoutTenant(
      async (em) =>
        (
          await sql<{ tenant_id: string; registration_id: string }>(em as EntityManager, 'select * from diary_claim_due($1, $2, $3)', [
            this.options.owner,
            (this.options.leaseMs ?? 300_000) / 1000,
            batch,
          ])
        ).rows,
    );
    await Promise.all(
      claimed.map((c) =>
        this.send(c.tenant_id, c.registration_id).catch((e: Error) =>
          this.options.log.error({ err: e, tenantId: c.tenant_id, registrationId: c.registration_id }, 'diary registration attempt failed unexpectedly; its lease will run out and it is tried again'),
        ),
      ),
    );
    return claimed.length >= batch;
  }

  /** One attempt at one registration this worker has claimed. */
  async send(tenantId: string, registrationId: string): Promise<SendOutcome> {
    const { db, vault, log } = this.options;
    const work = await db.inTenant(tenantId, (em) => loadRegistrationWork(em, registrationId, this.options.owner));
    if (!work) return 'SKIPPED';
    let outcome: RegistryOutcome;
    try {
      const secret = vault.decrypt(work.hook.secretCiphertext, hookSecretContext(work.hookId)).toString('utf8');
      const now = this.now();
      const body = JSON.stringify(await buildDispatchedDocument(work, now));
      outcome = await postToRegistry(
        work.hook.url,
        body,
        {
          [DIARY_SIGNATURE_HEADER]: signDiaryBody(secret, body, Math.floor(now.getTime() / 1000)),
          'X-Hub-Event': 'diary.registration',
          'X-Hub-Delivery': work.registrationId,
          'X-Hub-Attempt': String(work.attempts + 1),
          'User-Agent': 'dispatch-hub-diary/1',
        },
        { timeoutMs: this.options.timeoutMs ?? 30_000, allowHttpLocalhost: this.options.allowHttpLocalhost ?? false, ...(this.options.ca ? { ca: this.options.ca } : {}) },
      );
    } catch (e) {
      if (e instanceof DocumentUnavailableError) outcome = { kind: 'permanent', error: e.message };
      else if (e instanceof KeyVaultError) outcome = { kind: 'permanent', error: `the hook's secret cannot be read (${e.message}); rotate it with updateDiaryHook(rotateSecret: true)` };
      else outcome = { kind: 'retryable', error: `internal error while preparing the document: ${maskPersonalIds((e as Error).message).slice(0, 300)}` };
    }
    const result = await db.inTenant(tenantId, (em) => this.record(em, work, outcome));
    const logged = { letterId: work.letterId, hookId: work.hookId, registrationId, attempt: work.attempts + 1 };
    if (result === 'REGISTERED') log.info({ ...logged, registrationNumber: outcome.kind === 'registered' ? outcome.registrationNumber : undefined }, 'diary registration done');
    else if (result === 'FAILED') log.warn({ ...logged, error: outcome.kind !== 'registered' ? outcome.error : undefined }, 'diary registration failed; an admin can retry it');
    else if (result === 'RETRY_SCHEDULED') log.info({ ...logged, error: outcome.kind !== 'registered' ? outcome.error : undefined }, 'diary registration will be retried');
    return result;
  }

  /** Writes an attempt's outcome, only while this worker still holds the registration's lease. */
  private async record(em: EntityManager, work: RegistrationWork, outcome: RegistryOutcome): Promise<SendOutcome> {
    const owner = this.options.owner;
    const status = outcome.status ?? null;
    if (outcome.kind === 'registered') {
      const { rowCount } = await sql(
        em,
        `update diary_registration set status = 'REGISTERED', registration_number = $3, registered_at = now(), attempts = attempts + 1,
                last_attempt_at = now(), last_http_status = $4, next_attempt_at = null, lease_owner = null, lease_until = null, updated_at = now()
          where id = $1 and status = 'PENDING' and lease_owner = $2`,
        [work.registrationId, owner, outcome.registrationNumber, status],
      );
      if (rowCount === 0) return 'SKIPPED';
      await appendLetterEvent(em, work.letterId, DiaryEvent.REGISTERED, { registrationNumber: outcome.registrationNumber, hookId: work.hookId, hookName: work.hook.name });
      return 'REGISTERED';
    }
    const attempts = work.attempts + 1;
    const next = new Date(this.now().getTime() + diaryRetryDelayMs(attempts, this.options.retryBaseMs ?? 30_000, this.options.retryMaxMs ?? 3_600_000));
    if (outcome.kind === 'retryable' && next.getTime() <= work.giveUpAt.getTime()) {
      const { rowCount } = await sql(
        em,
        `update diary_registration set attempts = attempts + 1, last_attempt_at = now(), last_error = $3, last_http_status = $4, next_attempt_at = $5,
                lease_owner = null, lease_until = null, updated_at = now()
          where id = $1 and status = 'PENDING' and lease_owner = $2`,
        [work.registrationId, owner, outcome.error, status, next],
      );
      return rowCount === 0 ? 'SKIPPED' : 'RETRY_SCHEDULED';
    }
    const error = outcome.kind === 'retryable' ? `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}; the last: ${outcome.error}` : outcome.error;
    const { rowCount } = await sql(
      em,
      `update diary_registration set status = 'FAILED', failed_at = now(), attempts = attempts + 1, last_attempt_at = now(), last_error = $3, last_http_status = $4,
              next_attempt_at = null, lease_owner = null, lease_until = null, updated_at = now()
        where id = $1 and status = 'PENDING' and lease_owner = $2`,
      [work.registrationId, owner, error, status],
    );
    if (rowCount === 0) return 'SKIPPED';
    await appendLetterEvent(em, work.letterId, DiaryEvent.FAILED, { hookId: work.hookId, hookName: work.hook.name, error, attempts, ...(status ? { httpStatus: status } : {}) });
    return 'FAILED';
  }
}

/** Appends an event to the letter's log without changing its state. */
async function appendLetterEvent(em: EntityManager, letterId: string, type: string, detail: Record<string, unknown>): Promise<void> {
  await sql(
    em,
    `insert into letter_event (tenant_id, letter_id, type, from_status, to_status, detail, created_at)
     select tenant_id, id, $2, status, status, $3, clock_timestamp() from letter where id = $1`,
    [letterId, type, JSON.stringify(detail)],
  );
}
