/**
 * The delivery log in the GraphQL API, through the real API composition (`createApiApplication`) over
 * HTTP with real tokens from the local OIDC issuer: `deliveryLog` (scoping per role, filters, paging,
 * counts, errors) and the export jobs (`startLogExport`, `logExport`, `logExports`) run by the export
 * worker.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportWorker, startExportWorker } from '@hub/delivery-log';
import { createLogger } from '@hub/observability';
import { TenantDb } from '@hub/persistence';
import { OidcClientSeed, RunningOidcIssuer, startOidcIssuer } from '../../../../apps/simulators/src/oidc/oidc-issuer';
import { AUDIENCE, CLIENTS, createTestDatabase, errorCode, getToken, gql, GqlResponse, ok, RunningApi, startApi, testConfig, TestDatabase, tinyPdf } from '../../../../test/support/api-helpers';

jest.setTimeout(120_000);

const P1 = '198101032384';
const P2 = '199001012385';
const SECRET = 'test-secret-0123456789';
const OFFICERS = {
  officerBygg: { clientId: 'gql-officer-bygg', clientSecret: SECRET, tenant: 'demo-kommun', roles: ['case-officer'], sendingUnit: 'bygg' },
  officerSocial: { clientId: 'gql-officer-social', clientSecret: SECRET, tenant: 'demo-kommun', roles: ['case-officer'], sendingUnit: 'social' },
} satisfies Record<string, OidcClientSeed>;

let db: TestDatabase;
let issuer: RunningOidcIssuer;
let api: RunningApi;
let worker: ExportWorker;
let exportDir: string;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

const LOG = `query($filter: DeliveryLogFilter, $first: Int, $after: String) {
  deliveryLog(filter: $filter, first: $first, after: $after) {
    totalCount totalCountExact
    pageInfo { hasNextPage endCursor }
    edges { cursor node { letterId createdAt dispatchedAt recipient recipientKind caseReference caseType sendingUnit sendingUnitName subject subjectWithheld
      protectionClass channel channelDecision status statusReason operatorId operatorName transId printVendor printBatchId } }
  }
}`;
type LogData = {
  deliveryLog: {
    totalCount: number;
    totalCountExact: boolean;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: Record<string, unknown> & { letterId: string } }[];
  };
};
const EXPORT_FIELDS = 'id status format bom filter requestedBy createdAt startedAt finishedAt expiresAt rows bytes sha256 error downloadUrl';

interface TestLetter {
  unitId: string;
  recipientId: string;
  caseReference: string;
  subject?: string;
  protectionClass?: number;
  status: string;
  channel?: string | null;
  operatorId?: string;
  operatorName?: string;
  transId?: string;
  createdAt: Date;
  dispatchedAt?: Date;
}

/** Letters with their log columns set, written as the owner. */
async function insertLetters(letters: TestLetter[]): Promise<string[]> {
  const out: string[] = [];
  for (const l of letters) {
    const channel = l.channel === undefined ? 'DIGITAL' : l.channel;
    const [row] = await db.ownerQuery<{ id: string }>(
      `insert into letter (tenant_id, sending_unit_id, content_hash, recipient_id, recipient_kind, case_reference, subject, protection_class, channel_preference,
                           status, channel, channel_decision, operator_id, operator_name, trans_id, deadline_at, created_at, updated_at, dispatched_at)
       values ($1, $2, 'x', $3, 'personnummer', $4, $5, $6, 'AUTO', $7, $8, coalesce($8, case when $7 = 'FAILED' then 'UNDELIVERABLE' end), $9, $10, $11, $12::timestamptz + interval '1 day', $12, $12, $13)
       returning id`,
      [db.demo.tenantId, l.unitId, l.recipientId, l.caseReference, l.subject ?? 'Beslut om bygglov', l.protectionClass ?? 1, l.status, channel, l.operatorId ?? null, l.operatorName ?? null, l.transId ?? null, l.createdAt, l.dispatchedAt ?? null],
    );
    out.push(row.id);
  }
  return out;
}

