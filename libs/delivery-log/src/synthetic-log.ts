/**
 * A large synthetic delivery log, for the index-usage test and `bench:export`: letters made by
 * PostgreSQL itself (`generate_series`), with realistic spreads of units, case systems, case types,
 * states, channels, operators and times. Recipients are Skatteverket's test personnummer only
 * (passed in), never real ones. Letter ids are UUIDv7 made from the creation time, as the intake
 * makes them (so the primary key grows at its end, as in production). Runs as the owner (past
 * row-level security).
 */

/** Runs one statement as the owner: `(text, params) => rows`. */
export type OwnerQuery = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export interface SyntheticLogOptions {
  tenantId: string;
  /** Sending unit ids to spread the letters over. */
  unitIds: string[];
  /** API client ids (case systems) to spread the letters over; a tenth have none. */
  apiClientIds: string[];
  /** Test personnummer to address the letters to. */
  recipients: string[];
  /** Case type codes to spread over (created when missing); 15 % of letters have none. */
  caseTypes: string[];
  /** Letters to make, numbered from `firstNumber` (default 1) so that several calls continue a series. */
  count: number;
  firstNumber?: number;
  /** Letter n is created at `start + n × stepSeconds`. Default: 2025-01-01, one letter a second. */
  start?: Date;
  stepSeconds?: number;
  /** Rows per INSERT statement. Default 250,000. */
  batch?: number;
  /**
   * Drop the letter table's secondary indexes (every index not behind a constraint) before loading
   * and build them again after, from their exact definitions: a sorted build is far faster than
   * keeping many indexes up to date row by row. Needs the table's owner (or a superuser).
   */
  deferIndexes?: boolean;
  /** Called after each batch with the letters inserted so far; return false to stop (time boxes). */
  onBatch?: (inserted: number) => boolean | void;
}

/** The mailbox operators the synthetic digital letters went to. */
export const SYNTHETIC_OPERATORS = [
  { id: '165599000014', name: 'Kivra' },
  { id: '165599000022', name: 'Min myndighetspost' },
  { id: '165567828172', name: 'Fortnox' },
  { id: '165566079680', name: 'Billo' },
];

/**
 * States and channels per thousand letters: 70 % delivered digitally, 18 % posted, the rest spread
 * over the other states (failed 1 %, returned 1 %, held 1 %, …) so that rare states are rare.
 */
const STATES = `
  case when t.r < 700 then 'DELIVERED' when t.r < 880 then 'POSTED' when t.r < 890 then 'PRINTED' when t.r < 900 then 'RETURNED'
       when t.r < 910 then 'FAILED' when t.r < 920 then 'HELD' when t.r < 935 then 'CANCELLED' when t.r < 940 then 'PRINT_FAILED'
       when t.r < 950 then 'BATCHED' when t.r < 960 then 'PRINT_PENDING' when t.r < 965 then 'ACCEPTED' else 'DELIVERED' end`;

