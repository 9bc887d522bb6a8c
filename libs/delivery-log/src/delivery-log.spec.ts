/**
 * The delivery log against a real PostgreSQL (the hub's migrations and demo seed): every filter,
 * who sees which part of the log (admin, officer, case system), paging, the rows' content, the CSV
 * and JSON Lines exports parsed back, export jobs end to end (worker, leases, expiry), and that one
 * municipality never sees another's log or export jobs (through the service and through raw SQL on
 * the application's connection).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { EntityManager } from '@mikro-orm/postgresql';
import { IntakeBadInputError, LetterValidationError, PageSizeExceededError } from '@hub/letters';
import { createLogger } from '@hub/observability';
import { TenantDb } from '@hub/persistence';
import { HubDatabase, startHubDatabase } from '../../../test/support';
import { DeliveryLogService, LogSinkClosedError } from './delivery-log.service';
import { LogCaller } from './log-access';
import { DELIVERY_LOG_COLUMNS, LogRecord } from './log-columns';
import { LogAccessDeniedError, LogExportNotFoundError, LogExportUnavailableError } from './log-errors';
import { LogFilterInput, parseLogFilter, zonedMidnight } from './log-filter';
import { ExportStorage, LogExportJobs, LogExportRunner } from './log-export-jobs';
import { insertLogLetters, LogTestLetter, parseCsv } from './log-test-data.spec-helper';

jest.setTimeout(60_000);

const log = createLogger('delivery-log-test', process.env.TEST_LOG_LEVEL ?? 'silent');

// Skatteverket's test personnummer / samordningsnummer, and a fictional organisation.
const P1 = '198101032384';
const P2 = '199001012385';
const P3 = '195001182046';
const S1 = '202001612395';
const ORG = '162021005448';
const KIVRA = { id: '165599000014', name: 'Kivra' };
const MMP = { id: '165599000022', name: 'Min myndighetspost' };

let hub: HubDatabase;
let db: TenantDb;
let service: DeliveryLogService;
let A: string;
let B: string;
let bygg: string;
let social: string;
let clientId: string;
let otherClientId: string;
let exportDir: string;

interface Letter extends LogTestLetter {
  key: string;
  id: string;
  batchId?: string;
}
const letters: Letter[] = [];
const at = (hours: number, minutes = 0) => new Date(Date.UTC(2026, 2, 2, 8) + hours * 3_600_000 + minutes * 60_000);

let admin: LogCaller;
let officerBygg: LogCaller;
let officerSocial: LogCaller;
let caseSystem: LogCaller;
let otherAdmin: LogCaller;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'delivery-log' });
  db = new TenantDb(await hub.appOrm());
  service = new DeliveryLogService(db, { pageSizeMax: 5, countCap: 5, fetchSize: 3 });
  exportDir = mkdtempSync(join(tmpdir(), 'hub-log-export-'));
  A = hub.demo.tenantId;
  B = hub.other.tenantId;
  bygg = hub.demo.units.bygg.id;
  social = hub.demo.units.social.id;
  clientId = (await hub.ownerQuery<{ id: string }>(`select id from api_client where tenant_id = $1 and client_id = 'demo-case-system'`, [A]))[0].id;
  otherClientId = (await hub.ownerQuery<{ id: string }>(`insert into api_client (tenant_id, client_id, name) values ($1, 'demo-skolsystem', 'Skolsystemet') returning id`, [A]))[0].id;

  // Case types (letters refer to them by code).
  for (const [tenant, code] of [[A, 'bygglov'], [A, 'ekonomiskt-bistand'], [A, 'strandskydd'], [B, 'bygglov']]) {
    await hub.ownerQuery(
      `insert into case_type (tenant_id, code, name, default_protection_class, subject_template, allowed_channels) values ($1, $2, $2, 1, 'Beslut', '{DIGITAL,PRINT}')`,
      [tenant, code],
    );
  }
  const specs: (Omit<Letter, 'id'> & { print?: boolean })[] = [
    { key: 'a', unitId: bygg, apiClientId: clientId, recipientId: P1, caseReference: 'BN 2026-1', caseType: 'bygglov', status: 'DELIVERED', channel: 'DIGITAL', operatorId: KIVRA.id, operatorName: KIVRA.name, transId: 'T-a', createdAt: at(0), dispatchedAt: at(0, 5) },
    { key: 'b', unitId: bygg, apiClientId: clientId, recipientId: P2, caseReference: 'BN 2026-2', caseType: 'bygglov', status: 'POSTED', statusReason: 'NOT_REGISTERED', channel: 'PRINT', createdAt: at(1), dispatchedAt: at(49), print: true },
    { key: 'c', unitId: social, recipientId: P1, caseReference: 'SN 2026-1', caseType: 'ekonomiskt-bistand', subject: 'Beslut om ekonomiskt bistånd', protectionClass: 3, status: 'DELIVERED', channel: 'DIGITAL', operatorId: MMP.id, operatorName: MMP.name, transId: 'T-c', createdAt: at(2), dispatchedAt: at(2, 3) },
    { key: 'd', unitId: social, recipientId: P3, caseReference: 'SN 2026-2', status: 'FAILED', statusReason: 'NOT_REGISTERED', channel: null, channelDecision: 'UNDELIVERABLE', createdAt: at(3) },
    { key: 'e', unitId: bygg, apiClientId: clientId, recipientId: S1, caseReference: 'BN 2026-3', status: 'RETURNED', statusReason: 'ADDRESS_UNKNOWN', channel: 'PRINT', createdAt: at(4), dispatchedAt: at(28), print: true },
    {
      key: 'f',
      unitId: bygg,
      apiClientId: otherClientId,
      recipientId: ORG,
      caseReference: '-12+3',
      subject: '=HYPERLINK("http://x.invalid","Klicka"), "citat" och åäö ÅÄÖ',
      status: 'DELIVERED',
      statusReason: 'rad ett\r\nrad två',
      channel: 'DIGITAL',
      operatorId: KIVRA.id,
      operatorName: KIVRA.name,
      transId: '@T-f',
      createdAt: at(5),
      dispatchedAt: at(5, 1),
    },
    { key: 'g', unitId: social, recipientId: P2, caseReference: 'SN 2026-3', status: 'HELD', statusReason: 'PROTECTED_IDENTITY', channel: null, channelDecision: 'HOLD', createdAt: at(6) },
    { key: 'h', unitId: bygg, apiClientId: clientId, recipientId: P1, caseReference: 'BN 2026-5', status: 'CANCELLED', statusReason: 'cancelled by the sender', channel: null, createdAt: at(7) },
    { key: 'i', unitId: bygg, apiClientId: clientId, recipientId: P3, caseReference: 'BN 2026-6', caseType: 'bygglov', status: 'ACCEPTED', channel: null, createdAt: at(8) },
    { key: 'j', unitId: bygg, apiClientId: clientId, recipientId: P2, caseReference: 'BN 2026-7', caseType: 'strandskydd', status: 'DELIVERED', channel: 'DIGITAL', operatorId: MMP.id, operatorName: MMP.name, transId: 'T-j', createdAt: at(9), dispatchedAt: at(9, 2) },
  ];
  const ids = await insertLogLetters(hub, specs);
  specs.forEach((s, i) => letters.push({ ...s, id: ids[i] }));
  // Another municipality's letters: same recipient, same case reference, same operator.
  await insertLogLetters(hub, [
    { tenantId: B, unitId: hub.other.unitId, apiClientId: hub.other.apiClientId, recipientId: P1, caseReference: 'BN 2026-1', caseType: 'bygglov', operatorId: KIVRA.id, createdAt: at(0, 30), dispatchedAt: at(0, 35) },
    { tenantId: B, unitId: hub.other.unitId, recipientId: P2, caseReference: 'BN 2026-2', status: 'FAILED', channel: null, createdAt: at(3, 30) },
  ]);
  // Print details for the printed letters.
  const [batch] = await hub.ownerQuery<{ id: string }>(`insert into print_batch (tenant_id, vendor_id, postage_class, status, letters) values ($1, 'demo-print', 'ECONOMY', 'POSTED', 2) returning id`, [A]);
  for (const l of letters.filter((x) => ['b', 'e'].includes(x.key))) {
    l.batchId = batch.id;
    await hub.ownerQuery(
      `insert into print_item (letter_id, tenant_id, vendor_id, postage_class, status, pdf, pdf_sha256, pages, sheets, duplex, colour, envelope_profile, address_lines, return_address, batch_id)
       values ($1, $2, 'demo-print', 'ECONOMY', 'POSTED', '\\x25504446', 'x', 1, 1, true, false, 'C5-H2', '[]', '[]', $3)`,
      [l.id, A, batch.id],
    );
  }
  admin = { tenantId: A, actor: 'admin-user', roles: ['tenant-admin'] };
  officerBygg = { tenantId: A, actor: 'handlaggare-bygg', roles: ['case-officer'], sendingUnitRef: 'bygg' };
  officerSocial = { tenantId: A, actor: 'handlaggare-social', roles: ['case-officer'], sendingUnitRef: 'social' };
  caseSystem = { tenantId: A, actor: 'demo-case-system', roles: ['case-system'], apiClientId: clientId };
  otherAdmin = { tenantId: B, actor: 'annan-admin', roles: ['tenant-admin'] };
});

afterAll(async () => {
  await hub?.drop();
  if (exportDir) rmSync(exportDir, { recursive: true, force: true });
});

const byKey = (k: string) => letters.find((l) => l.key === k)!;
const newestFirst = (xs: Letter[], field: 'createdAt' | 'dispatchedAt' = 'createdAt') =>
  [...xs].sort((x, y) => y[field]!.getTime() - x[field]!.getTime() || (y.id < x.id ? -1 : 1)).map((l) => l.key);

/** Every page of a search, following endCursor; the letters' keys in the order returned. */
async function searchAll(caller: LogCaller, filter: LogFilterInput = {}, first = 2): Promise<string[]> {
  const keys: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const page = await service.search(caller, filter, first, after);
    expect(page.items.length).toBeLessThanOrEqual(first);
    for (const item of page.items) keys.push(letters.find((l) => l.id === item.record.letterId)?.key ?? `foreign:${item.record.letterId}`);
    if (!page.hasNextPage) return keys;
    after = page.endCursor;
  }
  throw new Error('more than 50 pages');
}

