/** How the hub reads a registry's answers, over real HTTP and HTTPS (a local server per case). */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestPki, TestPki } from '@hub/testing';
import { postToRegistry } from './registry-client';

jest.setTimeout(60_000);

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes: Record<string, Handler> = {
  '/ok': (_req, res) => json(res, 201, { registrationNumber: '  KS 2026/7  ' }),
  '/not-json': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>Inloggning krävs</html>');
  },
  '/no-number': (_req, res) => json(res, 200, { status: 'queued' }),
  '/long-number': (_req, res) => json(res, 200, { registrationNumber: 'X'.repeat(101) }),
  '/gone': (_req, res) => json(res, 404, { error: 'no such endpoint' }),
  '/slow-down': (_req, res) => json(res, 429, { error: 'too many requests' }),
  '/broken': (_req, res) => json(res, 502, { error: 'bad gateway for 198101032384' }),
  '/hang': () => undefined,
  '/echo': (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => json(res, 200, { registrationNumber: `${req.headers['content-type']}|${req.headers['x-test']}|${Buffer.concat(chunks).toString('utf8')}` }));
  },
};

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const handle: Handler = (req, res) => (routes[req.url ?? ''] ?? routes['/gone'])(req, res);
let http: Server;
let https: Server;
let httpUrl: string;
let httpsPort: number;
let pki: TestPki;
let pkiDir: string;
const options = { timeoutMs: 2000, allowHttpLocalhost: true };

beforeAll(async () => {
  pkiDir = mkdtempSync(join(tmpdir(), 'hub-diary-pki-'));
  pki = await ensureTestPki(pkiDir, { intermediary: { orgnr: '5590000001', name: 'Test förmedlare' }, municipalities: [], servers: [{ name: 'registry', commonName: 'localhost' }] });
  http = createHttpServer(handle);
  https = createHttpsServer({ cert: pki.servers.registry.certPem, key: pki.servers.registry.keyPem }, handle);
  await Promise.all([http, https].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
  httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  httpsPort = (https.address() as AddressInfo).port;
});

afterAll(async () => {
  http?.closeAllConnections();
  https?.closeAllConnections();
  await Promise.all([http, https].map((s) => new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()))));
  if (pkiDir) rmSync(pkiDir, { recursive: true, force: true });
});

const post = (path: string, extra: Partial<typeof options> = {}) => postToRegistry(`${httpUrl}${path}`, '{"a":"å"}', { 'X-Test': 'yes' }, { ...options, ...extra });

it('takes a 2xx with a registration number (trimmed), and sends the body as JSON with the given headers', async () => {
  expect(await post('/ok')).toEqual({ kind: 'registered', registrationNumber: 'KS 2026/7', status: 201 });
  expect(await post('/echo')).toEqual({ kind: 'registered', registrationNumber: 'application/json; charset=utf-8|yes|{"a":"å"}', status: 200 });
});

it('retries answers without a number, 5xx, 429 and timeouts; fails 4xx and overlong numbers at once', async () => {
  expect(await post('/not-json')).toEqual({ kind: 'retryable', status: 200, error: 'the registry answered 200 but not with JSON: <html>Inloggning krävs</html>' });
  expect(await post('/no-number')).toMatchObject({ kind: 'retryable', status: 200, error: expect.stringContaining('without a registrationNumber') });
  expect(await post('/broken')).toEqual({ kind: 'retryable', status: 502, error: 'the registry answered 502: {"error":"bad gateway for 19810103-****"}' });
  expect(await post('/slow-down')).toMatchObject({ kind: 'retryable', status: 429 });
  expect(await post('/gone')).toMatchObject({ kind: 'permanent', status: 404, error: expect.stringContaining('no such endpoint') });
  expect(await post('/long-number')).toMatchObject({ kind: 'permanent', error: expect.stringContaining('at most 100') });
  const started = Date.now();
  expect(await post('/hang', { timeoutMs: 300 })).toMatchObject({ kind: 'retryable', error: expect.stringMatching(/^no answer from the registry: TIMEOUT no complete answer within 300 ms/) });
  expect(Date.now() - started).toBeLessThan(2000);
  expect(await postToRegistry('http://127.0.0.1:1/x', '{}', {}, options)).toMatchObject({ kind: 'retryable', error: expect.stringContaining('ECONNREFUSED') });
});

it('refuses plain http unless allowed to localhost, without sending anything', async () => {
  expect(await post('/ok', { allowHttpLocalhost: false })).toEqual({ kind: 'permanent', error: expect.stringContaining('must use https') });
});

it('speaks https, trusting only the CAs it is given', async () => {
  const url = `https://localhost:${httpsPort}/ok`;
  expect(await postToRegistry(url, '{}', {}, { ...options, ca: pki.caCertPem })).toEqual({ kind: 'registered', registrationNumber: 'KS 2026/7', status: 201 });
  // Without the test CA the certificate is not trusted: the request never reaches the registry.
  expect(await postToRegistry(url, '{}', {}, options)).toMatchObject({ kind: 'retryable', error: expect.stringMatching(/certificate/i) });
});
