/**
 * The delivery log's REST endpoints through real HTTP: a Nest application with the hub's
 * authentication (AuthModule, bearer tokens from the local OIDC issuer) and DeliveryLogApiModule,
 * against a real PostgreSQL. Downloads are parsed back; scoping, refusals, streaming, a client that
 * goes away mid-download, and export-job files are checked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthModule } from '@hub/auth';
import { createLogger } from '@hub/observability';
import { TenantDb } from '@hub/persistence';
import { pickTestPersonnummer } from '@hub/testing';
import { OidcClientSeed, RunningOidcIssuer, startOidcIssuer } from '../../../../apps/simulators/src/oidc/oidc-issuer';
import { HubDatabase, startHubDatabase } from '../../../../test/support';
import { DeliveryLogService } from '../delivery-log.service';
import { DELIVERY_LOG_COLUMNS } from '../log-columns';
import { ExportStorage, LogExportJobs, LogExportRunner } from '../log-export-jobs';
import { insertLogLetters, parseCsv } from '../log-test-data.spec-helper';
import { seedSyntheticLog } from '../synthetic-log';
import { DeliveryLogApiModule } from './delivery-log-api.module';

jest.setTimeout(120_000);

const AUDIENCE = 'dispatch-hub-api';
const SECRET = 'test-secret-0123456789';
const log = createLogger('delivery-log-api-test', process.env.TEST_LOG_LEVEL ?? 'silent');
const P1 = '198101032384';
const P2 = '199001012385';
const MAX_ROWS = 4_000;
/** Synthetic letters, one a second from 2026-03-03T00:00:00Z: more than a download may hold. */
const SYNTHETIC = 5_000;
/** The first 50 minutes of them: 2,999 letters (numbers 1–2,999), under the limit. */
const WINDOW_END = '2026-03-03T00:50:00Z';
const IN_WINDOW = 2_999;

const CLIENTS = {
  admin: { clientId: 'log-admin', clientSecret: SECRET, tenant: 'demo-kommun', roles: ['tenant-admin'] },
  officerBygg: { clientId: 'log-officer-bygg', clientSecret: SECRET, tenant: 'demo-kommun', roles: ['case-officer'], sendingUnit: 'bygg' },
  officerSocial: { clientId: 'log-officer-social', clientSecret: SECRET, tenant: 'demo-kommun', roles: ['case-officer'], sendingUnit: 'social' },
  officerNoUnit: { clientId: 'log-officer-nounit', clientSecret: SECRET, tenant: 'demo-kommun', roles: ['case-officer'] },
  caseSystem: { clientId: 'demo-case-system', clientSecret: SECRET, tenant: 'demo-kommun', roles: ['case-system'] },
  otherAdmin: { clientId: 'annan-admin', clientSecret: SECRET, tenant: 'annan-kommun', roles: ['tenant-admin'] },
  printVendor: { clientId: 'demo-print-vendor', clientSecret: SECRET, roles: ['print-vendor'] },
} satisfies Record<string, OidcClientSeed>;
type Who = keyof typeof CLIENTS;

let hub: HubDatabase;
let db: TenantDb;
let issuer: RunningOidcIssuer;
let app: INestApplication;
let base: string;
let exportDir: string;
const tokens = {} as Record<Who, string>;
const ids: Record<string, string> = {};