async function refusal(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a refusal');
}

describe('searching by each filter', () => {
  const cases: [string, LogFilterInput, (l: Letter) => boolean][] = [
    ['recipient (exact, a dash accepted)', { recipient: '19810103-2384' }, (l) => l.recipientId === P1],
    ['recipient: a samordningsnummer', { recipient: S1 }, (l) => l.recipientId === S1],
    ['recipient: an organisation', { recipient: ORG }, (l) => l.recipientId === ORG],
    ['case reference (exact)', { caseReference: 'BN 2026-2' }, (l) => l.caseReference === 'BN 2026-2'],
    ['case type', { caseType: 'bygglov' }, (l) => l.caseType === 'bygglov'],
    ['sending unit', { sendingUnit: 'social' }, (l) => l.unitId === social],
    ['channel DIGITAL', { channel: 'DIGITAL' }, (l) => l.channel === 'DIGITAL'],
    ['channel PRINT', { channel: 'PRINT' }, (l) => l.channel === 'PRINT'],
    ['one status', { status: ['FAILED'] }, (l) => l.status === 'FAILED'],
    ['several states', { status: ['FAILED', 'RETURNED', 'HELD', 'CANCELLED'] }, (l) => ['FAILED', 'RETURNED', 'HELD', 'CANCELLED'].includes(l.status!)],
    ['operator', { operator: MMP.id }, (l) => l.operatorId === MMP.id],
    ['created range (from inclusive, to exclusive)', { from: at(2), to: at(5) }, (l) => l.createdAt >= at(2) && l.createdAt < at(5)],
    ['only from', { from: at(7).toISOString() }, (l) => l.createdAt >= at(7)],
    ['only to', { to: at(1, 1).toISOString() }, (l) => l.createdAt < at(1, 1)],
    ['several filters at once', { sendingUnit: 'bygg', channel: 'DIGITAL', caseType: 'bygglov', from: at(0) }, (l) => l.unitId === bygg && l.channel === 'DIGITAL' && l.caseType === 'bygglov'],
    ['a filter nothing matches', { caseReference: 'finns inte' }, () => false],
  ];
  it.each(cases)('%s', async (_name, filter, match) => {
    const expected = newestFirst(letters.filter(match));
    expect(await searchAll(admin, filter)).toEqual(expected);
    // The same page size limit and order when everything fits in one page.
    if (expected.length <= 5) expect((await service.search(admin, filter, 5)).items.map((i) => i.record.letterId)).toEqual(expected.map((k) => byKey(k).id));
  });

  it('orders and ranges by dispatch time with dateField DISPATCHED (only dispatched letters)', async () => {
    const dispatched = letters.filter((l) => l.dispatchedAt);
    expect(await searchAll(admin, { dateField: 'DISPATCHED' })).toEqual(newestFirst(dispatched, 'dispatchedAt'));
    const ranged = dispatched.filter((l) => l.dispatchedAt! >= at(2) && l.dispatchedAt! < at(30));
    expect(ranged.length).toBeGreaterThan(1);
    expect(await searchAll(admin, { dateField: 'DISPATCHED', from: at(2), to: at(30) })).toEqual(newestFirst(ranged, 'dispatchedAt'));
    // The same range by creation time is another set.
    expect(await searchAll(admin, { from: at(2), to: at(30) })).not.toEqual(newestFirst(ranged, 'dispatchedAt'));
  });

  it('reads a bare date as midnight in Swedish time', async () => {
    expect(zonedMidnight(2026, 1, 15, 'Europe/Stockholm').toISOString()).toBe('2026-01-14T23:00:00.000Z');
    expect(zonedMidnight(2026, 7, 1, 'Europe/Stockholm').toISOString()).toBe('2026-06-30T22:00:00.000Z');
    // The spring DST change is at 02:00, after midnight: that midnight is still CET.
    expect(zonedMidnight(2026, 3, 29, 'Europe/Stockholm').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(parseLogFilter({ from: '2026-03-02', to: '2026-03-03' })).toMatchObject({ from: new Date('2026-03-01T23:00:00Z'), to: new Date('2026-03-02T23:00:00Z') });
    expect(await searchAll(admin, { from: '2026-03-02', to: '2026-03-03' }, 5)).toEqual(newestFirst(letters));
  });
});

describe('who sees what', () => {
  it('shows a tenant admin the whole municipality and nothing of another', async () => {
    expect(await searchAll(admin)).toEqual(newestFirst(letters));
    expect((await searchAll(otherAdmin)).every((k) => k.startsWith('foreign:'))).toBe(true);
    expect(await searchAll(otherAdmin)).toHaveLength(2);
    // The same recipient in the other municipality finds only that municipality's letters.
    expect(await searchAll(otherAdmin, { recipient: P1 })).toHaveLength(1);
    expect(await searchAll(admin, { recipient: P1 })).toEqual(newestFirst(letters.filter((l) => l.recipientId === P1)));
  });

  it('shows a case officer the letters of the sending unit their token names, with any filter', async () => {
    expect(await searchAll(officerBygg)).toEqual(newestFirst(letters.filter((l) => l.unitId === bygg)));
    expect(await searchAll(officerSocial)).toEqual(newestFirst(letters.filter((l) => l.unitId === social)));
    expect(await searchAll(officerSocial, { recipient: P1 })).toEqual(['c']);
    expect(await searchAll(officerBygg, { sendingUnit: 'bygg', status: ['DELIVERED', 'POSTED'] })).toEqual(newestFirst(letters.filter((l) => l.unitId === bygg && ['DELIVERED', 'POSTED'].includes(l.status!))));
  });

  it('refuses an officer who asks for another unit, names no unit, or a unit the municipality does not have', async () => {
    const other = await refusal(service.search(officerBygg, { sendingUnit: 'social' }));
    expect(other).toBeInstanceOf(LogAccessDeniedError);
    expect(other.message).toMatch(/own sending unit \(bygg\)/);
    const none = await refusal(service.search({ ...officerBygg, sendingUnitRef: undefined }, {}));
    expect(none).toBeInstanceOf(LogAccessDeniedError);
    expect(none.message).toMatch(/names no sending unit/);
    const unknown = await refusal(service.search({ ...officerBygg, sendingUnitRef: 'skola' }, {}));
    expect(unknown).toBeInstanceOf(LogAccessDeniedError);
    expect(unknown.message).toMatch(/"skola", which is not a sending unit/);
  });

  it('shows a case system the letters it submitted itself', async () => {
    expect(await searchAll(caseSystem)).toEqual(newestFirst(letters.filter((l) => l.apiClientId === clientId)));
    expect(await searchAll({ ...caseSystem, actor: 'demo-skolsystem', apiClientId: otherClientId })).toEqual(['f']);
    expect(await refusal(service.search({ ...caseSystem, apiClientId: undefined }, {}))).toBeInstanceOf(LogAccessDeniedError);
  });

  it('gives the broadest role: an officer who is also an admin sees the municipality', async () => {
    expect(await searchAll({ ...officerBygg, roles: ['case-officer', 'tenant-admin'] })).toEqual(newestFirst(letters));
    expect(await refusal(service.search({ tenantId: A, actor: 'x', roles: ['print-vendor'] }, {}))).toBeInstanceOf(LogAccessDeniedError);
  });
});

describe('paging', () => {
  it('walks the log page by page without gaps or repeats, also for several states', async () => {
    for (const first of [1, 2, 3, 5]) expect(await searchAll(admin, {}, first)).toEqual(newestFirst(letters));
    const states = ['DELIVERED', 'POSTED', 'RETURNED'];
    for (const first of [1, 2]) expect(await searchAll(admin, { status: states }, first)).toEqual(newestFirst(letters.filter((l) => states.includes(l.status!))));
  });

  it('refuses a page larger than the maximum, an empty page, a foreign cursor, and a cursor of another date field', async () => {
    expect(await refusal(service.search(admin, {}, 6))).toBeInstanceOf(PageSizeExceededError);
    expect(await refusal(service.search(admin, {}, 0))).toBeInstanceOf(IntakeBadInputError);
    expect((await refusal(service.search(admin, {}, 2, 'bm90LWEtY3Vyc29y'))).message).toMatch(/not a cursor this API returned/);
    const page = await service.search(admin, {}, 2);
    const e = await refusal(service.search(admin, { dateField: 'DISPATCHED' }, 2, page.endCursor));
    expect(e).toBeInstanceOf(IntakeBadInputError);
    expect(e.message).toMatch(/search by CREATED date, but this search is by DISPATCHED/);
  });

  it('counts the matching letters, exactly up to the cap', async () => {
    expect(await service.count(admin, { sendingUnit: 'social' })).toEqual({ count: 3, exact: true });
    expect(await service.count(officerBygg, {})).toEqual({ count: 6, exact: false });
    expect(await service.count(admin, { caseReference: 'finns inte' })).toEqual({ count: 0, exact: true });
  });
});

describe('a row of the log', () => {
  it('carries what happened to the letter: unit, channel, operator, TransId, print batch, times', async () => {
    const [b] = (await service.search(admin, { caseReference: 'BN 2026-2' })).items.map((i) => i.record);
    expect(b).toEqual<LogRecord>({
      letterId: byKey('b').id,
      createdAt: at(1).toISOString(),
      dispatchedAt: at(49).toISOString(),
      recipient: P2,
      recipientKind: 'personnummer',
      caseReference: 'BN 2026-2',
      caseType: 'bygglov',
      sendingUnit: 'bygg',
      sendingUnitName: hub.demo.units.bygg.name,
      subject: 'Beslut om bygglov',
      subjectWithheld: false,
      protectionClass: 1,
      channel: 'PRINT',
      channelDecision: 'PRINT',
      status: 'POSTED',
      statusReason: 'NOT_REGISTERED',
      operatorId: null,
      operatorName: null,
      transId: null,
      printVendor: 'demo-print',
      printBatchId: byKey('b').batchId!,
    });
    const [a] = (await service.search(admin, { caseReference: 'BN 2026-1' })).items.map((i) => i.record);
    expect(a).toMatchObject({ channel: 'DIGITAL', operatorId: KIVRA.id, operatorName: 'Kivra', transId: 'T-a', printBatchId: null, dispatchedAt: at(0, 5).toISOString() });
    const [e] = (await service.search(admin, { recipient: S1 })).items.map((i) => i.record);
    expect(e.recipientKind).toBe('samordningsnummer');
  });

  it('withholds the subject of a protection class 3 letter', async () => {
    const [c] = (await service.search(admin, { caseReference: 'SN 2026-1' })).items.map((i) => i.record);
    expect(c).toMatchObject({ protectionClass: 3, subject: null, subjectWithheld: true, caseType: 'ekonomiskt-bistand' });
    const out = new Collect();
    await service.exportTo(service.request(admin, { caseReference: 'SN 2026-1' }), out, { format: 'JSONL' });
    expect(out.text()).not.toMatch(/bistånd/);
  });
});

describe('bad filters', () => {
  it('names every wrong field with its path and rule', async () => {
    const e = await refusal(service.search(admin, { recipient: '198101032385', status: ['DELIVERED', 'SENT' as never], from: '2026-03-05', to: '2026-03-01', dateField: 'POSTED' }));
    expect(e).toBeInstanceOf(LetterValidationError);
    expect((e as LetterValidationError).fields).toEqual([
      expect.objectContaining({ path: 'filter.recipient', rule: 'luhn' }),
      expect.objectContaining({ path: 'filter.status', rule: 'enum' }),
      expect.objectContaining({ path: 'filter.dateField', rule: 'enum' }),
      expect.objectContaining({ path: 'filter.to', rule: 'range' }),
    ]);
    expect(e.message).toMatch(/The delivery log filter was refused: filter.recipient check digit is wrong/);
    // The refused personnummer is not repeated in the message.
    expect(e.message).not.toMatch(/198101032385/);
  });

  it('refuses malformed values of each kind', () => {
    const paths = (input: LogFilterInput) => {
      try {
        parseLogFilter(input);
      } catch (e) {
        return (e as LetterValidationError).fields.map((f) => `${f.path}:${f.rule}`);
      }
      return [];
    };
    expect(paths({ recipient: '12345' })).toEqual(['filter.recipient:format']);
    expect(paths({ caseReference: '  ' })).toEqual(['filter.caseReference:required']);
    expect(paths({ caseReference: 'a\nb' })).toEqual(['filter.caseReference:format']);
    expect(paths({ caseReference: 'x'.repeat(256) })).toEqual(['filter.caseReference:maxLength']);
    expect(paths({ sendingUnit: 'Bygg och miljö' })).toEqual(['filter.sendingUnit:format']);
    expect(paths({ channel: 'EMAIL' })).toEqual(['filter.channel:enum']);
    expect(paths({ status: [] })).toEqual(['filter.status:required']);
    expect(paths({ from: '2026-02-30' })).toEqual(['filter.from:format']);
    expect(paths({ from: '2026-03-01T10:00:00' })).toEqual(['filter.from:format']);
    expect(paths({ from: '2026-03-01T10:00:00+01:00', to: '2026-03-01T09:00:00Z' })).toEqual(['filter.to:range']);
    expect(paths({ recipient: '19810103-2384', from: '2026-03-01T10:00:00.123Z' })).toEqual([]);
  });

  it('refuses a sending unit the municipality does not have', async () => {
    const e = await refusal(service.search(admin, { sendingUnit: 'skola' }));
    expect((e as LetterValidationError).fields).toEqual([{ path: 'filter.sendingUnit', rule: 'unknown', message: expect.stringMatching(/its units are bygg, social/) }]);
  });
});

/** A sink that keeps what it is given. */
class Collect extends Writable {
  readonly chunks: Buffer[] = [];
  constructor(private readonly delayMs = 0, highWaterMark?: number) {
    super(highWaterMark ? { highWaterMark } : {});
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error) => void): void {
    this.chunks.push(chunk);
    if (this.delayMs) setTimeout(done, this.delayMs);
    else done();
  }
  buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
  text(): string {
    return this.buffer().toString('utf8');
  }
}

