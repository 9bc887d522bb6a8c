import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { JobName, JobPayloads } from '@hub/jobs';
import { TenantDb } from '@hub/persistence';
import { CaseTypeChannel, isCancellable, LETTER_CATEGORIES, LetterStatus, LETTER_STATUSES } from '../letter-status';
import { Letter } from '../letter.entities';
import { transition } from '../letter-transitions';
import {
  FieldViolation,
  IdempotencyConflictError,
  IntakeBadInputError,
  LetterNotFoundError,
  LetterValidationError,
  NotCancellableError,
  PageSizeExceededError,
} from './intake.errors';
import {
  BulkItemResult,
  CaseTypeRef,
  EventMessageInput,
  IntakeContext,
  LetterEventView,
  LetterFilter,
  LetterInput,
  LetterPage,
  LetterView,
  ServiceMessageInput,
  SubmitResult,
} from './intake.types';
import { decodeCursor, encodeCursor, isUuid, uuidv7 } from './letter-cursor';
import { chooseSendingUnit, hasControlChars, MAX_IDEMPOTENCY_KEY_LENGTH, SendingUnitRef, validateLetter, ValidatedLetter } from './letter-input.validator';
import { sql } from './sql';

/** Settings of the intake, from the hub's configuration. */
export interface LetterIntakeOptions {
  /** Hours a letter may try digital delivery when its tenant sets none (DISPATCH_DEADLINE_HOURS). */
  defaultDeadlineHours: number;
  /** Most letters in one {@link LetterIntakeService.submitMany} call (BULK_MAX_LETTERS). */
  bulkMax: number;
  /** Largest page of {@link LetterIntakeService.list} (PAGE_SIZE_MAX). */
  pageSizeMax: number;
  /** How long a tenant's sending units and settings are reused before being read again. Default 5 s. */
  catalogTtlMs?: number;
}

/** What the intake needs to know about a tenant: its sending units and its deadline. */
interface TenantCatalog {
  units: Map<string, SendingUnitRef>;
  deadlineHours: number;
  loadedAt: number;
}

interface Pending {
  index: number;
  id: string;
  letter: ValidatedLetter;
}

interface ExistingKey {
  id: string;
  contentHash: string;
}

/** One input's outcome inside the service (a conflict keeps the key and the letter it collided with). */
type AcceptOutcome =
  | { index: number; ok: true; letter: LetterView; created: boolean }
  | { index: number; ok: false; fields: FieldViolation[]; conflict?: { key: string; letterId: string } };

/** A service message's idempotency key leaves room for ":" and a 12-digit recipient in each letter's key. */
const MAX_SERVICE_KEY_LENGTH = MAX_IDEMPOTENCY_KEY_LENGTH - 13;

