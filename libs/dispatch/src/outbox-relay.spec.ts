/**
 * The outbox relay against real PostgreSQL and Redis: every committed outbox row becomes exactly
 * one BullMQ job, with several relays at once and across a relay crash.
 */
import { Queue } from 'bullmq';
import { JobName, LETTER_QUEUE, outboxJobId } from '@hub/jobs';
import { createLogger } from '@hub/observability';
import { TenantDb } from '@hub/persistence';
import { deleteKeysByPrefix, HubDatabase, insertLetters, startHubDatabase, TEST_REDIS_URL, uniqueQueuePrefix } from '../../../test/support';
import { OutboxRelay } from './outbox-relay';
import { redisConnection } from './queue-options';

jest.setTimeout(60_000);

let hub: HubDatabase;
let db: TenantDb;
let queue: Queue;
const prefix = uniqueQueuePrefix('relay');
const log = createLogger('relay-test', process.env.TEST_LOG_LEVEL ?? 'silent');

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'relay' });
  db = new TenantDb(await hub.appOrm(6));
  queue = new Queue(LETTER_QUEUE, { connection: redisConnection(TEST_REDIS_URL), prefix });
});

afterAll(async () => {
  await queue?.close();
  await deleteKeysByPrefix(prefix);
  await hub?.drop();
});

beforeEach(async () => {
  await queue.obliterate({ force: true });
  await hub.ownerQuery('delete from outbox');
});

async function pendingRows(): Promise<number> {
  const [r] = await hub.ownerQuery<{ n: string }>('select count(*) as n from outbox where dispatched_at is null');
  return Number(r.n);
}

describe('outbox relay', () => {
  it('turns each outbox row into exactly one job, with two relays claiming at the same time', async () => {
    const letters = await insertLetters(db, hub, Array.from({ length: 1200 }, () => ({ recipientId: '198101032384' })));
    const rows = await hub.ownerQuery<{ id: string; letter_id: string }>('select id, letter_id from outbox');
    expect(rows).toHaveLength(1200);

    const relays = [1, 2].map((n) => new OutboxRelay({ db, queue, pollMs: 10, batchSize: 100, log: log.child({ relay: n }) }));
    const counts = [0, 0];
    await Promise.all(
      relays.map(async (relay, i) => {
        for (;;) {
          const n = await relay.relayOnce();
          counts[i] += n;
          if (n === 0) return;
        }
      }),
    );
    expect(counts[0] + counts[1]).toBe(1200);
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBeGreaterThan(0);
    expect(await pendingRows()).toBe(0);

    const jobs = await queue.getJobs(['waiting'], 0, -1);
    expect(jobs).toHaveLength(1200);
    expect(new Set(jobs.map((j) => j.id))).toEqual(new Set(rows.map((r) => outboxJobId(r.id))));
    const byId = new Map(rows.map((r) => [outboxJobId(r.id), r.letter_id]));
    for (const j of jobs) {
      expect(j.name).toBe(JobName.DispatchLetter);
      expect(j.data).toEqual({ tenantId: hub.demo.tenantId, letterId: byId.get(j.id!) });
      expect(j.opts.attempts).toBeGreaterThan(1);
    }
    expect(new Set(jobs.map((j) => j.data.letterId))).toEqual(new Set(letters));
  });

  it('adds no job twice when a relay died after adding its jobs and before marking its rows', async () => {
    await insertLetters(db, hub, Array.from({ length: 10 }, () => ({ recipientId: '198101032384' })));
    const rows = await hub.ownerQuery<{ id: string; payload: Record<string, unknown> }>('select id, payload from outbox');
    // What the dead relay got done: the jobs are in Redis, the rows are still pending.
    await queue.addBulk(rows.map((r) => ({ name: JobName.DispatchLetter, data: r.payload, opts: { jobId: outboxJobId(r.id) } })));
    expect(await pendingRows()).toBe(10);

    const relay = new OutboxRelay({ db, queue, pollMs: 10, log });
    expect(await relay.relayOnce()).toBe(10);
    expect(await pendingRows()).toBe(0);
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 10 });
  });

  it('relays a row only once it is due (a scheduled retry)', async () => {
    const [letterId] = await insertLetters(db, hub, [{ recipientId: '198101032384' }], { enqueue: false });
    await hub.ownerQuery(`insert into outbox (tenant_id, letter_id, job, payload, available_at) values ($1, $2, 'dispatch-letter', $3, now() + interval '400 milliseconds')`, [
      hub.demo.tenantId,
      letterId,
      JSON.stringify({ tenantId: hub.demo.tenantId, letterId }),
    ]);
    const relay = new OutboxRelay({ db, queue, pollMs: 10, log });
    expect(await relay.relayOnce()).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(await relay.relayOnce()).toBe(1);
  });

  it('runs as a loop until stopped', async () => {
    const relay = new OutboxRelay({ db, queue, pollMs: 10, log });
    relay.start();
    try {
      await insertLetters(db, hub, Array.from({ length: 5 }, () => ({ recipientId: '198101032384' })));
      const deadline = Date.now() + 10_000;
      while ((await pendingRows()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await pendingRows()).toBe(0);
      expect((await queue.getJobCounts('waiting')).waiting).toBe(5);
    } finally {
      await relay.stop();
    }
  });
});
