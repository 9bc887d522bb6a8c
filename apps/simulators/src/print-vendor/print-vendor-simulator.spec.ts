import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminServer } from '../admin-server';
import { RunningOidcIssuer, startOidcIssuer } from '../oidc/oidc-issuer';
import { checkSeed, SimulatorSeed, withFreePorts } from '../seed';
import { startSimulators } from '../simulators';
import { ensureTestPki } from '@hub/testing';
import { PrintHubDouble, sha256 } from './print-hub.spec-helper';
import { PrintVendorConfig, PrintVendorSimulator, PrintVendorState } from './print-vendor-simulator';

const AUDIENCE = 'dispatch-hub-api';
const VENDOR = { clientId: 'test-print-vendor', clientSecret: 'test-print-vendor-secret' };

let issuer: RunningOidcIssuer;
let hub: PrintHubDouble;
let vendor: PrintVendorSimulator | undefined;
let logs: string[];

function startVendor(changes: Partial<PrintVendorConfig> = {}): PrintVendorSimulator {
  vendor = new PrintVendorSimulator(
    {
      hubUrl: hub.url,
      tokenUrl: issuer.tokenEndpoint,
      ...VENDOR,
      pollIntervalMs: 20,
      printedAfterMs: 50,
      postedAfterMs: 100,
      returned: [{ name: 'Okänd Mottagare', reason: 'ADDRESSEE_UNKNOWN', afterMs: 150 }],
      ...changes,
    },
    { log: (line) => logs.push(line), requestTimeoutMs: 2_000 },
  );
  vendor.start();
  return vendor;
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; vendor log:\n${logs.join('\n')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const batchState = (id: string) => vendor!.state().batches.find((b) => b.id === id);
const pollsAfter = async (n: number) => {
  const target = vendor!.state().polls.count + n;
  await waitFor(`${n} more polls`, () => vendor!.state().polls.count >= target);
};
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  issuer = await startOidcIssuer({
    port: 0,
    issuerPath: '/realms/dispatch-hub',
    audience: AUDIENCE,
    clients: [
      { ...VENDOR, roles: ['print-vendor'] },
      { clientId: 'case-system', clientSecret: 'case-secret', tenant: 'demo-kommun', roles: ['case-system'] },
    ],
  });
});

afterAll(async () => {
  await issuer?.close();
});

beforeEach(async () => {
  logs = [];
  hub = new PrintHubDouble({ issuer: issuer.issuer, jwksUri: issuer.jwksUri, audience: AUDIENCE, vendorClientId: VENDOR.clientId });
  await hub.listen(0);
});

afterEach(async () => {
  await vendor?.stop();
  vendor = undefined;
  await hub.close();
});

