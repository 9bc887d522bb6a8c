/**
 * Diary hooks against a real PostgreSQL (the hub's migrations and demo seed) and a real HTTP
 * registry double that checks the signature: dispatched letters (DELIVERED digitally, POSTED through
 * the real print path) are registered once with the registry's number stored and a letter event
 * appended; retries, failures and the admin's retry; which hook applies; several workers; tenant
 * isolation of both tables; the audit trail of every admin change.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { KeyVault } from '@hub/keys';
import { IntakeErrorCode, LetterValidationError, sql } from '@hub/letters';
import { createLogger } from '@hub/observability';
import { TenantDb } from '@hub/persistence';
import { applyPrintStatus, PreparePrintHandler, PrintScheduler, PrintVendors } from '@hub/print-path';
import { makeTestPdf } from '@hub/testing';
import { HubDatabase, insertLetters, startHubDatabase, TestLetter } from '../../../test/support';
import { DiaryEventConsumer } from './diary-consumer';
import { DiaryHookService } from './diary-hook.service';
import { DiarySender } from './diary-sender';
import { startDiaryWorker } from './diary-worker';
import { RegistryDouble } from './registry-double.spec-helper';

jest.setTimeout(60_000);

const log = createLogger('diary-test', process.env.TEST_LOG_LEVEL ?? 'silent');
/** Skatteverket test personnummer: at Kivra in the demo register / not registered. */
const DIGITAL_RECIPIENT = '198101032384';
const PAPER_RECIPIENT = '201001012382';

let hub: HubDatabase;
let db: TenantDb;
let vault: KeyVault;
let service: DiaryHookService;
let registry: RegistryDouble;
let consumer: DiaryEventConsumer;
let workDir: string;

const demo = () => ({ tenantId: hub.demo.tenantId, actor: 'admin-anna' });
const other = () => ({ tenantId: hub.other.tenantId, actor: 'admin-olle' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sender(owner = 'worker-1', overrides: Partial<ConstructorParameters<typeof DiarySender>[0]> = {}): DiarySender {
  return new DiarySender({ db, vault, log, owner, allowHttpLocalhost: true, retryBaseMs: 20, retryMaxMs: 40, timeoutMs: 5000, ...overrides });
}

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'diary' });
  db = new TenantDb(await hub.appOrm());
  vault = new KeyVault(hub.masterKey);
  service = new DiaryHookService({ db, vault, allowHttpLocalhost: true, retryTotalMs: 60_000 });
  consumer = new DiaryEventConsumer({ db, log, retryTotalMs: 60_000, settleMs: 0 });
  registry = new RegistryDouble();
  await registry.start();
  workDir = mkdtempSync(join(tmpdir(), 'hub-diary-'));
});

