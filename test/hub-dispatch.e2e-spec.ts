/**
 * The whole hub through real processes (run `npm run build` first): a fresh database, the
 * simulators process (FaR, two mailbox operators and the OIDC issuer, with every unlisted
 * personnummer spread over the operators), the compiled API and worker as processes on their own
 * QUEUE_PREFIX. Letters go in over GraphQL with real client-credentials tokens and are followed with
 * `letter(id)`; what reached the operators is read from the simulators' inspection API.
 *
 * Covers: a delivery verifies in both layers as received; a not-reachable recipient goes to print
 * with FaR's reason; a worker SIGKILLed mid-dispatch and Redis losing every key mid-run still end
 * with every letter delivered exactly once; two APIs and two workers side by side deliver every
 * letter once.
 */
import { readFileSync } from 'node:fs';
import { TrustStore, verifyDelivery } from '@hub/mina-meddelanden';
import { pickTestPersonnummer } from '@hub/testing';
import type { OidcClientSeed, RunningOidcIssuer } from '../apps/simulators/src/oidc/oidc-issuer';
import { getToken, gql, ok, tinyPdf } from './support/api-helpers';
import {
  ApiProcess,
  deleteKeysByPrefix,
  eventsOf,
  hubEnv,
  HubDatabase,
  readLetters,
  registeredIds,
  startApiProcess,
  startHubDatabase,
  startSimulatorsProcess,
  startWorkerProcess,
  stopProcess,
  testSeed,
  uniqueQueuePrefix,
  waitForLetters,
  WorkerProcess,
} from './support';

// Real processes, a real database and Redis on a shared machine: generous, never asserted on.
jest.setTimeout(120_000);

const OPERATORS = ['kivra', 'minmyndighetspost'];
const KIVRA_RECIPIENT = '198101032384';
const NOT_REGISTERED = '201001012382';

const prefix = uniqueQueuePrefix('hub-dispatch');
const seed = testSeed({ unlisted: { mode: 'hash', shares: { kivra: 1, minmyndighetspost: 1 } } });
const caseSystem = seed.oidc!.clients.find((c) => c.clientId === 'demo-case-system') as OidcClientSeed;

let sims: Awaited<ReturnType<typeof startSimulatorsProcess>> | undefined;
let hub: HubDatabase | undefined;
const apis: ApiProcess[] = [];
const workers: WorkerProcess[] = [];
let token: string;

/** Fresh personnummer no test has used yet (none of them in the demo register: the hash spreads them over the operators). */
const pool = (() => {
  const registered = registeredIds();
  return pickTestPersonnummer(2000, 7).filter((p) => !registered.has(p) && p !== KIVRA_RECIPIENT);
})();
let poolNext = 0;
function recipients(n: number): string[] {
  const out = pool.slice(poolNext, poolNext + n);
  poolNext += n;
  if (out.length < n) throw new Error('test personnummer pool exhausted');
  return out;
}

function killAll(): void {
  for (const c of [...apis.map((a) => a.child.child), ...workers.map((w) => w.process), ...(sims ? [sims.process] : [])]) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}
process.on('exit', killAll);

/** Worker environment: short MM timeout (the lease is 2 × MM_TIMEOUT_MS + 10 s) and a fast reconciler. */
function workerEnv(): Record<string, string> {
  return hubEnv(hub!, sims!, { QUEUE_PREFIX: prefix, MM_TIMEOUT_MS: '2500', RECONCILE_INTERVAL_MS: '300', RECONCILE_STALLED_MS: '1000', LOG_LEVEL: 'warn' });
}

async function startWorker(): Promise<WorkerProcess> {
  const w = await startWorkerProcess(workerEnv());
  workers.push(w);
  return w;
}

async function startApi(): Promise<string> {
  const api = await startApiProcess({ ...hubEnv(hub!, sims!, { QUEUE_PREFIX: prefix }), OIDC_ISSUER: sims!.oidcIssuer!, OIDC_AUDIENCE: seed.oidc!.audience });
  apis.push(api);
  return api.graphqlUrl;
}

const LETTER_FIELDS = `id status statusReason channel transId attempts operator { id } events { type fromStatus toStatus detail }`;

