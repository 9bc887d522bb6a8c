import { FieldViolation, LETTER_STATUSES, LetterStatus, LetterValidationError } from '@hub/letters';
import { checkRecipientId } from '@hub/mina-meddelanden';

export const LOG_CHANNELS = ['DIGITAL', 'PRINT'] as const;
export type LogChannel = (typeof LOG_CHANNELS)[number];

/** Which time a date range and the order of the log refer to. */
export const LOG_DATE_FIELDS = ['CREATED', 'DISPATCHED'] as const;
export type LogDateField = (typeof LOG_DATE_FIELDS)[number];

/**
 * A delivery-log filter as a caller gives it (GraphQL input, REST query string): every field
 * optional, strings not yet checked. Dates may be `Date`s or ISO 8601 strings; a bare date
 * (`2026-11-26`) means midnight in {@link LOG_TIME_ZONE}.
 */
export interface LogFilterInput {
  /** Exact recipient id: personnummer, samordningsnummer or 16 + organisationsnummer (a dash is accepted). */
  recipient?: string | null;
  /** Exact case reference (diarienummer). */
  caseReference?: string | null;
  /** Case type code (ärendetyp). */
  caseType?: string | null;
  /** Sending unit code, e.g. `bygg`. */
  sendingUnit?: string | null;
  channel?: string | null;
  status?: readonly string[] | null;
  /** Mailbox operator id (`16` + organisationsnummer), as in the letter's `operator.id`. */
  operator?: string | null;
  /** CREATED (default) or DISPATCHED: what `from`/`to` and the order refer to. */
  dateField?: string | null;
  /** At or after (inclusive). */
  from?: Date | string | null;
  /** Before (exclusive). */
  to?: Date | string | null;
}

/** A checked, normalised filter. Stored as JSON in export jobs (dates as ISO strings there). */
export interface LogFilter {
  recipient?: string;
  caseReference?: string;
  caseType?: string;
  sendingUnit?: string;
  channel?: LogChannel;
  status?: LetterStatus[];
  operator?: string;
  dateField: LogDateField;
  from?: Date;
  to?: Date;
}

/** Time zone of bare dates in filters (Swedish municipalities). */
export const LOG_TIME_ZONE = 'Europe/Stockholm';

// One-line fields carry no control characters.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001F\u007F-\u009F]/;
// Sending unit and case type codes.
const CODE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const BARE_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// ISO 8601 date-time with a zone (Z or ±hh:mm); a time without a zone would be ambiguous.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Checks and normalises a filter; throws {@link LetterValidationError} (VALIDATION_FAILED) listing
 * every broken field with its path (`prefix` + field name, e.g. `filter.recipient`).
 */
