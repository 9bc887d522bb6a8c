/**
 * Benchmark: letters per second through the whole digital path of the hub, end to end: a letter
 * committed with its outbox row → outbox relay → BullMQ → one worker process (claim, FaR, sign,
 * seal, SEALED committed, deliverSecure, DELIVERED committed) → the simulated mailbox operators,
 * which validate the XML Schema and verify both signatures of every delivery.
 *
 *   npm run build && node dist/bench/dispatch.bench.js
 *
 * Settings (environment): BENCH_LETTERS (default 2000), BENCH_BASELINE_LETTERS (default 300),
 * WORKER_CONCURRENCY (default 32), DATABASE_POOL_SIZE (default 10), BENCH_ATTACHMENT_KB (default 0: none).
 * Needs PostgreSQL (TEST_DATABASE_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres)
 * and Redis (TEST_REDIS_URL, default redis://127.0.0.1:6379). It creates and drops its own database
 * and deletes its own Redis keys.
 *
 * Measured in the same run, on the same simulators, for comparison:
 *   - baseline: FaR + sign + seal + deliverSecure of one letter after another in this process, no
 *     database, no queue (what a naive sequential sender achieves);
 *   - ceiling: the same with WORKER_CONCURRENCY letters in flight (what the Mina meddelanden work
 *     alone allows on this machine, without the hub's durability).
 * The hub's figure is printed with its ratio to both, and with what each letter cost: CPU per letter
 * of each process (the worker; this database's PostgreSQL backends, read from /proc for the pids
 * pg_stat_activity lists, so other databases on a shared server are not counted; Redis; the
 * simulators), the dispatch's database statements (letters per batched statement), and the
 * database work per letter from PostgreSQL's statistics (transactions, letter updates and how many
 * were HOT, rows written per table). On a busy machine the rate is noisy; CPU per letter and the
 * ratio to the same run's baseline stay comparable.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { JobName } from '@hub/jobs';
import { enqueue, Letter, LETTER_ENTITIES, LetterAttachment } from '@hub/letters';
import { DeliveryInput, FarClient, MailboxOperatorClient, signAndSealDelivery, SigningCredential } from '@hub/mina-meddelanden';
import { createOrm, setupDatabase, TenantDb } from '@hub/persistence';
import { TENANCY_ENTITIES } from '@hub/tenancy';
import { pickTestPersonnummer } from '@hub/testing';
import { migrateDatabase, seedDemo } from '../apps/tools/src/db';
import { checkSeed, SimulatorSeed, withFreePorts } from '../apps/simulators/src/seed';

const ROOT = join(__dirname, '..', '..');
const N = int('BENCH_LETTERS', 2000);
const N_BASE = int('BENCH_BASELINE_LETTERS', 300);
const CONCURRENCY = int('WORKER_CONCURRENCY', 32);
const POOL = int('DATABASE_POOL_SIZE', 10);
const ATTACHMENT_KB = int('BENCH_ATTACHMENT_KB', 0);
const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PKI_DIR = process.env.TEST_PKI_DIR ?? join(ROOT, '.data', 'pki');
const TARGET = 200;

function int(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

function spawnUntil(args: string[], ready: RegExp, env: NodeJS.ProcessEnv, what: string): Promise<{ child: ChildProcess; match: RegExpMatchArray; tail: () => string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (c: Buffer) => (out = (out + c.toString('utf8')).slice(-64 * 1024));
  child.stderr!.on('data', keep);
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} not ready within 120 s\n${out}`));
    }, 120_000);
    child.stdout!.on('data', (c: Buffer) => {
      keep(c);
      const m = ready.exec(out);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        resolve({ child, match: m, tail: () => out });
      }
    });
    child.on('exit', (code) => {
      if (!done) {
        clearTimeout(timer);
        reject(new Error(`${what} exited with ${code}\n${out}`));
      }
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => (clearTimeout(t), resolve()));
    child.kill('SIGTERM');
  });
}

/** CPU seconds (user + system) used so far by the processes `pids`, or by every process named `comm`. */
function cpuSeconds(select: { pids?: number[]; comm?: string[] }): number {
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  const pids = select.pids ?? readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (select.comm && !select.comm.includes(comm)) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {
      // The process has gone.
    }
  }
  return total;
}