/** Inserts `count` letters (fewer when `onBatch` stops it); returns how many it inserted. */
export async function seedSyntheticLog(query: OwnerQuery, o: SyntheticLogOptions): Promise<number> {
  for (const code of o.caseTypes) {
    await query(
      `insert into case_type (tenant_id, code, name, default_protection_class, subject_template, allowed_channels)
       values ($1, $2, $2, 1, 'Beslut', '{DIGITAL,PRINT}') on conflict (tenant_id, code) do nothing`,
      [o.tenantId, code],
    );
  }
  const first = o.firstNumber ?? 1;
  const batch = o.batch ?? 250_000;
  const start = o.start ?? new Date('2025-01-01T00:00:00Z');
  const deferred = o.deferIndexes
    ? ((await query(
        `select indexname, indexdef from pg_indexes where schemaname = current_schema() and tablename = 'letter'
            and indexname not in (select conname from pg_constraint where conrelid = 'letter'::regclass)`,
      )) as { indexname: string; indexdef: string }[])
    : [];
  for (const i of deferred) await query(`drop index ${i.indexname}`);
  let inserted = 0;
  try {
    for (let from = first; from < first + o.count; from += batch) {
      const to = Math.min(first + o.count - 1, from + batch - 1);
      await query(
        `insert into letter (id, tenant_id, sending_unit_id, api_client_id, content_hash, recipient_id, recipient_kind, case_reference, case_type_code,
                             subject, protection_class, channel_preference, status, status_reason, channel, channel_decision, operator_id, operator_name,
                             trans_id, deadline_at, created_at, updated_at, dispatched_at)
         select (lpad(to_hex((extract(epoch from t.created) * 1000)::bigint), 12, '0') || '7' || substr(t.h, 1, 3) || to_hex(8 + g % 4) || substr(t.h, 4, 15))::uuid,
                $1::uuid, ($2::uuid[])[1 + (g * 7) % cardinality($2::uuid[])],
                case when g % 10 = 0 then null else ($3::uuid[])[1 + (g / 10) % cardinality($3::uuid[])] end,
                t.h, rcp.id, 'personnummer',
                'DNR ' || (2020 + g % 7) || '-' || (g / 3), case when g % 20 < 3 then null else ($5::text[])[1 + (g * 13) % cardinality($5::text[])] end,
                'Beslut i ärende ' || (g / 3), case when g % 20 = 0 then 3 when g % 5 = 0 then 2 else 1 end, 'AUTO',
                s.status,
                case s.status when 'POSTED' then 'NOT_REGISTERED' when 'FAILED' then 'NOT_REGISTERED' when 'HELD' then 'PROTECTED_IDENTITY'
                              when 'RETURNED' then 'ADDRESS_UNKNOWN' when 'CANCELLED' then 'cancelled by the sender' else null end,
                s.channel, case when s.channel is not null then s.channel when s.status = 'FAILED' then 'UNDELIVERABLE' when s.status = 'HELD' then 'HOLD' end,
                case when s.channel = 'DIGITAL' then ($6::text[])[1 + g % 4] end,
                case when s.channel = 'DIGITAL' then ($7::text[])[1 + g % 4] end,
                case when s.channel = 'DIGITAL' then 'T' || g end,
                t.created + interval '1 day', t.created, t.created,
                case when s.status = 'DELIVERED' then t.created + make_interval(secs => 5 + g % 600)
                     when s.status in ('POSTED','RETURNED') then t.created + interval '2 days' end
           from generate_series($8::bigint, $9::bigint) g
           -- A join, not ($4)[i]: subscripting a long text[] walks it from the start, for every row.
           join (select * from unnest($4::text[]) with ordinality as x(id, n)) rcp on rcp.n = 1 + (g * 7919) % $12::bigint
          cross join lateral (select $10::timestamptz + make_interval(secs => g * $11::double precision) as created, (g * 48271) % 1000 as r, md5($1::text || g::text) as h) t
          cross join lateral (select st as status,
                                     case when st = 'DELIVERED' then 'DIGITAL'
                                          when st in ('POSTED','PRINTED','RETURNED','PRINT_FAILED','BATCHED','PRINT_PENDING') then 'PRINT' end as channel
                                from (select ${STATES} as st) x) s
          order by g`,
        [
          o.tenantId,
          o.unitIds,
          o.apiClientIds,
          o.recipients,
          o.caseTypes,
          SYNTHETIC_OPERATORS.map((x) => x.id),
          SYNTHETIC_OPERATORS.map((x) => x.name),
          from,
          to,
          start,
          o.stepSeconds ?? 1,
          o.recipients.length,
        ],
      );
      inserted += to - from + 1;
      if (o.onBatch?.(inserted) === false) break;
    }
  } finally {
    for (const i of deferred) await query(i.indexdef);
  }
  return inserted;
}

function middleLetter(o: Pick<SyntheticLogOptions, 'count' | 'firstNumber'>): number {
  return (o.firstNumber ?? 1) + Math.floor(o.count / 2);
}