/** The fields of a service message's letter that come from its recipient entry (the rest from the message). */
function isRecipientPath(path: string): boolean {
  return /^(recipient|postalAddress|protectedIdentity)(\b|\.|\[|$)/.test(path);
}

/** Letters per page when the caller does not say (or PAGE_SIZE_MAX when smaller). */
export const DEFAULT_PAGE_SIZE = 50;
/** Attachment rows per INSERT statement (7 parameters each, well under PostgreSQL's 65,535). */
const ATTACHMENT_ROWS_PER_STATEMENT = 1000;

// created_at etc. to the microsecond in ISO form: MikroORM's pg pool returns timestamps as raw text.
const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const VIEW_COLUMNS = `
  l.id, l.tenant_id, l.status, l.status_reason, l.channel, l.channel_decision, l.protected_identity, l.postage_class, l.recipient_id, l.recipient_kind,
  l.sending_unit_id, su.code as unit_code, su.name as unit_name, l.case_reference, l.subject, l.body_type,
  l.protection_class, l.channel_preference, l.postal_address, l.operator_id, l.operator_name, l.trans_id,
  l.attempts, l.idempotency_key, l.case_type_code, l.category, l.official_matter,
  ${iso('l.deadline_at')} as deadline_at, ${iso('l.created_at')} as created_at, ${iso('l.updated_at')} as updated_at,
  ${iso('l.dispatched_at')} as dispatched_at,
  coalesce((select json_agg(json_build_object('position', a.position, 'filename', a.filename, 'contentType', a.content_type,
                   'sizeBytes', a.size_bytes, 'sha256', a.sha256) order by a.position)
              from letter_attachment a where a.letter_id = l.id), '[]'::json) as attachments`;

interface ViewRow {
  id: string;
  tenant_id: string;
  status: LetterStatus;
  status_reason: string | null;
  channel: 'DIGITAL' | 'PRINT' | null;
  channel_decision: LetterView['channelDecision'];
  protected_identity: boolean;
  postage_class: LetterView['postageClass'];
  recipient_id: string;
  recipient_kind: string;
  sending_unit_id: string;
  unit_code: string;
  unit_name: string;
  case_reference: string | null;
  subject: string;
  body_type: string;
  protection_class: number;
  channel_preference: LetterView['channelPreference'];
  postal_address: LetterView['postalAddress'];
  operator_id: string | null;
  operator_name: string | null;
  trans_id: string | null;
  attempts: number;
  idempotency_key: string | null;
  case_type_code: string | null;
  category: LetterView['category'];
  official_matter: LetterView['officialMatter'];
  deadline_at: string;
  created_at: string;
  updated_at: string;
  dispatched_at: string | null;
  attachments: LetterView['attachments'];
}

function toView(r: ViewRow): LetterView {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    status: r.status,
    statusReason: r.status_reason,
    channel: r.channel,
    channelDecision: r.channel_decision,
    protectedIdentity: r.protected_identity,
    postageClass: r.postage_class,
    recipientId: r.recipient_id,
    recipientKind: r.recipient_kind,
    sendingUnit: { id: r.sending_unit_id, code: r.unit_code, name: r.unit_name },
    caseReference: r.case_reference,
    subject: r.subject,
    bodyType: r.body_type,
    protectionClass: Number(r.protection_class),
    channelPreference: r.channel_preference,
    postalAddress: r.postal_address,
    operator: r.operator_id ? { id: r.operator_id, name: r.operator_name } : null,
    transId: r.trans_id,
    attempts: r.attempts,
    idempotencyKey: r.idempotency_key,
    caseType: r.case_type_code,
    category: r.category,
    officialMatter: r.official_matter,
    attachments: r.attachments,
    deadlineAt: new Date(r.deadline_at),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    dispatchedAt: r.dispatched_at ? new Date(r.dispatched_at) : null,
  };
}

/**
 * Takes letters in: validates them field by field, stores each accepted letter with its attachments,
 * its `ACCEPTED` event and its dispatch outbox row in one tenant transaction, and answers questions
 * about them (get, list, events) and cancellations. Knows nothing of GraphQL: the API maps its
 * results and its {@link IntakeError}s.
 *
 * Bulk intake validates everything first, then writes all accepted letters, events and outbox rows
 * with a single multi-row statement (plus one per 1,000 attachments) in one transaction: one commit
 * for the whole bulk.
 */
export class LetterIntakeService {
  private readonly catalogs = new Map<string, TenantCatalog>();

  constructor(
    private readonly db: TenantDb,
    private readonly options: LetterIntakeOptions,
  ) {}

  /** Submits one letter. Throws {@link LetterValidationError} or {@link IdempotencyConflictError}. */
  async submit(ctx: IntakeContext, input: LetterInput): Promise<SubmitResult> {
    const [result] = await this.accept(ctx, [input]);
    if (result.ok) return { letter: result.letter, created: result.created };
    if (result.conflict) throw new IdempotencyConflictError(result.conflict.key, result.conflict.letterId);
    throw new LetterValidationError(result.fields);
  }

  /**
   * Submits many letters; each is accepted or refused on its own, and the results come back in input
   * order with their index. Refuses the whole call only when it is empty or larger than `bulkMax`.
   */
  async submitMany(ctx: IntakeContext, inputs: LetterInput[]): Promise<BulkItemResult[]> {
    if (!Array.isArray(inputs) || inputs.length === 0) throw new IntakeBadInputError('inputs is empty: send at least one letter.');
    if (inputs.length > this.options.bulkMax) {
      throw new IntakeBadInputError(`inputs has ${inputs.length} letters; at most ${this.options.bulkMax} fit in one call: split them into several calls.`);
    }
    return this.bulkResults(await this.accept(ctx, inputs));
  }

  private bulkResults(outcomes: AcceptOutcome[]): BulkItemResult[] {
    return outcomes.map((r) =>
      r.ok
        ? { index: r.index, ok: true as const, letter: r.letter, created: r.created }
        : r.conflict
          ? {
              index: r.index,
              ok: false as const,
              code: 'IDEMPOTENCY_CONFLICT' as const,
              message: new IdempotencyConflictError(r.conflict.key, r.conflict.letterId).message,
              fields: r.fields,
            }
          : { index: r.index, ok: false as const, code: 'VALIDATION_FAILED' as const, message: new LetterValidationError(r.fields).message, fields: r.fields },
    );
  }

