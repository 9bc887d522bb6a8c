/**
 * The compiled worker as a real process (run `npm run build` first) against a fresh database, Redis
 * and the simulators as a real process: it delivers, serves /health and /metrics, refuses a bad
 * setting with a message, and on SIGTERM lets a running job finish before it exits.
 */
import { spawnSync } from 'node:child_process';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantDb } from '@hub/persistence';
import {
  deleteKeysByPrefix,
  hubEnv,
  HubDatabase,
  insertLetters,
  readLetters,
  startHubDatabase,
  startSimulatorsProcess,
  startWorkerProcess,
  TestSimulators,
  uniqueQueuePrefix,
  waitForLetters,
  WORKER_MAIN,
  WorkerProcess,
} from '../../../test/support';

jest.setTimeout(90_000);

let hub: HubDatabase;
let sims: TestSimulators;
let orm: MikroORM;
let db: TenantDb;
let worker: WorkerProcess | undefined;
const prefix = uniqueQueuePrefix('worker');

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'worker' });
  // No print batch closes during these tests (the demo vendor's batches close after a 10 s wait).
  await hub.ownerQuery(`update print_vendor set max_wait_seconds = null, cutoff_times = '{}'`);
  sims = await startSimulatorsProcess();
  orm = await hub.appOrm(4);
  db = new TenantDb(orm);
});

afterAll(async () => {
  if (worker) await worker.stop(5000);
  await sims?.close();
  await deleteKeysByPrefix(prefix);
  await hub?.drop();
});

describe('worker process', () => {
  it('stops at boot with a message naming a bad setting', () => {
    const env = { ...hubEnv(hub, sims, { QUEUE_PREFIX: prefix }), MASTER_KEY: 'too-short', WORKER_CONCURRENCY: 'many', PATH: process.env.PATH ?? '' };
    const r = spawnSync(process.execPath, [WORKER_MAIN], { env, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/MASTER_KEY=\(hidden\): must be 32 bytes/);
    expect(r.stderr).toMatch(/WORKER_CONCURRENCY="many"/);
    expect(r.stdout).not.toMatch(/WORKER READY/);
  });

  it('delivers letters and serves /health and /metrics', async () => {
    worker = await startWorkerProcess(hubEnv(hub, sims, { QUEUE_PREFIX: prefix, LOG_LEVEL: 'info' }));
    const ids = await insertLetters(db, hub, [{ recipientId: '198101032384' }, { recipientId: '195001182046' }, { recipientId: '201001012382' }]);
    const letters = await waitForLetters(hub, ids);
    expect(letters.map((l) => l.status)).toEqual(['DELIVERED', 'DELIVERED', 'PRINT_PENDING']);
    // The letter for print is rendered by the same worker (a prepare-print job), counted once its job completes.
    for (const until = Date.now() + 30_000; !/^hub_jobs_total\{job="prepare-print",outcome="READY"\} 1$/m.test(await (await fetch(`${worker.url}/metrics`)).text()); ) {
      if (Date.now() > until) throw new Error('the letter for print was not rendered');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await hub.ownerQuery(`select 1 from print_item where letter_id = $1`, [ids[2]])).toHaveLength(1);

    const health = await fetch(`${worker.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', db: 'ok', redis: 'ok', worker: 'ok' });
    const metrics = await (await fetch(`${worker.url}/metrics`)).text();
    expect(metrics).toMatch(/^hub_letters\{status="DELIVERED"\} 2$/m);
    expect(metrics).toMatch(/^hub_letters\{status="PRINT_PENDING"\} 1$/m);
    expect(metrics).toMatch(/^hub_jobs_total\{job="dispatch-letter",outcome="DELIVERED"\} 2$/m);
    expect(metrics).toMatch(/^hub_jobs_total\{job="prepare-print",outcome="READY"\} 1$/m);
    expect(metrics).toMatch(/^hub_queue_jobs\{queue="letters",state="completed"\} 4$/m);
    expect(metrics).toMatch(/^hub_dispatch_latency_seconds_count 2$/m);
    // Logs are JSON lines; every line about a job carries its id and the tenant; personnummer appear masked only.
    const lines = worker
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const jobLines = lines.filter((l) => 'letterId' in l);
    expect(jobLines.length).toBeGreaterThanOrEqual(3);
    for (const l of jobLines) expect(l).toMatchObject({ jobId: expect.stringMatching(/^outbox-\d+$/), tenantId: hub.demo.tenantId });
    expect(worker.output()).not.toMatch(/198101032384|195001182046|201001012382/);
  });

  it('finishes a running job on SIGTERM before exiting', async () => {
    await sims.admin.setOperatorFaults('kivra', { latencyMs: 1500 });
    const [id] = await insertLetters(db, hub, [{ recipientId: '199001012385' }]);
    await waitForLetters(hub, [id], { until: (l) => l.status === 'SEALED', pollMs: 10 });
    const code = await worker!.stop();
    expect(code).toBe(0);
    const [letter] = await readLetters(hub, [id]);
    expect(letter).toMatchObject({ status: 'DELIVERED', lease_owner: null });
    expect(await sims.admin.deliveriesOfMessage(id)).toHaveLength(1);
    worker = undefined;
    await sims.admin.clearFaults();
  });
});