async function token(seed: OidcClientSeed): Promise<string> {
  const r = await fetch(issuer.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${seed.clientId}:${seed.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await r.json()) as { access_token: string };
  return body.access_token;
}

beforeAll(async () => {
  [hub, issuer] = await Promise.all([
    startHubDatabase({ label: 'delivery-log-api' }),
    startOidcIssuer({ port: 0, issuerPath: '/realms/dispatch-hub', audience: AUDIENCE, clients: Object.values(CLIENTS) }),
  ]);
  // A small pool: a download that kept its connection after the client left would starve the next requests.
  db = new TenantDb(await hub.appOrm(2));
  exportDir = mkdtempSync(join(tmpdir(), 'hub-log-api-'));
  const A = hub.demo.tenantId;
  const [client] = await hub.ownerQuery<{ id: string }>(`select id from api_client where tenant_id = $1 and client_id = 'demo-case-system'`, [A]);
  const t = (h: number) => new Date(Date.UTC(2026, 2, 2, 8 + h));
  const [a, b, c, d] = await insertLogLetters(hub, [
    { unitId: hub.demo.units.bygg.id, apiClientId: client.id, recipientId: P1, caseReference: 'BN 2026-1', subject: 'Beslut, "bygglov" för Åsa Öberg', createdAt: t(0), dispatchedAt: t(1) },
    { unitId: hub.demo.units.bygg.id, recipientId: P2, caseReference: 'BN 2026-2', status: 'FAILED', statusReason: 'NOT_REGISTERED', channel: null, createdAt: t(1) },
    { unitId: hub.demo.units.social.id, recipientId: P1, caseReference: 'SN 2026-1', status: 'RETURNED', channel: 'PRINT', createdAt: t(2), dispatchedAt: t(3) },
    { tenantId: hub.other.tenantId, unitId: hub.other.unitId, recipientId: P1, caseReference: 'BN 2026-1', createdAt: t(0) },
  ]);
  Object.assign(ids, { a, b, c, d });
  // Volume for streaming, on the case system's unit, a day later than the letters above.
  await seedSyntheticLog(hub.ownerQuery, {
    tenantId: A,
    unitIds: [hub.demo.units.bygg.id],
    apiClientIds: [client.id],
    recipients: pickTestPersonnummer(500, 3),
    caseTypes: ['bygglov'],
    count: SYNTHETIC,
    start: new Date('2026-03-03T00:00:00Z'),
  });

  @Module({
    imports: [
      AuthModule.forRoot({ issuer: issuer.issuer, audience: AUDIENCE, tenantClaim: 'organization' }),
      DeliveryLogApiModule.forRoot({ tenantDb: db, logger: log, exportDir, downloadMaxRows: MAX_ROWS, fetchSize: 500 }),
    ],
  })
  class TestApiModule {}
  app = await NestFactory.create(TestApiModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  for (const [who, seed] of Object.entries(CLIENTS)) tokens[who as Who] = await token(seed);
});

afterAll(async () => {
  await app?.close();
  await issuer?.close();
  await hub?.drop();
  if (exportDir) rmSync(exportDir, { recursive: true, force: true });
});

const get = (path: string, who?: Who, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });
const header = DELIVERY_LOG_COLUMNS.map((c) => c.name);
const csvRecords = (text: string) => {
  const rows = parseCsv(text);
  expect(rows[0]).toEqual(header);
  return rows.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
};
const errorOf = async (r: Response) => ((await r.json()) as { error: { code: string; message: string; fields?: { path: string; rule: string }[] } }).error;

describe('GET /delivery-log/v1/export.csv', () => {
  it('streams the log as an RFC 4180 download with a file name, for a tenant admin', async () => {
    const r = await get('/delivery-log/v1/export.csv?from=2026-03-02&to=2026-03-03', 'admin');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="delivery-log-demo-kommun-\d{8}T\d{6}\.csv"$/);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const records = csvRecords(await r.text());
    expect(records.map((x) => x.letterId)).toEqual([ids.a, ids.b, ids.c]);
    expect(records[0]).toMatchObject({ subject: 'Beslut, "bygglov" för Åsa Öberg', recipient: P1, sendingUnit: 'bygg' });
  });

  it('adds the byte order mark Excel needs with bom=true', async () => {
    const r = await get('/delivery-log/v1/export.csv?caseReference=BN%202026-1&bom=true', 'admin');
    const bytes = Buffer.from(await r.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csvRecords(bytes.subarray(3).toString('utf8')).map((x) => x.letterId)).toEqual([ids.a]);
  });

  it('takes every filter from the query string; status repeated or comma-separated', async () => {
    const statuses = async (q: string) => csvRecords(await (await get(`/delivery-log/v1/export.csv?${q}`, 'admin')).text()).map((x) => x.letterId);
    expect(await statuses('status=FAILED,RETURNED&to=2026-03-03')).toEqual([ids.b, ids.c]);
    expect(await statuses('status=FAILED&status=RETURNED&to=2026-03-03')).toEqual([ids.b, ids.c]);
    expect(await statuses(`recipient=${P1.slice(0, 8)}-${P1.slice(8)}&to=2026-03-03`)).toEqual([ids.a, ids.c]);
    expect(await statuses('sendingUnit=social')).toEqual([ids.c]);
    expect(await statuses('channel=PRINT&dateField=DISPATCHED&from=2026-03-02T10:00:00Z&to=2026-03-03')).toEqual([ids.c]);
  });

  it('shows an officer their own unit only, and a case system its own letters only', async () => {
    const social = csvRecords(await (await get('/delivery-log/v1/export.csv', 'officerSocial')).text());
    expect(social.map((x) => x.letterId)).toEqual([ids.c]);
    const own = csvRecords(await (await get('/delivery-log/v1/export.csv?to=2026-03-03', 'caseSystem')).text());
    // The case system's synthetic letters are after that day; its own letter of the day only.
    expect(own.map((x) => x.letterId)).toEqual([ids.a]);
    const other = csvRecords(await (await get('/delivery-log/v1/export.csv', 'otherAdmin')).text());
    expect(other.map((x) => x.letterId)).toEqual([ids.d]);
  });

  it('sends the body in pieces as it reads the log (chunked, no length known up front)', async () => {
    const r = await get(`/delivery-log/v1/export.csv?sendingUnit=bygg&from=2026-03-03T00:00:00Z&to=${WINDOW_END}`, 'admin');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-length')).toBeNull();
    expect(r.headers.get('transfer-encoding')).toBe('chunked');
    let chunks = 0;
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
      chunks++;
      text += decoder.decode(chunk, { stream: true });
    }
    expect(chunks).toBeGreaterThan(1);
    expect(csvRecords(text)).toHaveLength(IN_WINDOW);
  });

  it('records the download in the audit trail, the personnummer masked', async () => {
    await get(`/delivery-log/v1/export.csv?recipient=${P2}`, 'officerBygg');
    const entries = await hub.ownerQuery<{ actor: string; target: string; detail: { filter: { recipient: string }; access: string; format: string } }>(
      `select actor, target, detail from audit_log where tenant_id = $1 and action = 'deliveryLog.export' and detail->'filter'->>'recipient' like '19900101%'`,
      [hub.demo.tenantId],
    );
    expect(entries).toEqual([{ actor: 'log-officer-bygg', target: 'deliveryLog:download', detail: expect.objectContaining({ access: 'unit:bygg', format: 'CSV', filter: expect.objectContaining({ recipient: '19900101-****' }) }) }]);
  });
});

