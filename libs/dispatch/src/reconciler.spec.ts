/**
 * The reconciler against real PostgreSQL, Redis and the simulators: when Redis has lost every job
 * (FLUSHALL, here limited to this test's key prefix), stalled letters are found, enqueued once and
 * delivered; letters another worker holds a live lease on are left alone.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { Queue } from 'bullmq';
import { JobName, LETTER_QUEUE } from '@hub/jobs';
import { createLogger } from '@hub/observability';
import { TenantDb } from '@hub/persistence';
import {
  deleteKeysByPrefix,
  hubConfig,
  HubDatabase,
  insertLetters,
  readLetters,
  startHubDatabase,
  startSimulatorsInProcess,
  TEST_REDIS_URL,
  TestSimulators,
  uniqueQueuePrefix,
  waitForLetters,
} from '../../../test/support';
import { DispatchRuntime, startDispatchRuntime } from './dispatch-runtime';
import { OutboxRelay } from './outbox-relay';
import { redisConnection } from './queue-options';
import { Reconciler, reconcileJobId } from './reconciler';

jest.setTimeout(60_000);

const DELIVERABLE = ['198101032384', '199001012385', '202001612395', '195001182046', '198001022386', '200001012384'];
const STALLED_MS = 300;

let hub: HubDatabase;
let sims: TestSimulators;
let orm: MikroORM;
let db: TenantDb;
let queue: Queue;
let runtime: DispatchRuntime | undefined;
const prefix = uniqueQueuePrefix('reconcile');
const log = createLogger('reconciler-test', process.env.TEST_LOG_LEVEL ?? 'silent');

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'reconcile' });
  sims = await startSimulatorsInProcess();
  orm = await hub.appOrm(12);
  db = new TenantDb(orm);
  queue = new Queue(LETTER_QUEUE, { connection: redisConnection(TEST_REDIS_URL), prefix });
});

afterAll(async () => {
  await runtime?.close();
  await queue?.close();
  await sims?.close();
  await deleteKeysByPrefix(prefix);
  await hub?.drop();
});

describe('reconciler', () => {
  it('re-enqueues stalled letters after Redis lost every job, once per scan state, and they are delivered', async () => {
    const ids = await insertLetters(db, hub, Array.from({ length: 30 }, (_, i) => ({ recipientId: DELIVERABLE[i % DELIVERABLE.length] })));
    // A worker died holding this one (its lease has expired) …
    const [abandoned] = await insertLetters(db, hub, [{ recipientId: '198101032384' }], { enqueue: false });
    await hub.ownerQuery(`update letter set status = 'ROUTING', lease_owner = 'dead-worker', lease_until = now() - interval '1 second' where id = $1`, [abandoned]);
    // … and this one is being worked on right now by a live worker elsewhere.
    const [leased] = await insertLetters(db, hub, [{ recipientId: '198101032384' }], { enqueue: false });
    await hub.ownerQuery(`update letter set lease_owner = 'live-worker', lease_until = now() + interval '1 hour' where id = $1`, [leased]);

    const relay = new OutboxRelay({ db, queue, pollMs: 10, log });
    expect(await relay.relayOnce()).toBe(30);
    expect((await queue.getJobCounts('waiting')).waiting).toBe(30);
    await new Promise((r) => setTimeout(r, STALLED_MS + 100));

    // Stalled, but their jobs are only waiting in the queue (a backlog): nothing to add but the abandoned letter's.
    const reconciler = new Reconciler({ db, queue, intervalMs: 100, stalledMs: STALLED_MS, log });
    expect(await reconciler.reconcileOnce()).toBe(1);
    expect((await queue.getJobCounts('waiting')).waiting).toBe(31);

    // FLUSHALL, limited to this test's keys.
    expect(await deleteKeysByPrefix(prefix)).toBeGreaterThan(0);
    expect((await queue.getJobCounts('waiting')).waiting).toBe(0);

    expect(await reconciler.reconcileOnce()).toBe(31);
    expect(await reconciler.reconcileOnce()).toBe(31);
    expect((await queue.getJobCounts('waiting')).waiting).toBe(31);
    const [row] = await readLetters(hub, [abandoned]);
    expect(await queue.getJob(reconcileJobId(abandoned, row.updated_at, 0))).toBeDefined();

    const config = hubConfig(hub, sims, { QUEUE_PREFIX: prefix, RECONCILE_INTERVAL_MS: '200', RECONCILE_STALLED_MS: String(STALLED_MS) });
    runtime = await startDispatchRuntime({ config, orm, log, jobNames: [JobName.DispatchLetter] });
    const letters = await waitForLetters(hub, [...ids, abandoned]);
    expect(letters.map((l) => l.status)).toEqual(Array(31).fill('DELIVERED'));
    for (const id of [...ids, abandoned]) expect(await sims.admin.deliveriesOfMessage(id)).toHaveLength(1);
    const [untouched] = await readLetters(hub, [leased]);
    expect(untouched).toMatchObject({ status: 'ACCEPTED', lease_owner: 'live-worker' });
  });

  it('recovers with the worker running through the flush', async () => {
    await runtime!.worker!.pause();
    const ids = await insertLetters(db, hub, Array.from({ length: 10 }, (_, i) => ({ recipientId: DELIVERABLE[i % DELIVERABLE.length] })));
    const deadline = Date.now() + 10_000;
    while ((await queue.getJobCounts('waiting')).waiting < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect((await queue.getJobCounts('waiting')).waiting).toBe(10);
    await deleteKeysByPrefix(prefix);
    runtime!.worker!.resume();
    const letters = await waitForLetters(hub, ids, { timeoutMs: 20_000 });
    expect(letters.map((l) => l.status)).toEqual(Array(10).fill('DELIVERED'));
    for (const id of ids) expect(await sims.admin.deliveriesOfMessage(id)).toHaveLength(1);
  });

  it('hands a letter on once the lease of a worker that died expires', async () => {
    const [id] = await insertLetters(db, hub, [{ recipientId: '195001182046' }], { enqueue: false });
    await hub.ownerQuery(`update letter set lease_owner = 'dying-worker', lease_until = now() + interval '500 milliseconds', updated_at = now() - interval '1 hour' where id = $1`, [id]);
    const [letter] = await waitForLetters(hub, [id], { timeoutMs: 15_000 });
    expect(letter).toMatchObject({ status: 'DELIVERED', lease_owner: null });
  });
});