describe('exporting the log', () => {
  const header = DELIVERY_LOG_COLUMNS.map((c) => c.name);
  const oldestFirst = (xs: Letter[]) => newestFirst(xs).reverse();

  it('writes RFC 4180 CSV: a header, CRLF rows, quotes, commas, line breaks and åäö intact, formulas defused', async () => {
    const out = new Collect();
    const result = await service.exportTo(service.request(admin, {}), out, { format: 'CSV' });
    const bytes = out.buffer();
    expect(result).toEqual({ rows: letters.length, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    const text = bytes.toString('utf8');
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(header);
    expect(rows).toHaveLength(letters.length + 1);
    const records = rows.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
    // Oldest first: a chronological file.
    expect(records.map((r) => r.letterId)).toEqual(oldestFirst(letters).map((k) => byKey(k).id));
    const f = records.find((r) => r.letterId === byKey('f').id)!;
    expect(f.subject).toBe('\'=HYPERLINK("http://x.invalid","Klicka"), "citat" och åäö ÅÄÖ');
    expect(f.caseReference).toBe("'-12+3");
    expect(f.statusReason).toBe('rad ett\r\nrad två');
    expect(f.transId).toBe("'@T-f");
    expect(f.recipient).toBe(ORG);
    expect(f).toMatchObject({ protectionClass: '1', subjectWithheld: 'false', sendingUnit: 'bygg', channel: 'DIGITAL', dispatchedAt: at(5, 1).toISOString() });
    const c = records.find((r) => r.letterId === byKey('c').id)!;
    expect(c).toMatchObject({ subject: '', subjectWithheld: 'true', printBatchId: '' });
    const b = records.find((r) => r.letterId === byKey('b').id)!;
    expect(b).toMatchObject({ printVendor: 'demo-print', printBatchId: byKey('b').batchId });
    // Every field as the search shows it (CSV text forms).
    const search = (await service.search(admin, { caseReference: 'BN 2026-2' })).items[0].record;
    expect(b).toEqual(Object.fromEntries(header.map((h) => [h, search[h] === null ? '' : String(search[h])])));
  });

  it('starts with a byte order mark when asked (for Excel)', async () => {
    const out = new Collect();
    await service.exportTo(service.request(admin, { sendingUnit: 'social' }), out, { format: 'CSV', bom: true });
    const bytes = out.buffer();
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(bytes.subarray(3).toString('utf8'));
    expect(rows[0]).toEqual(header);
    expect(rows).toHaveLength(4);
  });

  it('writes JSON Lines: one object per line with the columns as keys, in order', async () => {
    const out = new Collect();
    const result = await service.exportTo(service.request(officerBygg, { channel: 'DIGITAL' }), out, { format: 'JSONL' });
    const lines = out.text().split('\n');
    expect(lines.pop()).toBe('');
    const expected = oldestFirst(letters.filter((l) => l.unitId === bygg && l.channel === 'DIGITAL'));
    expect(result.rows).toBe(expected.length);
    const objects = lines.map((l) => JSON.parse(l) as LogRecord);
    expect(objects.map((o) => o.letterId)).toEqual(expected.map((k) => byKey(k).id));
    for (const o of objects) expect(Object.keys(o)).toEqual(header);
    const f = objects.find((o) => o.letterId === byKey('f').id)!;
    // No formula defusing in JSON: the value as it is.
    expect(f).toMatchObject({ subject: '=HYPERLINK("http://x.invalid","Klicka"), "citat" och åäö ÅÄÖ', statusReason: 'rad ett\r\nrad två', protectionClass: 1, subjectWithheld: false, dispatchedAt: at(5, 1).toISOString() });
  });

  it('exports by dispatch time and with every filter as the search does', async () => {
    const out = new Collect();
    await service.exportTo(service.request(admin, { dateField: 'DISPATCHED', status: ['DELIVERED', 'POSTED', 'RETURNED'] }), out, { format: 'JSONL' });
    const ids = out.text().trim().split('\n').map((l) => (JSON.parse(l) as LogRecord).letterId);
    const dispatched = letters.filter((l) => l.dispatchedAt && ['DELIVERED', 'POSTED', 'RETURNED'].includes(l.status!));
    expect(ids).toEqual(newestFirst(dispatched, 'dispatchedAt').reverse().map((k) => byKey(k).id));
  });

  it('waits for a slow destination (backpressure) and still writes everything', async () => {
    const slow = new Collect(5, 64);
    const result = await service.exportTo(service.request(admin, {}), slow, { format: 'CSV' });
    expect(result.rows).toBe(letters.length);
    expect(parseCsv(slow.text())).toHaveLength(letters.length + 1);
    expect(slow.chunks.length).toBeGreaterThan(3);
  });

  it('stops, and releases its transaction, when the destination goes away midway', async () => {
    const gone = new Collect(0, 16);
    let fetched = 0;
    const e = await refusal(
      service.exportTo(service.request(admin, {}), gone, {
        format: 'CSV',
        onProgress: () => {
          if (++fetched === 1) gone.destroy();
        },
      }),
    );
    expect(e).toBeInstanceOf(LogSinkClosedError);
    expect(fetched).toBe(1);
    // The connection is usable again (the cursor's transaction rolled back).
    expect((await service.count(admin, {})).exact).toBe(false);
  });

  it('shows none of another municipality’s letters in an export', async () => {
    const out = new Collect();
    await service.exportTo(service.request(otherAdmin, {}), out, { format: 'CSV' });
    const rows = parseCsv(out.text()).slice(1);
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => !letters.some((l) => l.id === r[0]))).toBe(true);
  });
});

