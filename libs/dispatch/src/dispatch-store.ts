import type { EntityManager } from '@mikro-orm/postgresql';
import { assertTransition, ChannelDecisionKind, ChannelPreference, DISPATCH_STATUSES, LetterCategory, LetterStatus, sql } from '@hub/letters';
import type { OfficialMatterInput } from '@hub/mina-meddelanden';
import type { TenantDb } from '@hub/persistence';
import type { TenantSettings } from '@hub/tenancy';
import { StatementBatcher } from './statement-batcher';

/**
 * The dispatch's reads and writes of a letter: each step is a call of a function of the dispatch
 * migrations (`dispatch_claim`, `dispatch_apply`, `dispatch_release`) that sets the tenant
 * (`app.tenant_id`, transaction-local, as TenantDb does) and then works under row-level security as
 * the application role: one round trip per step instead of BEGIN, set_config, statements, COMMIT
 * through the unit of work.
 *
 * Claims and state changes of concurrent jobs of the same tenant go together (a
 * {@link StatementBatcher}): one call of `dispatch_claim_many` / `dispatch_apply_many` runs each
 * letter's own function in one transaction, so a worker with dozens of letters in flight pays for
 * one statement and one commit where it paid for dozens (measured with bench/dispatch.bench.ts:
 * the statement and commit around a step cost PostgreSQL more than the step's own work). A batch is
 * ordered by letter id, so that concurrent batches lock their letters in the same order.
 *
 * Event rows are the same as `appendEvent`/`transition` of @hub/letters write, and each event is
 * checked against the same state machine (`assertTransition`) before anything is sent.
 */

/** The letter as a claim reads it, with what building its delivery needs. */
export interface ClaimedLetter {
  id: string;
  tenantId: string;
  sendingUnitId: string;
  recipientId: string;
  caseReference?: string;
  subject: string;
  bodyText?: string;
  bodyType: string;
  protectionClass: number;
  channelPreference: ChannelPreference;
  /** The case system gave a postal address (print needs one). */
  hasPostalAddress: boolean;
  protectedIdentity: boolean;
  /** CASE, EVENT (sent with its OfficialMatter, digital only) or SERVICE. */
  category: LetterCategory;
  /** An event message's OfficialMatter data, as stored at intake. */
  officialMatter?: OfficialMatterInput;
  caseTypeCode?: string;
  status: LetterStatus;
  operatorId?: string;
  operatorName?: string;
  serviceAddress?: string;
  attempts: number;
  deadlineAt: Date;
  createdAt: Date;
  unit: { id: string; tenantId: string; orgNumber: string; name: string; postalAddress: { lines: string[] }; certificatePem?: string };
  tenantSettings: TenantSettings;
  attachments: { position: number; filename: string; contentType: string; content: Buffer }[];
}

/** Why a letter could not be claimed: unknown, past the dispatch (delivered, in print, held…), or leased. */
export type ClaimRefusal = 'NOT_FOUND' | 'TERMINAL' | 'LEASED';

/** The lease this worker held on a letter has expired and another worker has taken the letter. */
export class LeaseLostError extends Error {
  constructor(readonly letterId: string) {
    super(`lost the lease on letter ${letterId}: another worker has taken it over`);
  }
}

/** The letter was finished by someone else (cancelled through the API) while this run worked on it. */
export class FinishedElsewhereError extends Error {
  constructor(
    readonly letterId: string,
    readonly status: LetterStatus,
  ) {
    super(`letter ${letterId} became ${status} meanwhile`);
  }
}

/** One event to append (the letter's state before and after it). */
export interface EventInput {
  type: string;
  from: LetterStatus;
  to: LetterStatus;
  detail: Record<string, unknown>;
}

/** Columns a step may set. `null` clears. */
export interface LetterColumns {
  status_reason?: string | null;
  channel?: 'DIGITAL' | 'PRINT' | null;
  channel_decision?: ChannelDecisionKind | null;
  operator_id?: string | null;
  operator_name?: string | null;
  service_address?: string | null;
  trans_id?: string | null;
  next_attempt_at?: Date | null;
  dispatched_at?: Date | null;
}

