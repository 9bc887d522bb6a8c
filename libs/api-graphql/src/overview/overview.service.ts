import type { EntityManager } from '@mikro-orm/postgresql';
import { LogAccessDeniedError, logAccessFor, LogCaller } from '@hub/delivery-log';
import { LETTER_STATUSES, LetterStatus, sql } from '@hub/letters';
import type { TenantDb } from '@hub/persistence';
import { periodStarts } from './stockholm-calendar';
import type {
  CertificateAlertType,
  ChannelStatusCountType,
  LetterCountsType,
  LetterSearchOptionsType,
  LettersNeedingActionType,
  OverviewChannel,
  OverviewLetterType,
  OverviewType,
  PrintBatchesWaitingType,
} from './overview.types';

/** The states of a letter that ended without reaching its recipient and may need someone to act. */
export const FAILURE_STATUSES: readonly LetterStatus[] = ['FAILED', 'PRINT_FAILED', 'RETURNED'];
/** Failures count on the overview for this many days after the letter was created. */
export const FAILURE_WINDOW_DAYS = 30;
/** Certificates that end within this many days are listed. */
export const CERTIFICATE_WARNING_DAYS = 30;
/** Letters listed under failures and under held letters (the rest are counted). */
export const LIST_SIZE = 5;
/** Waiting print batches listed. */
export const BATCH_LIST_SIZE = 20;
const CHANNELS: readonly OverviewChannel[] = ['DIGITAL', 'PRINT', 'NONE'];

/**
 * The mailbox operators a tenant's letters went to ($1: the tenant), by skipping through the
 * operator index: one probe per operator, however many digital letters there are (the name as the
 * latest letter recorded it).
 */
export const OPERATORS_SQL = `
  with recursive ops(id) as (
    (select l.operator_id from letter l where l.tenant_id = $1 and l.operator_id is not null order by l.operator_id limit 1)
    union all
    select (select l.operator_id from letter l where l.tenant_id = $1 and l.operator_id > ops.id order by l.operator_id limit 1)
      from ops where ops.id is not null
  )
  select ops.id, (select l.operator_name from letter l where l.tenant_id = $1 and l.operator_id = ops.id order by l.created_at desc, l.id desc limit 1) as name
    from ops where ops.id is not null`;

/** Whose letters the overview reads: the tenant's, or one sending unit's. */
export interface OverviewScopeRef {
  tenantId: string;
  unitId: string | null;
  unitCode: string | null;
}

/** One statement of the overview, named for the EXPLAIN test. */
export interface OverviewStatement {
  name: string;
  text: string;
  params: unknown[];
}

export interface OverviewBounds {
  now: Date;
  today: Date;
  week: Date;
  failuresSince: Date;
  certificatesBefore: Date;
}

export function overviewBounds(now: Date): OverviewBounds {
  const { today, week } = periodStarts(now);
  return {
    now,
    today,
    week,
    failuresSince: new Date(now.getTime() - FAILURE_WINDOW_DAYS * 86_400_000),
    certificatesBefore: new Date(now.getTime() + CERTIFICATE_WARNING_DAYS * 86_400_000),
  };
}

/**
 * The overview's statements, one per figure. Each one reads a bounded part of `letter` through an
 * index that starts with the tenant (and, for a case officer, the sending unit): the week's letters
 * by creation time, the failures of the last 30 days, the held letters; never the whole history.
 * `tenant_id = $1` is also row-level security's condition: naming it lets the planner use the indexes.
 */