  /**
   * Submits an event message (händelsemeddelande, M2): a status update in a case, sent with the v3
   * OfficialMatter extension, digital only (a recipient who cannot take it digitally makes it FAILED
   * as undeliverable, never printed). Idempotent like {@link submit}.
   */
  async submitEvent(ctx: IntakeContext, input: EventMessageInput): Promise<SubmitResult> {
    const letter: LetterInput | null = input && typeof input === 'object' ? { ...input, category: 'EVENT', channelPreference: 'DIGITAL_ONLY' } : null;
    const [result] = await this.accept(ctx, [letter as LetterInput], { allowEvent: true });
    if (result.ok) return { letter: result.letter, created: result.created };
    if (result.conflict) throw new IdempotencyConflictError(result.conflict.key, result.conflict.letterId);
    throw new LetterValidationError(result.fields, 'The event message was refused');
  }

  /**
   * Submits a service message (servicemeddelande, M3): one message to many recipients through the
   * bulk path, each recipient becoming a SERVICE letter, accepted or refused on its own (results by
   * the recipient's index). A mistake in the message itself refuses the whole call with paths under
   * `message`. With `message.idempotencyKey`, each recipient's letter is keyed `<key>:<recipient>`,
   * so a retried call returns the same letters; a recipient listed twice is refused the second time.
   */
  async submitService(ctx: IntakeContext, input: ServiceMessageInput): Promise<BulkItemResult[]> {
    const message = input?.message;
    if (!message || typeof message !== 'object') {
      throw new LetterValidationError([{ path: 'message', rule: 'required', message: 'is required: the letter every recipient gets' }], 'The service message was refused');
    }
    const recipients = input.recipients;
    if (!Array.isArray(recipients) || recipients.length === 0) throw new IntakeBadInputError('recipients is empty: give at least one recipient.');
    if (recipients.length > this.options.bulkMax) {
      throw new IntakeBadInputError(`recipients has ${recipients.length} entries; at most ${this.options.bulkMax} fit in one call: split them into several calls.`);
    }
    const key = message.idempotencyKey;
    if (typeof key === 'string' && key.length > MAX_SERVICE_KEY_LENGTH) {
      throw new LetterValidationError(
        [{ path: 'message.idempotencyKey', rule: 'maxLength', message: `is ${key.length} characters; at most ${MAX_SERVICE_KEY_LENGTH} are allowed for a service message (each recipient's key adds ":" and the recipient)` }],
        'The service message was refused',
      );
    }
    const seen = new Map<string, number>();
    const duplicates = new Map<number, number>();
    const letters = recipients.map((r, index): LetterInput => {
      const recipient = typeof r?.recipient === 'string' ? r.recipient.replace(/[-+\s]/g, '') : r?.recipient;
      if (typeof recipient === 'string' && recipient !== '') {
        const first = seen.get(recipient);
        if (first === undefined) seen.set(recipient, index);
        else duplicates.set(index, first);
      }
      return {
        ...message,
        category: 'SERVICE',
        recipient: r?.recipient,
        postalAddress: r?.postalAddress,
        protectedIdentity: r?.protectedIdentity,
        idempotencyKey: typeof key === 'string' && key !== '' ? `${key}:${recipient ?? ''}` : key,
      };
    });
    // A recipient listed twice gets the message once: the repeat is refused before anything is stored.
    const unique = letters.map((l, index) => (duplicates.has(index) ? null : l));
    const accepted = await this.accept(ctx, unique.filter((l): l is LetterInput => l !== null));
    const byIndex: AcceptOutcome[] = [];
    let next = 0;
    unique.forEach((l, index) => {
      byIndex.push(
        l === null
          ? { index, ok: false, fields: [{ path: 'recipient', rule: 'duplicate', message: `is already at recipients[${duplicates.get(index)}]: each recipient gets the message once` }] }
          : { ...accepted[next++], index },
      );
    });
    const messageFields = new Map<string, FieldViolation>();
    for (const r of byIndex) {
      if (r.ok || r.conflict) continue;
      for (const f of r.fields) if (!isRecipientPath(f.path)) messageFields.set(`${f.path}:${f.rule}`, { ...f, path: f.path ? `message.${f.path}` : 'message' });
    }
    if (messageFields.size > 0) throw new LetterValidationError([...messageFields.values()], 'The service message was refused');
    return this.bulkResults(byIndex);
  }