afterAll(async () => {
  await registry?.stop();
  await hub?.drop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

// Each test starts without hooks (deleting cancels whatever an earlier test left pending).
afterEach(async () => {
  for (const ctx of [demo(), other()]) for (const h of await service.list(ctx)) await service.delete(ctx, h.id);
});

/** A hook at a path of the registry double, which learns its secret as an admin would set it up. */
async function hook(path: string, input: { caseTypeCode?: string | null; includeRecipient?: boolean; enabled?: boolean } = {}, ctx = demo()) {
  const created = await service.create(ctx, { name: `Diariet ${path}`, url: `${registry.url}${path}`, ...input });
  registry.setSecret(path, created.secret!);
  return created.hook;
}

async function letters(list: Partial<TestLetter>[], tenant: 'demo' | 'other' = 'demo'): Promise<string[]> {
  const tenantId = tenant === 'other' ? hub.other.tenantId : hub.demo.tenantId;
  for (const l of list) if (l.caseTypeCode) await ensureCaseType(tenantId, l.caseTypeCode);
  return insertLetters(
    db,
    hub,
    list.map((l) => ({ recipientId: DIGITAL_RECIPIENT, ...(tenant === 'other' ? { sendingUnitId: hub.other.unitId } : {}), ...l })),
    { enqueue: false, tenantId },
  );
}

/**
 * Letters name their case type by code, and the policies work makes that a foreign key into its
 * case_type table: the case types these tests use are made there (the diary itself does not read it).
 */
async function ensureCaseType(tenantId: string, code: string): Promise<void> {
  await hub.ownerQuery(
    `insert into case_type (tenant_id, code, name, default_protection_class, subject_template, allowed_channels, diary_enabled)
     values ($1, $2, $2, 1, 'Ärende', array['DIGITAL','PRINT'], $3) on conflict (tenant_id, code) do nothing`,
    [tenantId, code, !code.startsWith('no-diary')],
  );
}

/** What the digital dispatch leaves behind: DELIVERED with the operator and TransId, and the event. */
async function deliver(id: string, transId = `trans-${randomUUID()}`): Promise<string> {
  const [row] = await hub.ownerQuery<{ tenant_id: string }>(
    `update letter set status = 'DELIVERED', channel = 'DIGITAL', channel_decision = 'DIGITAL', operator_id = '165599000030', operator_name = 'Kivra',
            trans_id = $2, dispatched_at = now() where id = $1 returning tenant_id`,
    [id, transId],
  );
  await hub.ownerQuery(
    `insert into letter_event (tenant_id, letter_id, type, from_status, to_status, detail) values ($1, $2, 'DELIVERED', 'SEALED', 'DELIVERED', $3)`,
    [row.tenant_id, id, JSON.stringify({ transId, operatorId: '165599000030', operatorName: 'Kivra' })],
  );
  return transId;
}

const registration = async (letterId: string) =>
  hub.ownerQuery<{ id: string; hook_id: string; status: string; registration_number: string | null; attempts: number; last_error: string | null; last_http_status: number | null; next_attempt_at: Date | null }>(
    `select id, hook_id, status, registration_number, attempts, last_error, last_http_status, next_attempt_at from diary_registration where letter_id = $1`,
    [letterId],
  );
const diaryEvents = async (letterId: string) =>
  hub.ownerQuery<{ type: string; from_status: string; to_status: string; detail: Record<string, unknown> }>(
    `select type, from_status, to_status, detail from letter_event where letter_id = $1 and type like 'DIARY%' order by id`,
    [letterId],
  );

/** The parts of the registry's document these tests read. */
interface SentDocument {
  letter: { id: string; recipient?: unknown };
  document: { content: string; sha256: string };
  attachments: unknown[];
  evidence: { deliveredAt: string };
}

function pdfText(pdf: Buffer): string {
  const file = join(workDir, `${randomUUID()}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
}

describe('a letter delivered digitally', () => {
  it('is registered once: signed document with metadata, rendition and evidence; the number stored and the event appended', async () => {
    const h = await hook('/digital');
    const attachment = await makeTestPdf('Bilagan till beslutet');
    const [id] = await letters([{ subject: 'Beslut om bygglov', caseReference: 'BN 2026-77', caseTypeCode: 'bygglov', protectionClass: 2, attachments: [{ filename: 'beslut.pdf', content: attachment }] }]);
    const transId = await deliver(id);

    await consumer.tick();
    expect(await sender().tick()).toBe(false);

    const received = registry.at('/digital');
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req.verdict).toBe('ok');
    expect(req.headers['x-hub-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const [reg] = await registration(id);
    expect(req.headers['x-hub-delivery']).toBe(reg.id);
    const body = req.body as unknown as SentDocument;
    expect(body).toMatchObject({
      schema: 'dispatch-hub/diary-registration/v1',
      registrationId: reg.id,
      hook: { id: h.id },
      organisation: { name: 'Demo kommun', orgNumber: '162120001231' },
      letter: {
        id,
        caseReference: 'BN 2026-77',
        caseType: 'bygglov',
        sendingUnit: { code: 'bygg', orgNumber: hub.demo.units.bygg.orgNumber },
        subject: 'Beslut om bygglov',
        protectionClass: 2,
        recipient: { id: DIGITAL_RECIPIENT, kind: 'personnummer' },
      },
      document: { kind: 'RENDITION', contentType: 'application/pdf', attachmentsMerged: true },
      attachments: [],
      evidence: { channel: 'DIGITAL', operator: { id: '165599000030', name: 'Kivra' }, transId },
    });
    expect(Date.parse(body.evidence.deliveredAt)).not.toBeNaN();
    const pdf = Buffer.from(body.document.content, 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(body.document.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
    const text = pdfText(pdf);
    expect(text).toContain('Beslut om bygglov');
    expect(text).toContain('Bilagan till beslutet');
    expect(text).toContain('Levererat digitalt');
    expect(text).not.toContain(DIGITAL_RECIPIENT);

    expect(reg).toMatchObject({ status: 'REGISTERED', registration_number: expect.stringMatching(/^KS 2026\/\d+$/), attempts: 1, hook_id: h.id });
    expect(await diaryEvents(id)).toEqual([
      { type: 'DIARY_REGISTERED', from_status: 'DELIVERED', to_status: 'DELIVERED', detail: { registrationNumber: reg.registration_number, hookId: h.id, hookName: 'Diariet /digital' } },
    ]);
    expect((await service.forLetters(demo(), [id])).get(id)).toMatchObject({ status: 'REGISTERED', registrationNumber: reg.registration_number, registeredAt: expect.any(Date) });

    // The event stream is at-least-once: the same events again, and more rounds, change nothing.
    await hub.ownerQuery(`update event_consumer set last_event_id = 0 where name = 'diary-hooks'`);
    await consumer.tick();
    await sender().tick();
    expect(await registration(id)).toHaveLength(1);
    expect(registry.at('/digital')).toHaveLength(1);
    expect(await diaryEvents(id)).toHaveLength(1);
  });

  it('leaves the recipient out when the hook says so, and sends attachments it cannot merge as they were', async () => {
    await hook('/anonymous', { includeRecipient: false });
    // A landscape attachment is not A4 portrait: the renderer refuses to merge it.
    const wide = await new Promise<Buffer>((resolve) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const PDFDocument = require('pdfkit');
      const doc = new PDFDocument({ size: [400, 200] });
      const chunks: Buffer[] = [];
      doc.on('data', (c: Buffer) => chunks.push(c));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.text('Bred bilaga');
      doc.end();
    });
    const [id] = await letters([{ attachments: [{ filename: 'bred.pdf', content: wide }] }]);
    await deliver(id);
    await consumer.tick();
    await sender().tick();
    const [req] = registry.at('/anonymous');
    expect(req.verdict).toBe('ok');
    const body = req.body as unknown as SentDocument;
    expect(body.letter.recipient).toBeUndefined();
    expect(req.raw).not.toContain(DIGITAL_RECIPIENT);
    expect(body.document).toMatchObject({ kind: 'RENDITION', attachmentsMerged: false });
    expect(body.attachments).toEqual([{ filename: 'bred.pdf', contentType: 'application/pdf', bytes: wide.length, sha256: createHash('sha256').update(wide).digest('hex'), content: wide.toString('base64') }]);
    expect((await registration(id))[0].status).toBe('REGISTERED');
  });
});

describe('a letter posted on paper', () => {
  it('is registered once with the PDF exactly as printed and the print evidence', async () => {
    await hook('/paper');
    const vendors = new PrintVendors(db, 0);
    const [id] = await letters([{ recipientId: PAPER_RECIPIENT, subject: 'Beslut om färdtjänst' }]);
    await hub.ownerQuery(`update letter set status = 'PRINT_PENDING', channel = 'PRINT', channel_decision = 'PRINT' where id = $1`, [id]);
    expect(await new PreparePrintHandler({ db, vendors }).handle({ tenantId: hub.demo.tenantId, letterId: id }, log)).toBe('READY');
    const vendor = (await vendors.byId('demo-print'))!;
    const batch = await new PrintScheduler({ db, vendors, intervalMs: 1000, timeZone: 'Europe/Stockholm', log }).closeBatch(hub.demo.tenantId, vendor, 'ECONOMY', 'SIZE');
    expect(batch).toBeDefined();
    const postedAt = new Date(Date.now() - 60_000);
    for (const status of ['PRINTED', 'POSTED'] as const) {
      await db.inTenant(hub.demo.tenantId, (em) =>
        applyPrintStatus(em, { tenantId: hub.demo.tenantId, letterId: id, status, vendorId: 'demo-print', batchId: batch!.id, source: 'letter', occurredAt: postedAt }),
      );
    }
    // Not dispatched until POSTED: the PRINTED event alone registers nothing (both are read in one round here).
    await consumer.tick();
    await sender().tick();

    const [req] = registry.at('/paper');
    expect(registry.at('/paper')).toHaveLength(1);
    expect(req.verdict).toBe('ok');
    const body = req.body as unknown as SentDocument;
    const [item] = await hub.ownerQuery<{ pdf: Buffer; pdf_sha256: string; sheets: number }>(`select pdf, pdf_sha256, sheets from print_item where letter_id = $1`, [id]);
    expect(body.document).toMatchObject({ kind: 'AS_SENT', sha256: item.pdf_sha256 });
    expect(Buffer.from(body.document.content, 'base64').equals(item.pdf)).toBe(true);
    expect(body.evidence).toEqual({
      channel: 'PRINT',
      vendor: { id: 'demo-print', name: expect.any(String) },
      batchId: batch!.id,
      postageClass: 'ECONOMY',
      sheets: item.sheets,
      printedAt: postedAt.toISOString(),
      postedAt: postedAt.toISOString(),
    });
    expect(body.letter).toMatchObject({ id, subject: 'Beslut om färdtjänst', recipient: { id: PAPER_RECIPIENT, name: 'Test Testsson' } });
    const regs = await registration(id);
    expect(regs).toEqual([expect.objectContaining({ status: 'REGISTERED', attempts: 1 })]);
    expect(await diaryEvents(id)).toEqual([expect.objectContaining({ type: 'DIARY_REGISTERED', from_status: 'POSTED', detail: expect.objectContaining({ registrationNumber: regs[0].registration_number }) })]);

    // A later RETURNED is not a second dispatch.
    await db.inTenant(hub.demo.tenantId, (em) =>
      applyPrintStatus(em, { tenantId: hub.demo.tenantId, letterId: id, status: 'RETURNED', reason: 'ADDRESSEE_UNKNOWN', vendorId: 'demo-print', batchId: batch!.id, source: 'letter' }),
    );
    await consumer.tick();
    await sender().tick();
    expect(registry.at('/paper')).toHaveLength(1);
    expect(await registration(id)).toHaveLength(1);
  });
});

describe('which hook applies', () => {
  it('uses the case type’s own hook before the tenant-wide one, never another case type’s, and none for a case type switched off', async () => {
    await hook('/bygg', { caseTypeCode: 'bygglov' });
    const ids = await letters([{ caseTypeCode: 'bygglov' }, { caseTypeCode: 'fardtjanst' }, {}]);
    for (const id of ids) await deliver(id);
    await consumer.tick();
    await sender().tick();
    expect((await registration(ids[0]))[0]).toMatchObject({ status: 'REGISTERED' });
    // Another case type's hook is not applied; without a tenant-wide hook nothing is registered.
    expect(await registration(ids[1])).toEqual([]);
    expect(await registration(ids[2])).toEqual([]);
    expect(registry.at('/bygg').map((r) => (r.body as { letter: { id: string } }).letter.id)).toEqual([ids[0]]);

    const all = await hook('/alla');
    const off = await hook('/social-av', { caseTypeCode: 'social', enabled: false });
    const next = await letters([{ caseTypeCode: 'bygglov' }, { caseTypeCode: 'fardtjanst' }, {}, { caseTypeCode: 'social' }]);
    for (const id of next) await deliver(id);
    await consumer.tick();
    await sender().tick();
    expect((await registration(next[0]))[0].hook_id).not.toBe(all.id);
    expect((await registration(next[1]))[0].hook_id).toBe(all.id);
    expect((await registration(next[2]))[0].hook_id).toBe(all.id);
    expect(await registration(next[3])).toEqual([]);
    expect(registry.at('/social-av')).toEqual([]);
    expect(off.enabled).toBe(false);

    // The case type is the switch: one with the diary hook off is not registered, not even by the tenant-wide hook.
    const [quiet] = await letters([{ caseTypeCode: 'no-diary-parkering' }]);
    await deliver(quiet);
    await consumer.tick();
    await sender().tick();
    expect(await registration(quiet)).toEqual([]);
  });

  it('does not send letters dispatched before the hook existed', async () => {
    const [id] = await letters([{}]);
    await deliver(id);
    await sleep(20);
    await hook('/ny');
    await consumer.tick();
    await sender().tick();
    expect(await registration(id)).toEqual([]);
    expect(registry.at('/ny')).toEqual([]);
  });

  it('registers nothing for a letter that was never dispatched (cancelled)', async () => {
    await hook('/ej');
    const [id] = await letters([{}]);
    await hub.ownerQuery(`update letter set status = 'CANCELLED' where id = $1`, [id]);
    await hub.ownerQuery(`insert into letter_event (tenant_id, letter_id, type, from_status, to_status, detail) values ($1, $2, 'CANCELLED', 'ACCEPTED', 'CANCELLED', '{}')`, [hub.demo.tenantId, id]);
    await consumer.tick();
    expect(await registration(id)).toEqual([]);
  });
});

describe('retries and failures', () => {
  it('retries after a 500 and then registers', async () => {
    await hook('/flaky');
    registry.script('/flaky', { status: 500, body: { error: 'database locked' } });
    const [id] = await letters([{}]);
    await deliver(id);
    await consumer.tick();
    const worker = sender();
    await worker.tick();
    const [first] = await registration(id);
    expect(first).toMatchObject({ status: 'PENDING', attempts: 1, last_http_status: 500, last_error: expect.stringContaining('the registry answered 500') });
    expect(first.next_attempt_at!.getTime()).toBeGreaterThan(Date.now() - 1000);
    expect(await diaryEvents(id)).toEqual([]);
    // The retrying registration is visible to the admin when asked for.
    expect((await service.failures(demo(), { includeRetrying: true })).map((f) => f.letterId)).toContain(id);
    expect((await service.failures(demo())).map((f) => f.letterId)).not.toContain(id);
    await sleep(80);
    await worker.tick();
    expect((await registration(id))[0]).toMatchObject({ status: 'REGISTERED', attempts: 2, last_http_status: 201 });
    expect(registry.at('/flaky').map((r) => r.verdict)).toEqual(['ok', 'ok']);
    // Each attempt is signed anew (a resend is never a replayed signature).
    expect(new Set(registry.at('/flaky').map((r) => r.headers['x-hub-signature'])).size).toBe(2);
    expect(await diaryEvents(id)).toHaveLength(1);
  });

  it('fails when the registry refuses (4xx), shows the failure to the admin, and registers after the admin’s retry', async () => {
    const h = await hook('/refusing');
    registry.script('/refusing', { status: 422, body: { error: 'unknown case reference' } });
    const [id] = await letters([{ caseReference: 'BN 2026-404', caseTypeCode: 'bygglov' }]);
    await deliver(id);
    await consumer.tick();
    await sender().tick();
    expect((await registration(id))[0]).toMatchObject({ status: 'FAILED', attempts: 1, last_http_status: 422 });
    expect(await diaryEvents(id)).toEqual([
      { type: 'DIARY_REGISTRATION_FAILED', from_status: 'DELIVERED', to_status: 'DELIVERED', detail: expect.objectContaining({ hookId: h.id, attempts: 1, httpStatus: 422, error: expect.stringContaining('unknown case reference') }) },
    ]);
    const failures = await service.failures(demo());
    expect(failures).toEqual([
      expect.objectContaining({ letterId: id, hookId: h.id, hookName: 'Diariet /refusing', status: 'FAILED', caseReference: 'BN 2026-404', caseTypeCode: 'bygglov', lastError: expect.stringContaining('422'), failedAt: expect.any(Date) }),
    ]);
    // Another worker round does not touch a failed registration.
    await sender().tick();
    expect(registry.at('/refusing')).toHaveLength(1);

    const retried = await service.retry(demo(), id);
    expect(retried).toEqual([expect.objectContaining({ letterId: id, status: 'PENDING', attempts: 1 })]);
    await sender().tick();
    expect((await registration(id))[0]).toMatchObject({ status: 'REGISTERED', attempts: 2 });
    expect((await diaryEvents(id)).map((e) => e.type)).toEqual(['DIARY_REGISTRATION_FAILED', 'DIARY_REGISTERED']);
    expect(await service.failures(demo())).toEqual([]);
    // Nothing left to retry: said clearly.
    await expect(service.retry(demo(), id)).rejects.toMatchObject({ code: IntakeErrorCode.BadInput, message: expect.stringMatching(/REGISTERED as KS 2026\/\d+: only a FAILED registration can be retried/) });
    await expect(service.retry(demo(), randomUUID())).rejects.toMatchObject({ code: IntakeErrorCode.NotFound });
  });

  it('gives up when the retry period is over, with the last error', async () => {
    await hook('/down');
    registry.script('/down', ...Array.from({ length: 200 }, () => ({ status: 503 })));
    const [id] = await letters([{}]);
    await deliver(id);
    await new DiaryEventConsumer({ db, log, retryTotalMs: 1000, settleMs: 0 }).tick();
    const worker = sender();
    for (let i = 0; i < 200 && (await registration(id))[0].status === 'PENDING'; i++) {
      await worker.tick();
      await sleep(30);
    }
    const [reg] = await registration(id);
    expect(reg.status).toBe('FAILED');
    expect(reg.attempts).toBeGreaterThan(1);
    expect(reg.last_error).toMatch(new RegExp(`^gave up after ${reg.attempts} attempts; the last: the registry answered 503`));
    expect((await diaryEvents(id)).map((e) => e.type)).toEqual(['DIARY_REGISTRATION_FAILED']);
  });

  it('keeps a registration waiting while its hook is disabled, and sends it once enabled again', async () => {
    const h = await hook('/paused');
    const [id] = await letters([{}]);
    await deliver(id);
    await consumer.tick();
    await service.update(demo(), h.id, { enabled: false });
    await sender().tick();
    expect(registry.at('/paused')).toEqual([]);
    expect((await registration(id))[0].status).toBe('PENDING');
    await service.update(demo(), h.id, { enabled: true });
    await sender().tick();
    expect((await registration(id))[0].status).toBe('REGISTERED');
  });

  it('cancels the pending and failed registrations of a deleted hook', async () => {
    const h = await hook('/deleted');
    registry.script('/deleted', { status: 400 });
    const [failed, pending] = await letters([{}, {}]);
    await deliver(failed);
    await consumer.tick();
    await sender().tick();
    await deliver(pending);
    await consumer.tick();
    await service.delete(demo(), h.id);
    const states = [(await registration(failed))[0].status, (await registration(pending))[0].status];
    expect(states).toEqual(['CANCELLED', 'CANCELLED']);
    await sender().tick();
    expect(registry.at('/deleted')).toHaveLength(1);
    expect(await service.failures(demo())).toEqual([]);
  });

  it('a rotated secret signs from then on; the registry still holding the old one refuses', async () => {
    const h = await hook('/rotated');
    const rotated = await service.update(demo(), h.id, { rotateSecret: true });
    expect(rotated.secret).toMatch(/^dhs_/);
    const [id] = await letters([{}]);
    await deliver(id);
    await consumer.tick();
    await sender().tick();
    expect(registry.at('/rotated').map((r) => r.verdict)).toEqual(['mismatch']);
    expect((await registration(id))[0]).toMatchObject({ status: 'FAILED', last_http_status: 401 });
    registry.setSecret('/rotated', rotated.secret!);
    await service.retry(demo(), id);
    await sender().tick();
    expect((await registration(id))[0].status).toBe('REGISTERED');
  });
});

describe('several workers', () => {
  it('registers a letter once however many consumers and senders run at the same time', async () => {
    await hook('/busy');
    const ids = await letters([{}, {}, {}, {}, {}]);
    for (const id of ids) await deliver(id);
    const consumers = [0, 1, 2].map(() => new DiaryEventConsumer({ db, log, retryTotalMs: 60_000, settleMs: 0 }));
    await Promise.all(consumers.map((c) => c.tick()));
    const senders = ['w1', 'w2', 'w3'].map((w) => sender(w, { batch: 2 }));
    for (let i = 0; i < 5; i++) await Promise.all(senders.map((s) => s.tick()));
    for (const id of ids) {
      expect(await registration(id)).toEqual([expect.objectContaining({ status: 'REGISTERED', attempts: 1 })]);
      expect(await diaryEvents(id)).toHaveLength(1);
    }
    expect(registry.at('/busy')).toHaveLength(ids.length);
  });

  it('a worker that died holding a registration leaves it to another after its lease; its late answer is ignored', async () => {
    await hook('/lease');
    const [id] = await letters([{}]);
    await deliver(id);
    await consumer.tick();
    const dead = sender('dead-worker');
    // The dead worker claimed it (and never got to send).
    const claimed = await db.withoutTenant(async (em) => (await sql<{ registration_id: string }>(em as EntityManager, `select * from diary_claim_due('dead-worker', 0.5, 10)`)).rows);
    expect(claimed.map((c) => c.registration_id)).toEqual([(await registration(id))[0].id]);
    expect(await sender('live-worker').tick()).toBe(false);
    expect(registry.at('/lease')).toEqual([]);
    await sleep(600);
    await sender('live-worker').tick();
    expect((await registration(id))[0].status).toBe('REGISTERED');
    // The dead worker's own attempt now finds nothing of its own to send.
    expect(await dead.send(hub.demo.tenantId, claimed[0].registration_id)).toBe('SKIPPED');
    expect(registry.at('/lease')).toHaveLength(1);
  });
});

describe('startDiaryWorker', () => {
  it('runs both loops: a letter delivered while it runs is registered, retried after an error, and the loops stop', async () => {
    await hook('/running');
    registry.script('/running', { status: 503 });
    const worker = startDiaryWorker({ db, log, vault, pollIntervalMs: 50, settleMs: 0, allowHttpLocalhost: true, retryBaseMs: 50, retryMaxMs: 100, workerId: 'loop-test' });
    try {
      const [id] = await letters([{}]);
      await deliver(id);
      for (let i = 0; i < 100 && (await registration(id))[0]?.status !== 'REGISTERED'; i++) await sleep(50);
      expect((await registration(id))[0]).toMatchObject({ status: 'REGISTERED', attempts: 2 });
      expect(registry.at('/running').map((r) => r.verdict)).toEqual(['ok', 'ok']);
    } finally {
      await worker.stop();
    }
    // Stopped: nothing more is picked up.
    const [later] = await letters([{}]);
    await deliver(later);
    await sleep(200);
    expect(await registration(later)).toEqual([]);
  });
});

describe('the signature as a receiver checks it', () => {
  it('lets a receiver reject a replayed request and a changed body', async () => {
    await hook('/replay');
    const [id] = await letters([{}]);
    await deliver(id);
    await consumer.tick();
    await sender().tick();
    const [original] = registry.at('/replay');
    expect(original.verdict).toBe('ok');
    expect(await registry.replay(original)).toBe(401);
    expect(registry.at('/replay')[1].verdict).toBe('replay');
    expect(await registry.replay({ ...original, raw: original.raw.replace(id, randomUUID()) })).toBe(401);
    expect(registry.at('/replay')[2].verdict).toBe('mismatch');
  });
});

describe('hook administration', () => {
  it('returns the secret once, stores it encrypted, and lists hooks without it', async () => {
    const created = await service.create(demo(), { name: '  Diariet  ', url: 'https://diarium.demo.se/hub?key=abc', caseTypeCode: 'bygglov' });
    expect(created.secret).toMatch(/^dhs_[A-Za-z0-9_-]{43}$/);
    expect(created.hook).toMatchObject({ name: 'Diariet', caseTypeCode: 'bygglov', enabled: true, includeRecipient: true });
    const [stored] = await hub.ownerQuery<{ secret_ciphertext: Buffer }>(`select secret_ciphertext from diary_hook where id = $1`, [created.hook.id]);
    expect(stored.secret_ciphertext.includes(Buffer.from(created.secret!))).toBe(false);
    expect(vault.decrypt(stored.secret_ciphertext, `diary_hook:${created.hook.id}`).toString()).toBe(created.secret);
    const listed = await service.list(demo());
    expect(listed).toEqual([created.hook]);
    expect(JSON.stringify(listed)).not.toContain(created.secret!);
    const unchanged = await service.update(demo(), created.hook.id, { name: 'Public 360' });
    expect(unchanged.secret).toBeNull();
    expect(unchanged.hook).toMatchObject({ name: 'Public 360', caseTypeCode: 'bygglov', url: 'https://diarium.demo.se/hub?key=abc' });
    // caseTypeCode null: tenant-wide.
    expect((await service.update(demo(), created.hook.id, { caseTypeCode: null })).hook.caseTypeCode).toBeNull();
  });

  it('refuses bad input, naming each field', async () => {
    const refused = async (fn: () => Promise<unknown>) => {
      const e = await fn().then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(LetterValidationError);
      return (e as LetterValidationError).fields.map((f) => [f.path, f.rule]);
    };
    const strict = new DiaryHookService({ db, vault });
    expect(await refused(() => strict.create(demo(), { name: '', url: 'http://diarium.demo.se/hub' }))).toEqual([['name', 'required'], ['url', 'https']]);
    expect(await refused(() => strict.create(demo(), { name: 'x', url: 'http://127.0.0.1:9/hub' }))).toEqual([['url', 'https']]);
    expect(await refused(() => service.create(demo(), { name: 'x', url: 'http://10.0.0.1/hub' }))).toEqual([['url', 'https']]);
    expect(await refused(() => service.create(demo(), { name: 'x', url: 'not a url', caseTypeCode: ' ' }))).toEqual([['url', 'format'], ['caseTypeCode', 'format']]);
    expect(await refused(() => service.create(demo(), { name: 'x', url: 'https://user:pw@diarium.demo.se/' }))).toEqual([['url', 'noCredentials']]);
    expect(await refused(() => service.create(demo(), { name: 'x'.repeat(201), url: 'ftp://diarium.demo.se/' }))).toEqual([['name', 'maxLength'], ['url', 'https']]);
    await service.create(demo(), { name: 'first', url: 'https://a.demo.se/', caseTypeCode: 'bygglov' });
    expect(await refused(() => service.create(demo(), { name: 'second', url: 'https://b.demo.se/', caseTypeCode: 'bygglov' }))).toEqual([['caseTypeCode', 'unique']]);
    const wide = await service.create(demo(), { name: 'all', url: 'https://c.demo.se/' });
    expect(await refused(() => service.update(demo(), wide.hook.id, { caseTypeCode: 'bygglov' }))).toEqual([['caseTypeCode', 'unique']]);
    expect(await refused(() => service.update(demo(), wide.hook.id, { url: null, enabled: null }))).toEqual([['url', 'required'], ['enabled', 'required']]);
    expect(await refused(() => service.failures(demo(), { first: 0 }))).toEqual([['first', 'range']]);
    await expect(service.update(demo(), 'not-a-uuid', { name: 'x' })).rejects.toMatchObject({ code: IntakeErrorCode.NotFound });
  });

  it('writes every change to the audit trail, without secrets or URL query strings', async () => {
    const before = Number((await hub.ownerQuery<{ n: string }>(`select count(*) as n from audit_log where tenant_id = $1`, [hub.demo.tenantId]))[0].n);
    const created = await service.create(demo(), { name: 'Diariet', url: `${registry.url}/audited?token=s3cret`, caseTypeCode: 'bygglov' });
    registry.setSecret('/audited?token=s3cret', created.secret!);
    const rotated = await service.update(demo(), created.hook.id, { name: 'Diariet 2', rotateSecret: true });
    registry.setSecret('/audited?token=s3cret', rotated.secret!);
    registry.script('/audited?token=s3cret', { status: 400 });
    const [id] = await letters([{ caseTypeCode: 'bygglov' }]);
    await deliver(id);
    await consumer.tick();
    await sender().tick();
    await service.retry(demo(), id);
    await service.delete(demo(), created.hook.id);
    const entries = await hub.ownerQuery<{ actor: string; action: string; target: string; detail: Record<string, unknown> }>(
      `select actor, action, target, detail from audit_log where tenant_id = $1 order by seq offset $2`,
      [hub.demo.tenantId, before],
    );
    expect(entries.map((e) => [e.actor, e.action, e.target])).toEqual([
      ['admin-anna', 'diaryHook.create', `diaryHook:${created.hook.id}`],
      ['admin-anna', 'diaryHook.update', `diaryHook:${created.hook.id}`],
      ['admin-anna', 'diaryRegistration.retry', `letter:${id}`],
      ['admin-anna', 'diaryHook.delete', `diaryHook:${created.hook.id}`],
    ]);
    expect(entries[0].detail).toEqual({ name: 'Diariet', url: `${registry.url}/audited?…`, caseTypeCode: 'bygglov', enabled: true, includeRecipient: true });
    expect(entries[1].detail).toEqual({ changes: { name: { from: 'Diariet', to: 'Diariet 2' } }, secretRotated: true });
    expect(entries[2].detail).toEqual({ registrations: [expect.objectContaining({ hookId: created.hook.id, attempts: 1, lastError: expect.stringContaining('400') })] });
    expect(entries[3].detail).toMatchObject({ name: 'Diariet 2', cancelledRegistrations: 1 });
    const all = JSON.stringify(entries);
    for (const secret of [created.secret!, rotated.secret!, 's3cret']) expect(all).not.toContain(secret);
  });
});

describe('tenant isolation', () => {
  it('another municipality can neither see nor change a municipality’s hooks and registrations, through the service or raw SQL', async () => {
    const h = await hook('/isolated');
    const [id] = await letters([{}]);
    await deliver(id);
    await consumer.tick();
    registry.script('/isolated', { status: 400 });
    await sender().tick();
    const [reg] = await registration(id);
    expect(reg.status).toBe('FAILED');

    // Through the service: absent.
    expect(await service.list(other())).toEqual([]);
    expect(await service.failures(other())).toEqual([]);
    expect((await service.forLetters(other(), [id])).size).toBe(0);
    await expect(service.update(other(), h.id, { enabled: false })).rejects.toMatchObject({ code: IntakeErrorCode.NotFound });
    await expect(service.delete(other(), h.id)).rejects.toMatchObject({ code: IntakeErrorCode.NotFound });
    await expect(service.retry(other(), id)).rejects.toMatchObject({ code: IntakeErrorCode.NotFound });

    // Raw SQL through the application's connection, in the other tenant's transaction.
    await db.inTenant(hub.other.tenantId, async (em) => {
      expect((await sql(em, `select * from diary_hook where id = $1`, [h.id])).rows).toEqual([]);
      expect((await sql(em, `select * from diary_registration where id = $1`, [reg.id])).rows).toEqual([]);
      expect((await sql(em, `select count(*)::int as n from diary_hook`)).rows[0]).toEqual({ n: 0 });
      expect((await sql(em, `update diary_hook set url = 'https://evil.example/' where id = $1`, [h.id])).rowCount).toBe(0);
      expect((await sql(em, `update diary_registration set status = 'PENDING' where id = $1`, [reg.id])).rowCount).toBe(0);
    });
    await expect(
      db.inTenant(hub.other.tenantId, (em) =>
        sql(em, `insert into diary_hook (id, tenant_id, name, url, secret_ciphertext, created_by) values ($1, $2, 'x', 'https://evil.example/', '\\x00', 'x')`, [randomUUID(), hub.demo.tenantId]),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(
      db.inTenant(hub.other.tenantId, (em) =>
        sql(em, `insert into diary_registration (tenant_id, letter_id, hook_id, event_id, status, give_up_at) values ($1, $2, $3, 1, 'PENDING', now())`, [hub.demo.tenantId, id, h.id]),
      ),
    ).rejects.toThrow(/row-level security/);
    // Without a tenant nothing is visible, and deleting is not granted at all.
    await db.withoutTenant(async (em) => {
      expect((await sql(em as EntityManager, `select * from diary_hook`)).rows).toEqual([]);
      expect((await sql(em as EntityManager, `select * from diary_registration`)).rows).toEqual([]);
    });
    await expect(db.inTenant(hub.demo.tenantId, (em) => sql(em, `delete from diary_registration where id = $1`, [reg.id]))).rejects.toThrow(/permission denied/);
    // And the row is as it was.
    expect((await hub.ownerQuery<{ url: string }>(`select url from diary_hook where id = $1`, [h.id]))[0].url).toBe(`${registry.url}/isolated`);
    expect((await registration(id))[0].status).toBe('FAILED');
  });

  it('the other municipality’s own hook gets only its own letters', async () => {
    await hook('/demo-own');
    await hook('/other-own', {}, other());
    const [mine] = await letters([{}]);
    const [theirs] = await letters([{}], 'other');
    await deliver(mine);
    await deliver(theirs);
    await consumer.tick();
    await sender().tick();
    expect(registry.at('/demo-own').map((r) => (r.body as { letter: { id: string } }).letter.id)).toEqual([mine]);
    expect(registry.at('/other-own').map((r) => (r.body as { letter: { id: string }; organisation: { name: string } })).map((b) => [b.letter.id, b.organisation.name])).toEqual([[theirs, 'Annan kommun']]);
  });
});