export function overviewStatements(scope: OverviewScopeRef, b: OverviewBounds, withCertificates: boolean): OverviewStatement[] {
  const unit = (n: number) => (scope.unitId ? `and l.sending_unit_id = $${n}::uuid` : '');
  const unitParam = scope.unitId ? [scope.unitId] : [];
  const letters = (name: string, where: string, params: unknown[]): OverviewStatement => {
    const n = params.length + 2;
    return {
      name,
      text: `with f as (
               select l.id, l.status, l.status_reason, l.subject, l.protection_class, l.case_reference, su.code as unit_code, l.created_at, l.updated_at
                 from letter l join sending_unit su on su.id = l.sending_unit_id
                where l.tenant_id = $1 ${where} ${unit(n)}
             )
             select (select count(*) from f)::int as total,
                    coalesce((select json_agg(x order by x.updated_at desc, x.id desc)
                                from (select * from f order by updated_at desc, id desc limit ${LIST_SIZE}) x), '[]'::json) as letters`,
      params: [scope.tenantId, ...params, ...unitParam],
    };
  };
  const statements: OverviewStatement[] = [
    {
      name: 'counts',
      // Today's and the week's counts in one pass over the week's letters.
      text: `select coalesce(l.channel, 'NONE') as channel, l.status, count(*) filter (where l.created_at >= $2)::int as today, count(*)::int as week
               from letter l
              where l.tenant_id = $1 and l.created_at >= $3 and l.created_at <= $4 ${unit(5)}
              group by 1, 2`,
      params: [scope.tenantId, b.today, b.week, b.now, ...unitParam],
    },
    // A failure that has been resent needs nothing more.
    letters('failures', 'and l.status = any($2::text[]) and l.created_at >= $3 and l.resent_as is null', [FAILURE_STATUSES, b.failuresSince]),
    letters('held', `and l.status = 'HELD'`, []),
    {
      name: 'printBatches',
      text: `select b.id, b.vendor_id, v.name as vendor_name, b.status, b.letters, b.pages, coalesce(b.ready_at, b.created_at) as waiting_since,
                    floor(extract(epoch from ($2::timestamptz - coalesce(b.ready_at, b.created_at))) / 60)::int as age_minutes,
                    b.acknowledge_by, b.ack_overdue_at is not null or (b.acknowledge_by is not null and b.acknowledge_by < $2) as overdue,
                    count(*) over ()::int as total
               from print_batch b left join print_vendor v on v.id = b.vendor_id
              where b.tenant_id = $1 and b.status in ('ASSEMBLING','READY')
              order by b.created_at, b.id
              limit ${BATCH_LIST_SIZE}`,
      params: [scope.tenantId, b.now],
    },
  ];
  if (withCertificates) {
    statements.push({
      name: 'certificates',
      text: `select code, name, certificate_not_after, certificate_pem is not null as has_certificate
               from sending_unit
              where tenant_id = $1 and (certificate_pem is null or certificate_not_after is null or certificate_not_after < $2)
              order by certificate_not_after nulls first, code`,
      params: [scope.tenantId, b.certificatesBefore],
    });
  }
  return statements;
}

interface LetterRow {
  id: string;
  status: LetterStatus;
  status_reason: string | null;
  subject: string;
  protection_class: number;
  case_reference: string | null;
  unit_code: string;
  created_at: string;
  updated_at: string;
}

/** Subjects of protection class 3 are withheld in lists, as in the delivery log (the letter's own page shows it). */
const WITHHELD_FROM_CLASS = 3;