/** CPU seconds (user + system) of one process, or undefined when it has gone. */
function cpuOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * The CPU of this benchmark database's PostgreSQL backends (the worker's connections, autovacuum on
 * its tables; not this benchmark's own poll): the pids are read from pg_stat_activity at every poll and
 * each one's last reading is kept, so a backend that ends during the run loses at most one poll
 * interval. Other sessions on the same server (other tests, other databases) are not counted, which
 * keeps the figure meaningful on a busy machine; the server's shared processes (WAL writer,
 * checkpointer, background writer) serve every database and are reported apart.
 */
class BackendCpu {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();

  /** Records the current reading of each pid; a pid seen for the first time after start() counts from 0. */
  sample(pids: number[], starting = false): void {
    for (const pid of pids) {
      const cpu = cpuOf(pid);
      if (cpu === undefined) continue;
      if (!this.first.has(pid)) this.first.set(pid, starting ? cpu : 0);
      this.last.set(pid, cpu);
    }
  }

  get seconds(): number {
    let total = 0;
    for (const [pid, last] of this.last) total += last - (this.first.get(pid) ?? 0);
    return total;
  }
}

/** CPU seconds of the PostgreSQL server's own processes (not backends): WAL writer, checkpointer, background writer, … */
function postgresSharedCpu(): number {
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (!/^postgres: (?:\S+: )?(walwriter|checkpointer|background writer|autovacuum launcher|logical replication launcher|archiver)/.test(cmd)) continue;
      total += cpuOf(Number(d)) ?? 0;
    } catch {
      // The process has gone.
    }
  }
  return total;
}

async function query<R>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as R[];
  } finally {
    await c.end();
  }
}

function attachment(kb: number): Buffer {
  // A PDF header and filler: the operators check the type, the checksum and the size, not the layout.
  const body = Buffer.alloc(kb * 1024, 'x');
  return Buffer.concat([Buffer.from('%PDF-1.4\n'), body, Buffer.from('\n%%EOF\n')]);
}

