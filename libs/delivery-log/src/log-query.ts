import { IntakeBadInputError, isUuid } from '@hub/letters';
import { LogRecord, SUBJECT_WITHHELD_FROM_CLASS } from './log-columns';
import { LogDateField, LogFilter } from './log-filter';

/** The part of the log a query may see, with the sending units already resolved to ids. */
export interface LogScope {
  tenantId: string;
  /** A case officer: this unit's letters only. */
  unitId?: string;
  /** A case system: the letters of this API client only. */
  apiClientId?: string;
  /** `filter.sendingUnit` resolved to its id. */
  filterUnitId?: string;
  /** Every sending unit of the tenant by id (code and name for the rows). */
  units: Map<string, { code: string; name: string }>;
}

/** A statement with its bind parameters ($1, $2, …). */
export interface LogStatement {
  text: string;
  params: unknown[];
}

/** A position in a search: after the row with this sort time (to the microsecond) and id. */
export interface LogCursor {
  dateField: LogDateField;
  at: string;
  id: string;
}

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const FIELD_CODE: Record<LogDateField, string> = { CREATED: 'c', DISPATCHED: 'd' };

export function encodeLogCursor(c: LogCursor): string {
  return Buffer.from(JSON.stringify([FIELD_CODE[c.dateField], c.at, c.id]), 'utf8').toString('base64url');
}

/** Reads a cursor of a search ordered by `dateField`; {@link IntakeBadInputError} for anything else. */
export function decodeLogCursor(cursor: string, dateField: LogDateField): LogCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 3) {
    const [code, at, id] = parsed as unknown[];
    if (typeof at === 'string' && ISO_MICROS.test(at) && typeof id === 'string' && isUuid(id)) {
      if (code === FIELD_CODE[dateField]) return { dateField, at, id };
      if (code === 'c' || code === 'd') {
        throw new IntakeBadInputError(`after is a cursor of a search by ${code === 'c' ? 'CREATED' : 'DISPATCHED'} date, but this search is by ${dateField}: start again without after.`);
      }
    }
  }
  throw new IntakeBadInputError('after is not a cursor this API returned: pass pageInfo.endCursor (or an edge cursor) from the previous page unchanged, with the same filter.');
}

/** The row a log query returns (times already as ISO text). */
export interface LogDbRow {
  id: string;
  created_at: string;
  dispatched_at: string | null;
  recipient_id: string;
  recipient_kind: string;
  case_reference: string | null;
  case_type_code: string | null;
  sending_unit_id: string;
  subject: string | null;
  protection_class: number;
  channel: string | null;
  channel_decision: string | null;
  status: string;
  status_reason: string | null;
  operator_id: string | null;
  operator_name: string | null;
  trans_id: string | null;
  print_vendor: string | null;
  print_batch_id: string | null;
  /** The sort time to the microsecond (search only: for the cursor). */
  sort_key?: string;
}

export function toLogRecord(r: LogDbRow, units: LogScope['units']): LogRecord {
  const unit = units.get(r.sending_unit_id);
  const protectionClass = Number(r.protection_class);
  return {
    letterId: r.id,
    createdAt: r.created_at,
    dispatchedAt: r.dispatched_at,
    recipient: r.recipient_id,
    recipientKind: r.recipient_kind,
    caseReference: r.case_reference,
    caseType: r.case_type_code,
    sendingUnit: unit?.code ?? '',
    sendingUnitName: unit?.name ?? '',
    subject: r.subject,
    subjectWithheld: protectionClass >= SUBJECT_WITHHELD_FROM_CLASS,
    protectionClass,
    channel: r.channel,
    channelDecision: r.channel_decision,
    status: r.status,
    statusReason: r.status_reason,
    operatorId: r.operator_id,
    operatorName: r.operator_name,
    transId: r.trans_id,
    printVendor: r.print_vendor,
    printBatchId: r.print_batch_id,
  };
}

const iso = (column: string, precision: 'MS' | 'US') => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.${precision}"Z"')`;

// A withheld subject never leaves the database.
const SUBJECT = `case when l.protection_class >= ${SUBJECT_WITHHELD_FROM_CLASS} then null else l.subject end`;

/** The letter columns a log row is made of. */
const LETTER_COLUMNS = `l.id, l.recipient_id, l.recipient_kind, l.case_reference, l.case_type_code, l.sending_unit_id,
  ${SUBJECT} as subject,
  l.protection_class, l.channel, l.channel_decision, l.status, l.status_reason, l.operator_id, l.operator_name, l.trans_id,
  l.created_at, l.dispatched_at`;

const OUTPUT_COLUMNS = (t: string) => `${t}.id, ${t}.recipient_id, ${t}.recipient_kind, ${t}.case_reference, ${t}.case_type_code, ${t}.sending_unit_id,
  ${t === 'l' ? SUBJECT : `${t}.subject`} as subject, ${t}.protection_class, ${t}.channel, ${t}.channel_decision, ${t}.status, ${t}.status_reason, ${t}.operator_id,
  ${t}.operator_name, ${t}.trans_id, ${iso(`${t}.created_at`, 'MS')} as created_at, ${iso(`${t}.dispatched_at`, 'MS')} as dispatched_at,
  p.vendor_id as print_vendor, p.batch_id as print_batch_id`;

const sortColumn = (field: LogDateField) => (field === 'DISPATCHED' ? 'dispatched_at' : 'created_at');

