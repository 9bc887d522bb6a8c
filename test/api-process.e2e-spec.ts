/**
 * The API as operators run it: the compiled `apps/api/src/main.js` as a real process (needs
 * `npm run build`). Bad configuration stops it with the setting named; it prints its URL when ready,
 * serves, prints its schema, and on SIGTERM finishes the request in flight before exiting 0.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { pickTestPersonnummer } from '@hub/testing';
import type { RunningOidcIssuer } from '../apps/simulators/src/oidc/oidc-issuer';
import { ADMIN_URL, AUDIENCE, createTestDatabase, getToken, ROOT, startTestIssuer, TEST_MASTER_KEY, TestDatabase } from './support/api-helpers';

// Real processes and a real database on a shared machine: seconds, not milliseconds.
jest.setTimeout(60_000);

const MAIN = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');

let db: TestDatabase;
let issuer: RunningOidcIssuer;
let child: ChildProcess | undefined;

const kill = () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
};
process.on('exit', kill);

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_|OIDC_|API_|MASTER_KEY|REDIS_URL|LOG_LEVEL|FAR_URL|MM_)/.test(k)));
  return {
    ...base,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DATABASE_URL: db.appUrl,
    DATABASE_OWNER_URL: db.ownerUrl,
    DATABASE_ADMIN_URL: ADMIN_URL,
    MASTER_KEY: TEST_MASTER_KEY,
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    OIDC_ISSUER: issuer.issuer,
    OIDC_AUDIENCE: AUDIENCE,
    MM_CA_FILE: join(ROOT, '.data', 'pki', 'ca.crt.pem'),
    ...extra,
  };
}

beforeAll(async () => {
  [db, issuer] = await Promise.all([createTestDatabase('process'), startTestIssuer()]);
});

afterAll(async () => {
  kill();
  await issuer?.close();
  await db?.drop();
});

it('stops at boot naming every bad setting (exit 2)', () => {
  const r = spawnSync(process.execPath, [MAIN], { cwd: ROOT, env: env({ API_PORT: 'eighty', OIDC_ISSUER: 'not a url' }), encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/API_PORT="eighty"/);
  expect(r.stderr).toMatch(/OIDC_ISSUER="not a url": must be a http: or https: URL/);
});

it('prints its GraphQL schema', () => {
  const r = spawnSync(process.execPath, [MAIN, '--print-schema'], { cwd: ROOT, env: env(), encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(0);
  for (const part of ['type Query {', 'type Mutation {', 'submitLetters(inputs: [LetterInput!]!): BulkSubmitResult!', 'scalar Upload', 'checkReachability(']) expect(r.stdout).toContain(part);
});

it('serves once it says READY, and on SIGTERM finishes the request in flight, then exits 0', async () => {
  child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no READY line within 30 s:\n${stdout}\n${stderr}`)), 30_000);
    child!.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /API READY (http:\/\/\S+)\/graphql/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child!.on('exit', (code) => reject(new Error(`exited ${code} before READY:\n${stdout}\n${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));

  const health = await fetch(`${url}/health`);
  expect(health.status).toBe(200);
  const token = await getToken(issuer, 'demoCaseSystem');
  const inputs = pickTestPersonnummer(1000, 3).map((recipient) => ({ recipient, subject: 'Information', body: { text: 'Hej' }, protectionClass: 1 }));
  // A request that is certainly in flight when the shutdown begins: half its body is sent, then
  // SIGTERM, and the rest only once the process says it is shutting down.
  const body = Buffer.from(JSON.stringify({ query: `mutation($inputs: [LetterInput!]!) { submitLetters(inputs: $inputs) { accepted } }`, variables: { inputs } }));
  const req = httpRequest(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}`, 'x-request-id': 'in-flight' },
  });
  const answered = new Promise<{ status?: number; json: { data?: { submitLetters: { accepted: number } } } }>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(text) as { data?: { submitLetters: { accepted: number } } } }));
    });
  });
  req.write(body.subarray(0, body.length >> 1));
  await new Promise((resolve) => setTimeout(resolve, 150));
  child.kill('SIGTERM');
  await waitFor(() => stdout.includes('shutting down: finishing running requests'), 10_000);
  req.end(body.subarray(body.length >> 1));
  const response = await answered;
  expect(response.status).toBe(200);
  expect(response.json.data?.submitLetters.accepted).toBe(1000);
  expect(await exited).toBe(0);
  const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.find((l) => l.requestId === 'in-flight' && l.msg === 'request')).toMatchObject({ status: 200, tenantId: db.demo.tenantId });
  expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['API ready', 'shutting down: finishing running requests', 'stopped']));
  // The request was still running when the shutdown began, and was answered before the process stopped.
  const at = (pred: (l: Record<string, unknown>) => boolean) => lines.findIndex(pred);
  expect(at((l) => l.msg === 'shutting down: finishing running requests')).toBeLessThan(at((l) => l.requestId === 'in-flight'));
  expect(at((l) => l.requestId === 'in-flight')).toBeLessThan(at((l) => l.msg === 'stopped'));
  await expect(fetch(`${url}/health`)).rejects.toThrow();
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
