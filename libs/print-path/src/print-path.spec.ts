/**
 * The print path against a real PostgreSQL (the hub's migrations and demo seed): a letter routed to
 * print is rendered and waits for a batch, a batch closes and is assembled into files, the vendor
 * pulls, acknowledges and reports back, and the letter's state and history follow. Also: what the
 * print path holds for a person, the unacknowledged-batch alarm, releasing a held letter, and that
 * one municipality never sees another's print items or batches.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobName } from '@hub/jobs';
import { sql } from '@hub/letters';
import { createLogger } from '@hub/observability';
import { TenantDb } from '@hub/persistence';
import { makeTestPdf } from '@hub/testing';
import { HubDatabase, insertLetters, startHubDatabase, TestLetter } from '../../../test/support';
import { AssembleBatchHandler } from './assemble-batch.handler';
import { BatchStorage } from './batch-storage';
import { LetterPrintService } from './letter-print.service';
import { PreparePrintHandler } from './prepare-print.handler';
import { PrintScheduler } from './print-scheduler';
import { PrintVendors } from './print-vendors';
import { PrintVendorService, VendorApiError } from './vendor-api/print-vendor.service';

jest.setTimeout(60_000);

const log = createLogger('print-path-test', process.env.TEST_LOG_LEVEL ?? 'silent');
const NOT_REGISTERED = '201001012382';

let hub: HubDatabase;
let db: TenantDb;
let vendors: PrintVendors;
let storageDir: string;
let prepare: PreparePrintHandler;
let assemble: AssembleBatchHandler;
let service: PrintVendorService;
let printQueries: LetterPrintService;
/** One hour ahead: every READY item has waited longer than the demo vendor's 10 s. */
const later = () => new Date(Date.now() + 3_600_000);

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'print-path' });
  db = new TenantDb(await hub.appOrm());
  vendors = new PrintVendors(db, 0);
  storageDir = mkdtempSync(join(tmpdir(), 'hub-print-'));
  const storage = new BatchStorage(storageDir);
  prepare = new PreparePrintHandler({ db, vendors });
  assemble = new AssembleBatchHandler({ db, vendors, storage });
  service = new PrintVendorService({ db, vendors, storage, log });
  printQueries = new LetterPrintService(db);
  await hub.ownerQuery(`insert into print_vendor (id, name, client_id) values ('other-print', 'Annat tryckeri', 'other-print-vendor')`);
  // Two vendors now: the demo tenant names its own.
  await hub.ownerQuery(`update tenant set settings = settings || '{"print": {"vendorId": "demo-print"}}' where id = $1`, [hub.demo.tenantId]);
});

afterAll(async () => {
  await hub?.drop();
  if (storageDir) rmSync(storageDir, { recursive: true, force: true });
});

const ctx = () => ({ tenantId: hub.demo.tenantId, actor: 'test' });

/** Letters as the channel switch leaves them for the print path: PRINT_PENDING, with the PRINT decision. */
async function printPending(letters: Partial<TestLetter>[]): Promise<string[]> {
  const ids = await insertLetters(db, hub, letters.map((l) => ({ recipientId: NOT_REGISTERED, ...l })), { enqueue: false });
  await hub.ownerQuery(`update letter set status = 'PRINT_PENDING', channel = 'PRINT', channel_decision = 'PRINT', status_reason = 'NOT_REGISTERED' where id = any($1::uuid[])`, [ids]);
  return ids;
}

const letterRow = async (id: string) =>
  (await hub.ownerQuery<{ status: string; status_reason: string | null; channel_decision: string | null }>(`select status, status_reason, channel_decision from letter where id = $1`, [id]))[0];
const eventTypes = async (id: string) => (await hub.ownerQuery<{ type: string }>(`select type from letter_event where letter_id = $1 order by id`, [id])).map((e) => e.type);
const lastEvent = async (id: string) =>
  (await hub.ownerQuery<{ type: string; detail: Record<string, unknown> }>(`select type, detail from letter_event where letter_id = $1 order by id desc limit 1`, [id]))[0];