const search = (who: string, variables: Record<string, unknown> = {}) => gql<LogData>(api.graphqlUrl, tokens[who], LOG, variables);
const letterIds = async (who: string, filter: Record<string, unknown> = {}) => ok(await search(who, { filter, first: 50 })).deliveryLog.edges.map((e) => e.node.letterId);

beforeAll(async () => {
  [db, issuer] = await Promise.all([
    createTestDatabase('log-graphql'),
    startOidcIssuer({ port: 0, issuerPath: '/realms/dispatch-hub', audience: AUDIENCE, clients: [...Object.values(CLIENTS), ...Object.values(OFFICERS)] }),
  ]);
  exportDir = mkdtempSync(join(tmpdir(), 'hub-log-gql-'));
  api = await startApi(testConfig(db, issuer), { reachability: null });
  for (const who of ['demoCaseSystem', 'demoOfficer', 'demoAdmin', 'otherCaseSystem', 'printVendor'] as const) tokens[who] = await getToken(issuer, who);
  for (const [who, seed] of Object.entries(OFFICERS)) tokens[who] = await getToken(issuer, seed);
  const t = (h: number) => new Date(Date.UTC(2026, 2, 2, 8 + h));
  const [a, b, c] = await insertLetters([
    { unitId: db.demo.units.bygg.id, recipientId: P1, caseReference: 'BN 2026-1', status: 'DELIVERED', operatorId: '165599000014', operatorName: 'Kivra', transId: 'T-1', createdAt: t(0), dispatchedAt: t(1) },
    { unitId: db.demo.units.social.id, recipientId: P2, caseReference: 'SN 2026-1', subject: 'Känsligt ämne', protectionClass: 3, status: 'FAILED', channel: null, createdAt: t(1) },
    { unitId: db.demo.units.bygg.id, recipientId: P2, caseReference: 'BN 2026-2', status: 'POSTED', channel: 'PRINT', createdAt: t(2), dispatchedAt: t(50) },
  ]);
  Object.assign(ids, { a, b, c });
  // One letter through the real intake, by the case system (bound to bygg).
  const submitted = ok(
    await gql<{ submitLetter: { id: string } }>(api.graphqlUrl, tokens.demoCaseSystem, `mutation($input: LetterInput!) { submitLetter(input: $input) { id } }`, {
      input: { recipient: P1, subject: 'Beslut', caseReference: 'BN 2026-9', body: { text: 'Hej' }, protectionClass: 1, attachments: [{ filename: 'beslut.pdf', contentBase64: tinyPdf().toString('base64') }] },
    }),
  );
  ids.submitted = submitted.submitLetter.id;
  ids.other = (
    ok(
      await gql<{ submitLetter: { id: string } }>(api.graphqlUrl, tokens.otherCaseSystem, `mutation($input: LetterInput!) { submitLetter(input: $input) { id } }`, {
        input: { recipient: P1, subject: 'Beslut', caseReference: 'BN 2026-1', body: { text: 'Hej' }, protectionClass: 1 },
      }),
    ) as { submitLetter: { id: string } }
  ).submitLetter.id;
  worker = startExportWorker({ db: new TenantDb(await db.appOrm(3)), log: createLogger('log-export-test', 'silent'), exportDir, intervalMs: 50 });
});

afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await issuer?.close();
  await db?.drop();
  if (exportDir) rmSync(exportDir, { recursive: true, force: true });
});