describe('export jobs', () => {
  let jobs: LogExportJobs;
  let storage: ExportStorage;
  const runner = (owner = 'worker-1', leaseSeconds = 60, maxAttempts = 3) =>
    new LogExportRunner({ db, service, storage, log, owner, ttlMs: 3_600_000, leaseSeconds, maxAttempts });

  beforeAll(() => {
    storage = new ExportStorage(exportDir);
    jobs = new LogExportJobs(db, service, storage);
  });

  /** Nothing waiting: earlier tests' jobs done. */
  async function drain(): Promise<void> {
    while (await runner('drainer').runOnce());
  }

  it('runs an export job: QUEUED, then DONE with rows, size and checksum of the file it wrote', async () => {
    await drain();
    const started = await jobs.start(officerBygg, { channel: 'PRINT' }, 'CSV', { bom: true });
    expect(started).toMatchObject({ status: 'QUEUED', format: 'CSV', bom: true, filter: { channel: 'PRINT', dateField: 'CREATED' }, requestedBy: 'handlaggare-bygg', downloadPath: null });
    expect(await runner().runOnce()).toBe(true);
    expect(await runner().runOnce()).toBe(false);
    const done = await jobs.get(officerBygg, started.id);
    expect(done).toMatchObject({ status: 'DONE', rows: 2, error: null, downloadPath: `/delivery-log/v1/exports/${started.id}/download` });
    expect(done.finishedAt!.getTime()).toBeGreaterThanOrEqual(done.startedAt!.getTime());
    expect(done.expiresAt!.getTime() - done.finishedAt!.getTime()).toBeCloseTo(3_600_000, -3);
    const file = await jobs.openDownload(officerBygg, started.id);
    const chunks: Buffer[] = [];
    for await (const c of file.stream) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    expect(bytes.length).toBe(done.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(done.sha256);
    expect(file).toMatchObject({ sha256: done.sha256, contentType: 'text/csv; charset=utf-8; header=present', filename: expect.stringMatching(/^delivery-log-\d{8}T\d{6}-[0-9a-f]{8}\.csv$/) });
    // The same as a direct export of the same request.
    const direct = new Collect();
    await service.exportTo(service.request(officerBygg, { channel: 'PRINT' }), direct, { format: 'CSV', bom: true });
    expect(bytes.equals(direct.buffer())).toBe(true);
    expect(parseCsv(bytes.subarray(3).toString('utf8')).slice(1).map((r) => r[0])).toEqual(oldest(['b', 'e']));
  });

  const oldest = (keys: string[]) => newestFirst(letters.filter((l) => keys.includes(l.key))).reverse().map((k) => byKey(k).id);

  it('keeps the part of the log of whoever started it, and shows the job to them and to admins only', async () => {
    await drain();
    const job = await jobs.start(officerSocial, {}, 'JSONL');
    await runner().runOnce();
    const file = await jobs.openDownload(officerSocial, job.id);
    let text = '';
    for await (const c of file.stream) text += (c as Buffer).toString('utf8');
    expect(text.trim().split('\n').map((l) => (JSON.parse(l) as LogRecord).letterId)).toEqual(oldest(['c', 'd', 'g']));
    expect(await refusal(jobs.get(officerBygg, job.id))).toBeInstanceOf(LogExportNotFoundError);
    expect(await refusal(jobs.openDownload(officerBygg, job.id))).toBeInstanceOf(LogExportNotFoundError);
    expect(await refusal(jobs.get(otherAdmin, job.id))).toBeInstanceOf(LogExportNotFoundError);
    expect((await jobs.get(admin, job.id)).status).toBe('DONE');
    expect((await jobs.list(officerSocial)).map((j) => j.id)).toContain(job.id);
    expect((await jobs.list(officerBygg)).map((j) => j.id)).not.toContain(job.id);
    expect((await jobs.list(admin)).map((j) => j.id)).toContain(job.id);
    expect(await jobs.list(otherAdmin)).toEqual([]);
    expect(await refusal(jobs.get(admin, 'not-a-uuid'))).toBeInstanceOf(LogExportNotFoundError);
  });

  it('refuses a bad filter or format when the job is started, not later', async () => {
    expect(await refusal(jobs.start(admin, { sendingUnit: 'skola' }, 'CSV'))).toBeInstanceOf(LetterValidationError);
    expect(await refusal(jobs.start(officerBygg, { sendingUnit: 'social' }, 'CSV'))).toBeInstanceOf(LogAccessDeniedError);
    expect((await refusal(jobs.start(admin, {}, 'XLSX'))).message).toMatch(/format must be one of CSV, JSONL/);
  });

  it('answers 409 while a job is not done, and records the export in the audit trail with the personnummer masked', async () => {
    await drain();
    const job = await jobs.start(admin, { recipient: P1 }, 'CSV');
    const notYet = await refusal(jobs.openDownload(admin, job.id));
    expect(notYet).toBeInstanceOf(LogExportUnavailableError);
    expect((notYet as LogExportUnavailableError).httpStatus).toBe(409);
    const [entry] = await hub.ownerQuery<{ actor: string; action: string; target: string; detail: { filter: { recipient: string }; format: string } }>(
      `select actor, action, target, detail from audit_log where tenant_id = $1 and target = $2`,
      [A, `logExport:${job.id}`],
    );
    expect(entry).toMatchObject({ actor: 'admin-user', action: 'deliveryLog.export', detail: { format: 'CSV', filter: { recipient: '19810103-****' } } });
    await runner().runOnce();
  });

  it('lets another worker take over a job whose worker died, and gives up after the last attempt', async () => {
    await drain();
    const job = await jobs.start(admin, { status: ['FAILED'] }, 'JSONL');
    // A worker claims it and dies (its lease lapses at once).
    await db.withoutTenant((em) => (em as EntityManager).getConnection().execute(`select * from log_export_claim('dead-worker', 0.001)`));
    await new Promise((r) => setTimeout(r, 20));
    expect(await runner('worker-2').runOnce()).toBe(true);
    const done = await jobs.get(admin, job.id);
    expect(done).toMatchObject({ status: 'DONE', rows: 1 });
    const [row] = await hub.ownerQuery<{ attempts: number; file_name: string }>(`select attempts, file_name from log_export where id = $1`, [job.id]);
    expect(row).toEqual({ attempts: 2, file_name: `${job.id}-2.jsonl` });

    const doomed = await jobs.start(admin, {}, 'CSV');
    for (let i = 0; i < 2; i++) {
      await db.withoutTenant((em) => (em as EntityManager).getConnection().execute(`select * from log_export_claim('dead-worker', 0.001)`));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await runner('worker-3', 60, 2).runOnce()).toBe(true);
    expect(await jobs.get(admin, doomed.id)).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/gave up after 2 attempts/) });
    const failed = await refusal(jobs.openDownload(admin, doomed.id));
    expect((failed as LogExportUnavailableError).httpStatus).toBe(409);
  });

  it('puts a job back in the queue, without counting the attempt, when its worker stops midway', async () => {
    await drain();
    const job = await jobs.start(admin, {}, 'CSV');
    const stopping = runner('stopping-worker');
    const run = stopping.runOnce();
    stopping.interrupt();
    expect(await run).toBe(true);
    const [row] = await hub.ownerQuery<{ status: string; attempts: number; lease_owner: string | null }>(`select status, attempts, lease_owner from log_export where id = $1`, [job.id]);
    expect(row).toEqual({ status: 'QUEUED', attempts: 0, lease_owner: null });
    expect(existsSync(join(exportDir, A, `${job.id}-1.csv.part`))).toBe(false);
    expect(await stopping.runOnce()).toBe(false);
    expect(await runner('next-worker').runOnce()).toBe(true);
    expect(await jobs.get(admin, job.id)).toMatchObject({ status: 'DONE', rows: letters.length });
  });

  it('fails a job for good when its filter no longer holds, saying why', async () => {
    await drain();
    const job = await jobs.start(admin, { sendingUnit: 'social' }, 'CSV');
    await hub.ownerQuery(`update log_export set filter = jsonb_set(filter, '{sendingUnit}', '"nedlagd"') where id = $1`, [job.id]);
    await runner().runOnce();
    expect(await jobs.get(admin, job.id)).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/no sending unit "nedlagd"/) });
    expect(existsSync(join(exportDir, A, `${job.id}-1.csv`))).toBe(false);
  });

  it('removes a file once its job expired, keeps the row with the personnummer masked, and answers 410 after', async () => {
    await drain();
    const job = await jobs.start(admin, { recipient: P2 }, 'CSV');
    await runner().runOnce();
    const path = join(exportDir, A, `${job.id}-1.csv`);
    expect(readFileSync(path, 'utf8')).toMatch(new RegExp(P2));
    expect(await runner().expire()).toBe(0);
    await hub.ownerQuery(`update log_export set expires_at = now() - interval '1 second' where id = $1`, [job.id]);
    expect(await runner().expire()).toBe(1);
    expect(existsSync(path)).toBe(false);
    expect(await jobs.get(admin, job.id)).toMatchObject({ status: 'EXPIRED', filter: { recipient: '19900101-****' }, downloadPath: null });
    const gone = await refusal(jobs.openDownload(admin, job.id));
    expect((gone as LogExportUnavailableError).httpStatus).toBe(410);
  });
});

