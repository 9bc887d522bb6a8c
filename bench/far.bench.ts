/**
 * Benchmark: FaR `isReachable` for 10,000 recipients against the FaR simulator, started as a real
 * child process (HTTPS with mutual TLS over loopback).
 *
 *   npm run bench:far            (BENCH_ROUNDS=5 by default)
 *
 * Each round asks for all 10,000 recipients batched (1,000 per call: 10 sequential calls), then
 * asks for the next 100 of a 500-recipient sample one recipient per call (sequential): the
 * baseline, measured in the same run and interleaved to spread machine noise. One warm-up round
 * (connection set-up, JIT) is not counted. Both paths share one client and its keep-alive pool.
 * Note: client and simulator share the machine's cores, so figures include the simulator's work.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FarClient, Reachability } from '@hub/mina-meddelanden';
import { pickTestPersonnummer } from '@hub/testing';
import { withFreePorts } from '../apps/simulators/src/seed';
import { fmt, percentile, table } from './bench-format';

const RECIPIENTS = 10_000;
const BATCH = 1_000;
const SAMPLE = 500;
const ROUNDS = positiveInt(process.env.BENCH_ROUNDS, 5);
const SENDER = '162120001231';
const READY_TIMEOUT_MS = 120_000;
const ROOT = resolve(__dirname, '..', '..');
const SIMULATOR_MAIN = join(ROOT, 'dist', 'apps', 'simulators', 'src', 'main.js');
const DEMO_SEED = join(ROOT, 'apps', 'simulators', 'seed', 'demo.json');

function positiveInt(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`BENCH_ROUNDS must be a positive integer, got "${raw}"`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// The simulator as a child process.

interface Simulator {
  child: ChildProcess;
  farUrl: string;
  /** Last lines of the child's stderr, for error messages. */
  stderrTail: string[];
}

function startSimulator(seedPath: string, endpointsPath: string): Promise<Simulator> {
  const child = spawn(process.execPath, [SIMULATOR_MAIN, '--seed', seedPath, '--endpoints', endpointsPath], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderrTail: string[] = [];
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    stderrTail.push(...d.split('\n').filter((l) => l.trim() !== ''));
    stderrTail.splice(0, Math.max(0, stderrTail.length - 20));
  });
  return new Promise((resolvePromise, reject) => {
    let buffered = '';
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${why}${stderrTail.length ? `\n  simulator stderr: ${stderrTail.join('\n  ')}` : ''}`));
    };
    const timer = setTimeout(() => fail(`the simulator did not print SIMULATORS READY within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    child.on('error', (e) => fail(`cannot start the simulator: ${e.message}`));
    child.on('exit', (code, signal) => fail(`the simulator exited (${signal ?? `code ${code}`}) before it was ready`));
    child.stdout!.setEncoding('utf8');
    // Keep draining stdout after READY so the child never blocks on a full pipe.
    child.stdout!.on('data', (d: string) => {
      if (settled) return;
      buffered += d;
      const line = buffered.split('\n').find((l) => l.startsWith('SIMULATORS READY '));
      if (!line) return;
      try {
        const ready = JSON.parse(line.slice('SIMULATORS READY '.length)) as { far: string };
        settled = true;
        clearTimeout(timer);
        resolvePromise({ child, farUrl: ready.far, stderrTail });
      } catch (e) {
        fail(`cannot read the READY line "${line}": ${(e as Error).message}`);
      }
    });
  });
}