describe('POST /delivery-log/v1/export.csv|.jsonl (the filter as a JSON body, no personnummer in the URL)', () => {
  const post = (path: string, who: Who, body: unknown) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('takes the same filter fields, status as an array and bom as a boolean', async () => {
    const r = await post('/delivery-log/v1/export.csv', 'admin', { recipient: P1, status: ['DELIVERED', 'RETURNED'], to: '2026-03-03', bom: true });
    expect(r.status).toBe(200);
    const bytes = Buffer.from(await r.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csvRecords(bytes.subarray(3).toString('utf8')).map((x) => x.letterId)).toEqual([ids.a, ids.c]);
    const jsonl = await post('/delivery-log/v1/export.jsonl', 'officerSocial', { recipient: P1 });
    expect((await jsonl.text()).trim().split('\n').map((l) => (JSON.parse(l) as { letterId: string }).letterId)).toEqual([ids.c]);
  });

  it('refuses a body that is not an object, and unknown fields', async () => {
    const list = await post('/delivery-log/v1/export.csv', 'admin', [P1]);
    expect(list.status).toBe(400);
    expect((await errorOf(list)).fields).toEqual([expect.objectContaining({ path: '(body)', rule: 'type' })]);
    const unknown = await post('/delivery-log/v1/export.csv', 'admin', { personnummer: P1, caseReference: { eq: 'x' } });
    expect((await errorOf(unknown)).fields!.map((f) => `${f.path}:${f.rule}`)).toEqual(['personnummer:unknown', 'caseReference:type']);
  });
});