describe('isolation of the export jobs table (log_export) through the application connection', () => {
  let jobA: string;

  beforeAll(async () => {
    const jobs = new LogExportJobs(db, service);
    jobA = (await jobs.start(admin, { recipient: P1 }, 'CSV')).id;
    await jobs.start(otherAdmin, {}, 'CSV');
  });

  async function asTenant(tenantId: string, text: string, params: unknown[] = []): Promise<{ rows?: Record<string, unknown>[]; affected?: number; error?: string }> {
    try {
      return await db.inTenant(tenantId, async (em) => {
        const r = await em.getConnection().execute<{ affectedRows: number; rows: Record<string, unknown>[] }>(text, params, 'run', em.getTransactionContext());
        return { rows: r.rows, affected: r.affectedRows };
      });
    } catch (e) {
      return { error: (e as { code?: string }).code ?? (e as Error).message };
    }
  }

  it('reads none of A’s jobs from B’s scope, and none at all without a tenant', async () => {
    const mine = await asTenant(B, `select tenant_id::text as owner from log_export`);
    expect(mine.rows!.length).toBeGreaterThan(0);
    expect(new Set(mine.rows!.map((r) => r.owner))).toEqual(new Set([B]));
    expect((await asTenant(B, `select count(*)::int as n from log_export where id = ?`, [jobA])).rows).toEqual([{ n: 0 }]);
    expect((await asTenant(A, `select count(*)::int as n from log_export where id = ?`, [jobA])).rows).toEqual([{ n: 1 }]);
    expect(await db.withoutTenant((em) => em.execute(`select count(*)::int as n from log_export`))).toEqual([{ n: 0 }]);
  });

  it('changes none of A’s jobs from B’s scope, cannot write a job into A, and cannot delete', async () => {
    const before = await hub.ownerQuery(`select to_jsonb(e) as row from log_export e where id = $1`, [jobA]);
    const update = await asTenant(B, `update log_export set status = 'EXPIRED', filter = '{}' where id = ?`, [jobA]);
    expect(update.affected).toBe(0);
    const insert = await asTenant(B, `insert into log_export (id, tenant_id, requested_by, access, filter, format, status) values (gen_random_uuid(), ?, 'b', '{}', '{}', 'CSV', 'QUEUED')`, [A]);
    expect(insert.error).toBe('42501');
    const remove = await asTenant(A, `delete from log_export where id = ?`, [jobA]);
    expect(remove.error).toBe('42501');
    expect(await hub.ownerQuery(`select to_jsonb(e) as row from log_export e where id = $1`, [jobA])).toEqual(before);
  });
});
