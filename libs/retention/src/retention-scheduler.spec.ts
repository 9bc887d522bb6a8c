/**
 * The daily retention run against a real PostgreSQL: once per tenant and local day even with two
 * workers' loops, at the configured local time (or the tenant's own), taken over when a worker's lease
 * expired, and the worker's loop as the worker process starts it.
 */
import { createLogger } from '@hub/observability';
import { TenantDb } from '@hub/persistence';
import { HubDatabase, insertLetters, startHubDatabase } from '../../../test/support';
import { PseudonymKeys } from './pseudonyms';
import { RetentionPurge } from './retention-purge';
import { RetentionRules } from './retention-rules.service';
import { checkSchedulerSettings, RetentionScheduler } from './retention-scheduler';
import { startRetentionWorker } from './retention-runtime';

jest.setTimeout(60_000);

const log = createLogger('retention-scheduler-test', process.env.TEST_LOG_LEVEL ?? 'silent');

let hub: HubDatabase;
let db: TenantDb;
let purge: RetentionPurge;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'retention-sched' });
  db = new TenantDb(await hub.appOrm());
  purge = new RetentionPurge({ db, pseudonyms: new PseudonymKeys(hub.masterKey) });
});
afterAll(() => hub?.drop());

let n = 0;
/** A tenant with a content rule (30 days) and one letter old enough for it, or none. */
async function tenant(options: { rule?: boolean; runAt?: string } = {}): Promise<string> {
  const alias = `sched-${++n}-${Date.now().toString(36)}`;
  const settings = options.runAt ? { retention: { runAt: options.runAt } } : {};
  const [t] = await hub.ownerQuery<{ id: string }>(`insert into tenant (alias, name, org_number, settings) values ($1, $1, '162120001231', $2) returning id`, [alias, JSON.stringify(settings)]);
  const [u] = await hub.ownerQuery<{ id: string }>(`insert into sending_unit (tenant_id, code, name, org_number) values ($1, 'bygg', 'Bygg', '162120001231') returning id`, [t.id]);
  if (options.rule !== false) await new RetentionRules(db).create({ tenantId: t.id, actor: 'admin' }, { contentAfterDays: 30 });
  const [id] = await insertLetters(db, hub, [{ recipientId: '198101032384', sendingUnitId: u.id }], { tenantId: t.id });
  await hub.ownerQuery(`update letter set status = 'DELIVERED', dispatched_at = now() - interval '40 days' where id = $1`, [id]);
  return t.id;
}

const scheduledRuns = async (tenantId: string) =>
  (await hub.ownerQuery<{ n: string }>(`select count(*)::text as n from retention_purge where tenant_id = $1 and trigger = 'SCHEDULE' and not dry_run`, [tenantId]))[0].n;

/** A clock the test moves; the schedulers read it. */
let clock = new Date('2026-03-10T01:00:00Z');
const scheduler = (workerId: string) =>
  new RetentionScheduler({ db, purge, log, runAt: '02:30', timeZone: 'Europe/Stockholm', checkIntervalMs: 60_000, leaseSeconds: 600, workerId, now: () => clock });