function toLetter(r: LetterRow): OverviewLetterType {
  const withheld = Number(r.protection_class) >= WITHHELD_FROM_CLASS;
  return {
    id: r.id,
    status: r.status,
    statusReason: r.status_reason,
    subject: withheld ? null : r.subject,
    subjectWithheld: withheld,
    caseReference: r.case_reference,
    sendingUnit: r.unit_code,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/** The counts of one period from the per-channel-and-state rows. */
export function countsOf(rows: { channel: OverviewChannel; status: LetterStatus; count: number }[], from: Date): LetterCountsType {
  const present = rows.filter((r) => r.count > 0);
  const byChannel = CHANNELS.map((key) => ({ key, count: present.filter((r) => r.channel === key).reduce((s, r) => s + r.count, 0) }));
  const byStatus = LETTER_STATUSES.map((key) => ({ key, count: present.filter((r) => r.status === key).reduce((s, r) => s + r.count, 0) })).filter((x) => x.count > 0);
  const byChannelAndStatus: ChannelStatusCountType[] = [...present].sort(
    (a, b) => CHANNELS.indexOf(a.channel) - CHANNELS.indexOf(b.channel) || LETTER_STATUSES.indexOf(a.status) - LETTER_STATUSES.indexOf(b.status),
  );
  return { from, total: present.reduce((s, r) => s + r.count, 0), byChannel, byStatus, byChannelAndStatus };
}

/**
 * The figures of the console's overview, for a tenant admin (the municipality) or a case officer
 * (the sending unit their token names, as in the delivery log), in one tenant transaction.
 */
export class OverviewService {
  constructor(private readonly db: TenantDb) {}

  /** Whose letters the caller's overview shows (throws for a case officer without a sending unit). */
  async scope(em: EntityManager, caller: LogCaller): Promise<OverviewScopeRef> {
    const access = logAccessFor(caller);
    if (access.kind === 'tenant') return { tenantId: caller.tenantId, unitId: null, unitCode: null };
    if (access.kind !== 'unit') throw new LogAccessDeniedError('The overview is for case officers and tenant admins.');
    const unit = (await sql<{ id: string }>(em, 'select id from sending_unit where tenant_id = $1 and code = $2', [caller.tenantId, access.unitCode])).rows[0];
    if (!unit) {
      throw new LogAccessDeniedError(
        `Your token names the sending unit ${JSON.stringify(access.unitCode)}, which is not a sending unit of your municipality; ask the identity provider administrator to correct your sending_unit attribute.`,
      );
    }
    return { tenantId: caller.tenantId, unitId: unit.id, unitCode: access.unitCode };
  }

  async overview(caller: LogCaller, now = new Date()): Promise<OverviewType> {
    const admin = caller.roles.includes('tenant-admin');
    const bounds = overviewBounds(now);
    return this.db.inTenant(
      caller.tenantId,
      async (em) => {
        const scope = await this.scope(em, caller);
        const results = new Map<string, Record<string, unknown>[]>();
        // One transaction, one statement per figure (a connection runs them one after another anyway).
        for (const s of overviewStatements(scope, bounds, admin)) results.set(s.name, (await sql<Record<string, unknown>>(em, s.text, s.params)).rows);
        const counts = (results.get('counts') ?? []) as { channel: OverviewChannel; status: LetterStatus; today: number; week: number }[];
        const list = (name: string, since: Date | null): LettersNeedingActionType => {
          const row = results.get(name)![0] as { total: number; letters: LetterRow[] };
          return { total: row.total, since, letters: row.letters.map(toLetter) };
        };
        const batchRows = results.get('printBatches') ?? [];
        const printBatchesWaiting: PrintBatchesWaitingType = {
          total: batchRows.length ? Number(batchRows[0].total) : 0,
          batches: batchRows.map((r) => ({
            id: r.id as string,
            vendorId: r.vendor_id as string,
            vendorName: (r.vendor_name as string | null) ?? null,
            status: r.status as string,
            letters: Number(r.letters),
            pages: Number(r.pages),
            waitingSince: new Date(r.waiting_since as string),
            ageMinutes: Math.max(0, Number(r.age_minutes)),
            acknowledgeBy: r.acknowledge_by ? new Date(r.acknowledge_by as string) : null,
            overdue: Boolean(r.overdue),
          })),
        };
        const certificates: CertificateAlertType[] | null = admin
          ? (results.get('certificates') ?? []).map((r) => {
              const notAfter = r.certificate_not_after ? new Date(r.certificate_not_after as string) : null;
              const missing = !r.has_certificate || !notAfter;
              return {
                unitCode: r.code as string,
                unitName: r.name as string,
                state: missing ? 'MISSING' : notAfter.getTime() <= now.getTime() ? 'EXPIRED' : 'EXPIRING',
                notAfter,
                daysLeft: notAfter ? Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000) : null,
              };
            })
          : null;
        return {
          scope: scope.unitId ? 'SENDING_UNIT' : 'MUNICIPALITY',
          sendingUnit: scope.unitCode,
          generatedAt: now,
          today: countsOf(counts.filter((r) => r.today > 0).map((r) => ({ channel: r.channel, status: r.status, count: r.today })), bounds.today),
          week: countsOf(counts.map((r) => ({ channel: r.channel, status: r.status, count: r.week })), bounds.week),
          failures: list('failures', bounds.failuresSince),
          held: list('held', null),
          printBatchesWaiting,
          certificates,
        };
      },
      caller.actor,
    );
  }

  /**
   * The choices of the letter search form: the sending units the caller may search, and the mailbox
   * operators the municipality's letters went to (read with one index probe per operator, not by
   * reading every digital letter).
   */
  async searchOptions(caller: LogCaller): Promise<LetterSearchOptionsType> {
    return this.db.inTenant(
      caller.tenantId,
      async (em) => {
        const scope = await this.scope(em, caller);
        const units = (
          await sql<{ code: string; name: string }>(em, `select code, name from sending_unit where tenant_id = $1 and ($2::uuid is null or id = $2::uuid) order by name, code`, [
            caller.tenantId,
            scope.unitId,
          ])
        ).rows;
        const operators = (
          await sql<{ id: string; name: string | null }>(
            em,
            OPERATORS_SQL,
            [caller.tenantId],
          )
        ).rows;
        return { sendingUnits: units, operators: operators.map((o) => ({ id: o.id, name: o.name })) };
      },
      caller.actor,
    );
  }
}