describe('print-vendor simulator', () => {
  it('acknowledges a good batch once, then reports PRINTED and POSTED after their delays, and RETURNED for the configured name only', async () => {
    const batch = await hub.addBatch('batch-good', [
      { name: 'Anna Andersson', pages: 2 },
      { name: 'okänd   MOTTAGARE', pages: 1 },
      { name: 'Bo Bengtsson', pages: 3 },
    ]);
    hub.listAcknowledgedAsReady = true; // a lagging hub keeps listing it: the vendor must still acknowledge once
    startVendor();

    const state = await waitFor('every report sent', () => {
      const b = batchState('batch-good');
      return b?.reports.length === 3 && b.reports.every((r) => r.state !== 'waiting') && b;
    });
    await pollsAfter(3);

    const acks = hub.callsTo('POST', /\/acknowledge$/);
    expect(acks).toHaveLength(1);
    expect(acks[0].path).toBe('/print/v1/batches/batch-good/acknowledge');
    const reports = hub.calls.filter((c) => c.method === 'POST' && /status$/.test(c.path));
    expect(reports.map((c) => [c.path, c.body])).toEqual([
      ['/print/v1/batches/batch-good/status', { status: 'PRINTED', occurredAt: expect.any(String) }],
      ['/print/v1/batches/batch-good/status', { status: 'POSTED', occurredAt: expect.any(String) }],
      ['/print/v1/letters/status', { reports: [{ letterId: 'batch-good-letter-2', status: 'RETURNED', reason: 'ADDRESSEE_UNKNOWN', occurredAt: expect.any(String) }] }],
    ]);
    // Timers run from the acknowledgement (a millisecond of slack for timer rounding).
    expect(reports[0].at - acks[0].at).toBeGreaterThanOrEqual(49);
    expect(reports[1].at - acks[0].at).toBeGreaterThanOrEqual(99);
    expect(reports[2].at - acks[0].at).toBeGreaterThanOrEqual(149);
    expect(reports.every((c) => c.status === 200)).toBe(true);

    expect(state).toMatchObject({
      id: 'batch-good',
      check: 'passed',
      problems: [],
      acknowledgedAt: expect.any(String),
      letters: 3,
      pages: 6,
      reports: [
        { scope: 'batch', status: 'PRINTED', state: 'sent', outcome: { letters: 3, accepted: 3, duplicate: 0, notAccepted: [] } },
        { scope: 'batch', status: 'POSTED', state: 'sent', outcome: { letters: 3, accepted: 3, duplicate: 0 } },
        { scope: 'letter', status: 'RETURNED', letterId: 'batch-good-letter-2', name: 'okänd   MOTTAGARE', reason: 'ADDRESSEE_UNKNOWN', state: 'sent' },
      ],
    });
    expect(batch.summary.status).toBe('POSTED');
    expect([...batch.letterStatus.values()]).toEqual([['PRINTED', 'POSTED'], ['PRINTED', 'POSTED', 'RETURNED'], ['PRINTED', 'POSTED']]);
    // Each file was downloaded once, though the batch stayed listed.
    expect(hub.callsTo('GET', /\/pdf$/)).toHaveLength(1);
    expect(vendor!.state().totals).toEqual({ seen: 1, passed: 1, failed: 0, acknowledged: 1, reportsSent: 3, reportsWaiting: 0, reportsRejected: 0 });
  });

  it('refuses a batch with a wrong checksum and one whose PDF has fewer pages than the manifest says, and acknowledges neither', async () => {
    await hub.addBatch('batch-bad-checksum', [{ name: 'Anna Andersson', pages: 1 }], (b) => {
      b.summary.files.pdf.sha256 = '0'.repeat(64);
    });
    const short = await hub.addBatch('batch-short-pdf', [{ name: 'Bo Bengtsson', pages: 2 }]);
    // A PDF of 2 pages under a manifest that claims 3, with every checksum consistent: only the page count is wrong.
    const manifest = JSON.parse(short.manifestJson.toString('utf8'));
    manifest.letters[0].pages = 3;
    manifest.letters[0].lastPage = 3;
    manifest.totals.pages = 3;
    short.manifestJson = Buffer.from(JSON.stringify(manifest));
    short.summary.pages = 3;
    short.summary.files.manifestJson = { ...short.summary.files.manifestJson, bytes: short.manifestJson.length, sha256: sha256(short.manifestJson) };
    await hub.addBatch('batch-fine', [{ name: 'Cecilia Carlsson', pages: 1 }]);
    startVendor();

    await waitFor('three batches checked', () => vendor!.state().totals.seen === 3);
    await waitFor('the good batch acknowledged', () => batchState('batch-fine')?.acknowledgedAt);
    await pollsAfter(3);

    expect(hub.callsTo('POST', /\/acknowledge$/).map((c) => c.path)).toEqual(['/print/v1/batches/batch-fine/acknowledge']);
    expect(batchState('batch-bad-checksum')).toMatchObject({ check: 'failed', reports: [] });
    expect(batchState('batch-bad-checksum')!.acknowledgedAt).toBeUndefined();
    expect(batchState('batch-bad-checksum')!.problems).toEqual([expect.stringMatching(/^files\.pdf: the download hashes to [0-9a-f]{64}, the summary says sha256 0{64}$/)]);
    expect(batchState('batch-short-pdf')).toMatchObject({ check: 'failed', problems: ["the PDF has 2 pages, the manifest's totals.pages says 3"] });
    expect(hub.batches.get('batch-bad-checksum')!.summary.status).toBe('READY');
    expect(hub.batches.get('batch-short-pdf')!.summary.status).toBe('READY');
    // Refused once, logged once, not downloaded again at every poll.
    expect(hub.callsTo('GET', /batch-bad-checksum\/pdf$/)).toHaveLength(1);
    expect(logs.filter((l) => l.startsWith('refused batch'))).toEqual([
      expect.stringContaining('refused batch batch-bad-checksum (not acknowledged): files.pdf: the download hashes to'),
      expect.stringContaining("refused batch batch-short-pdf (not acknowledged): the PDF has 2 pages, the manifest's totals.pages says 3"),
    ]);
    expect(vendor!.state().totals).toMatchObject({ seen: 3, passed: 1, failed: 2, acknowledged: 1 });
  });

  it('checks the manifest against the PDF and the X-Checksum-SHA256 header', async () => {
    await hub.addBatch('batch-other-pdf', [{ name: 'Anna Andersson', pages: 1 }], (b) => {
      b.manifestJson = Buffer.from(JSON.stringify({ ...JSON.parse(b.manifestJson.toString('utf8')), pdfSha256: 'f'.repeat(64) }));
      b.summary.files.manifestJson = { ...b.summary.files.manifestJson, bytes: b.manifestJson.length, sha256: sha256(b.manifestJson) };
    });
    startVendor();
    const b = await waitFor('the batch checked', () => batchState('batch-other-pdf'));
    expect(b).toMatchObject({ check: 'failed', problems: [expect.stringMatching(/^manifest\.json pdfSha256 is f{64}, the PDF hashes to [0-9a-f]{64}$/)] });
    expect(hub.callsTo('POST', /\/acknowledge$/)).toEqual([]);
  });

  it('keeps polling while the hub answers 500, and picks the batch up when it recovers', async () => {
    await hub.addBatch('batch-after-500', [{ name: 'Anna Andersson', pages: 1 }]);
    hub.failAll = true;
    startVendor();
    await waitFor('three failed polls', () => vendor!.state().polls.failed >= 3);
    expect(vendor!.state().polls.lastError).toMatch(/listing READY batches: GET http:\/\/127\.0\.0\.1:\d+\/print\/v1\/batches\?status=READY answered HTTP 500 INTERNAL: the hub is having a bad day/);
    // Logged once, not at every poll.
    expect(logs.filter((l) => l.includes('HTTP 500'))).toHaveLength(1);
    hub.failAll = false;
    await waitFor('the batch acknowledged', () => batchState('batch-after-500')?.acknowledgedAt);
    expect(logs).toContain('the hub answers again');
    expect(vendor!.state().polls.lastError).toBeUndefined();
  });

  it('keeps polling while the hub is unreachable, and picks the batch up when it starts', async () => {
    const port = await freePort();
    await hub.close();
    hub = new PrintHubDouble({ issuer: issuer.issuer, jwksUri: issuer.jwksUri, audience: AUDIENCE, vendorClientId: VENDOR.clientId });
    await hub.addBatch('batch-after-start', [{ name: 'Anna Andersson', pages: 1 }]);
    startVendor({ hubUrl: `http://127.0.0.1:${port}/` });
    await waitFor('three failed polls', () => vendor!.state().polls.failed >= 3);
    expect(vendor!.state().polls.lastError).toMatch(/ECONNREFUSED/);
    expect(logs.filter((l) => l.includes('ECONNREFUSED'))).toHaveLength(1);
    await hub.listen(port);
    await waitFor('the batch acknowledged', () => batchState('batch-after-start')?.acknowledgedAt);
    expect(hub.callsTo('POST', /\/acknowledge$/)).toHaveLength(1);
  });

  it('retries a status report the hub could not take at the next poll, keeping PRINTED before POSTED', async () => {
    await hub.addBatch('batch-retry', [{ name: 'Anna Andersson', pages: 1 }]);
    hub.failStatusReports = true;
    startVendor({ printedAfterMs: 10, postedAfterMs: 20, returned: [] });
    await waitFor('PRINTED attempted twice', () => (batchState('batch-retry')?.reports[0]?.attempts ?? 0) >= 2);
    await sleep(50);
    expect(batchState('batch-retry')!.reports.map((r) => [r.status, r.state])).toEqual([
      ['PRINTED', 'waiting'],
      ['POSTED', 'waiting'],
    ]);
    expect(batchState('batch-retry')!.reports[0].lastError).toMatch(/HTTP 503 UNAVAILABLE/);
    expect(batchState('batch-retry')!.reports[1].attempts).toBe(0);
    hub.failStatusReports = false;
    await waitFor('both sent', () => batchState('batch-retry')!.reports.every((r) => r.state === 'sent'));
    const sent = hub.callsTo('POST', /\/status$/).map((c) => (c.body as { status: string; occurredAt: string }));
    expect(sent.map((b) => b.status)).toEqual(['PRINTED', 'POSTED']);
    // occurredAt is when it was due, not when the hub finally took it.
    const due = batchState('batch-retry')!.reports[0].dueAt;
    expect(sent[0].occurredAt).toBe(due);
  });

  it('sends the same cached bearer token on every call, and gets a new one when the hub refuses it', async () => {
    await hub.addBatch('batch-token', [{ name: 'Okänd Mottagare', pages: 1 }]);
    startVendor();
    await waitFor('every report sent', () => batchState('batch-token')?.reports.every((r) => r.state === 'sent') && batchState('batch-token')!.reports.length === 3);
    await pollsAfter(2);
    expect(hub.calls.length).toBeGreaterThan(10);
    expect(hub.calls.filter((c) => !c.token || c.authError)).toEqual([]);
    expect(new Set(hub.calls.map((c) => c.token)).size).toBe(1);
  });

  it('gets a new token when the hub answers 401 to the cached one, without failing the poll', async () => {
    startVendor();
    await waitFor('a poll', () => hub.calls.length > 0);
    const first = hub.calls[0].token!;
    hub.revokedTokens.add(first);
    await waitFor('a call with another token', () => hub.calls.some((c) => c.token !== first));
    const refused = hub.calls.filter((c) => c.authError === 'revoked');
    expect(refused).toHaveLength(1);
    const after = hub.calls.slice(hub.calls.indexOf(refused[0]) + 1);
    expect(after.every((c) => c.token !== first && !c.authError && c.status === 200)).toBe(true);
    expect(vendor!.state().polls.failed).toBe(0);
  });

  it('does not send the token to a download href off the hub', async () => {
    await hub.addBatch('batch-elsewhere', [{ name: 'Anna Andersson', pages: 1 }], (b) => {
      b.summary.files.manifestCsv = { ...b.summary.files.manifestCsv, href: 'http://attacker.invalid/manifest.csv' };
    });
    startVendor();
    const b = await waitFor('the batch checked', () => batchState('batch-elsewhere'));
    expect(b.problems).toEqual([expect.stringContaining('href http://attacker.invalid/manifest.csv is not on the hub')]);
    expect(hub.callsTo('POST', /\/acknowledge$/)).toEqual([]);
  });

  it('stop() cancels the pending reports and the polling', async () => {
    await hub.addBatch('batch-stopped', [{ name: 'Anna Andersson', pages: 1 }]);
    startVendor({ printedAfterMs: 200, postedAfterMs: 300, returned: [] });
    await waitFor('the batch acknowledged', () => batchState('batch-stopped')?.acknowledgedAt);
    await vendor!.stop();
    const calls = hub.calls.length;
    await sleep(350);
    expect(hub.calls.length).toBe(calls);
    expect(vendor!.state()).toMatchObject({ running: false, totals: { reportsSent: 0, reportsWaiting: 2 } });
  });

  it('shows its state on the admin server at GET /print-vendor', async () => {
    await hub.addBatch('batch-admin', [{ name: 'Anna Andersson', pages: 1 }]);
    const v = startVendor();
    await waitFor('the batch acknowledged', () => batchState('batch-admin')?.acknowledgedAt);
    const admin = new AdminServer(undefined as never, new Map(), () => ({}), v);
    const without = new AdminServer(undefined as never, new Map(), () => ({}));
    try {
      const port = await admin.listen(0, '127.0.0.1');
      const res = await fetch(`http://127.0.0.1:${port}/print-vendor`);
      expect(res.status).toBe(200);
      const state = (await res.json()) as PrintVendorState;
      expect(state).toMatchObject({
        hubUrl: hub.url,
        tokenUrl: issuer.tokenEndpoint,
        clientId: VENDOR.clientId,
        running: true,
        polls: { count: expect.any(Number), failed: 0 },
        totals: { seen: 1, passed: 1, acknowledged: 1 },
        batches: [{ id: 'batch-admin', check: 'passed', problems: [], acknowledgedAt: expect.any(String), reports: [expect.objectContaining({ status: 'PRINTED' }), expect.objectContaining({ status: 'POSTED' })] }],
      });
      expect(JSON.stringify(state)).not.toContain(VENDOR.clientSecret);
      const otherPort = await without.listen(0, '127.0.0.1');
      const none = await fetch(`http://127.0.0.1:${otherPort}/print-vendor`);
      expect(none.status).toBe(404);
      expect(await none.json()).toEqual({ error: 'no print vendor: the seed has no printVendor section' });
    } finally {
      await admin.close();
      await without.close();
    }
  });
});