describe('deliveryLog', () => {
  it('shows a tenant admin the municipality, newest first, with each letter’s outcome', async () => {
    const data = ok(await search('demoAdmin', { first: 10 })).deliveryLog;
    expect(data.edges.map((e) => e.node.letterId)).toEqual([ids.submitted, ids.c, ids.b, ids.a]);
    expect(data).toMatchObject({ totalCount: 4, totalCountExact: true, pageInfo: { hasNextPage: false } });
    expect(data.edges[3].node).toEqual({
      letterId: ids.a,
      createdAt: '2026-03-02T08:00:00.000Z',
      dispatchedAt: '2026-03-02T09:00:00.000Z',
      recipient: P1,
      recipientKind: 'personnummer',
      caseReference: 'BN 2026-1',
      caseType: null,
      sendingUnit: 'bygg',
      sendingUnitName: db.demo.units.bygg.name,
      subject: 'Beslut om bygglov',
      subjectWithheld: false,
      protectionClass: 1,
      channel: 'DIGITAL',
      channelDecision: 'DIGITAL',
      status: 'DELIVERED',
      statusReason: null,
      operatorId: '165599000014',
      operatorName: 'Kivra',
      transId: 'T-1',
      printVendor: null,
      printBatchId: null,
    });
    expect(data.edges[2].node).toMatchObject({ subject: null, subjectWithheld: true, protectionClass: 3, status: 'FAILED', channel: null });
  });

  it('pages with first and after', async () => {
    const first = ok(await search('demoAdmin', { first: 3 })).deliveryLog;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = ok(await search('demoAdmin', { first: 3, after: first.pageInfo.endCursor })).deliveryLog;
    expect([...first.edges, ...second.edges].map((e) => e.node.letterId)).toEqual([ids.submitted, ids.c, ids.b, ids.a]);
    expect(second.pageInfo).toEqual({ hasNextPage: false, endCursor: second.edges[0].cursor });
  });

  it('filters', async () => {
    expect(await letterIds('demoAdmin', { recipient: P2 })).toEqual([ids.c, ids.b]);
    expect(await letterIds('demoAdmin', { status: ['FAILED', 'POSTED'] })).toEqual([ids.c, ids.b]);
    expect(await letterIds('demoAdmin', { channel: 'PRINT' })).toEqual([ids.c]);
    expect(await letterIds('demoAdmin', { dateField: 'DISPATCHED' })).toEqual([ids.c, ids.a]);
    expect(await letterIds('demoAdmin', { from: '2026-03-02T09:00:00Z', to: '2026-03-02T11:00:00Z' })).toEqual([ids.c, ids.b]);
    expect(await letterIds('demoAdmin', { sendingUnit: 'social' })).toEqual([ids.b]);
    expect(await letterIds('demoAdmin', { operator: '165599000014', caseReference: 'BN 2026-1' })).toEqual([ids.a]);
  });

  it('shows an officer the unit their token names, and refuses another unit or an officer without one', async () => {
    expect(await letterIds('officerBygg')).toEqual([ids.submitted, ids.c, ids.a]);
    expect(await letterIds('officerSocial')).toEqual([ids.b]);
    const other = await search('officerBygg', { filter: { sendingUnit: 'social' } });
    expect(errorCode(other)).toBe('FORBIDDEN');
    expect(other.errors![0].message).toMatch(/own sending unit \(bygg\)/);
    // The shared test officer has no sending_unit claim.
    const noUnit = await search('demoOfficer');
    expect(errorCode(noUnit)).toBe('FORBIDDEN');
    expect(noUnit.errors![0].message).toMatch(/names no sending unit/);
  });

  it('shows a case system the letters it submitted, and another municipality nothing of this one', async () => {
    expect(await letterIds('demoCaseSystem')).toEqual([ids.submitted]);
    expect(await letterIds('otherCaseSystem')).toEqual([ids.other]);
    expect(await letterIds('otherCaseSystem', { recipient: P1 })).toEqual([ids.other]);
  });

  it('refuses a bad filter field by field, a page too large, a foreign cursor, and a role without the log', async () => {
    const bad = await search('demoAdmin', { filter: { recipient: '198101032385', caseType: 'Bygglov', from: '2026-03-03T00:00:00Z', to: '2026-03-02T00:00:00Z' } });
    expect(errorCode(bad)).toBe('VALIDATION_FAILED');
    expect(bad.errors![0].extensions!.fields!.map((f) => `${f.path}:${f.rule}`)).toEqual(['filter.recipient:luhn', 'filter.caseType:format', 'filter.to:range']);
    expect(errorCode(await search('demoAdmin', { first: 201 }))).toBe('PAGE_SIZE_EXCEEDED');
    expect(errorCode(await search('demoAdmin', { after: 'bm90LWEtY3Vyc29y' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await search('printVendor'))).toBe('FORBIDDEN');
    expect(errorCode(await gql(api.graphqlUrl, undefined, LOG))).toBe('UNAUTHENTICATED');
  });
});

describe('export jobs', () => {
  type ExportData = { id: string; status: string; rows: number | null; bytes: number | null; sha256: string | null; downloadUrl: string | null; filter: Record<string, unknown>; requestedBy: string };
  const job = async (who: string, id: string) => gql<{ logExport: ExportData }>(api.graphqlUrl, tokens[who], `query($id: ID!) { logExport(id: $id) { ${EXPORT_FIELDS} } }`, { id });

  async function waitDone(who: string, id: string): Promise<ExportData> {
    for (let i = 0; i < 200; i++) {
      const e = ok(await job(who, id)).logExport;
      if (e.status === 'DONE' || e.status === 'FAILED') return e;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the export did not finish');
  }

  it('starts an export, which the worker writes; logExport shows rows, size, checksum and where to download it', async () => {
    const started = ok(
      await gql<{ startLogExport: ExportData }>(api.graphqlUrl, tokens.officerBygg, `mutation($f: DeliveryLogFilter) { startLogExport(format: CSV, filter: $f, bom: true) { ${EXPORT_FIELDS} } }`, {
        f: { recipient: P2 },
      }),
    ).startLogExport;
    expect(started).toMatchObject({ status: 'QUEUED', format: 'CSV', bom: true, filter: { recipient: P2, dateField: 'CREATED' }, requestedBy: 'gql-officer-bygg', downloadUrl: null });
    const done = await waitDone('officerBygg', started.id);
    expect(done).toMatchObject({ status: 'DONE', rows: 1, downloadUrl: `/delivery-log/v1/exports/${started.id}/download` });
    const file = readFileSync(join(exportDir, db.demo.tenantId, `${started.id}-1.csv`));
    expect(file.length).toBe(done.bytes);
    expect(createHash('sha256').update(file).digest('hex')).toBe(done.sha256);
    expect(file.toString('utf8')).toContain(ids.c);
    expect(file.toString('utf8')).not.toContain(ids.b);
    // Another officer cannot see it; a tenant admin can; another municipality cannot.
    expect(errorCode(await job('officerSocial', started.id))).toBe('NOT_FOUND');
    expect(ok(await job('demoAdmin', started.id)).logExport.status).toBe('DONE');
    expect(errorCode(await job('otherCaseSystem', started.id))).toBe('NOT_FOUND');
    const mine = ok(await gql<{ logExports: { id: string }[] }>(api.graphqlUrl, tokens.officerBygg, `{ logExports { id } }`)).logExports;
    expect(mine.map((e) => e.id)).toContain(started.id);
    expect(ok(await gql<{ logExports: { id: string }[] }>(api.graphqlUrl, tokens.officerSocial, `{ logExports { id } }`)).logExports).toEqual([]);
  });

  it('writes JSON Lines for a case system’s own letters', async () => {
    const started = ok(await gql<{ startLogExport: ExportData }>(api.graphqlUrl, tokens.demoCaseSystem, `mutation { startLogExport(format: JSONL) { id } }`)).startLogExport;
    const done = await waitDone('demoCaseSystem', started.id);
    const lines = readFileSync(join(exportDir, db.demo.tenantId, `${started.id}-1.jsonl`), 'utf8').trim().split('\n');
    expect(done.rows).toBe(1);
    expect(lines.map((l) => (JSON.parse(l) as { letterId: string }).letterId)).toEqual([ids.submitted]);
  });

  it('refuses a bad filter when the export is started', async () => {
    const r: GqlResponse = await gql(api.graphqlUrl, tokens.demoAdmin, `mutation { startLogExport(format: CSV, filter: { sendingUnit: "skola" }) { id } }`);
    expect(errorCode(r)).toBe('VALIDATION_FAILED');
    expect(r.errors![0].extensions!.fields).toEqual([expect.objectContaining({ path: 'filter.sendingUnit', rule: 'unknown' })]);
  });
});