/** One step: from the state the claim read to `to`, with its columns, events and maybe an outbox row. */
export interface LetterChange {
  /** The state the letter must still be in (the claim read it; the lease kept other workers away). */
  from: LetterStatus;
  to: LetterStatus;
  set?: LetterColumns;
  /** Count a failed attempt. */
  incrementAttempts?: boolean;
  events: EventInput[];
  /** Keep the lease (a later step follows) or give it up (the run ends). */
  lease: 'renew' | 'release';
  /** A durable job for later: an outbox row for this letter's job, due at `at`. */
  outbox?: { job: string; payload: Record<string, unknown>; at: Date };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SETTABLE: (keyof LetterColumns)[] = ['status_reason', 'channel', 'channel_decision', 'operator_id', 'operator_name', 'service_address', 'trans_id', 'next_attempt_at', 'dispatched_at'];

interface ClaimRow {
  r_index: number;
  r_claimed: boolean;
  r_status: LetterStatus | null;
  r_letter: {
    id: string;
    tenant_id: string;
    sending_unit_id: string;
    recipient_id: string;
    case_reference: string | null;
    subject: string;
    body_text: string | null;
    body_type: string;
    protection_class: number;
    channel_preference: ChannelPreference;
    postal_address: unknown;
    protected_identity: boolean | null;
    category?: LetterCategory | null;
    official_matter?: OfficialMatterInput | null;
    case_type_code?: string | null;
    status: LetterStatus;
    operator_id: string | null;
    operator_name: string | null;
    service_address: string | null;
    attempts: number;
    deadline_at: string;
    created_at: string;
  } | null;
  r_unit: { id: string; tenant_id: string; org_number: string; name: string; postal_address: { lines: string[] } | null; certificate_pem: string | null } | null;
  r_tenant_settings: TenantSettings | null;
  r_attachments: { position: number; filename: string; content_type: string; content: string }[] | null;
}

interface ApplyRow {
  r_index: number;
  r_applied: boolean;
  r_status: LetterStatus | null;
  r_lease_owner: string | null;
}

/** One letter's change as `dispatch_apply_many` takes it. */
interface ApplyItem {
  letter: string;
  owner: string;
  from: LetterStatus;
  to: LetterStatus;
  set: Record<string, string | null>;
  incrementAttempts: boolean;
  /** Renew the lease for this long, or null: give it up. */
  leaseSeconds: number | null;
  events: { type: string; from: LetterStatus; to: LetterStatus; detail: Record<string, unknown> }[];
  outbox: { job: string; payload: Record<string, unknown>; at: string } | null;
}

export interface DispatchStoreOptions {
  /** Claims (or changes) per statement. Default 64. */
  maxBatch?: number;
  /** Statements of each kind in flight per tenant; more work waits and goes together in the next. Default 1. */
  maxInFlight?: number;
  /** Told the size of each statement (a metric). */
  onBatch?: (statement: 'claim' | 'apply', letters: number) => void;
}

export class DispatchStore {
  private readonly claims: StatementBatcher<{ letterId: string; owner: string }, ClaimRow | undefined>;
  private readonly changes: StatementBatcher<ApplyItem, ApplyRow | undefined>;

