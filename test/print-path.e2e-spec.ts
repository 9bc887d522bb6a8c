/**
 * The print path through real processes (run `npm run build` first): a fresh database, the
 * simulators process with its print-vendor simulator pulling from this test's API, the compiled API
 * and worker. A recipient without a digital mailbox → the channel switch sends the letter to print →
 * it is rendered, batched and assembled → the vendor simulator lists, downloads, checks the
 * checksums, acknowledges and reports PRINTED then POSTED (RETURNED for its configured name) → the
 * officer sees it all through GraphQL. Also the vendor API's authentication and the platform view.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@hub/testing';
import type { OidcClientSeed, RunningOidcIssuer } from '../apps/simulators/src/oidc/oidc-issuer';
import { getToken, gql, ok } from './support/api-helpers';
import {
  ApiProcess,
  hubEnv,
  HubDatabase,
  startApiProcess,
  startHubDatabase,
  startSimulatorsProcess,
  startWorkerProcess,
  stopProcess,
  testSeed,
  uniqueQueuePrefix,
  WorkerProcess,
} from './support';

jest.setTimeout(120_000);

const NOT_REGISTERED = '201001012382';
const RETURNED_NAME = 'Okänd Mottagare';
const prefix = uniqueQueuePrefix('print-path');

let hub: HubDatabase | undefined;
let sims: Awaited<ReturnType<typeof startSimulatorsProcess>> | undefined;
let api: ApiProcess | undefined;
let worker: WorkerProcess | undefined;
let storageDir: string;
let caseSystemToken: string;
let vendorToken: string;

function killAll(): void {
  for (const c of [api?.child.child, worker?.process, sims?.process]) if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
process.on('exit', killAll);

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'print-e2e' });
  // Batches close as soon as the oldest letter has waited a second (the demo waits ten).
  await hub.ownerQuery(`update print_vendor set max_wait_seconds = 1 where id = 'demo-print'`);
  storageDir = mkdtempSync(join(tmpdir(), 'hub-print-e2e-'));
  const apiPort = await freePort();
  const seed = testSeed();
  seed.printVendor = {
    hubUrl: `http://127.0.0.1:${apiPort}`,
    clientId: 'demo-print-vendor',
    clientSecret: 'demo-print-vendor-secret',
    pollIntervalMs: 300,
    printedAfterMs: 200,
    postedAfterMs: 400,
    returned: [{ name: RETURNED_NAME, reason: 'ADDRESSEE_UNKNOWN', afterMs: 600 }],
  };
  sims = await startSimulatorsProcess(seed);
  const env = { ...hubEnv(hub, sims, { QUEUE_PREFIX: prefix, PRINT_STORAGE_DIR: storageDir, PRINT_SCHEDULER_INTERVAL_MS: '200' }) };
  [api, worker] = await Promise.all([
    startApiProcess({ ...env, API_PORT: String(apiPort), OIDC_ISSUER: sims.oidcIssuer!, OIDC_AUDIENCE: seed.oidc!.audience }),
    startWorkerProcess(env),
  ]);
  const issuer = { tokenEndpoint: sims.tokenEndpoint! } as RunningOidcIssuer;
  const client = (id: string) => seed.oidc!.clients.find((c) => c.clientId === id) as OidcClientSeed;
  caseSystemToken = await getToken(issuer, client('demo-case-system'));
  vendorToken = await getToken(issuer, client('demo-print-vendor'));
}, 180_000);

afterAll(async () => {
  await Promise.all([api && stopProcess(api.child.child, 5000), worker?.stop(5000)]);
  await sims?.close();
  await hub?.drop();
  if (storageDir) rmSync(storageDir, { recursive: true, force: true });
}, 60_000);

const PRINT_FIELDS = `id status statusReason channel channelDecision
  print { vendorId postageClass status pages sheets envelopeProfile firstPage lastPage batch { id status letters acknowledgedAt } history { status at reason } }
  events { type toStatus detail }`;

interface PrintedLetter {
  id: string;
  status: string;
  statusReason: string | null;
  channel: string | null;
  channelDecision: string | null;
  print: {
    vendorId: string;
    postageClass: string;
    status: string;
    pages: number;
    sheets: number;
    envelopeProfile: string;
    firstPage: number | null;
    lastPage: number | null;
    batch: { id: string; status: string; letters: number; acknowledgedAt: string | null } | null;
    history: { status: string; at: string; reason: string | null }[];
  } | null;
  events: { type: string; toStatus: string | null; detail: Record<string, unknown> }[];
}

async function submit(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const input = {
    recipient: NOT_REGISTERED,
    subject: 'Beslut om bygglov',
    body: { text: 'Hej!\n\nNämnden har beslutat att bevilja bygglov för tillbyggnad av bostadshus. Beslutet gäller i fem år.' },
    protectionClass: 1,
    caseReference: 'BN 2026-456',
    postalAddress: { name, lines: ['Storgatan 1'], postalCode: '12345', city: 'Demostad' },
    ...extra,
  };
  const r = await gql<{ submitLetter: { id: string } }>(api!.graphqlUrl, caseSystemToken, `mutation($input: LetterInput!) { submitLetter(input: $input) { id } }`, { input });
  return ok(r).submitLetter.id;
}

async function letter(id: string): Promise<PrintedLetter> {
  return ok(await gql<{ letter: PrintedLetter }>(api!.graphqlUrl, caseSystemToken, `query($id: ID!) { letter(id: $id) { ${PRINT_FIELDS} } }`, { id })).letter;
}

async function waitFor(id: string, status: string, timeoutMs = 60_000): Promise<PrintedLetter> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const l = await letter(id);
    if (l.status === status) return l;
    if (Date.now() > deadline) throw new Error(`letter ${id} is ${l.status}, not ${status}: ${l.events.map((e) => e.type).join(', ')}\nsimulators: ${sims!.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const vendorApi = (path: string, init: RequestInit & { token?: string | null } = {}) =>
  fetch(`${api!.baseUrl}/print/v1${path}`, {
    ...init,
    headers: { ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? vendorToken}` }), ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });

describe('a letter to a recipient without a digital mailbox', () => {
  it('goes to print, into a batch the vendor pulls, and is POSTED, visible through GraphQL', async () => {
    const posted = await submit('Anna Andersson');
    const returned = await submit(RETURNED_NAME, { postageClass: 'ECONOMY' });

    const p = await waitFor(posted, 'POSTED');
    expect(p).toMatchObject({ channel: 'PRINT', channelDecision: 'PRINT', statusReason: 'NOT_REGISTERED' });
    expect(p.print).toMatchObject({ vendorId: 'demo-print', postageClass: 'ECONOMY', status: 'POSTED', envelopeProfile: 'C5-H2' });
    expect(p.print!.pages).toBeGreaterThanOrEqual(1);
    expect(p.print!.batch).toMatchObject({ status: expect.stringMatching(/PRINTED|POSTED/), acknowledgedAt: expect.any(String) });
    expect(p.print!.history.map((h) => h.status)).toEqual(['PRINT_RENDERED', 'BATCHED', 'PRINTED', 'POSTED']);
    expect(p.events.map((e) => e.type)).toEqual(['ACCEPTED', 'REACHABILITY_CHECKED', 'NOT_REACHABLE', 'ROUTED_TO_PRINT', 'PRINT_RENDERED', 'BATCHED', 'PRINTED', 'POSTED']);

    const r = await waitFor(returned, 'RETURNED');
    expect(r.statusReason).toBe('ADDRESSEE_UNKNOWN');
    expect(r.print!.history.at(-1)).toMatchObject({ status: 'RETURNED', reason: 'ADDRESSEE_UNKNOWN' });

    // What the vendor simulator saw: a batch whose checksums and page count it checked, acknowledged.
    const seen = (await (await fetch(`${sims!.adminUrl}/print-vendor`)).json()) as { batches: { id: string; check: string; problems: string[]; acknowledgedAt?: string }[] };
    const batch = seen.batches.find((b) => b.id === p.print!.batch!.id);
    expect(batch).toMatchObject({ check: 'passed', problems: [], acknowledgedAt: expect.any(String) });
  });

  it('is held when the recipient’s identity is protected (P4), and a case system cannot release it', async () => {
    const id = await submit('Skyddad Person', { protectedIdentity: true });
    const held = await waitFor(id, 'HELD');
    expect(held).toMatchObject({ channelDecision: 'HOLD', statusReason: 'PROTECTED_IDENTITY', print: null });
    // A case system cannot release it: a person decides.
    const refused = await gql(api!.graphqlUrl, caseSystemToken, `mutation($id: ID!) { releaseHeldLetter(id: $id) { id } }`, { id });
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('the print-vendor API', () => {
  it('serves its OpenAPI document without authentication', async () => {
    const res = await vendorApi('/openapi.json', { token: null });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/print/v1/batches', '/print/v1/letters/status']));
  });

  it('refuses a request without a token (401) and a token without the print-vendor role (403), with JSON errors', async () => {
    const none = await vendorApi('/batches', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    const caseSystem = await vendorApi('/batches', { token: caseSystemToken });
    expect(caseSystem.status).toBe(403);
    expect(((await caseSystem.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    const forged = await vendorApi('/batches', { token: `${vendorToken.slice(0, -4)}AAAA` });
    expect(forged.status).toBe(401);
  });

  it('answers bad input with 400 naming what was wrong, and unknown batches with 404', async () => {
    const bad = await vendorApi('/letters/status', { method: 'POST', body: JSON.stringify({ reports: [{ letterId: 'x', status: 'LOST' }] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/reports\[0\]\.status must be one of PRINTED, POSTED, RETURNED, FAILED/);
    const unknown = await vendorApi('/batches/00000000-0000-4000-8000-000000000000/pdf');
    expect(unknown.status).toBe(404);
    const list = await vendorApi('/batches?status=ALL');
    expect(list.status).toBe(200);
    const { batches } = (await list.json()) as { batches: { id: string; files: { pdf: { href: string; sha256: string } } }[] };
    expect(batches.length).toBeGreaterThan(0);
    const pdf = await vendorApi(batches[0].files.pdf.href.replace('/print/v1', ''));
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('x-checksum-sha256')).toBe(batches[0].files.pdf.sha256);
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('keeps the platform operator’s view of unacknowledged batches from a municipality’s case system', async () => {
    const r = await gql(api!.graphqlUrl, caseSystemToken, `{ unacknowledgedPrintBatches { batchId } }`);
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