it('runs each tenant once per local day at the run time, even with two workers, and only tenants with rules', async () => {
  const withRule = await tenant();
  const withoutRule = await tenant({ rule: false });
  const a = scheduler('worker-a');
  const b = scheduler('worker-b');

  clock = new Date('2026-03-10T01:00:00Z'); // 02:00 in Stockholm (CET): before 02:30
  expect(await Promise.all([a.tick(), b.tick()])).toEqual([[], []]);
  expect(await scheduledRuns(withRule)).toBe('0');

  clock = new Date('2026-03-10T02:00:00Z'); // 03:00 in Stockholm
  const ran = (await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()])).flat();
  expect(ran.filter((t) => t === withRule)).toHaveLength(1);
  expect(ran).not.toContain(withoutRule);
  expect(await scheduledRuns(withRule)).toBe('1');
  expect((await hub.ownerQuery<{ content_purged_at: Date | null }>(`select content_purged_at from letter where tenant_id = $1`, [withRule]))[0].content_purged_at).not.toBeNull();
  const [run] = await hub.ownerQuery<{ run_date: string; owner: string; finished_at: Date | null }>(`select run_date::text, owner, finished_at from retention_run where tenant_id = $1`, [withRule]);
  expect(run.run_date).toBe('2026-03-10');
  expect(['worker-a', 'worker-b']).toContain(run.owner);
  expect(run.finished_at).not.toBeNull();

  clock = new Date('2026-03-10T22:59:00Z'); // 23:59 the same local day
  expect((await Promise.all([a.tick(), b.tick()])).flat()).not.toContain(withRule);

  clock = new Date('2026-03-10T23:30:00Z'); // 00:30 the next local day: before the run time
  expect((await Promise.all([a.tick(), b.tick()])).flat()).not.toContain(withRule);

  clock = new Date('2026-03-11T01:45:00Z'); // 02:45 the next day
  expect((await Promise.all([a.tick(), b.tick()])).flat().filter((t) => t === withRule)).toHaveLength(1);
  expect(await scheduledRuns(withRule)).toBe('2');
});

it('follows a tenant’s own run time', async () => {
  const late = await tenant({ runAt: '05:00' });
  const broken = await tenant({ runAt: '25:99' }); // not a time: the default applies
  const a = scheduler('worker-a');
  clock = new Date('2026-04-01T02:00:00Z'); // 04:00 in Stockholm (CEST)
  const first = await a.tick();
  expect(first).not.toContain(late);
  expect(first).toContain(broken);
  clock = new Date('2026-04-01T03:01:00Z'); // 05:01
  expect(await a.tick()).toContain(late);
});

it('takes over a day whose worker died (lease expired), not one still held', async () => {
  const dead = await tenant();
  const alive = await tenant();
  clock = new Date('2026-05-02T10:00:00Z');
  await hub.ownerQuery(`insert into retention_run (tenant_id, run_date, owner, lease_until) values ($1, '2026-05-02', 'worker-dead', now() - interval '1 second')`, [dead]);
  await hub.ownerQuery(`insert into retention_run (tenant_id, run_date, owner, lease_until) values ($1, '2026-05-02', 'worker-busy', now() + interval '1 hour')`, [alive]);
  const ran = await scheduler('worker-c').tick();
  expect(ran).toContain(dead);
  expect(ran).not.toContain(alive);
  expect((await hub.ownerQuery<{ owner: string }>(`select owner from retention_run where tenant_id = $1`, [dead]))[0].owner).toBe('worker-c');
  expect(await scheduledRuns(alive)).toBe('0');
});

it('runs in the worker’s loop once started, and stops', async () => {
  const t = await tenant();
  const worker = startRetentionWorker({ db, log, masterKey: hub.masterKey, checkIntervalMs: 100, runAt: '00:00', now: () => new Date('2026-06-01T12:00:00Z') });
  try {
    const deadline = Date.now() + 15_000;
    while ((await scheduledRuns(t)) !== '1') {
      if (Date.now() > deadline) throw new Error('the retention loop did not run');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await worker.stop();
  }
  expect(await scheduledRuns(t)).toBe('1');
});

it('refuses settings it cannot work with, naming each', () => {
  expect(() => checkSchedulerSettings({ runAt: '2:30', timeZone: 'Mars/Olympus', checkIntervalMs: 5, leaseSeconds: 1 })).toThrow(
    /runAt "2:30" must be a local time HH:MM.*timeZone "Mars\/Olympus" must be an IANA time zone.*checkIntervalMs.*leaseSeconds/,
  );
  expect(() => checkSchedulerSettings({ runAt: '02:30', timeZone: 'Europe/Stockholm', checkIntervalMs: 60_000, leaseSeconds: 900 })).not.toThrow();
});