describe('GET /delivery-log/v1/export.jsonl', () => {
  it('streams JSON Lines under the same filter', async () => {
    const r = await get('/delivery-log/v1/export.jsonl?status=FAILED', 'officerBygg');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/jsonl; charset=utf-8');
    expect(r.headers.get('content-disposition')).toMatch(/filename="delivery-log-demo-kommun-\d{8}T\d{6}\.jsonl"/);
    const lines = (await r.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.letterId)).toContain(ids.b);
    expect(lines.every((l) => l.status === 'FAILED' && l.sendingUnit === 'bygg')).toBe(true);
    expect(Object.keys(lines[0])).toEqual(header);
  });
});

describe('refusals', () => {
  it('answers 401 without a token and 403 to a role that may not read the log', async () => {
    const none = await get('/delivery-log/v1/export.csv');
    expect(none.status).toBe(401);
    expect((await errorOf(none)).code).toBe('UNAUTHENTICATED');
    const vendor = await get('/delivery-log/v1/export.csv', 'printVendor');
    expect(vendor.status).toBe(403);
    expect((await errorOf(vendor)).code).toBe('FORBIDDEN');
  });

  it('answers 403 to an officer whose token names no unit, and one who asks for another unit', async () => {
    const noUnit = await get('/delivery-log/v1/export.csv', 'officerNoUnit');
    expect(noUnit.status).toBe(403);
    expect((await errorOf(noUnit)).message).toMatch(/names no sending unit/);
    const otherUnit = await get('/delivery-log/v1/export.csv?sendingUnit=social', 'officerBygg');
    expect(otherUnit.status).toBe(403);
    expect((await errorOf(otherUnit)).message).toMatch(/own sending unit \(bygg\)/);
  });

  it('answers 400 VALIDATION_FAILED naming each bad or unknown parameter', async () => {
    const r = await get('/delivery-log/v1/export.csv?reciepient=198101032384&recipient=198101032385&status=SENT&bom=yes&from=igår', 'admin');
    expect(r.status).toBe(400);
    const e = await errorOf(r);
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.fields!.map((f) => `${f.path}:${f.rule}`)).toEqual(['reciepient:unknown', 'bom:format']);
    const filter = await errorOf(await get('/delivery-log/v1/export.csv?recipient=198101032385&status=SENT&from=igår', 'admin'));
    expect(filter.fields!.map((f) => `${f.path}:${f.rule}`)).toEqual(['recipient:luhn', 'status:enum', 'from:format']);
    const twice = await errorOf(await get('/delivery-log/v1/export.csv?caseReference=a&caseReference=b', 'admin'));
    expect(twice.fields).toEqual([expect.objectContaining({ path: 'caseReference', rule: 'repeated' })]);
    const bomJson = await get('/delivery-log/v1/export.jsonl?bom=true', 'admin');
    expect(bomJson.status).toBe(400);
  });

  it('answers 422 EXPORT_TOO_LARGE before sending anything when the filter matches more than a download may hold', async () => {
    const r = await get('/delivery-log/v1/export.csv', 'admin');
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const e = await errorOf(r);
    expect(e.code).toBe('EXPORT_TOO_LARGE');
    expect(e.message).toMatch(/more than 4,000 letters.*startLogExport/);
    // A narrower range of the same log downloads.
    const narrower = await get(`/delivery-log/v1/export.csv?from=2026-03-03T00:00:00Z&to=${WINDOW_END}`, 'admin');
    expect(narrower.status).toBe(200);
    expect(csvRecords(await narrower.text())).toHaveLength(IN_WINDOW);
  });
});