async function main(): Promise<void> {
  const dbName = `hub_bench_${randomBytes(4).toString('hex')}`;
  const host = new URL(ADMIN_URL).host;
  const ownerUrl = `postgres://hub_owner@${host}/${dbName}`;
  const appUrl = `postgres://hub_app@${host}/${dbName}`;
  const masterKey = randomBytes(32).toString('base64');
  const prefix = `hubbench-${randomBytes(4).toString('hex')}`;
  const tmp = mkdtempSync(join(tmpdir(), 'hub-bench-'));
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    process.stdout.write(`dispatch benchmark: ${N} letters, worker concurrency ${CONCURRENCY}, db pool ${POOL}, attachment ${ATTACHMENT_KB} KB\n`);
    await setupDatabase({ adminUrl: ADMIN_URL, ownerUrl, appUrl });
    cleanups.push(() => query(ADMIN_URL, `drop database if exists "${dbName}" with (force)`));
    await migrateDatabase(ownerUrl);
    const seedFile = join(ROOT, 'apps', 'simulators', 'seed', 'demo.json');
    const demo = await seedDemo({ ownerUrl, masterKey, pkiDir: PKI_DIR, seedFile, quiet: true });

    // Simulators with every unlisted personnummer at one of the two operators.
    const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as SimulatorSeed;
    Object.assign(seed, { pkiDir: PKI_DIR, unlisted: { mode: 'hash', shares: { kivra: 1, minmyndighetspost: 1 } } });
    withFreePorts(seed);
    delete seed.printVendor;
    checkSeed(seed);
    writeFileSync(join(tmp, 'seed.json'), JSON.stringify(seed));
    const sims = await spawnUntil(
      [join(ROOT, 'dist', 'apps', 'simulators', 'src', 'main.js'), '--seed', join(tmp, 'seed.json'), '--endpoints', join(tmp, 'endpoints.json')],
      /^SIMULATORS READY (\{.*\})$/m,
      process.env,
      'simulators',
    );
    cleanups.push(() => stop(sims.child));
    const endpoints = JSON.parse(sims.match[1]) as { far: string; admin: string };
    const caFile = join(PKI_DIR, 'ca.crt.pem');

    const registered = new Set(seed.register.map((r) => r.id));
    const recipients = pickTestPersonnummer(N + N_BASE + 200, 7).filter((p) => !registered.has(p));
    const pdf = ATTACHMENT_KB > 0 ? attachment(ATTACHMENT_KB) : undefined;

    // ---- baseline and ceiling: the Mina meddelanden work alone, in this process -------------
    const read = (f: string) => readFileSync(join(PKI_DIR, f), 'utf8');
    const intermediary = SigningCredential.fromPem(read('intermediary.key.pem'), read('intermediary.crt.pem'));
    const sender = SigningCredential.fromPem(read('municipality-2120001231.key.pem'), read('municipality-2120001231.crt.pem'));
    const tls = { certPem: intermediary.certificatePem, key: intermediary.privateKey, caPems: [read('ca.crt.pem')] };
    const far = new FarClient({ url: endpoints.far, tls });
    const operators = new MailboxOperatorClient({ tls });
    const one = async (recipient: string): Promise<void> => {
      const [r] = await far.isReachable('162120001231', [recipient]);
      if (!r.deliverable || !r.operator) throw new Error(`benchmark recipient not deliverable: ${r.reason}`);
      const id = randomUUID();
      const input: DeliveryInput = {
        sender: { id: '162120001231', name: 'Demo kommun, Samhällsbyggnadsnämnden' },
        recipient,
        correlationId: id,
        messages: [
          {
            id,
            subject: 'Beslut om bygglov',
            supportInfo: { text: 'Demo kommun, Samhällsbyggnadsnämnden, Box 100, 123 45 Demostad' },
            body: { contentType: 'text/plain', text: 'Hej! Nämnden har beslutat i ditt ärende. Se bifogat beslut.' },
            attachments: pdf ? [{ contentType: 'application/pdf', filename: 'beslut.pdf', content: pdf }] : [],
          },
        ],
      };
      const res = await operators.deliverSecure(r.operator.serviceAddress, signAndSealDelivery(input, sender, intermediary));
      if (!res.delivered) throw new Error('not delivered');
    };
    const baseRecipients = recipients.slice(N, N + N_BASE);
    await Promise.all(baseRecipients.slice(0, 20).map(one)); // warm up connections and JIT
    let t0 = process.hrtime.bigint();
    for (const r of baseRecipients) await one(r);
    const baseline = N_BASE / (Number(process.hrtime.bigint() - t0) / 1e9);
    t0 = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < baseRecipients.length) await one(baseRecipients[next++]);
      }),
    );
    const ceiling = N_BASE / (Number(process.hrtime.bigint() - t0) / 1e9);
    far.close();
    operators.close();
    process.stdout.write(`baseline (sequential FaR+sign+seal+deliver, no DB/queue): ${baseline.toFixed(1)} letters/s\n`);
    process.stdout.write(`ceiling  (${CONCURRENCY} in flight, no DB/queue):            ${ceiling.toFixed(1)} letters/s\n`);

    // ---- the hub: one worker process ----------------------------------------------------------
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      DATABASE_URL: appUrl,
      DATABASE_OWNER_URL: ownerUrl,
      DATABASE_POOL_SIZE: String(POOL),
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      MASTER_KEY: masterKey,
      FAR_URL: endpoints.far,
      MM_CA_FILE: caFile,
      WORKER_CONCURRENCY: String(CONCURRENCY),
      WORKER_METRICS_PORT: '0',
      OUTBOX_POLL_MS: process.env.OUTBOX_POLL_MS ?? '100',
      // e.g. --cpu-prof --cpu-prof-dir=/tmp/prof to see where the worker spends its time.
      ...(process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {}),
    };
    const worker = await spawnUntil([join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js')], /^WORKER READY (\{.*\})$/m, env, 'worker');
    cleanups.unshift(async () => {
      await stop(worker.child);
      const redis = new Redis(REDIS_URL);
      let cursor = '0';
      do {
        const [c, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = c;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    });
    const workerUrl = (JSON.parse(worker.match[1]) as { http: string }).http;

    // Letters as the intake writes them: the letter, its attachment and the outbox row, in one transaction.
    const orm = await createOrm({ url: appUrl, entities: [...TENANCY_ENTITIES, ...LETTER_ENTITIES], poolSize: 2 });
    let ormOpen = true;
    cleanups.unshift(async () => ormOpen && (await orm.close()));
    const db = new TenantDb(orm);
    const unitId = demo.units.bygg.id;
    const tenantId = demo.tenantId;
    const letterRecipients = recipients.slice(0, N);
    // One connection polls (a new one per poll would cost the server a backend start each time).
    const poll = new Client({ connectionString: ownerUrl });
    await poll.connect();
    cleanups.unshift(() => poll.end());
    // The poll's own backend is the benchmark's cost, not the hub's: counted with the benchmark.
    const pollPid = (await poll.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
    const backendPids = async () =>
      (await poll.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()')).rows.map((r) => r.pid);
    const dbStats = async () =>
      (
        await poll.query<{ xacts: string; letter_updates: string; letter_hot: string }>(
          `select d.xact_commit + d.xact_rollback as xacts,
                  t.n_tup_upd as letter_updates, t.n_tup_hot_upd as letter_hot
             from pg_stat_database d, pg_stat_user_tables t where d.datname = current_database() and t.relname = 'letter'`,
        )
      ).rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])) as Record<keyof typeof r, number>)[0];
    const tableWrites = async () =>
      new Map(
        (await poll.query<{ relname: string; n: string }>('select relname, n_tup_ins + n_tup_upd + n_tup_del as n from pg_stat_user_tables')).rows.map((r) => [
          r.relname,
          Number(r.n),
        ]),
      );
    // What the database does for the run, from its statistics: read before the letters are inserted
    // (a backend reports its counters up to a second late), the insert's own rows taken off after.
    const statsBefore = await dbStats();
    const writesBefore = await tableWrites();
    const insertStart = process.hrtime.bigint();
    await db.inTenant(tenantId, async (em) => {
      const now = new Date();
      const ids: string[] = [];
      for (const recipientId of letterRecipients) {
        const id = randomUUID();
        ids.push(id);
        em.create(Letter, {
          id,
          tenantId,
          sendingUnitId: unitId,
          contentHash: createHash('sha256').update(id).digest('hex'),
          recipientId,
          recipientKind: 'personnummer',
          caseReference: 'BN 2026-123',
          subject: 'Beslut om bygglov',
          bodyText: 'Hej! Nämnden har beslutat i ditt ärende. Se bifogat beslut.',
          bodyType: 'text/plain',
          protectionClass: 1,
          channelPreference: 'AUTO',
          status: 'ACCEPTED',
          attempts: 0,
          deadlineAt: new Date(now.getTime() + 24 * 3600_000),
          createdAt: now,
          updatedAt: now,
          version: 1,
        } as Letter);
      }
      await em.flush();
      for (const id of ids) {
        if (pdf) {
          em.create(LetterAttachment, {
            id: randomUUID(),
            tenantId,
            letterId: id,
            position: 0,
            filename: 'beslut.pdf',
            contentType: 'application/pdf',
            content: pdf,
            sizeBytes: pdf.length,
            sha256: createHash('sha256').update(pdf).digest('hex'),
          } as LetterAttachment);
        }
        enqueue(em, tenantId, id, JobName.DispatchLetter, { tenantId, letterId: id });
      }
    });
    const committed = process.hrtime.bigint();
    const backends = new BackendCpu();
    backends.sample(await backendPids(), true);
    const cpuAt = () => ({
      worker: cpuSeconds({ pids: [worker.child.pid!] }),
      simulators: cpuSeconds({ pids: [sims.child.pid!] }),
      'postgres (all processes, other databases too)': cpuSeconds({ comm: ['postgres'] }),
      'postgres (server processes)': postgresSharedCpu(),
      redis: cpuSeconds({ comm: ['redis-server'] }),
      'benchmark (with its poll connection)': cpuSeconds({ pids: [process.pid, pollPid] }),
    });
    const cpuBefore = cpuAt();
    process.stdout.write(`inserted ${N} letters with outbox rows in ${(Number(committed - insertStart) / 1e9).toFixed(2)} s; dispatching…\n`);

    let delivered = 0;
    let polls = 0;
    let counts: Record<string, number> = {};
    const deadline = Date.now() + Math.max(120_000, N * 100);
    while (delivered < N) {
      await new Promise((r) => setTimeout(r, 100));
      const { rows } = await poll.query<{ status: string; n: string }>('select status, count(*) as n from letter group by status');
      polls++;
      backends.sample(await backendPids());
      counts = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
      delivered = counts.DELIVERED ?? 0;
      const finished = delivered + (counts.PRINT_PENDING ?? 0) + (counts.FAILED ?? 0);
      if (finished === N && delivered < N) throw new Error(`not every letter was delivered: ${JSON.stringify(counts)}`);
      if (Date.now() > deadline) throw new Error(`not done in time: ${JSON.stringify(counts)}`);
    }
    const seconds = Number(process.hrtime.bigint() - committed) / 1e9;
    backends.sample(await backendPids());
    const cpuAfter = cpuAt();
    const cpu: Record<string, number> = Object.fromEntries(Object.entries(cpuAfter).map(([k, v]) => [k, v - cpuBefore[k as keyof typeof cpuBefore]]));
    cpu['postgres (this database’s backends)'] = backends.seconds;
    const rate = N / seconds;
    const hubOwn = (cpu.worker + cpu['postgres (this database’s backends)'] + cpu.redis) / N;
    const hubAll = hubOwn + cpu.simulators / N;
    const [lat] = await query<{ p50: number; p95: number; p99: number; first: Date; last: Date }>(
      ownerUrl,
      `select percentile_cont(0.5) within group (order by extract(epoch from dispatched_at - created_at)) as p50,
              percentile_cont(0.95) within group (order by extract(epoch from dispatched_at - created_at)) as p95,
              percentile_cont(0.99) within group (order by extract(epoch from dispatched_at - created_at)) as p99,
              min(dispatched_at) as first, max(dispatched_at) as last
         from letter where status = 'DELIVERED'`,
    );
    const steady = (N - 1) / ((new Date(lat.last).getTime() - new Date(lat.first).getTime()) / 1000);
    const metrics = await (await fetch(`${workerUrl}/metrics`)).text();
    const metric = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    const sealMs = (metric('hub_dispatch_seal_seconds_sum') / metric('hub_dispatch_seal_seconds_count')) * 1000;
    const lagMax = metric('hub_nodejs_eventloop_lag_max_seconds') * 1000;
    const lagP99 = metric('hub_nodejs_eventloop_lag_p99_seconds') * 1000;
    const steps = ['claim', 'far', 'commit', 'deliver']
      .map((step) => {
        const sum = metric(`hub_dispatch_step_seconds_sum\\{step="${step}"\\}`);
        const count = metric(`hub_dispatch_step_seconds_count\\{step="${step}"\\}`);
        return `${step} ${((sum / count) * 1000).toFixed(1)} ms`;
      })
      .join(', ');
    const batches = ['claim', 'apply']
      .map((statement) => {
        const sum = metric(`hub_dispatch_db_batch_letters_sum\\{statement="${statement}"\\}`);
        const count = metric(`hub_dispatch_db_batch_letters_count\\{statement="${statement}"\\}`);
        return `${statement} ${count} statements, ${(sum / count).toFixed(1)} letters each`;
      })
      .join('; ');
    const stored = (await (await fetch(`${endpoints.admin}/operators`)).json()) as { key: string; stats: { accepted: number; redeliveries: number } }[];
    const accepted = stored.reduce((a, o) => a + o.stats.accepted, 0);
    const farStats = ((await (await fetch(`${endpoints.admin}/far`)).json()) as { stats: Record<string, number> }).stats;
    // A backend reports its counters at the end of a transaction at most once a second, and when it
    // exits: stop the worker and close the insert's connections, and wait until their backends have
    // ended, before reading what the run cost the database.
    await stop(worker.child);
    await orm.close();
    ormOpen = false;
    const waitUntil = Date.now() + 5000;
    while ((await backendPids()).length > 0 && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 50));
    const statsAfter = await dbStats();
    const writesAfter = await tableWrites();

    const dbWork = Object.fromEntries(Object.entries(statsAfter).map(([k, v]) => [k, v - statsBefore[k as keyof typeof statsBefore]])) as typeof statsAfter;
    // The insert (one transaction: the letters, their attachments and outbox rows), and this
    // benchmark's own polls (two statements each) and statistics reads.
    dbWork.xacts -= 1 + polls * 2 + 2;
    for (const [table, rows] of [['letter', N], ['outbox', N], ['letter_attachment', pdf ? N : 0]] as const) writesBefore.set(table, (writesBefore.get(table) ?? 0) + rows);
    const writesByTable = [...writesAfter]
      .map(([t, n]) => [t, n - (writesBefore.get(t) ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([t, n]) => `${t} ${(n / N).toFixed(2)}`)
      .join(', ');

    process.stdout.write(
      [
        '',
        `hub, end to end (commit → all DELIVERED): ${N} letters in ${seconds.toFixed(2)} s = ${rate.toFixed(1)} letters/s` +
          ` (steady state, first to last delivery: ${steady.toFixed(1)} letters/s)`,
        `  ratio to baseline: ${(rate / baseline).toFixed(2)}×   ratio to ceiling: ${(rate / ceiling).toFixed(2)}×   target ≥ ${TARGET}/s: ${rate >= TARGET ? 'met' : 'NOT met'}`,
        `  latency accepted → delivered: p50 ${Number(lat.p50).toFixed(2)} s, p95 ${Number(lat.p95).toFixed(2)} s, p99 ${Number(lat.p99).toFixed(2)} s`,
        `  sign+seal per delivery in the worker: ${sealMs.toFixed(2)} ms; event-loop lag p99 ${lagP99.toFixed(1)} ms, max ${lagMax.toFixed(1)} ms`,
        `  mean wall time per step in the worker: ${steps}`,
        `  the dispatch's database statements: ${batches}`,
        `  CPU during the run (s, and ms per letter): ${Object.entries(cpu)
          .map(([k, v]) => `${k} ${v.toFixed(1)} (${((v / N) * 1000).toFixed(2)})`)
          .join(', ')}; wall ${seconds.toFixed(1)} s × 2 cores`,
        `  CPU per letter: the hub's own (worker + its database backends + Redis) ${(hubOwn * 1000).toFixed(2)} ms; with the simulated ` +
          `FaR and operators ${(hubAll * 1000).toFixed(2)} ms, i.e. at most ${(2 / hubAll).toFixed(0)} letters/s on 2 cores with nothing else running`,
        `  database work per letter: ${(dbWork.xacts / N).toFixed(2)} transactions; letter updates ${(dbWork.letter_updates / N).toFixed(2)}, ` +
          `${dbWork.letter_updates ? ((100 * dbWork.letter_hot) / dbWork.letter_updates).toFixed(0) : 0}% of them HOT`,
        `  rows written per letter, by table (inserted + updated + deleted): ${writesByTable}`,
        `  FaR simulator counters (baseline included): ${JSON.stringify(farStats)}`,
        `  operators stored ${accepted} deliveries (${2 * N_BASE + 20} from the baseline runs), ${stored.reduce((a, o) => a + o.stats.redeliveries, 0)} redeliveries`,
        '',
      ].join('\n'),
    );
    if (accepted !== N + 2 * N_BASE + 20) throw new Error(`expected ${N + 2 * N_BASE + 20} stored deliveries, the operators have ${accepted}`);
  } finally {
    for (const c of cleanups) await c().catch((e: Error) => process.stderr.write(`cleanup: ${e.message}\n`));
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  process.stderr.write(`dispatch benchmark failed: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
