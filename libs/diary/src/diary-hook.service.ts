import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { appendAudit } from '@hub/audit';
import { KeyVault } from '@hub/keys';
import { FieldViolation, IntakeBadInputError, IntakeContext, IntakeError, IntakeErrorCode, isUuid, LetterNotFoundError, LetterValidationError, sql } from '@hub/letters';
import type { TenantDb } from '@hub/persistence';
import {
  CreateDiaryHookInput,
  DiaryFailureView,
  DiaryHookView,
  DiaryHookWithSecret,
  DiaryRegistrationStatus,
  DiaryRegistrationView,
  UpdateDiaryHookInput,
} from './diary.types';
import { displayUrl, hookUrlProblem } from './hook-url';

/** Default time a registration is retried before it fails (24 hours). */
export const DEFAULT_DIARY_RETRY_TOTAL_MS = 24 * 3600 * 1000;
const MAX_NAME = 200;
/** The case types' code format (the policies' case_type.code). */
const CASE_TYPE_CODE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const MAX_FAILURES_PAGE = 200;

/** No diary hook with this id in the caller's municipality (another municipality's hook is, to the caller, absent). */
export class DiaryHookNotFoundError extends IntakeError {
  constructor(readonly hookId: string) {
    super(IntakeErrorCode.NotFound, `No diary hook ${JSON.stringify(hookId)} exists for your organisation; list them with diaryHooks.`);
  }
}

/** The letter has no diary registration to retry. */
export class DiaryRegistrationNotFoundError extends IntakeError {
  constructor(readonly letterId: string) {
    super(
      IntakeErrorCode.NotFound,
      `Letter ${letterId} has no diary registration: no diary hook applied when it was dispatched (or it is not dispatched yet), so there is nothing to retry.`,
    );
  }
}

export interface DiaryHookServiceOptions {
  db: TenantDb;
  /** Encrypts hook secrets at rest (MASTER_KEY). */
  vault: KeyVault;
  /** Development and tests: allow http:// hooks to this machine. */
  allowHttpLocalhost?: boolean;
  /** How long a retried registration (or one of a re-enabled hook) is tried again before it fails. */
  retryTotalMs?: number;
}

/** What the API passes for diary hooks: the service's options without the database. */
export type DiaryApiOptions = Omit<DiaryHookServiceOptions, 'db'>;

/** The vault context a hook's secret is bound to (a ciphertext copied to another row does not decrypt). */
export function hookSecretContext(hookId: string): string {
  return `diary_hook:${hookId}`;
}

/**
 * Tenant admins' diary hooks (diarieföring): which registry gets the municipality's dispatched
 * letters, per case type or for all, with a signing secret shown once; the registrations that
 * failed, and retrying them. Every change is written to the audit trail in the same transaction.
 */
export class DiaryHookService {
  private readonly retryTotalMs: number;

  constructor(private readonly options: DiaryHookServiceOptions) {
    this.retryTotalMs = options.retryTotalMs ?? DEFAULT_DIARY_RETRY_TOTAL_MS;
  }

  async list(ctx: IntakeContext): Promise<DiaryHookView[]> {
    return this.options.db.inTenant(ctx.tenantId, async (em) =>
      (await sql<HookRow>(em, `select ${HOOK_COLUMNS} from diary_hook where deleted_at is null order by case_type_code nulls first, created_at, id`)).rows.map(toHook),
    );
  }