async function stopSimulator(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

// ---------------------------------------------------------------------------------------------
// Figures.




interface PathStats {
  calls: number;
  recipients: number;
  ns: number;
  latenciesMs: number[];
  roundRates: number[];
}

const newStats = (): PathStats => ({ calls: 0, recipients: 0, ns: 0, latenciesMs: [], roundRates: [] });

/** One call per chunk, sequential; returns the answers in input order. */
async function timedCalls(client: FarClient, chunks: string[][], stats: PathStats | undefined): Promise<Reachability[]> {
  const answers: Reachability[] = [];
  const start = process.hrtime.bigint();
  for (const chunk of chunks) {
    const t0 = process.hrtime.bigint();
    const res = await client.isReachable(SENDER, chunk);
    const dt = Number(process.hrtime.bigint() - t0);
    if (res.length !== chunk.length) throw new Error(`asked for ${chunk.length} recipients, got ${res.length} answers`);
    answers.push(...res);
    stats?.latenciesMs.push(dt / 1e6);
  }
  const ns = Number(process.hrtime.bigint() - start);
  if (stats) {
    const n = chunks.reduce((a, c) => a + c.length, 0);
    stats.calls += chunks.length;
    stats.recipients += n;
    stats.ns += ns;
    stats.roundRates.push((n / ns) * 1e9);
  }
  return answers;
}

function chunked<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function answerKey(r: Reachability): string {
  return JSON.stringify([r.recipientId, r.deliverable, r.reason ?? null, r.operator?.id ?? null, r.operator?.serviceAddress ?? null]);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-far-'));
  let sim: Simulator | undefined;
  let client: FarClient | undefined;
  const killOnExit = () => sim?.child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const onSignal = (signal: NodeJS.Signals) => {
    killOnExit();
    rmSync(dir, { recursive: true, force: true });
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const seed = JSON.parse(readFileSync(DEMO_SEED, 'utf8')) as {
      pkiDir: string;
      admin: { port: number };
      far: { port: number };
      operators: { key: string; name: string; port: number }[];
      unlisted: unknown;
      oidc?: { port: number };
      printVendor?: unknown;
    };
    const pkiDir = join(dir, 'pki');
    seed.pkiDir = pkiDir;
    withFreePorts(seed);
    delete seed.printVendor;
    seed.unlisted = { mode: 'hash', shares: { kivra: 60, minmyndighetspost: 25, 'not-registered': 15 } };
    const seedPath = join(dir, 'seed.json');
    writeFileSync(seedPath, JSON.stringify(seed, null, 2));

    const startedAt = Date.now();
    sim = await startSimulator(seedPath, join(dir, 'endpoints.json'));
    const startupMs = Date.now() - startedAt;

    const ca = readFileSync(join(pkiDir, 'ca.crt.pem'), 'utf8');
    client = new FarClient({
      url: sim.farUrl,
      tls: {
        certPem: readFileSync(join(pkiDir, 'intermediary.crt.pem'), 'utf8'),
        key: readFileSync(join(pkiDir, 'intermediary.key.pem'), 'utf8'),
        caPems: [ca],
      },
      batchSize: BATCH,
    });

    const recipients = pickTestPersonnummer(RECIPIENTS);
    const batches = chunked(recipients, BATCH);
    const sample = recipients.slice(0, SAMPLE);
    const singlesPerRound = Math.ceil(SAMPLE / ROUNDS);

    console.log('FaR isReachable benchmark: FaR simulator as a child process, HTTPS + mutual TLS over loopback');
    console.log(
      `  ${fmt(RECIPIENTS)} distinct test personnummer, sender ${SENDER}; simulator ready in ${fmt(startupMs)} ms at ${sim.farUrl}`,
    );
    console.log(
      `  node ${process.version}; ${ROUNDS} round(s) after 1 warm-up: each round ${batches.length} batched calls of ${fmt(BATCH)}, ` +
        `then ${singlesPerRound} single-recipient calls (baseline sample ${SAMPLE} in total); calls sequential`,
    );

    // Warm-up: connection, JIT on both sides.
    const reference = await timedCalls(client, batches, undefined);
    const warmSingles = sample.slice(0, 20).map((id) => [id]);
    await timedCalls(client, warmSingles, undefined);

    const batched = newStats();
    const single = newStats();
    let inconsistent = 0;
    const singleAnswers: Reachability[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const answers = await timedCalls(client, batches, batched);
      answers.forEach((a, i) => {
        if (answerKey(a) !== answerKey(reference[i])) inconsistent++;
      });
      const part = sample.slice(r * singlesPerRound, (r + 1) * singlesPerRound);
      if (part.length) singleAnswers.push(...(await timedCalls(client, part.map((id) => [id]), single)));
    }
    // The single-recipient answers must equal the batched ones for the same ids.
    const byId = new Map(reference.map((a) => [a.recipientId, a]));
    const mismatched = singleAnswers.filter((a) => answerKey(a) !== answerKey(byId.get(a.recipientId)!)).length;

    const rate = (s: PathStats) => (s.recipients / s.ns) * 1e9;
    const base = rate(single);
    const row = (name: string, s: PathStats): string[] => {
      const lat = [...s.latenciesMs].sort((a, b) => a - b);
      return [
        name,
        fmt(s.calls),
        fmt(s.recipients),
        fmt(rate(s)),
        `${fmt(Math.min(...s.roundRates))}–${fmt(Math.max(...s.roundRates))}`,
        fmt(percentile(lat, 50), 2),
        fmt(percentile(lat, 99), 2),
        `${fmt(rate(s) / base, 1)}×`,
      ];
    };
    console.log('');
    console.log(
      table(
        ['path', 'calls', 'recipients', 'recipients/s', 'per-round min–max', 'p50 ms/call', 'p99 ms/call', 'vs baseline'],
        [row('one recipient per call (baseline)', single), row(`batched, ${fmt(BATCH)} per call`, batched)],
        [false, true, true, true, true, true, true, true],
      ),
    );
    const roundMs = batched.ns / ROUNDS / 1e6;
    console.log(
      `  ${fmt(RECIPIENTS)} recipients batched: ${fmt(roundMs)} ms per round (${batches.length} calls); ` +
        `one per call would take ~${fmt(RECIPIENTS / base, 1)} s`,
    );

    // Distribution of the answers (the same in every round; checked above).
    const counts = new Map<string, number>();
    for (const a of reference) {
      const key = a.deliverable ? `deliverable via ${a.operator?.name ?? '?'}` : `not deliverable: ${a.reason}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const dist = [...counts].sort((a, b) => Number(a[0].startsWith('not')) - Number(b[0].startsWith('not')) || b[1] - a[1]);
    console.log('');
    console.log(
      table(
        ['answer', 'recipients', 'share'],
        dist.map(([k, n]) => [k, fmt(n), `${fmt((100 * n) / reference.length, 1)}%`]),
        [false, true, true],
      ),
    );
    const deliverable = reference.filter((a) => a.deliverable).length;

    const ok = inconsistent === 0 && mismatched === 0;
    console.log('');
    console.log(
      `  consistency: ${inconsistent === 0 ? 'every round gave the same answers' : `${inconsistent} answers differed between rounds`}; ` +
        `${mismatched === 0 ? `the ${singleAnswers.length} single-call answers equal the batched ones` : `${mismatched} single-call answers differ from the batched ones`}`,
    );
    console.log('');
    console.log(
      `SUMMARY far: batched ${fmt(rate(batched))} recipients/s (p50 ${fmt(percentile([...batched.latenciesMs].sort((a, b) => a - b), 50), 1)} ms per 1,000) ` +
        `vs one per call ${fmt(base)} recipients/s = ${fmt(rate(batched) / base, 1)}×; ` +
        `${fmt((100 * deliverable) / reference.length, 1)}% deliverable; answers ${ok ? 'consistent' : 'INCONSISTENT'}`,
    );
    return ok ? 0 : 1;
  } finally {
    client?.close();
    if (sim) await stopSimulator(sim.child);
    process.removeListener('exit', killOnExit);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exitCode = 1;
  },
);