  /** One letter of the caller's tenant; {@link LetterNotFoundError} otherwise (whatever the reason). */
  async get(ctx: IntakeContext, id: string): Promise<LetterView> {
    if (!isUuid(id)) throw new LetterNotFoundError(id);
    const [view] = await this.db.inTenant(ctx.tenantId, (em) => this.loadViews(em, ctx.tenantId, [id]), ctx.actor);
    if (!view) throw new LetterNotFoundError(id);
    return view;
  }

  /** Newest first, keyset-paginated on (created_at desc, id desc). */
  async list(ctx: IntakeContext, filter: LetterFilter = {}, first?: number | null, after?: string | null): Promise<LetterPage> {
    first ??= Math.min(DEFAULT_PAGE_SIZE, this.options.pageSizeMax);
    if (!Number.isInteger(first) || first < 1) throw new IntakeBadInputError(`first is ${first}; ask for at least 1 letter.`);
    if (first > this.options.pageSizeMax) throw new PageSizeExceededError(first, this.options.pageSizeMax);
    const { where, params } = this.filterSql(ctx, filter);
    if (after) {
      const c = decodeCursor(after);
      params.push(c.createdAt, c.id);
      where.push(`(l.created_at, l.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(first + 1);
    const rows = await this.db.inTenant(
      ctx.tenantId,
      async (em) =>
        (
          await sql<ViewRow & { cursor_at: string }>(
            em,
            `select ${VIEW_COLUMNS}, ${iso('l.created_at')} as cursor_at
               from letter l join sending_unit su on su.id = l.sending_unit_id
              where ${where.join(' and ')}
              order by l.created_at desc, l.id desc
              limit $${params.length}`,
            params,
          )
        ).rows,
      ctx.actor,
    );
    const page = rows.slice(0, first);
    const items = page.map((r) => ({ cursor: encodeCursor(r.cursor_at, r.id), letter: toView(r) }));
    return { items, hasNextPage: rows.length > first, endCursor: items.length ? items[items.length - 1].cursor : null };
  }

  /** How many letters match the filter (for `totalCount`; costs a count over the matching rows). */
  async count(ctx: IntakeContext, filter: LetterFilter = {}): Promise<number> {
    const { where, params } = this.filterSql(ctx, filter);
    return this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const { rows } = await sql<{ n: string }>(em, `select count(*) as n from letter l join sending_unit su on su.id = l.sending_unit_id where ${where.join(' and ')}`, params);
        return Number(rows[0].n);
      },
      ctx.actor,
    );
  }

  /** The events of several letters at once (in order), keyed by letter id. */
  async events(ctx: IntakeContext, letterIds: readonly string[]): Promise<Map<string, LetterEventView[]>> {
    const ids = [...new Set(letterIds.filter(isUuid))];
    const out = new Map<string, LetterEventView[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return out;
    const rows = await this.db.inTenant(
      ctx.tenantId,
      async (em) =>
        (
          await sql<{ id: string; letter_id: string; type: string; from_status: string | null; to_status: string | null; detail: Record<string, unknown>; created_at: string }>(
            em,
            `select id::text, letter_id, type, from_status, to_status, detail, ${iso('created_at')} as created_at
               from letter_event e where tenant_id = $1 and letter_id = any($2::uuid[]) order by e.letter_id, e.id`,
            [ctx.tenantId, ids],
          )
        ).rows,
      ctx.actor,
    );
    for (const r of rows) {
      out.get(r.letter_id)?.push({ id: r.id, letterId: r.letter_id, type: r.type, fromStatus: r.from_status, toStatus: r.to_status, detail: r.detail, createdAt: new Date(r.created_at) });
    }
    return out;
  }

  /**
   * Cancels a letter that has not been signed for dispatch yet (see `isCancellable`), with a
   * `CANCELLED` event. Throws {@link NotCancellableError} naming the state it is in otherwise.
   */
  async cancel(ctx: IntakeContext, id: string, reason?: string | null): Promise<LetterView> {
    if (!isUuid(id)) throw new LetterNotFoundError(id);
    if (reason !== undefined && reason !== null && (reason.length > 500 || hasControlChars(reason))) {
      throw new LetterValidationError([{ path: 'reason', rule: 'maxLength', message: 'must be one line of at most 500 characters' }]);
    }
    return this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        // The row lock orders this against a worker moving the letter on at the same moment.
        const letter = await em.findOne(Letter, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!letter) throw new LetterNotFoundError(id);
        if (!isCancellable(letter.status)) throw new NotCancellableError(id, letter.status);
        transition(em, letter, 'CANCELLED', 'CANCELLED', { actor: ctx.actor, ...(reason ? { reason } : {}) });
        letter.statusReason = reason ? `cancelled: ${reason}` : 'cancelled by the sender';
        await em.flush();
        const [view] = await this.loadViews(em, ctx.tenantId, [id]);
        return view;
      },
      ctx.actor,
    );
  }

  /**
   * The sending unit the caller acts as: `code` when given (a bound client may only name its own),
   * else the client's bound unit, else the tenant's only unit. {@link LetterValidationError} otherwise.
   */
  async sendingUnit(ctx: IntakeContext, code?: string | null): Promise<SendingUnitRef> {
    const chosen = chooseSendingUnit(code, ctx, (await this.catalog(ctx)).units);
    if (!chosen.ok) throw new LetterValidationError(chosen.fields);
    return chosen.unit;
  }

  // ---------------------------------------------------------------------------------------------

  private async accept(ctx: IntakeContext, inputs: LetterInput[], options: { allowEvent?: boolean } = {}): Promise<AcceptOutcome[]> {
    const catalog = await this.catalog(ctx);
    const caseTypes = await this.caseTypes(ctx, inputs);
    const results: AcceptOutcome[] = new Array(inputs.length);
    // Validation (CPU only) happens before the transaction, so no connection waits on it.
    const unkeyed: Pending[] = [];
    const keyed = new Map<string, Pending[]>();
    const now = new Date();
    inputs.forEach((input, index) => {
      const out = validateLetter(input, ctx, catalog.units, { caseTypes, now, allowEvent: options.allowEvent });
      if (!out.ok) {
        results[index] = { index, ok: false, fields: out.fields };
        return;
      }
      const id = uuidv7(now.getTime());
      // An event message without its own event id gets the letter's id: unique, and known to the caller.
      const letter = out.letter.officialMatter && !out.letter.officialMatter.eventId ? { ...out.letter, officialMatter: { ...out.letter.officialMatter, eventId: id } } : out.letter;
      const p: Pending = { index, id, letter };
      const key = out.letter.idempotencyKey;
      if (key === null) unkeyed.push(p);
      else if (keyed.has(key)) keyed.get(key)!.push(p);
      else keyed.set(key, [p]);
    });
    if (unkeyed.length === 0 && keyed.size === 0) return results;

    const deadline = new Date(now.getTime() + catalog.deadlineHours * 3_600_000);
    const { existing, created } = await this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const existing = keyed.size ? await this.findByKeys(em, ctx, [...keyed.keys()]) : new Map<string, ExistingKey>();
        // One row per key is inserted: the first occurrence, unless the key is already taken.
        // Keyed rows go in key order: two bulks sharing keys then take the unique index's locks in the
        // same order and cannot deadlock each other.
        const keyedFirst = [...keyed].filter(([key]) => !existing.has(key)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        const toInsert = [...unkeyed, ...keyedFirst.map(([, group]) => group[0])];
        const created = await this.insert(em, ctx, toInsert, now, deadline, inputs.length > 1);
        // A concurrent request took the key between our read and our insert: its row is committed now.
        const lost = toInsert.filter((p) => !created.has(p.id));
        if (lost.length) {
          const again = await this.findByKeys(em, ctx, lost.map((p) => p.letter.idempotencyKey!));
          for (const [k, v] of again) existing.set(k, v);
          for (const p of lost) if (!again.has(p.letter.idempotencyKey!)) throw new Error(`letter ${p.id} was neither inserted nor found by its idempotency key`);
        }
        const views = new Map<string, LetterView>();
        const existingIds = [...new Set([...existing.values()].map((e) => e.id))];
        if (existingIds.length) for (const v of await this.loadViews(em, ctx.tenantId, existingIds)) views.set(v.id, v);
        return { existing: { byKey: existing, views }, created };
      },
      ctx.actor,
    );

    const newView = (p: Pending): LetterView => ({
      id: p.id,
      tenantId: ctx.tenantId,
      status: 'ACCEPTED',
      statusReason: null,
      channel: null,
      channelDecision: null,
      protectedIdentity: p.letter.protectedIdentity,
      postageClass: p.letter.postageClass,
      recipientId: p.letter.recipientId,
      recipientKind: p.letter.recipientKind,
      sendingUnit: { id: p.letter.sendingUnit.id, code: p.letter.sendingUnit.code, name: p.letter.sendingUnit.name },
      caseReference: p.letter.caseReference,
      subject: p.letter.subject,
      bodyType: p.letter.bodyType,
      protectionClass: p.letter.protectionClass,
      channelPreference: p.letter.channelPreference,
      postalAddress: p.letter.postalAddress,
      operator: null,
      transId: null,
      attempts: 0,
      idempotencyKey: p.letter.idempotencyKey,
      caseType: p.letter.caseTypeCode,
      category: p.letter.category,
      officialMatter: p.letter.officialMatter,
      attachments: p.letter.attachments.map(({ position, filename, contentType, sizeBytes, sha256 }) => ({ position, filename, contentType, sizeBytes, sha256 })),
      deadlineAt: deadline,
      createdAt: now,
      updatedAt: now,
      dispatchedAt: null,
    });

    for (const p of unkeyed) results[p.index] = { index: p.index, ok: true, letter: newView(p), created: true };
    for (const [key, group] of keyed) {
      const found = existing.byKey.get(key);
      const winner = found
        ? { id: found.id, contentHash: found.contentHash, view: existing.views.get(found.id)! }
        : { id: group[0].id, contentHash: group[0].letter.contentHash, view: newView(group[0]) };
      for (const p of group) {
        if (p.letter.contentHash === winner.contentHash) {
          results[p.index] = { index: p.index, ok: true, letter: winner.view, created: !found && p === group[0] && created.has(p.id) };
        } else {
          results[p.index] = {
            index: p.index,
            ok: false,
            fields: [{ path: 'idempotencyKey', rule: 'idempotencyConflict', message: `was already used for letter ${winner.id} with different content` }],
            conflict: { key, letterId: winner.id },
          };
        }
      }
    }
    return results;
  }

  /** Letters already stored under these idempotency keys, for this caller's key space. */
  private async findByKeys(em: EntityManager, ctx: IntakeContext, keys: string[]): Promise<Map<string, ExistingKey>> {
    const { rows } = await sql<{ id: string; idempotency_key: string; content_hash: string }>(
      em,
      `select id, idempotency_key, content_hash from letter
        where tenant_id = $1 and coalesce(api_client_id::text, '') = $2 and idempotency_key = any($3::text[])`,
      [ctx.tenantId, ctx.apiClientId ?? '', keys],
    );
    return new Map(rows.map((r) => [r.idempotency_key, { id: r.id, contentHash: r.content_hash }]));
  }

  /**
   * Inserts letters, their ACCEPTED events and their dispatch outbox rows in one statement (rows whose
   * idempotency key a concurrent request has just taken are skipped by the unique index, and so are
   * their event and outbox rows), then their attachments. Returns the ids actually inserted.
   */
  private async insert(em: EntityManager, ctx: IntakeContext, rows: Pending[], now: Date, deadline: Date, bulk: boolean): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const L = rows.map((r) => r.letter);
    const payloads = rows.map((r) => {
      const payload: JobPayloads[JobName.DispatchLetter] = { tenantId: ctx.tenantId, letterId: r.id };
      return JSON.stringify(payload);
    });
    const details = rows.map((r) =>
      JSON.stringify({
        actor: ctx.actor,
        channelPreference: r.letter.channelPreference,
        attachments: r.letter.attachments.length,
        ...(r.letter.htmlSanitized ? { htmlSanitized: true } : {}),
        ...(bulk ? { bulk: true } : {}),
        ...r.letter.policyNotes,
      }),
    );
    const { rows: inserted } = await sql<{ id: string }>(
      em,
      `with input as (
         select * from unnest($5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                              $13::text[], $14::text[], $15::smallint[], $16::text[], $17::jsonb[], $18::jsonb[], $19::jsonb[],
                              $21::boolean[], $22::text[], $23::text[], $24::text[], $25::jsonb[])
           as u(id, sending_unit_id, idempotency_key, content_hash, recipient_id, recipient_kind, case_reference, subject,
                body_text, body_type, protection_class, channel_preference, postal_address, event_detail, job_payload,
                protected_identity, postage_class, case_type_code, category, official_matter)
       ), l as (
         insert into letter (id, tenant_id, sending_unit_id, api_client_id, idempotency_key, content_hash, recipient_id, recipient_kind,
                             case_reference, subject, body_text, body_type, protection_class, channel_preference, postal_address,
                             protected_identity, postage_class, case_type_code, category, official_matter,
                             status, attempts, deadline_at, created_at, updated_at)
         select id, $1::uuid, sending_unit_id, $2::uuid, idempotency_key, content_hash, recipient_id, recipient_kind,
                case_reference, subject, body_text, body_type, protection_class, channel_preference, postal_address,
                protected_identity, postage_class, case_type_code, category, official_matter,
                'ACCEPTED', 0, $4::timestamptz, $3::timestamptz, $3::timestamptz
           from input
         on conflict (tenant_id, (coalesce(api_client_id::text, '')), idempotency_key) where idempotency_key is not null do nothing
         returning id
       ), e as (
         insert into letter_event (tenant_id, letter_id, type, from_status, to_status, detail, created_at)
         select $1::uuid, input.id, 'ACCEPTED', null, 'ACCEPTED', input.event_detail, $3::timestamptz from input join l on l.id = input.id
       ), o as (
         insert into outbox (tenant_id, letter_id, job, payload, available_at, created_at)
         select $1::uuid, input.id, $20, input.job_payload, $3::timestamptz, $3::timestamptz from input join l on l.id = input.id
       )
       select id from l`,
      [
        ctx.tenantId,
        ctx.apiClientId ?? null,
        now,
        deadline,
        rows.map((r) => r.id),
        L.map((l) => l.sendingUnit.id),
        L.map((l) => l.idempotencyKey),
        L.map((l) => l.contentHash),
        L.map((l) => l.recipientId),
        L.map((l) => l.recipientKind),
        L.map((l) => l.caseReference),
        L.map((l) => l.subject),
        L.map((l) => l.bodyText),
        L.map((l) => l.bodyType),
        L.map((l) => l.protectionClass),
        L.map((l) => l.channelPreference),
        L.map((l) => (l.postalAddress ? JSON.stringify(l.postalAddress) : null)),
        details,
        payloads,
        JobName.DispatchLetter,
        L.map((l) => l.protectedIdentity),
        L.map((l) => l.postageClass),
        L.map((l) => l.caseTypeCode),
        L.map((l) => l.category),
        L.map((l) => (l.officialMatter ? JSON.stringify(l.officialMatter) : null)),
      ],
    );
    const created = new Set(inserted.map((r) => r.id));
    await this.insertAttachments(em, ctx, rows.filter((r) => created.has(r.id)));
    return created;
  }

  // Each attachment's bytes go as their own (binary) parameter: arrays of bytea would be sent as hex text.
  private async insertAttachments(em: EntityManager, ctx: IntakeContext, rows: Pending[]): Promise<void> {
    const all = rows.flatMap((r) => r.letter.attachments.map((a) => ({ letterId: r.id, ...a })));
    for (let start = 0; start < all.length; start += ATTACHMENT_ROWS_PER_STATEMENT) {
      const chunk = all.slice(start, start + ATTACHMENT_ROWS_PER_STATEMENT);
      const params: unknown[] = [ctx.tenantId];
      const values = chunk.map((a) => {
        params.push(a.letterId, a.position, a.filename, a.contentType, a.content, a.sizeBytes, a.sha256);
        const n = params.length;
        return `($1::uuid, $${n - 6}::uuid, $${n - 5}::smallint, $${n - 4}, $${n - 3}, $${n - 2}::bytea, $${n - 1}::integer, $${n})`;
      });
      await sql(em, `insert into letter_attachment (tenant_id, letter_id, position, filename, content_type, content, size_bytes, sha256) values ${values.join(', ')}`, params);
    }
  }

  private async loadViews(em: EntityManager, tenantId: string, ids: string[]): Promise<LetterView[]> {
    const { rows } = await sql<ViewRow>(
      em,
      `select ${VIEW_COLUMNS} from letter l join sending_unit su on su.id = l.sending_unit_id where l.tenant_id = $1 and l.id = any($2::uuid[])`,
      [tenantId, ids],
    );
    const byId = new Map(rows.map((r) => [r.id, toView(r)]));
    return ids.map((id) => byId.get(id)).filter((v): v is LetterView => v !== undefined);
  }

  private filterSql(ctx: IntakeContext, filter: LetterFilter): { where: string[]; params: unknown[] } {
    const params: unknown[] = [ctx.tenantId];
    // tenant_id is also RLS's condition; naming it lets PostgreSQL use the (tenant_id, created_at, id) index.
    const where = ['l.tenant_id = $1'];
    const add = (clause: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (filter.status?.length) {
      const bad = filter.status.filter((s) => !LETTER_STATUSES.includes(s));
      if (bad.length) throw new IntakeBadInputError(`filter.status has unknown states ${bad.join(', ')}; use ${LETTER_STATUSES.join(', ')}.`);
      add((p) => `l.status = any(${p}::text[])`, filter.status);
    }
    if (filter.recipient) add((p) => `l.recipient_id = ${p}`, filter.recipient.replace(/[-+\s]/g, ''));
    if (filter.caseReference) add((p) => `l.case_reference = ${p}`, filter.caseReference.trim());
    if (filter.sendingUnit) add((p) => `su.code = ${p}`, filter.sendingUnit.trim());
    if (filter.caseType) add((p) => `l.case_type_code = ${p}`, filter.caseType.trim());
    if (filter.category?.length) {
      const bad = filter.category.filter((c) => !LETTER_CATEGORIES.includes(c));
      if (bad.length) throw new IntakeBadInputError(`filter.category has unknown categories ${bad.join(', ')}; use ${LETTER_CATEGORIES.join(', ')}.`);
      add((p) => `l.category = any(${p}::text[])`, filter.category);
    }
    if (filter.createdFrom) add((p) => `l.created_at >= ${p}::timestamptz`, filter.createdFrom);
    if (filter.createdTo) add((p) => `l.created_at < ${p}::timestamptz`, filter.createdTo);
    return { where, params };
  }

  /**
   * The case types the inputs name, read fresh (not cached): a case type an admin has just created
   * or archived applies to the next letter at once.
   */
  private async caseTypes(ctx: IntakeContext, inputs: LetterInput[]): Promise<Map<string, CaseTypeRef>> {
    const codes = [...new Set(inputs.map((i) => (i && typeof i.caseType === 'string' ? i.caseType.trim() : '')).filter((c) => c !== ''))];
    if (codes.length === 0) return new Map();
    const rows = await this.db.inTenant(
      ctx.tenantId,
      async (em) =>
        (
          await sql<{ code: string; name: string; default_protection_class: number; subject_template: string; body_template: string | null; allowed_channels: CaseTypeChannel[]; archived: boolean }>(
            em,
            `select code, name, default_protection_class, subject_template, body_template, allowed_channels, archived_at is not null as archived
               from case_type where tenant_id = $1 and code = any($2::text[])`,
            [ctx.tenantId, codes],
          )
        ).rows,
      ctx.actor,
    );
    return new Map(
      rows.map((r) => [
        r.code,
        {
          code: r.code,
          name: r.name,
          defaultProtectionClass: Number(r.default_protection_class),
          subjectTemplate: r.subject_template,
          bodyTemplate: r.body_template,
          allowedChannels: r.allowed_channels,
          archived: r.archived,
        },
      ]),
    );
  }

  private async catalog(ctx: IntakeContext): Promise<TenantCatalog> {
    const ttl = this.options.catalogTtlMs ?? 5_000;
    const cached = this.catalogs.get(ctx.tenantId);
    if (cached && Date.now() - cached.loadedAt < ttl) return cached;
    const catalog = await this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const { rows } = await sql<{ settings: { deadlineHours?: number } | null; units: SendingUnitRef[] }>(
          em,
          `select (select settings from tenant where id = $1) as settings,
                  coalesce((select json_agg(json_build_object('id', id, 'code', code, 'name', name, 'orgNumber', org_number) order by code)
                              from sending_unit where tenant_id = $1), '[]'::json) as units`,
          [ctx.tenantId],
        );
        const hours = rows[0].settings?.deadlineHours;
        return {
          units: new Map(rows[0].units.map((u) => [u.code, u])),
          deadlineHours: Number.isFinite(hours) && hours! > 0 ? hours! : this.options.defaultDeadlineHours,
          loadedAt: Date.now(),
        };
      },
      ctx.actor,
    );
    this.catalogs.set(ctx.tenantId, catalog);
    return catalog;
  }
}