  /** Creates a hook with a fresh secret, returned here and never again. */
  async create(ctx: IntakeContext, input: CreateDiaryHookInput): Promise<DiaryHookWithSecret> {
    const fields: FieldViolation[] = [];
    const name = this.checkName(input.name, fields, true);
    const url = this.checkUrl(input.url, fields, true);
    const caseTypeCode = this.checkCaseType(input.caseTypeCode, fields);
    if (fields.length) throw new LetterValidationError(fields, 'The diary hook was refused');
    const id = randomUUID();
    const secret = newSecret();
    const hook = await this.scoped(caseTypeCode ?? null, () =>
      this.options.db.inTenant(
        ctx.tenantId,
        async (em) => {
          await this.assertScopeFree(em, caseTypeCode ?? null, undefined);
          const row = (
            await sql<HookRow>(
              em,
              `insert into diary_hook (id, tenant_id, name, case_type_code, url, secret_ciphertext, enabled, include_recipient, created_by)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning ${HOOK_COLUMNS}`,
              [id, ctx.tenantId, name, caseTypeCode ?? null, url, this.options.vault.encrypt(secret, hookSecretContext(id)), input.enabled ?? true, input.includeRecipient ?? true, ctx.actor],
            )
          ).rows[0];
          const created = toHook(row);
          await appendAudit(em, { tenantId: ctx.tenantId, actor: ctx.actor, action: 'diaryHook.create', target: `diaryHook:${id}`, detail: auditView(created) });
          return created;
        },
        ctx.actor,
      ),
    );
    return { hook, secret };
  }

  /** Changes a hook; `rotateSecret` returns a new secret (the old one stops working at once). */
  async update(ctx: IntakeContext, id: string, input: UpdateDiaryHookInput): Promise<DiaryHookWithSecret> {
    if (!isUuid(id)) throw new DiaryHookNotFoundError(id);
    const fields: FieldViolation[] = [];
    const name = input.name === undefined ? undefined : this.checkName(input.name, fields, true);
    const url = input.url === undefined ? undefined : this.checkUrl(input.url, fields, true);
    const caseTypeCode = input.caseTypeCode === undefined ? undefined : this.checkCaseType(input.caseTypeCode, fields);
    if (input.enabled === null) fields.push({ path: 'enabled', rule: 'required', message: 'must be true or false when given' });
    if (input.includeRecipient === null) fields.push({ path: 'includeRecipient', rule: 'required', message: 'must be true or false when given' });
    if (fields.length) throw new LetterValidationError(fields, 'The diary hook change was refused');
    const secret = input.rotateSecret ? newSecret() : null;
    const hook = await this.scoped(caseTypeCode ?? null, () =>
      this.options.db.inTenant(
        ctx.tenantId,
        async (em) => {
          const before = (await sql<HookRow>(em, `select ${HOOK_COLUMNS} from diary_hook where id = $1 and deleted_at is null for update`, [id])).rows[0];
          if (!before) throw new DiaryHookNotFoundError(id);
          if (caseTypeCode !== undefined) await this.assertScopeFree(em, caseTypeCode, id);
          const row = (
            await sql<HookRow>(
              em,
              `update diary_hook set
                  name = coalesce($2, name),
                  url = coalesce($3, url),
                  case_type_code = case when $4 then $5 else case_type_code end,
                  enabled = coalesce($6, enabled),
                  include_recipient = coalesce($7, include_recipient),
                  secret_ciphertext = coalesce($8, secret_ciphertext),
                  secret_rotated_at = case when $8::bytea is null then secret_rotated_at else now() end,
                  updated_at = now()
                where id = $1 returning ${HOOK_COLUMNS}`,
              [
                id,
                name ?? null,
                url ?? null,
                caseTypeCode !== undefined,
                caseTypeCode ?? null,
                input.enabled ?? null,
                input.includeRecipient ?? null,
                secret ? this.options.vault.encrypt(secret, hookSecretContext(id)) : null,
              ],
            )
          ).rows[0];
          const after = toHook(row);
          // Registrations paused while the hook was off get a full retry period from now.
          let resumed = 0;
          if (!before.enabled && after.enabled) {
            resumed = (
              await sql(em, `update diary_registration set next_attempt_at = now(), give_up_at = now() + make_interval(secs => $2), updated_at = now() where hook_id = $1 and status = 'PENDING'`, [
                id,
                this.retryTotalMs / 1000,
              ])
            ).rowCount;
          }
          const changes = diff(auditView(toHook(before)), auditView(after));
          await appendAudit(em, {
            tenantId: ctx.tenantId,
            actor: ctx.actor,
            action: 'diaryHook.update',
            target: `diaryHook:${id}`,
            detail: { changes, ...(secret ? { secretRotated: true } : {}), ...(resumed ? { resumedRegistrations: resumed } : {}) },
          });
          return after;
        },
        ctx.actor,
      ),
    );
    return { hook, secret };
  }

