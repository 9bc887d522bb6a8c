/**
 * Benchmark: letter intake through the GraphQL API, against a fresh database.
 *
 *   npm run build && node dist/bench/intake.bench.js        (BENCH_SECONDS=10 for the single-submit phase)
 *
 * The API runs as a real child process (the compiled `apps/api/src/main.js`, application role,
 * row-level security on, pool of 10); the benchmark calls it over HTTP with real tokens from the
 * local OIDC issuer. A letter counts as accepted when its response arrived: by then its row, its
 * ACCEPTED event and its outbox row are committed (synchronous_commit as configured, on by default).
 *
 *   bulk      10 sequential submitLetters calls × 1,000 letters (each a different test personnummer)
 *   single    sequential submitLetter calls for BENCH_SECONDS: latency p50/p99 and letters/s — the
 *             baseline, measured in the same run
 *
 * Client and API share the machine's cores; figures include the client's JSON work.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { setupDatabase } from '@hub/persistence';
import { pickTestPersonnummer } from '@hub/testing';
import { startOidcIssuer } from '../apps/simulators/src/oidc/oidc-issuer';
import { migrateDatabase, seedDemo } from '../apps/tools/src/db';

const ROOT = resolve(__dirname, '..', '..');
const API_MAIN = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const HOST = new URL(ADMIN_URL).host;
const MASTER_KEY = Buffer.alloc(32, 5).toString('base64');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const BULK_CALLS = 10;
const BULK_SIZE = 1000;

const SUBMIT = `mutation($input: LetterInput!) { submitLetter(input: $input) { id status } }`;
const BULK = `mutation($inputs: [LetterInput!]!) { submitLetters(inputs: $inputs) { accepted refused results { index letter { id } } } }`;

function letter(recipient: string, i: number) {
  return {
    recipient,
    subject: 'Information om ändrade öppettider',
    caseReference: `KS 2026-${i}`,
    body: { contentType: 'text/plain', text: 'Hej! Från och med den 1 december har medborgarkontoret nya öppettider. Välkommen!' },
    protectionClass: 1,
    idempotencyKey: `bench-${i}`,
  };
}

async function post<T>(url: string, token: string, query: string, variables: unknown): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (!body.data || body.errors) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function startApi(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [API_MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolvePromise, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /API READY (http:\/\/\S+)/.exec(out);
      if (m) resolvePromise({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`API exited ${code}:\n${out}`)));
  });
}

async function main(): Promise<void> {
  const name = `hub_bench_intake_${randomBytes(4).toString('hex')}`;
  const ownerUrl = `postgres://hub_owner@${HOST}/${name}`;
  const appUrl = `postgres://hub_app@${HOST}/${name}`;
  await setupDatabase({ adminUrl: ADMIN_URL, ownerUrl, appUrl });
  await migrateDatabase(ownerUrl);
  await seedDemo({ ownerUrl, masterKey: MASTER_KEY, pkiDir: join(ROOT, '.data', 'pki'), seedFile: join(ROOT, 'apps', 'simulators', 'seed', 'demo.json'), quiet: true });
  const issuer = await startOidcIssuer({
    port: 0,
    issuerPath: '/realms/dispatch-hub',
    audience: 'dispatch-hub-api',
    clients: [{ clientId: 'demo-case-system', clientSecret: 'bench-secret', tenant: 'demo-kommun', roles: ['case-system'] }],
  });
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: appUrl,
    DATABASE_OWNER_URL: ownerUrl,
    MASTER_KEY,
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    OIDC_ISSUER: issuer.issuer,
    MM_CA_FILE: join(ROOT, '.data', 'pki', 'ca.crt.pem'),
  };
  const api = await startApi(env);
  const gqlUrl = `${api.url}/graphql`;
  try {
    const tokenRes = await fetch(issuer.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('demo-case-system:bench-secret').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const people = pickTestPersonnummer(BULK_CALLS * BULK_SIZE + 1000, 11);
    let n = 0;

    // Warm-up (JIT, pools, caches): not counted.
    for (let i = 0; i < 50; i++) await post(gqlUrl, token, SUBMIT, { input: letter(people[n % people.length], n++) });
    await post(gqlUrl, token, BULK, { inputs: Array.from({ length: 200 }, () => letter(people[n % people.length], n++)) });

    // Bulk: 10 calls × 1,000 letters.
    const bulkCallMs: number[] = [];
    const bulkStarted = process.hrtime.bigint();
    for (let c = 0; c < BULK_CALLS; c++) {
      const inputs = Array.from({ length: BULK_SIZE }, () => letter(people[n % people.length], n++));
      const t = process.hrtime.bigint();
      const r = await post<{ submitLetters: { accepted: number } }>(gqlUrl, token, BULK, { inputs });
      bulkCallMs.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (r.submitLetters.accepted !== BULK_SIZE) throw new Error(`bulk call ${c}: ${r.submitLetters.accepted} accepted`);
    }
    const bulkSeconds = Number(process.hrtime.bigint() - bulkStarted) / 1e9;
    const bulkRate = (BULK_CALLS * BULK_SIZE) / bulkSeconds;

    // Single submits, sequential: latency and the baseline rate.
    const latencies: number[] = [];
    const singleStarted = process.hrtime.bigint();
    const until = Date.now() + SECONDS * 1000;
    while (Date.now() < until) {
      const t = process.hrtime.bigint();
      await post(gqlUrl, token, SUBMIT, { input: letter(people[n % people.length], n++) });
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const singleSeconds = Number(process.hrtime.bigint() - singleStarted) / 1e9;
    const singleRate = latencies.length / singleSeconds;
    latencies.sort((a, b) => a - b);

    // Durably there: every accepted letter has its row, its ACCEPTED event and its outbox row.
    const owner = new Client({ connectionString: ownerUrl });
    await owner.connect();
    const [counts] = (
      await owner.query<{ letters: number; events: number; outbox: number }>(
        `select (select count(*)::int from letter) as letters, (select count(*)::int from letter_event where type = 'ACCEPTED') as events, (select count(*)::int from outbox) as outbox`,
      )
    ).rows;
    await owner.end();
    if (counts.letters !== n || counts.events !== n || counts.outbox !== n) throw new Error(`expected ${n} letters/events/outbox rows, found ${JSON.stringify(counts)}`);

    const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
    bulkCallMs.sort((a, b) => a - b);
    console.log('Letter intake benchmark (GraphQL over HTTP, API as a child process, fresh database)');
    console.log('');
    console.log(`  bulk    ${BULK_CALLS} × submitLetters(${fmt(BULK_SIZE)})    ${fmt(bulkRate)} letters/s   (${fmt(bulkSeconds, 2)} s; per call p50 ${fmt(percentile(bulkCallMs, 50))} ms, max ${fmt(bulkCallMs[bulkCallMs.length - 1])} ms)`);
    console.log(`  single  submitLetter, sequential        ${fmt(singleRate)} letters/s   (${fmt(latencies.length)} calls in ${fmt(singleSeconds, 1)} s)`);
    console.log(`          latency p50 ${fmt(percentile(latencies, 50), 1)} ms   p99 ${fmt(percentile(latencies, 99), 1)} ms   max ${fmt(latencies[latencies.length - 1], 1)} ms`);
    console.log('');
    console.log(`  bulk vs single (baseline, same run): ${fmt(bulkRate / singleRate, 1)}×`);
    console.log(`  verified in the database: ${fmt(counts.letters)} letters, ${fmt(counts.events)} ACCEPTED events, ${fmt(counts.outbox)} outbox rows`);
  } finally {
    api.child.kill('SIGTERM');
    await new Promise((r) => api.child.once('exit', r));
    await issuer.close();
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