describe('a client that goes away mid-download', () => {
  it('ends the export and gives its database connection back', async () => {
    const controller = new AbortController();
    const r = await fetch(`${base}/delivery-log/v1/export.jsonl?from=2026-03-03T00:00:00Z&to=${WINDOW_END}`, { headers: { authorization: `Bearer ${tokens.admin}` }, signal: controller.signal });
    const reader = (r.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => undefined);
    // The pool has two connections: downloads that kept theirs would make these wait forever.
    for (let i = 0; i < 3; i++) {
      const next = await get('/delivery-log/v1/export.csv?status=FAILED', 'admin');
      expect(next.status).toBe(200);
      await next.text();
    }
  });
});

describe('GET /delivery-log/v1/exports/{id}/download', () => {
  let jobs: LogExportJobs;
  let runner: LogExportRunner;
  const asCaller = { admin: { tenantId: '', actor: 'log-admin', roles: ['tenant-admin'] }, officerBygg: { tenantId: '', actor: 'log-officer-bygg', roles: ['case-officer'], sendingUnitRef: 'bygg' } };

  beforeAll(() => {
    const service = new DeliveryLogService(db, { pageSizeMax: 50 });
    const storage = new ExportStorage(exportDir);
    jobs = new LogExportJobs(db, service, storage);
    runner = new LogExportRunner({ db, service, storage, log, owner: 'api-test', ttlMs: 60_000, leaseSeconds: 60, maxAttempts: 3 });
    asCaller.admin.tenantId = hub.demo.tenantId;
    asCaller.officerBygg.tenantId = hub.demo.tenantId;
  });

  it('serves the finished file of an export job to whoever started it, with its checksum', async () => {
    // The token's subject is the client id for client-credentials tokens: the same actor as the REST caller.
    const job = await jobs.start(asCaller.officerBygg, { status: ['FAILED', 'RETURNED'] }, 'CSV');
    const early = await get(`/delivery-log/v1/exports/${job.id}/download`, 'officerBygg');
    expect(early.status).toBe(409);
    expect((await errorOf(early)).code).toBe('EXPORT_NOT_READY');
    expect(await runner.runOnce()).toBe(true);
    const done = await jobs.get(asCaller.officerBygg, job.id);
    const r = await get(done.downloadPath!, 'officerBygg');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-checksum-sha256')).toBe(done.sha256);
    expect(Number(r.headers.get('content-length'))).toBe(done.bytes);
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="delivery-log-\d{8}T\d{6}-[0-9a-f]{8}\.csv"$/);
    const records = csvRecords(await r.text());
    expect(records.every((x) => x.sendingUnit === 'bygg' && ['FAILED', 'RETURNED'].includes(x.status))).toBe(true);
    expect(records.map((x) => x.letterId)).toContain(ids.b);
    expect(records.map((x) => x.letterId)).not.toContain(ids.c);
    // A tenant admin may download it too; another officer and another municipality may not know it exists.
    expect((await get(done.downloadPath!, 'admin')).status).toBe(200);
    const other = await get(done.downloadPath!, 'officerSocial');
    expect(other.status).toBe(404);
    expect((await errorOf(other)).code).toBe('NOT_FOUND');
    expect((await get(done.downloadPath!, 'otherAdmin')).status).toBe(404);
    expect((await get('/delivery-log/v1/exports/not-an-id/download', 'admin')).status).toBe(404);
  });

  it('answers 410 EXPORT_EXPIRED once the file was removed', async () => {
    const job = await jobs.start(asCaller.admin, { recipient: P1 }, 'JSONL');
    await runner.runOnce();
    await hub.ownerQuery(`update log_export set expires_at = now() - interval '1 second' where id = $1`, [job.id]);
    expect(await runner.expire()).toBeGreaterThanOrEqual(1);
    const r = await get(`/delivery-log/v1/exports/${job.id}/download`, 'admin');
    expect(r.status).toBe(410);
    expect((await errorOf(r)).code).toBe('EXPORT_EXPIRED');
  });
});