  constructor(
    private readonly db: TenantDb,
    private readonly leaseMs: number,
    options: DispatchStoreOptions = {},
  ) {
    // A statement the server refused (it has a SQLSTATE) took no effect: run its letters again one
    // by one, so that a letter whose data the database refuses does not hold the others back. A lost
    // connection (no SQLSTATE) may have committed: its letters get the error, as a single one would.
    const batching = { maxBatch: options.maxBatch, maxInFlight: options.maxInFlight, retryAlone: refusedByServer };
    this.claims = new StatementBatcher(
      (tenantId, items) =>
        inLetterOrder(items, (i) => i.letterId, async (sorted) => {
          const { rows } = await this.query<ClaimRow>('select * from dispatch_claim_many($1::uuid, $2::uuid[], $3::text[], $4)', [
            tenantId,
            sorted.map((i) => i.letterId),
            sorted.map((i) => i.owner),
            this.leaseMs / 1000,
          ]);
          return byIndex(rows, sorted.length);
        }),
      { ...batching, onRun: (n) => options.onBatch?.('claim', n) },
    );
    this.changes = new StatementBatcher(
      (tenantId, items) =>
        inLetterOrder(items, (i) => i.letter, async (sorted) => {
          const { rows } = await this.query<ApplyRow>('select * from dispatch_apply_many($1::uuid, $2::jsonb)', [tenantId, JSON.stringify(sorted)]);
          return byIndex(rows, sorted.length);
        }),
      { ...batching, onRun: (n) => options.onBatch?.('apply', n) },
    );
  }

  /**
   * Claims a letter for `owner` and reads it with its sending unit, tenant settings and attachments:
   * sets the lease unless the letter is finished or another worker holds a live lease. Two workers
   * racing for the same letter serialise on the row lock of the claim's UPDATE; the second one
   * re-checks the condition after the first commits and gets nothing. `updated_at` moves too, so
   * the reconciler's job id for the letter changes.
   */
  async claim(tenantId: string, letterId: string, owner: string): Promise<{ letter: ClaimedLetter } | { refusal: ClaimRefusal; status?: LetterStatus }> {
    if (!UUID.test(tenantId)) throw new Error(`tenant id ${JSON.stringify(tenantId)} is not a UUID`);
    if (!UUID.test(letterId)) throw new Error(`letter id ${JSON.stringify(letterId)} is not a UUID`);
    const row = await this.claims.submit(tenantId, { letterId, owner });
    if (!row) return { refusal: 'NOT_FOUND' };
    if (!row.r_claimed || !row.r_letter) {
      const status = row.r_status ?? undefined;
      return { refusal: status && !DISPATCH_STATUSES.includes(status) ? 'TERMINAL' : 'LEASED', status };
    }
    const r = row.r_letter;
    const u = row.r_unit;
    if (!u) throw new Error(`letter ${letterId}: its sending unit ${r.sending_unit_id} is not visible`);
    return {
      letter: {
        id: r.id,
        tenantId: r.tenant_id,
        sendingUnitId: r.sending_unit_id,
        recipientId: r.recipient_id,
        caseReference: r.case_reference ?? undefined,
        subject: r.subject,
        bodyText: r.body_text ?? undefined,
        bodyType: r.body_type,
        protectionClass: r.protection_class,
        channelPreference: r.channel_preference,
        hasPostalAddress: r.postal_address !== null && r.postal_address !== undefined,
        protectedIdentity: r.protected_identity === true,
        category: r.category ?? 'CASE',
        officialMatter: r.official_matter ?? undefined,
        caseTypeCode: r.case_type_code ?? undefined,
        status: r.status,
        operatorId: r.operator_id ?? undefined,
        operatorName: r.operator_name ?? undefined,
        serviceAddress: r.service_address ?? undefined,
        attempts: r.attempts,
        deadlineAt: new Date(r.deadline_at),
        createdAt: new Date(r.created_at),
        unit: {
          id: u.id,
          tenantId: u.tenant_id,
          orgNumber: u.org_number,
          name: u.name,
          postalAddress: u.postal_address ?? { lines: [] },
          certificatePem: u.certificate_pem ?? undefined,
        },
        tenantSettings: row.r_tenant_settings ?? {},
        attachments: (row.r_attachments ?? []).map((a) => ({
          position: a.position,
          filename: a.filename,
          contentType: a.content_type,
          content: Buffer.from(a.content, 'base64'),
        })),
      },
    };
  }