interface LetterView {
  id: string;
  status: string;
  statusReason: string | null;
  channel: string | null;
  transId: string | null;
  operator: { id: string } | null;
  events: { type: string; fromStatus: string | null; toStatus: string | null; detail: Record<string, unknown> }[];
}

function input(recipient: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    recipient,
    subject: 'Beslut om bygglov',
    body: { text: 'Hej! Nämnden har beslutat i ditt ärende. Se bifogat beslut.' },
    protectionClass: 1,
    caseReference: 'BN 2026-123',
    attachments: [{ filename: 'beslut.pdf', contentBase64: tinyPdf(recipient).toString('base64') }],
    ...extra,
  };
}

async function submitLetter(url: string, recipient: string, extra: Record<string, unknown> = {}): Promise<LetterView> {
  const r = await gql<{ submitLetter: LetterView }>(url, token, `mutation($input: LetterInput!) { submitLetter(input: $input) { ${LETTER_FIELDS} } }`, { input: input(recipient, extra) });
  return ok(r).submitLetter;
}

async function submitBulk(url: string, inputs: Record<string, unknown>[]): Promise<{ accepted: number; refused: number; results: { index: number; code: string | null; letter: { id: string } | null }[] }> {
  const r = await gql<{ submitLetters: { accepted: number; refused: number; results: { index: number; code: string | null; letter: { id: string } | null }[] } }>(
    url,
    token,
    `mutation($inputs: [LetterInput!]!) { submitLetters(inputs: $inputs) { accepted refused results { index code letter { id } } } }`,
    { inputs },
  );
  return ok(r).submitLetters;
}

/** Every letter by `letter(id)` over GraphQL (aliased, in batches). */
async function queryLetters(url: string, ids: string[]): Promise<LetterView[]> {
  const out: LetterView[] = [];
  for (let i = 0; i < ids.length; i += 25) {
    const batch = ids.slice(i, i + 25);
    const query = `query { ${batch.map((id, j) => `l${j}: letter(id: "${id}") { ${LETTER_FIELDS} }`).join(' ')} }`;
    const data = ok(await gql<Record<string, LetterView>>(url, token, query));
    out.push(...batch.map((_, j) => data[`l${j}`]));
  }
  return out;
}