/** The unit of the letter in the middle of the series: the searching officer's unit (its recipient's letters are there). */
export function syntheticOfficerUnit(o: Pick<SyntheticLogOptions, 'count' | 'firstNumber'>, unitCodes: string[]): string {
  return unitCodes[(middleLetter(o) * 7) % unitCodes.length];
}

/** One search of the index checks: who searches, with what, and the index it must use (when one is clearly best). */
export interface SyntheticSearchCase {
  name: string;
  caller: 'admin' | 'officer' | 'caseSystem';
  filter: Record<string, unknown>;
  /** The index PostgreSQL must choose; absent where several are fine (the check is then: an index, no sequential scan, fast). */
  index?: string;
  /** Also ask for the second page (through the cursor of the first). */
  secondPage?: boolean;
}

/**
 * The searches the index checks and the benchmark run against a synthetic log made by
 * {@link seedSyntheticLog} with these options (`unitCodes` in the order of `unitIds`): every filter
 * alone, each caller's scope, and a few combinations, with values that exist in the data. The
 * officer's unit is {@link syntheticOfficerUnit}.
 */
export function syntheticSearchCases(o: Pick<SyntheticLogOptions, 'recipients' | 'caseTypes' | 'count' | 'firstNumber' | 'start' | 'stepSeconds'>, unitCodes: string[]): SyntheticSearchCase[] {
  const g = middleLetter(o);
  const unitCode = syntheticOfficerUnit(o, unitCodes);
  const start = (o.start ?? new Date('2025-01-01T00:00:00Z')).getTime();
  const at = (n: number) => new Date(start + n * (o.stepSeconds ?? 1) * 1000).toISOString();
  const recipient = o.recipients[(g * 7919) % o.recipients.length];
  const caseReference = `DNR ${2020 + (g % 7)}-${Math.floor(g / 3)}`;
  const caseType = o.caseTypes[(g * 13) % o.caseTypes.length];
  const day = Math.max(1, Math.floor(o.count / 100));
  return [
    { name: 'no filter (newest first)', caller: 'admin', filter: {}, index: 'letter_tenant_created', secondPage: true },
    { name: 'recipient', caller: 'admin', filter: { recipient }, index: 'letter_log_recipient', secondPage: true },
    { name: 'case reference', caller: 'admin', filter: { caseReference }, index: 'letter_log_case_reference' },
    { name: 'case type', caller: 'admin', filter: { caseType }, secondPage: true },
    { name: 'sending unit', caller: 'admin', filter: { sendingUnit: unitCode } },
    { name: 'channel PRINT', caller: 'admin', filter: { channel: 'PRINT' } },
    { name: 'status FAILED (rare)', caller: 'admin', filter: { status: ['FAILED'] }, index: 'letter_log_status', secondPage: true },
    { name: 'several rare states', caller: 'admin', filter: { status: ['FAILED', 'RETURNED', 'HELD', 'PRINT_FAILED'] }, index: 'letter_log_status', secondPage: true },
    { name: 'operator', caller: 'admin', filter: { operator: SYNTHETIC_OPERATORS[1].id } },
    { name: 'created in a range', caller: 'admin', filter: { from: at(g - day), to: at(g + day) }, index: 'letter_tenant_created' },
    { name: 'dispatched in a range', caller: 'admin', filter: { dateField: 'DISPATCHED', from: at(g - day), to: at(g + day) }, index: 'letter_log_dispatched' },
    { name: 'by dispatch time, no range', caller: 'admin', filter: { dateField: 'DISPATCHED' }, index: 'letter_log_dispatched', secondPage: true },
    { name: 'officer: own unit', caller: 'officer', filter: {}, secondPage: true },
    { name: 'officer: own unit, status FAILED', caller: 'officer', filter: { status: ['FAILED'] } },
    { name: 'officer: own unit, recipient', caller: 'officer', filter: { recipient }, index: 'letter_log_recipient' },
    { name: 'case system: own letters', caller: 'caseSystem', filter: {}, secondPage: true },
    { name: 'case type, channel and a created range', caller: 'admin', filter: { caseType, channel: 'DIGITAL', from: at(g - 10 * day), to: at(g) } },
  ];
}