export function parseLogFilter(input: LogFilterInput | null | undefined, prefix = 'filter.'): LogFilter {
  const f = input ?? {};
  const fields: FieldViolation[] = [];
  const bad = (field: string, rule: string, message: string) => fields.push({ path: `${prefix}${field}`, rule, message });
  const out: LogFilter = { dateField: 'CREATED' };

  const text = (field: keyof LogFilterInput, max: number): string | undefined => {
    const raw = f[field];
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'string') {
      bad(field, 'type', 'must be a string');
      return undefined;
    }
    const value = raw.trim();
    if (value === '') {
      bad(field, 'required', 'is empty: leave it out to match every letter, or give a value');
      return undefined;
    }
    if (value.length > max) bad(field, 'maxLength', `is ${value.length} characters; at most ${max}`);
    else if (CONTROL_CHARS.test(value)) bad(field, 'format', 'must be one line without control characters');
    else return value;
    return undefined;
  };

  const recipient = text('recipient', 20);
  if (recipient !== undefined) {
    const id = recipient.replace(/[-+\s]/g, '');
    const check = checkRecipientId(id);
    if (check.ok) out.recipient = id;
    else bad('recipient', check.rule, `${check.message} (the log is searched by the exact recipient id)`);
  }
  const caseReference = text('caseReference', 255);
  if (caseReference !== undefined) out.caseReference = caseReference;
  const caseType = text('caseType', 63);
  if (caseType !== undefined) {
    if (CODE.test(caseType)) out.caseType = caseType;
    else bad('caseType', 'format', 'must be a case type code: lower-case letters, digits and dashes, e.g. "bygglov"');
  }
  const unit = text('sendingUnit', 63);
  if (unit !== undefined) {
    if (CODE.test(unit)) out.sendingUnit = unit;
    else bad('sendingUnit', 'format', 'must be a sending unit code: lower-case letters, digits and dashes, e.g. "bygg"');
  }
  const operator = text('operator', 64);
  if (operator !== undefined) out.operator = operator;

  if (f.channel !== undefined && f.channel !== null) {
    if ((LOG_CHANNELS as readonly unknown[]).includes(f.channel)) out.channel = f.channel as LogChannel;
    else bad('channel', 'enum', `must be one of ${LOG_CHANNELS.join(', ')}`);
  }
  if (f.status !== undefined && f.status !== null) {
    const list = Array.isArray(f.status) ? f.status : [f.status];
    const unknown = list.filter((s) => !(LETTER_STATUSES as readonly unknown[]).includes(s));
    if (unknown.length) bad('status', 'enum', `has unknown states ${unknown.map((s) => JSON.stringify(s)).join(', ')}; use ${LETTER_STATUSES.join(', ')}`);
    else if (list.length === 0) bad('status', 'required', 'is an empty list: leave it out to match every state, or name at least one');
    else out.status = [...new Set(list as LetterStatus[])];
  }
  if (f.dateField !== undefined && f.dateField !== null) {
    if ((LOG_DATE_FIELDS as readonly unknown[]).includes(f.dateField)) out.dateField = f.dateField as LogDateField;
    else bad('dateField', 'enum', `must be one of ${LOG_DATE_FIELDS.join(', ')}`);
  }
  const from = parseInstant(f.from, 'from', bad);
  const to = parseInstant(f.to, 'to', bad);
  if (from) out.from = from;
  if (to) out.to = to;
  if (from && to && from.getTime() >= to.getTime()) bad('to', 'range', `must be after from (${from.toISOString()}); the range is from ≤ t < to`);

  if (fields.length) throw new LetterValidationError(fields, 'The delivery log filter was refused');
  return out;
}

function parseInstant(raw: Date | string | null | undefined, field: string, bad: (field: string, rule: string, message: string) => void): Date | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (raw instanceof Date) {
    if (Number.isNaN(raw.getTime())) bad(field, 'format', 'is not a valid date');
    else return raw;
    return undefined;
  }
  if (typeof raw !== 'string') {
    bad(field, 'type', 'must be a date');
    return undefined;
  }
  const value = raw.trim();
  const day = BARE_DATE.exec(value);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const probe = new Date(Date.UTC(y, m - 1, d));
    if (probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d) return zonedMidnight(y, m, d, LOG_TIME_ZONE);
  } else if (ISO_DATE_TIME.test(value)) {
    const t = new Date(value);
    if (!Number.isNaN(t.getTime())) return t;
  }
  bad(field, 'format', `${JSON.stringify(value.slice(0, 40))} is not a date: give YYYY-MM-DD (midnight, Swedish time) or an ISO 8601 time with a zone, e.g. 2026-11-26T08:00:00Z`);
  return undefined;
}

/** The instant of midnight starting day y-m-d in `timeZone`. */
export function zonedMidnight(y: number, m: number, d: number, timeZone: string): Date {
  const utcGuess = Date.UTC(y, m - 1, d);
  // Offset of the zone at a given instant, in ms (local wall time minus UTC).
  const offsetAt = (t: number) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
        .formatToParts(new Date(t))
        .map((p) => [p.type, p.value]),
    );
    return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) - t;
  };
  let t = utcGuess - offsetAt(utcGuess);
  // Once more, for a day whose offset differs from the guess's (a DST change at midnight).
  t = utcGuess - offsetAt(t);
  return new Date(t);
}

/** The filter as JSON for storage (export jobs) and back. */
export function filterToJson(filter: LogFilter): Record<string, unknown> {
  return { ...filter, ...(filter.from ? { from: filter.from.toISOString() } : {}), ...(filter.to ? { to: filter.to.toISOString() } : {}) };
}

export function filterFromJson(json: Record<string, unknown>): LogFilter {
  return parseLogFilter(json as LogFilterInput);
}