  /**
   * Deletes a hook: it applies to no further letters, and its pending and failed registrations are
   * cancelled. Registered ones keep their number (the hook stays in the database, marked deleted).
   */
  async delete(ctx: IntakeContext, id: string): Promise<void> {
    if (!isUuid(id)) throw new DiaryHookNotFoundError(id);
    await this.options.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const row = (await sql<HookRow>(em, `update diary_hook set deleted_at = now(), updated_at = now() where id = $1 and deleted_at is null returning ${HOOK_COLUMNS}`, [id])).rows[0];
        if (!row) throw new DiaryHookNotFoundError(id);
        const cancelled = await sql(
          em,
          `update diary_registration set status = 'CANCELLED', next_attempt_at = null, lease_owner = null, lease_until = null, updated_at = now(),
                  last_error = coalesce(last_error || '; ', '') || 'cancelled: the diary hook was deleted'
            where hook_id = $1 and status in ('PENDING','FAILED')`,
          [id],
        );
        await appendAudit(em, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: 'diaryHook.delete',
          target: `diaryHook:${id}`,
          detail: { ...auditView(toHook(row)), cancelledRegistrations: cancelled.rowCount },
        });
      },
      ctx.actor,
    );
  }

  /** Registrations that failed, newest first; with `includeRetrying`, also those still being retried after an error. */
  async failures(ctx: IntakeContext, filter: { first?: number | null; includeRetrying?: boolean | null; hookId?: string | null } = {}): Promise<DiaryFailureView[]> {
    const first = filter.first ?? 50;
    if (!Number.isInteger(first) || first < 1 || first > MAX_FAILURES_PAGE) {
      throw new LetterValidationError([{ path: 'first', rule: 'range', message: `must be between 1 and ${MAX_FAILURES_PAGE}` }], 'The request was refused');
    }
    if (filter.hookId && !isUuid(filter.hookId)) throw new DiaryHookNotFoundError(filter.hookId);
    return this.options.db.inTenant(ctx.tenantId, async (em) =>
      (
        await sql<RegistrationRow & { hook_name: string; case_reference: string | null; case_type_code: string | null }>(
          em,
          `select ${REGISTRATION_COLUMNS}, h.name as hook_name, l.case_reference, l.case_type_code
             from diary_registration r join diary_hook h on h.id = r.hook_id join letter l on l.id = r.letter_id
            where (r.status = 'FAILED' or ($2 and r.status = 'PENDING' and r.last_error is not null))
              and ($3::uuid is null or r.hook_id = $3)
            order by coalesce(r.failed_at, r.last_attempt_at) desc, r.id
            limit $1`,
          [first, filter.includeRetrying ?? false, filter.hookId ?? null],
        )
      ).rows.map((r) => ({ ...toRegistration(r), hookName: r.hook_name, caseReference: r.case_reference, caseTypeCode: r.case_type_code })),
    );
  }

  /**
   * Tries a letter's failed registrations again (every hook it failed for), each with a full retry
   * period from now. The attempts so far and the last error stay visible until the next attempt.
   */
  async retry(ctx: IntakeContext, letterId: string): Promise<DiaryRegistrationView[]> {
    if (!isUuid(letterId)) throw new LetterNotFoundError(letterId);
    return this.options.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const letter = (await sql(em, `select 1 from letter where id = $1`, [letterId])).rows[0];
        if (!letter) throw new LetterNotFoundError(letterId);
        const all = (
          await sql<RegistrationRow & { hook_deleted: boolean }>(
            em,
            `select ${REGISTRATION_COLUMNS}, h.deleted_at is not null as hook_deleted from diary_registration r join diary_hook h on h.id = r.hook_id
              where r.letter_id = $1 order by r.created_at for update of r`,
            [letterId],
          )
        ).rows;
        if (all.length === 0) throw new DiaryRegistrationNotFoundError(letterId);
        const failed = all.filter((r) => r.status === 'FAILED' && !r.hook_deleted);
        if (failed.length === 0) {
          const states = all.map((r) => (r.status === 'REGISTERED' ? `REGISTERED as ${r.registration_number}` : r.status)).join(', ');
          throw new IntakeBadInputError(`Letter ${letterId}'s diary registration is ${states}: only a FAILED registration can be retried (a PENDING one is retried automatically).`);
        }
        const rows = (
          await sql<RegistrationRow>(
            em,
            `update diary_registration r set status = 'PENDING', next_attempt_at = now(), give_up_at = now() + make_interval(secs => $2),
                    failed_at = null, lease_owner = null, lease_until = null, updated_at = now()
              where r.id = any($1::uuid[]) returning ${REGISTRATION_COLUMNS}`,
            [failed.map((r) => r.id), this.retryTotalMs / 1000],
          )
        ).rows;
        await appendAudit(em, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: 'diaryRegistration.retry',
          target: `letter:${letterId}`,
          detail: { registrations: rows.map((r) => ({ id: r.id, hookId: r.hook_id, attempts: r.attempts, lastError: failed.find((f) => f.id === r.id)?.last_error ?? null })) },
        });
        return rows.map(toRegistration);
      },
      ctx.actor,
    );
  }

  /**
   * Each letter's registration (for `Letter.diaryRegistration`): the registered one if any, else the
   * latest; letters without one are absent from the map.
   */
  async forLetters(ctx: IntakeContext, letterIds: readonly string[]): Promise<Map<string, DiaryRegistrationView>> {
    const ids = letterIds.filter(isUuid);
    if (ids.length === 0) return new Map();
    return this.options.db.inTenant(ctx.tenantId, async (em) => {
      const rows = (
        await sql<RegistrationRow>(
          em,
          `select distinct on (r.letter_id) ${REGISTRATION_COLUMNS} from diary_registration r
            where r.letter_id = any($1::uuid[])
            order by r.letter_id, (r.status = 'REGISTERED') desc, (r.status = 'CANCELLED'), r.created_at desc`,
          [ids],
        )
      ).rows;
      return new Map(rows.map((r) => [r.letter_id, toRegistration(r)]));
    });
  }

  private checkName(value: string | null | undefined, fields: FieldViolation[], required: boolean): string | undefined {
    const name = value?.trim();
    if (!name) {
      if (required) fields.push({ path: 'name', rule: 'required', message: 'is required: a name the admins recognise, e.g. "Diariet (Public 360)"' });
      return undefined;
    }
    if (name.length > MAX_NAME) fields.push({ path: 'name', rule: 'maxLength', message: `is ${name.length} characters; at most ${MAX_NAME}` });
    if (hasControlCharacters(name)) fields.push({ path: 'name', rule: 'format', message: 'must not contain control characters' });
    return name;
  }

  private checkUrl(value: string | null | undefined, fields: FieldViolation[], required: boolean): string | undefined {
    const url = value?.trim();
    if (!url) {
      if (required) fields.push({ path: 'url', rule: 'required', message: 'is required: the registry endpoint that takes the hub\'s signed POST, e.g. https://diarium.kommun.se/hub' });
      return undefined;
    }
    const problem = hookUrlProblem(url, this.options.allowHttpLocalhost ?? false);
    if (problem) fields.push({ path: 'url', ...problem });
    return url;
  }

  private checkCaseType(value: string | null | undefined, fields: FieldViolation[]): string | null | undefined {
    if (value === undefined) return undefined;
    if (value === null) return null;
    const code = value.trim();
    if (code === '') {
      fields.push({ path: 'caseTypeCode', rule: 'format', message: 'must not be empty: leave it out (or null) for a hook that applies to every case type' });
      return undefined;
    }
    if (!CASE_TYPE_CODE.test(code)) {
      fields.push({ path: 'caseTypeCode', rule: 'format', message: 'must be a case type code: lower-case letters, digits and dashes, at most 63 characters, e.g. "bygglov"' });
    }
    return code;
  }

  private async assertScopeFree(em: EntityManager, caseTypeCode: string | null, exceptId: string | undefined): Promise<void> {
    const other = (
      await sql<{ id: string }>(em, `select id from diary_hook where deleted_at is null and coalesce(case_type_code, '') = coalesce($1, '') and ($2::uuid is null or id <> $2)`, [
        caseTypeCode,
        exceptId ?? null,
      ])
    ).rows[0];
    if (other) throw scopeTaken(caseTypeCode, other.id);
  }

  /** A concurrent create of the same scope loses on the unique index: answered like the check above. */
  private async scoped<T>(caseTypeCode: string | null, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if ((e as { code?: string }).code === '23505' && /diary_hook_scope/.test((e as Error).message)) throw scopeTaken(caseTypeCode, undefined);
      throw e;
    }
  }
}