  /**
   * Applies one step: the conditional update (still in `from`, lease still this run's), the events
   * in order, the outbox row, in one statement. Throws {@link LeaseLostError} or
   * {@link FinishedElsewhereError} (nothing written) when the letter is no longer this run's.
   */
  async apply(tenantId: string, letterId: string, owner: string, change: LetterChange): Promise<void> {
    // Each event is one step of the state machine; together they lead from `from` to `to`.
    let at = change.from;
    for (const e of change.events) {
      if (e.from !== at) throw new Error(`event ${e.type} starts in ${e.from}, but the letter is then in ${at}`);
      if (e.from !== e.to) assertTransition(e.from, e.to);
      at = e.to;
    }
    if (at !== change.to) throw new Error(`the events end in ${at}, the change in ${change.to}`);
    const set: Record<string, string | null> = {};
    for (const [column, value] of Object.entries(change.set ?? {})) {
      if (!SETTABLE.includes(column as keyof LetterColumns)) throw new Error(`column ${column} is not set by the dispatch`);
      set[column] = value instanceof Date ? value.toISOString() : ((value as string | null | undefined) ?? null);
    }
    const row = await this.changes.submit(tenantId, {
      letter: letterId,
      owner,
      from: change.from,
      to: change.to,
      set,
      incrementAttempts: change.incrementAttempts === true,
      leaseSeconds: change.lease === 'renew' ? this.leaseMs / 1000 : null,
      events: change.events.map((e) => ({ type: e.type, from: e.from, to: e.to, detail: e.detail })),
      outbox: change.outbox ? { job: change.outbox.job, payload: change.outbox.payload, at: change.outbox.at.toISOString() } : null,
    });
    if (row?.r_applied) return;
    const status = row?.r_status ?? undefined;
    if (!row || row.r_lease_owner !== owner) {
      if (status && !DISPATCH_STATUSES.includes(status)) throw new FinishedElsewhereError(letterId, status);
      throw new LeaseLostError(letterId);
    }
    throw new FinishedElsewhereError(letterId, status ?? change.from);
  }

  /** Gives the lease up if this run still holds it (after a step threw). */
  async release(tenantId: string, letterId: string, owner: string): Promise<void> {
    await this.execute('select dispatch_release(?::uuid, ?::uuid, ?)', [tenantId, letterId, owner]);
  }

  /** One statement on its own (autocommit): the function sets the tenant for its own transaction. */
  private execute<R>(text: string, params: unknown[]): Promise<R[]> {
    return (this.db.orm.em.fork() as EntityManager).execute<R[]>(text, params);
  }

  /** The same with real bind parameters (arrays, JSON), which MikroORM's `execute` would inline into the text. */
  private query<R>(text: string, params: unknown[]): Promise<{ rows: R[] }> {
    return sql<R>(this.db.orm.em.fork() as EntityManager, text, params);
  }
}

/**
 * Runs `run` on the items sorted by letter id (the order in which the batch locks its letters) and
 * answers the results in the items' own order.
 */
async function inLetterOrder<I, R>(items: I[], letterOf: (i: I) => string, run: (sorted: I[]) => Promise<R[]>): Promise<R[]> {
  const keys = items.map((i) => letterOf(i).toLowerCase());
  const order = items.map((_, i) => i).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
  const results = await run(order.map((i) => items[i]));
  const out = new Array<R>(items.length);
  order.forEach((itemIndex, position) => (out[itemIndex] = results[position]));
  return out;
}

/** An error the database server reported for the statement (pg's DatabaseError: a SQLSTATE and a severity). */
function refusedByServer(e: unknown): boolean {
  const err = e as { code?: unknown; severity?: unknown } | null;
  return typeof err?.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) && typeof err.severity === 'string';
}

/** The rows of a batch function by their 1-based `r_index`; an item without a row (a letter not visible) gets undefined. */
function byIndex<R extends { r_index: number }>(rows: R[], count: number): (R | undefined)[] {
  const out = new Array<R | undefined>(count).fill(undefined);
  for (const r of rows) {
    const i = Number(r.r_index) - 1;
    if (!Number.isInteger(i) || i < 0 || i >= count || out[i]) throw new Error(`a batch of ${count} letters answered an unexpected row index ${r.r_index}`);
    out[i] = r;
  }
  return out;
}