class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

/**
 * The conditions every log query shares: the tenant (also row-level security's condition; naming it
 * lets PostgreSQL use the indexes that start with tenant_id), the caller's part of the log, and each
 * filter. `status` is left to the caller when `withStatus` is false (multi-state searches).
 */
function conditions(scope: LogScope, filter: LogFilter, p: Params, withStatus: boolean): string[] {
  const sort = sortColumn(filter.dateField);
  const where = [`l.tenant_id = ${p.add(scope.tenantId, 'uuid')}`];
  if (scope.unitId) where.push(`l.sending_unit_id = ${p.add(scope.unitId, 'uuid')}`);
  if (scope.apiClientId) where.push(`l.api_client_id = ${p.add(scope.apiClientId, 'uuid')}`);
  if (scope.filterUnitId && scope.filterUnitId !== scope.unitId) where.push(`l.sending_unit_id = ${p.add(scope.filterUnitId, 'uuid')}`);
  if (filter.recipient) where.push(`l.recipient_id = ${p.add(filter.recipient, 'text')}`);
  if (filter.caseReference) where.push(`l.case_reference = ${p.add(filter.caseReference, 'text')}`);
  if (filter.caseType) where.push(`l.case_type_code = ${p.add(filter.caseType, 'text')}`);
  if (filter.channel) where.push(`l.channel = ${p.add(filter.channel, 'text')}`);
  if (filter.operator) where.push(`l.operator_id = ${p.add(filter.operator, 'text')}`);
  if (withStatus && filter.status?.length) {
    where.push(filter.status.length === 1 ? `l.status = ${p.add(filter.status[0], 'text')}` : `l.status = any(${p.add(filter.status, 'text[]')})`);
  }
  if (filter.dateField === 'DISPATCHED') where.push('l.dispatched_at is not null');
  if (filter.from) where.push(`l.${sort} >= ${p.add(filter.from, 'timestamptz')}`);
  if (filter.to) where.push(`l.${sort} < ${p.add(filter.to, 'timestamptz')}`);
  return where;
}

/**
 * One page of a search, newest first by the filter's date field, keyset-paginated after `cursor`;
 * `limit` rows at most (ask for one more than the page to learn whether another page follows).
 *
 * A search for several states runs one index scan per state, each stopping after `limit` rows, and
 * merges them (`unnest … cross join lateral`): a single `status = any(…)` scan would have to read and
 * sort every matching row of the tenant before returning the newest few.
 */
export function searchStatement(scope: LogScope, filter: LogFilter, limit: number, cursor?: LogCursor): LogStatement {
  const core = searchCoreStatement(scope, filter, limit, cursor);
  return {
    text: `select ${OUTPUT_COLUMNS('page')}, ${iso('page.sort_at', 'US')} as sort_key
      from (${core.text}) page left join print_item p on p.letter_id = page.id
      order by page.sort_at desc, page.id desc`,
    params: core.params,
  };
}

/** The page of letters alone, without the print details joined: what the index-usage checks explain. */
export function searchCoreStatement(scope: LogScope, filter: LogFilter, limit: number, cursor?: LogCursor): LogStatement {
  const p = new Params();
  const sort = sortColumn(filter.dateField);
  const multiStatus = (filter.status?.length ?? 0) > 1;
  const where = conditions(scope, filter, p, !multiStatus);
  if (cursor) where.push(`(l.${sort}, l.id) < (${p.add(cursor.at, 'timestamptz')}, ${p.add(cursor.id, 'uuid')})`);
  const lim = p.add(limit, 'integer');
  let page: string;
  if (multiStatus) {
    const states = p.add(filter.status, 'text[]');
    page = `select x.* from unnest(${states}) as s(status)
      cross join lateral (
        select ${LETTER_COLUMNS}, l.${sort} as sort_at from letter l
         where ${where.join(' and ')} and l.status = s.status
         order by l.${sort} desc, l.id desc limit ${lim}) x
      order by x.sort_at desc, x.id desc limit ${lim}`;
  } else {
    page = `select ${LETTER_COLUMNS}, l.${sort} as sort_at from letter l
      where ${where.join(' and ')}
      order by l.${sort} desc, l.id desc limit ${lim}`;
  }
  return { text: page, params: p.values };
}

/**
 * Every row under the filter, oldest first by the filter's date field (a chronological file), for a
 * server-side cursor. PostgreSQL plans cursors for a fast start, so it walks an index in order
 * rather than sorting the whole range first.
 */
export function exportStatement(scope: LogScope, filter: LogFilter): LogStatement {
  const p = new Params();
  const sort = sortColumn(filter.dateField);
  const where = conditions(scope, filter, p, true);
  return {
    text: `select ${OUTPUT_COLUMNS('l')}
      from letter l left join print_item p on p.letter_id = l.id
      where ${where.join(' and ')}
      order by l.${sort}, l.id`,
    params: p.values,
  };
}

/** How many rows match, counting at most `cap + 1` (so a large log is never counted in full). */
export function countStatement(scope: LogScope, filter: LogFilter, cap: number): LogStatement {
  const p = new Params();
  const where = conditions(scope, filter, p, true);
  return { text: `select count(*)::int as n from (select 1 from letter l where ${where.join(' and ')} limit ${p.add(cap + 1, 'integer')}) x`, params: p.values };
}

export type { LogRecord };