function scopeTaken(caseTypeCode: string | null, otherId: string | undefined): LetterValidationError {
  const which = caseTypeCode === null ? 'A diary hook for every case type' : `A diary hook for case type ${JSON.stringify(caseTypeCode)}`;
  return new LetterValidationError(
    [{ path: 'caseTypeCode', rule: 'unique', message: `${which} already exists${otherId ? ` (${otherId})` : ''}: change that one with updateDiaryHook, or delete it first` }],
    'The diary hook was refused',
  );
}

function hasControlCharacters(text: string): boolean {
  return [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

function newSecret(): string {
  return `dhs_${randomBytes(32).toString('base64url')}`;
}

interface HookRow {
  id: string;
  name: string;
  case_type_code: string | null;
  url: string;
  enabled: boolean;
  include_recipient: boolean;
  created_at: Date;
  updated_at: Date;
  secret_rotated_at: Date | null;
}

const HOOK_COLUMNS = 'id, name, case_type_code, url, enabled, include_recipient, created_at, updated_at, secret_rotated_at';

function toHook(r: HookRow): DiaryHookView {
  return {
    id: r.id,
    name: r.name,
    caseTypeCode: r.case_type_code,
    url: r.url,
    enabled: r.enabled,
    includeRecipient: r.include_recipient,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    secretRotatedAt: r.secret_rotated_at ? new Date(r.secret_rotated_at) : null,
  };
}

/** What the audit trail keeps of a hook: never the secret, and the URL without its query string. */
function auditView(h: DiaryHookView): Record<string, unknown> {
  return { name: h.name, url: displayUrl(h.url), caseTypeCode: h.caseTypeCode, enabled: h.enabled, includeRecipient: h.includeRecipient };
}

function diff(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(after)) if (before[key] !== after[key]) out[key] = { from: before[key], to: after[key] };
  return out;
}

interface RegistrationRow {
  id: string;
  letter_id: string;
  hook_id: string;
  status: DiaryRegistrationStatus;
  registration_number: string | null;
  registered_at: Date | null;
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  last_http_status: number | null;
  last_attempt_at: Date | null;
  failed_at: Date | null;
  created_at: Date;
}

const REGISTRATION_COLUMNS =
  'r.id, r.letter_id, r.hook_id, r.status, r.registration_number, r.registered_at, r.attempts, r.next_attempt_at, r.last_error, r.last_http_status, r.last_attempt_at, r.failed_at, r.created_at';

function toRegistration(r: RegistrationRow): DiaryRegistrationView {
  const date = (v: Date | null) => (v ? new Date(v) : null);
  return {
    id: r.id,
    letterId: r.letter_id,
    hookId: r.hook_id,
    status: r.status,
    registrationNumber: r.registration_number,
    registeredAt: date(r.registered_at),
    attempts: r.attempts,
    nextAttemptAt: date(r.next_attempt_at),
    lastError: r.last_error,
    lastHttpStatus: r.last_http_status,
    lastAttemptAt: date(r.last_attempt_at),
    failedAt: date(r.failed_at),
    createdAt: new Date(r.created_at),
  };
}