/** Waits (over GraphQL) until `letter(id)` shows the status. */
async function waitForStatus(url: string, id: string, status: string, timeoutMs = 30_000): Promise<LetterView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [l] = await queryLetters(url, [id]);
    if (l.status === status) return l;
    if (Date.now() > deadline) throw new Error(`letter ${id} is ${l.status}, not ${status}: ${JSON.stringify(l.events.map((e) => e.type))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** How many stored deliveries (over all operators) carry each message id. */
async function storedCounts(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const op of OPERATORS) {
    for (const d of await sims!.admin.deliveries(op)) for (const m of d.messageIds) counts.set(m, (counts.get(m) ?? 0) + 1);
  }
  return counts;
}

/** Every letter DELIVERED (the API says so) with exactly one DELIVERED event, and stored exactly once at the operators. */
async function expectDeliveredExactlyOnce(ids: string[]): Promise<void> {
  const letters = await queryLetters(apis[0].graphqlUrl, ids);
  const notDelivered = letters.filter((l) => l.status !== 'DELIVERED');
  expect(notDelivered.map((l) => `${l.id} ${l.status} ${l.statusReason}`)).toEqual([]);
  const deliveredEvents = letters.filter((l) => l.events.filter((e) => e.type === 'DELIVERED').length !== 1);
  expect(deliveredEvents.map((l) => `${l.id}: ${l.events.map((e) => e.type).join(',')}`)).toEqual([]);
  const counts = await storedCounts();
  const wrong = ids.filter((id) => counts.get(id) !== 1).map((id) => `${id} stored ${counts.get(id) ?? 0} times`);
  expect(wrong).toEqual([]);
}

/** Resolves once at least `n` of the letters are in `status` (read from the database). */
async function waitForSome(ids: string[], status: string, n: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await readLetters(hub!, ids);
    if (rows.filter((r) => r.status === status).length >= n) return;
    if (Date.now() > deadline) throw new Error(`fewer than ${n} letters reached ${status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** hub_reconciler_enqueued_total of a worker (from its /metrics). */
async function reconcilerEnqueued(worker: WorkerProcess): Promise<number> {
  const text = await (await fetch(`${worker.url}/metrics`)).text();
  const m = /^hub_reconciler_enqueued_total (\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

async function setLatency(ms: number): Promise<void> {
  await Promise.all(OPERATORS.map((o) => sims!.admin.setOperatorFaults(o, { latencyMs: ms })));
}

beforeAll(async () => {
  // The simulators first: they generate the test PKI the database seed reads, if it is not there yet.
  sims = await startSimulatorsProcess(seed);
  hub = await startHubDatabase({ label: 'hubdispatch' });
  await Promise.all([startApi(), startWorker()]);
  token = await getToken({ tokenEndpoint: sims.tokenEndpoint! } as RunningOidcIssuer, caseSystem);
}, 180_000);

afterAll(async () => {
  await sims?.admin.clearFaults().catch(() => undefined);
  await Promise.all([...apis.map((a) => stopProcess(a.child.child, 5000)), ...workers.map((w) => w.stop(5000))]);
  killAll();
  await sims?.close();
  await deleteKeysByPrefix(prefix);
  await hub?.drop();
}, 60_000);

describe('hub dispatch through real processes', () => {
  it('delivers a letter signed by the sending unit and sealed by the förmedlare; a not-reachable recipient without a postal address is held with the reason', async () => {
    const url = apis[0].graphqlUrl;
    const submitted = await submitLetter(url, KIVRA_RECIPIENT, { idempotencyKey: 'hub-dispatch-1' });
    expect(submitted.status).toBe('ACCEPTED');
    // An idempotent retry returns the same letter.
    expect((await submitLetter(url, KIVRA_RECIPIENT, { idempotencyKey: 'hub-dispatch-1' })).id).toBe(submitted.id);
    const unreachable = await submitLetter(url, NOT_REGISTERED);

    const delivered = await waitForStatus(url, submitted.id, 'DELIVERED');
    expect(delivered).toMatchObject({ channel: 'DIGITAL', operator: { id: '165599000014' }, transId: expect.any(String) });
    expect(delivered.events.map((e) => e.type)).toEqual(expect.arrayContaining(['ACCEPTED', 'SIGNED', 'SEALED', 'DELIVERED']));
    expect(delivered.events.filter((e) => e.type === 'DELIVERED')).toHaveLength(1);

    const stored = await sims!.admin.deliveries('kivra', { messageId: submitted.id });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ transId: delivered.transId, recipient: KIVRA_RECIPIENT, senderId: hub!.demo.units.bygg.orgNumber });
    expect(await sims!.admin.deliveries('minmyndighetspost', { messageId: submitted.id })).toHaveLength(0);

    const raw = await sims!.admin.raw('kivra', stored[0].transId);
    const ca = readFileSync(sims!.caFile);
    const verified = verifyDelivery(raw, { senderTrust: new TrustStore({ cas: [ca] }), sealTrust: new TrustStore({ cas: [ca] }), requireSeal: true });
    expect(verified.sender.serialNumber).toBe(hub!.demo.units.bygg.orgNumber);
    expect(verified.delivery.sender.id).toBe(hub!.demo.units.bygg.orgNumber);
    expect(verified.seal).toBeDefined();
    expect(verified.seal!.serialNumber).toBe(`16${seed.pki.intermediary.orgnr}`);
    expect(verified.seal!.signaturesOk).toBe(true);
    expect(verified.delivery.recipient).toBe(KIVRA_RECIPIENT);
    expect(verified.delivery.messages.map((m) => m.id)).toEqual([submitted.id]);
    expect(verified.delivery.messages[0].attachments.map((a) => a.content)).toEqual([tinyPdf(KIVRA_RECIPIENT)]);

    // Not reachable, and no postal address was given: the hub makes none up, the letter waits for a person.
    const held = await waitForStatus(url, unreachable.id, 'HELD');
    expect(held.statusReason).toBe('NO_POSTAL_ADDRESS');
    const toHeld = held.events.find((e) => e.toStatus === 'HELD');
    expect(toHeld?.detail).toMatchObject({ holdReason: 'NO_POSTAL_ADDRESS', reason: 'NOT_REGISTERED' });
    expect(held.transId).toBeNull();
    expect((await sims!.admin.deliveriesOfMessage(unreachable.id)).length).toBe(0);
  });

  it('delivers every letter exactly once after a worker is SIGKILLed mid-dispatch and a new one starts', async () => {
    const url = apis[0].graphqlUrl;
    await setLatency(1500);
    const result = await submitBulk(url, recipients(30).map((r) => input(r)));
    expect(result).toMatchObject({ accepted: 30, refused: 0 });
    const ids = result.results.map((r) => r.letter!.id);

    await waitForSome(ids, 'SEALED', 1);
    const killed = workers[0];
    const exited = new Promise((resolve) => killed.process.once('exit', resolve));
    killed.process.kill('SIGKILL');
    await exited;
    const atKill = await readLetters(hub!, ids);
    expect(atKill.some((l) => l.status !== 'DELIVERED')).toBe(true);

    await sims!.admin.clearFaults();
    await startWorker();
    // The killed worker's leases expire (2 × MM_TIMEOUT_MS + 10 s) and its BullMQ jobs stall; then the letters move on.
    await waitForLetters(hub!, ids, { timeoutMs: 90_000, pollMs: 200 });
    await expectDeliveredExactlyOnce(ids);
  }, 150_000);

  it('still delivers every letter when Redis loses every key of the hub mid-run', async () => {
    const url = apis[0].graphqlUrl;
    await setLatency(1000);
    const result = await submitBulk(url, recipients(100).map((r) => input(r)));
    expect(result).toMatchObject({ accepted: 100, refused: 0 });
    const ids = result.results.map((r) => r.letter!.id);

    const worker = workers[workers.length - 1];
    const enqueuedBefore = await reconcilerEnqueued(worker);
    await waitForSome(ids, 'SEALED', 1);
    expect(await deleteKeysByPrefix(prefix)).toBeGreaterThan(0);
    const atFlush = await readLetters(hub!, ids);
    expect(atFlush.filter((l) => l.status !== 'DELIVERED').length).toBeGreaterThan(0);
    await sims!.admin.clearFaults();

    await waitForLetters(hub!, ids, { timeoutMs: 90_000, pollMs: 200 });
    await expectDeliveredExactlyOnce(ids);
    // The jobs were gone: the reconciler put the letters back on the queue.
    expect(await reconcilerEnqueued(worker)).toBeGreaterThan(enqueuedBefore);
  }, 150_000);

  it('two API and two worker processes side by side process every letter once', async () => {
    await Promise.all([startApi(), startWorker()]);
    const live = workers.filter((w) => w.process.exitCode === null && w.process.signalCode === null);
    expect(live).toHaveLength(2);
    expect(apis).toHaveLength(2);

    const people = recipients(200);
    const bad = input('198101032385'); // wrong check digit
    const [a, b] = await Promise.all([
      submitBulk(apis[0].graphqlUrl, [...people.slice(0, 100).map((r) => input(r)), bad]),
      submitBulk(apis[1].graphqlUrl, people.slice(100).map((r) => input(r))),
    ]);
    expect(a).toMatchObject({ accepted: 100, refused: 1 });
    expect(a.results[100]).toMatchObject({ index: 100, code: 'VALIDATION_FAILED', letter: null });
    expect(b).toMatchObject({ accepted: 100, refused: 0 });
    const ids = [...a.results, ...b.results].filter((r) => r.letter).map((r) => r.letter!.id);
    expect(new Set(ids).size).toBe(200);

    await waitForLetters(hub!, ids, { timeoutMs: 90_000, pollMs: 200 });
    await expectDeliveredExactlyOnce(ids);
    // Every letter also has its events in the database (the API read them from there).
    expect((await eventsOf(hub!, ids[0])).filter((e) => e.type === 'DELIVERED')).toHaveLength(1);
  }, 150_000);
});