describe('the print vendor with the simulators and the test PKI', () => {
  jest.setTimeout(60_000);
  let tmp: string;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'print-vendor-sims-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('gets its token from the simulators\' own issuer as demo-print-vendor and pulls from the hub', async () => {
    const seed = withFreePorts(JSON.parse(readFileSync(join(__dirname, '..', '..', 'seed', 'demo.json'), 'utf8')) as SimulatorSeed);
    seed.pkiDir = join(tmp, 'pki');
    expect(seed.printVendor).toMatchObject({ clientId: 'demo-print-vendor', pollIntervalMs: 2000, printedAfterMs: 3000, postedAfterMs: 6000 });
    expect(seed.printVendor!.tokenUrl).toBeUndefined();
    // The hub double trusts the simulators' issuer, so it opens (on a port chosen now) once they run:
    // meanwhile the vendor finds nobody there and keeps polling.
    const hubPort = await freePort();
    seed.printVendor = { ...seed.printVendor!, hubUrl: `http://127.0.0.1:${hubPort}`, pollIntervalMs: 20, printedAfterMs: 10, postedAfterMs: 20, returned: [] };
    const sims = await startSimulators(checkSeed(seed, 'test seed'));
    try {
      expect(sims.printVendor!.config.tokenUrl).toBe(sims.oidc!.tokenEndpoint);
      await hub.close();
      hub = new PrintHubDouble({ issuer: sims.oidc!.issuer, jwksUri: sims.oidc!.jwksUri, audience: seed.oidc!.audience, vendorClientId: 'demo-print-vendor' });
      await hub.addBatch('batch-demo', [{ name: 'Test Testsson', pages: 1 }]);
      await hub.listen(hubPort);
      const admin = async () => (await (await fetch(`${sims.adminUrl}/print-vendor`)).json()) as PrintVendorState;
      const until = Date.now() + 10_000;
      let state = await admin();
      while (!(state.batches[0]?.reports.every((r) => r.state === 'sent') && state.batches[0].reports.length === 2) && Date.now() < until) {
        await sleep(20);
        state = await admin();
      }
      expect(state.batches).toMatchObject([{ id: 'batch-demo', check: 'passed', reports: [{ status: 'PRINTED', state: 'sent' }, { status: 'POSTED', state: 'sent' }] }]);
      expect(hub.calls.filter((c) => c.authError)).toEqual([]);
      expect((await (await fetch(`${sims.adminUrl}/health`)).json()) as object).toMatchObject({ printVendor: `http://127.0.0.1:${hubPort}` });
    } finally {
      await sims.close();
    }
    expect(sims.printVendor!.state().running).toBe(false);
  });

  it('pulls from an https hub whose CA it is given in caFile', async () => {
    const pki = await ensureTestPki(join(tmp, 'pki-https'), { intermediary: { orgnr: '5591234561', name: 'Förmedlare' }, municipalities: [], servers: [{ name: 'hub', commonName: 'hub' }] });
    await hub.close();
    hub = new PrintHubDouble({ issuer: issuer.issuer, jwksUri: issuer.jwksUri, audience: AUDIENCE, vendorClientId: VENDOR.clientId }, { key: pki.servers.hub.keyPem, cert: pki.servers.hub.certPem });
    await hub.addBatch('batch-https', [{ name: 'Anna Andersson', pages: 1 }]);
    await hub.listen(0);
    expect(hub.url).toMatch(/^https:/);
    // Without the CA the hub's certificate is not trusted (the CA is added to the process's defaults, so this goes first).
    startVendor();
    await waitFor('a failed poll', () => vendor!.state().polls.failed >= 1);
    expect(vendor!.state().polls.lastError).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|unable to verify/i);
    await vendor!.stop();
    startVendor({ caFile: pki.caCertPath });
    await waitFor('the batch acknowledged', () => batchState('batch-https')?.acknowledgedAt);
    expect(vendor!.state().polls.failed).toBe(0);
  });
});