describe('rendering a letter for print', () => {
  it('stores the print-ready PDF with its page count and the window address, once', async () => {
    const [id] = await printPending([{ attachments: [{ filename: 'beslut.pdf', content: await makeTestPdf('Beslut') }] }]);
    expect(await prepare.handle({ tenantId: hub.demo.tenantId, letterId: id }, log)).toBe('READY');
    const [item] = await hub.ownerQuery<{ status: string; vendor_id: string; postage_class: string; pages: number; sheets: number; address_lines: string[]; pdf: Buffer; pdf_sha256: string }>(
      `select status, vendor_id, postage_class, pages, sheets, address_lines, pdf, pdf_sha256 from print_item where letter_id = $1`,
      [id],
    );
    expect(item).toMatchObject({ status: 'READY', vendor_id: 'demo-print', postage_class: 'ECONOMY' });
    expect(item.pages).toBeGreaterThanOrEqual(2);
    expect(item.address_lines[0]).toBe('Test Testsson');
    expect(item.address_lines.join(' ')).toMatch(/123 45 Demostad/);
    expect(item.pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(item.pdf_sha256).toBe(createHash('sha256').update(item.pdf).digest('hex'));
    expect(await letterRow(id)).toMatchObject({ status: 'PRINT_PENDING' });
    expect(await lastEvent(id)).toMatchObject({ type: 'PRINT_RENDERED', detail: { vendorId: 'demo-print', envelopeProfile: 'C5-H2', pages: item.pages } });
    // A second run (a duplicate job) changes nothing.
    expect(await prepare.handle({ tenantId: hub.demo.tenantId, letterId: id }, log)).toBe('SKIPPED');
    expect((await hub.ownerQuery(`select 1 from print_item where letter_id = $1`, [id])).length).toBe(1);
  });

  it('holds a letter whose attachment cannot be printed, saying what is wrong', async () => {
    const [id] = await printPending([{ attachments: [{ filename: 'trasig.pdf', content: Buffer.from('%PDF-1.4\nthis is not a PDF') }] }]);
    expect(await prepare.handle({ tenantId: hub.demo.tenantId, letterId: id }, log)).toBe('HELD');
    expect(await letterRow(id)).toMatchObject({ status: 'HELD', status_reason: 'PRINT_REFUSED', channel_decision: 'HOLD' });
    const held = await lastEvent(id);
    expect(held.type).toBe('HELD');
    expect(held.detail).toMatchObject({ holdReason: 'PRINT_REFUSED', problems: [expect.objectContaining({ code: 'ATTACHMENT_CORRUPT' })] });
    expect((await hub.ownerQuery(`select 1 from print_item where letter_id = $1`, [id])).length).toBe(0);
  });

  it('uses the municipality’s own envelope profile, and holds letters while that profile is impossible', async () => {
    const own = {
      id: 'DEMO-EGEN',
      name: 'Demo kommuns fönsterkuvert',
      envelope: 'C5',
      window: { x: 20, y: 45, width: 95, height: 35 },
      windowPaddingMm: 4,
      senderBlock: { x: 120, y: 12, width: 75, height: 26 },
      printableArea: { topMm: 10, rightMm: 15, bottomMm: 15, leftMm: 15 },
      source: 'test',
    };
    const setOwn = (profile: unknown) =>
      hub.ownerQuery(`update tenant set settings = jsonb_set(settings, '{print,customEnvelopeProfile}', $2::jsonb) where id = $1`, [hub.demo.tenantId, JSON.stringify(profile)]);
    try {
      await setOwn(own);
      const [id] = await printPending([{}]);
      expect(await prepare.handle({ tenantId: hub.demo.tenantId, letterId: id }, log)).toBe('READY');
      expect(await lastEvent(id)).toMatchObject({ type: 'PRINT_RENDERED', detail: { envelopeProfile: 'DEMO-EGEN' } });
      // The window reaching off the sheet: refused, with what is wrong.
      await setOwn({ ...own, window: { x: 150, y: 45, width: 95, height: 35 } });
      const [held] = await printPending([{}]);
      expect(await prepare.handle({ tenantId: hub.demo.tenantId, letterId: held }, log)).toBe('HELD');
      expect(await lastEvent(held)).toMatchObject({ type: 'HELD', detail: { holdReason: 'PRINT_REFUSED', problems: [expect.objectContaining({ code: 'INVALID_PROFILE' })] } });
    } finally {
      await hub.ownerQuery(`update tenant set settings = settings #- '{print,customEnvelopeProfile}' where id = $1`, [hub.demo.tenantId]);
    }
  });

  it('holds a letter when the municipality’s vendor is not registered', async () => {
    await hub.ownerQuery(`update tenant set settings = settings || '{"print": {"vendorId": "no-such-vendor"}}' where id = $1`, [hub.demo.tenantId]);
    try {
      const [id] = await printPending([{}]);
      expect(await prepare.handle({ tenantId: hub.demo.tenantId, letterId: id }, log)).toBe('HELD');
      expect(await lastEvent(id)).toMatchObject({ type: 'HELD', detail: { holdReason: 'NO_PRINT_VENDOR', problem: expect.stringContaining('no-such-vendor') } });
    } finally {
      await hub.ownerQuery(`update tenant set settings = settings || '{"print": {"vendorId": "demo-print"}}' where id = $1`, [hub.demo.tenantId]);
    }
  });
});

describe('a batch from closing to the vendor’s last report', () => {
  let ids: string[];
  let batchId: string;

  beforeAll(async () => {
    // Earlier tests left READY items: close them away first so this batch holds exactly these letters.
    await new PrintScheduler({ db, vendors, intervalMs: 1000, timeZone: 'Europe/Stockholm', log, now: later }).closeDueBatches();
    ids = await printPending([
      { postalAddress: { name: 'Åsa Öberg', lines: ['Ängsvägen 2'], postalCode: '123 45', city: 'Demostad' } },
      { attachments: [{ filename: 'bilaga.pdf', content: await makeTestPdf('Bilaga') }] },
      { postalAddress: { name: 'Okänd Mottagare', lines: ['Gränden 3'], postalCode: '123 46', city: 'Demostad' } },
    ]);
    for (const id of ids) expect(await prepare.handle({ tenantId: hub.demo.tenantId, letterId: id }, log)).toBe('READY');
  });

  it('closes when due, numbering the letters and moving them to BATCHED', async () => {
    const scheduler = new PrintScheduler({ db, vendors, intervalMs: 1000, timeZone: 'Europe/Stockholm', log });
    // Rendered just now, before any cut-off and within the 10 s wait: not due yet.
    expect(scheduler.dueReason((await vendors.byId('demo-print'))!, 3, new Date())).toBeUndefined();
    const due = new PrintScheduler({ db, vendors, intervalMs: 1000, timeZone: 'Europe/Stockholm', log, now: later });
    await due.closeDueBatches();
    const items = await hub.ownerQuery<{ letter_id: string; batch_id: string; sequence: number; first_page: number; last_page: number; status: string }>(
      `select letter_id, batch_id, sequence, first_page, last_page, status from print_item where letter_id = any($1::uuid[]) order by sequence`,
      [ids],
    );
    expect(items.map((i) => i.status)).toEqual(['BATCHED', 'BATCHED', 'BATCHED']);
    expect(new Set(items.map((i) => i.batch_id)).size).toBe(1);
    batchId = items[0].batch_id;
    expect(items.map((i) => i.sequence)).toEqual([1, 2, 3]);
    expect(items[0].first_page).toBe(1);
    expect(items[1].first_page).toBe(items[0].last_page + 1);
    for (const id of ids) {
      expect(await letterRow(id)).toMatchObject({ status: 'BATCHED' });
      expect(await lastEvent(id)).toMatchObject({ type: 'BATCHED', detail: { batchId, vendorId: 'demo-print' } });
    }
    const [batch] = await hub.ownerQuery<{ status: string; letters: number; close_reason: string }>(`select status, letters, close_reason from print_batch where id = $1`, [batchId]);
    expect(batch).toEqual({ status: 'ASSEMBLING', letters: 3, close_reason: 'MAX_WAIT' });
    const jobs = await hub.ownerQuery<{ payload: { batchId: string } }>(`select payload from outbox where job = $1`, [JobName.AssemblePrintBatch]);
    expect(jobs.map((j) => j.payload.batchId)).toContain(batchId);
    // A vendor does not see a batch still being assembled.
    expect((await service.listBatches(await service.vendorFor('demo-print-vendor'), 'ALL')).map((b) => b.id)).not.toContain(batchId);
  });

  it('assembles the batch files with their checksums, once', async () => {
    expect(await assemble.handle({ tenantId: hub.demo.tenantId, batchId }, log)).toBe('READY');
    expect(await assemble.handle({ tenantId: hub.demo.tenantId, batchId }, log)).toBe('SKIPPED');
    const [batch] = await hub.ownerQuery<{ status: string; pages: number; files: { pdf: { name: string; sha256: string; bytes: number } }; acknowledge_by: Date }>(
      `select status, pages, files, acknowledge_by from print_batch where id = $1`,
      [batchId],
    );
    expect(batch.status).toBe('READY');
    expect(batch.acknowledge_by.getTime()).toBeGreaterThan(Date.now());
    const pdfPath = join(storageDir, hub.demo.tenantId, batch.files.pdf.name);
    const pdf = readFileSync(pdfPath);
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(batch.files.pdf.sha256);
    expect(pdf.length).toBe(batch.files.pdf.bytes);
    expect(execFileSync('pdfinfo', [pdfPath]).toString()).toMatch(new RegExp(`Pages:\\s+${batch.pages}\\n`));
    // No half-written files are left behind.
    expect(execFileSync('ls', ['-A', join(storageDir, hub.demo.tenantId)]).toString()).not.toMatch(/assembling|\.part/);
  });

  it('lets its vendor, and only its vendor, list, download and acknowledge it', async () => {
    const vendor = await service.vendorFor('demo-print-vendor');
    const other = await service.vendorFor('other-print-vendor');
    await expect(service.vendorFor('demo-case-system')).rejects.toMatchObject({ httpStatus: 403, code: 'NOT_A_PRINT_VENDOR' });
    const listed = await service.listBatches(vendor, 'READY');
    const summary = listed.find((b) => b.id === batchId)!;
    expect(summary).toMatchObject({ tenant: { id: hub.demo.tenantId, name: 'Demo kommun' }, letters: 3, status: 'READY', postageClass: 'ECONOMY' });
    expect(await service.listBatches(other, 'ALL')).toEqual([]);
    await expect(service.getBatch(other, batchId)).rejects.toMatchObject({ httpStatus: 403 });
    await expect(service.openFile(other, batchId, 'pdf')).rejects.toBeInstanceOf(VendorApiError);
    await expect(service.acknowledge(other, batchId)).rejects.toMatchObject({ httpStatus: 403 });
    await expect(service.getBatch(vendor, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ httpStatus: 404 });

    for (const kind of ['pdf', 'manifestJson', 'manifestCsv'] as const) {
      const file = await service.openFile(vendor, batchId, kind);
      const chunks: Buffer[] = [];
      for await (const c of file.stream) chunks.push(c as Buffer);
      const bytes = Buffer.concat(chunks);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
      expect(summary.files[kind].sha256).toBe(file.sha256);
      if (kind === 'manifestJson') {
        const manifest = JSON.parse(bytes.toString('utf8'));
        expect(manifest.letters.map((l: { letterId: string }) => l.letterId)).toEqual(ids);
        expect(manifest.pdfSha256).toBe(summary.files.pdf.sha256);
        expect(manifest.letters[0].addressLines[0]).toBe('Åsa Öberg');
      }
    }
    await expect(service.reportBatchStatus(vendor, batchId, { status: 'PRINTED' })).rejects.toMatchObject({ httpStatus: 409, code: 'NOT_ACKNOWLEDGED' });
    const first = await service.acknowledge(vendor, batchId);
    const again = await service.acknowledge(vendor, batchId);
    expect(first.status).toBe('ACKNOWLEDGED');
    expect(again.acknowledgedAt).toBe(first.acknowledgedAt);
    expect((await service.listBatches(vendor, 'READY')).map((b) => b.id)).not.toContain(batchId);
  });

  it('follows the vendor’s reports into each letter’s state and history', async () => {
    const vendor = await service.vendorFor('demo-print-vendor');
    const other = await service.vendorFor('other-print-vendor');
    const printed = await service.reportBatchStatus(vendor, batchId, { status: 'PRINTED' });
    expect(printed.results.map((r) => r.accepted)).toEqual([true, true, true]);
    for (const id of ids) expect(await letterRow(id)).toMatchObject({ status: 'PRINTED' });

    await expect(service.reportLetterStatuses(vendor, { reports: [{ letterId: ids[2], status: 'RETURNED' }] })).rejects.toMatchObject({
      httpStatus: 400,
      message: expect.stringContaining('reports[0].reason is required'),
    });
    const returned = await service.reportLetterStatuses(vendor, {
      reports: [
        { letterId: ids[2], status: 'RETURNED', reason: 'ADDRESSEE_UNKNOWN' },
        { letterId: ids[2], status: 'PRINTED' },
        { letterId: 'not-an-id', status: 'POSTED' },
      ],
    });
    expect(returned.results).toEqual([
      { letterId: ids[2], accepted: true },
      { letterId: ids[2], accepted: true, duplicate: true },
      { letterId: 'not-an-id', accepted: false, error: expect.stringContaining('unknown letter') },
    ]);
    // Another vendor cannot report on these letters.
    expect((await service.reportLetterStatuses(other, { reports: [{ letterId: ids[0], status: 'POSTED' }] })).results[0]).toMatchObject({ accepted: false, error: expect.stringContaining('not one of your') });

    const posted = await service.reportBatchStatus(vendor, batchId, { status: 'POSTED', occurredAt: new Date(Date.now() - 60_000).toISOString() });
    expect(posted.results).toEqual([
      { letterId: ids[0], accepted: true },
      { letterId: ids[1], accepted: true },
      { letterId: ids[2], accepted: true, duplicate: true },
    ]);
    expect(await letterRow(ids[0])).toMatchObject({ status: 'POSTED' });
    expect(await letterRow(ids[2])).toMatchObject({ status: 'RETURNED', status_reason: 'ADDRESSEE_UNKNOWN' });
    const failedAfterPosting = await service.reportLetterStatuses(vendor, { reports: [{ letterId: ids[0], status: 'FAILED', reason: 'DAMAGED' }] });
    expect(failedAfterPosting.results[0]).toMatchObject({ accepted: false, error: expect.stringContaining('POSTED') });

    expect(await eventTypes(ids[0])).toEqual(['PRINT_RENDERED', 'BATCHED', 'PRINTED', 'POSTED']);
    expect(await eventTypes(ids[2])).toEqual(['PRINT_RENDERED', 'BATCHED', 'PRINTED', 'RETURNED']);
    const [batch] = await hub.ownerQuery<{ status: string }>(`select status from print_batch where id = $1`, [batchId]);
    expect(batch.status).toBe('POSTED');

    const views = await printQueries.forLetters(ctx(), ids);
    expect(views.get(ids[2])).toMatchObject({ status: 'RETURNED', vendorId: 'demo-print', batch: { id: batchId, status: 'POSTED', letters: 3 } });
    expect(views.get(ids[2])!.history.map((h) => [h.status, h.reason])).toEqual([
      ['PRINT_RENDERED', null],
      ['BATCHED', null],
      ['PRINTED', null],
      ['RETURNED', 'ADDRESSEE_UNKNOWN'],
    ]);
    expect((await printQueries.batches(ctx(), {})).map((b) => b.id)).toContain(batchId);
  });
});

describe('a batch its vendor does not acknowledge in time', () => {
  it('is flagged to the platform operator once', async () => {
    const [id] = await printPending([{}]);
    await prepare.handle({ tenantId: hub.demo.tenantId, letterId: id }, log);
    const flagged: string[] = [];
    const scheduler = new PrintScheduler({ db, vendors, intervalMs: 1000, timeZone: 'Europe/Stockholm', log, now: later, onUnacknowledged: (b) => flagged.push(b.batchId) });
    await scheduler.closeDueBatches();
    const [{ batch_id: batchId }] = await hub.ownerQuery<{ batch_id: string }>(`select batch_id from print_item where letter_id = $1`, [id]);
    await assemble.handle({ tenantId: hub.demo.tenantId, batchId }, log);
    await hub.ownerQuery(`update print_batch set acknowledge_by = now() - interval '1 minute' where id = $1`, [batchId]);
    await scheduler.tick();
    await scheduler.tick();
    expect(flagged).toEqual([batchId]);
    expect((await printQueries.unacknowledged()).map((b) => b.batchId)).toContain(batchId);
    expect((await printQueries.batches(ctx(), { status: 'READY' })).find((b) => b.id === batchId)?.notAcknowledgedInTime).toBe(true);
  });
});

describe('releasing a held letter to print', () => {
  it('needs an address when the letter has none, then renders it like any other', async () => {
    const [id] = await printPending([{ postalAddress: null }]);
    await hub.ownerQuery(`update letter set status = 'HELD', status_reason = 'NO_POSTAL_ADDRESS', channel_decision = 'HOLD' where id = $1`, [id]);
    await expect(printQueries.releaseToPrint(ctx(), id)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(printQueries.releaseToPrint(ctx(), id, { name: 'Test Testsson', lines: ['Storgatan 1'], postalCode: '1234', city: 'Demostad' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('postalAddress.postalCode'),
    });
    await printQueries.releaseToPrint(ctx(), id, { name: 'Test Testsson', lines: ['Storgatan 1'], postalCode: '12345', city: 'Demostad' }, 'adress från handläggaren');
    expect(await letterRow(id)).toMatchObject({ status: 'PRINT_PENDING', channel_decision: 'PRINT' });
    expect(await lastEvent(id)).toMatchObject({ type: 'RELEASED', detail: { heldFor: 'NO_POSTAL_ADDRESS', addressGiven: true, actor: 'test' } });
    const jobs = await hub.ownerQuery(`select 1 from outbox where letter_id = $1 and job = $2`, [id, JobName.PreparePrint]);
    expect(jobs).toHaveLength(1);
    expect(await prepare.handle({ tenantId: hub.demo.tenantId, letterId: id }, log)).toBe('READY');
    await expect(printQueries.releaseToPrint(ctx(), id)).rejects.toMatchObject({ message: expect.stringContaining('not HELD') });
  });

  it('never releases a DIGITAL_ONLY letter to print (held because its digital outcome is unknown)', async () => {
    const [id] = await printPending([{ channelPreference: 'DIGITAL_ONLY' }]);
    await hub.ownerQuery(`update letter set status = 'HELD', status_reason = 'DIGITAL_OUTCOME_UNKNOWN', channel_decision = 'HOLD' where id = $1`, [id]);
    await expect(printQueries.releaseToPrint(ctx(), id)).rejects.toMatchObject({ message: expect.stringContaining('DIGITAL_ONLY') });
    expect(await letterRow(id)).toMatchObject({ status: 'HELD' });
  });
});

describe('tenant isolation of print items and batches', () => {
  it('shows another municipality none of them, raw SQL included, and lets it change none', async () => {
    const other = hub.other.tenantId;
    const counts = await db.inTenant(other, async (em) => ({
      items: (await sql(em, 'select * from print_item')).rows.length,
      batches: (await sql(em, 'select * from print_batch')).rows.length,
      updatedItems: (await sql(em, `update print_item set status = 'FAILED'`)).rowCount,
      updatedBatches: (await sql(em, `update print_batch set status = 'FAILED'`)).rowCount,
    }));
    expect(counts).toEqual({ items: 0, batches: 0, updatedItems: 0, updatedBatches: 0 });
    expect(Number((await hub.ownerQuery<{ n: string }>(`select count(*) as n from print_item`))[0].n)).toBeGreaterThan(0);
    await expect(
      db.inTenant(other, (em) => sql(em, `insert into print_batch (tenant_id, vendor_id, postage_class, status) values ($1, 'demo-print', 'ECONOMY', 'READY')`, [hub.demo.tenantId])),
    ).rejects.toThrow(/row-level security/);
    expect(await printQueries.batches({ tenantId: other, actor: 'test' }, {})).toEqual([]);
    expect((await printQueries.forLetters({ tenantId: other, actor: 'test' }, (await hub.ownerQuery<{ letter_id: string }>(`select letter_id from print_item`)).map((r) => r.letter_id))).size).toBe(0);
    expect(existsSync(storageDir)).toBe(true);
  });
});
