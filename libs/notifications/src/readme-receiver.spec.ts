/**
 * The receiver example of the README (section "Notifications"), run as it is written (its own process, real HTTP),
 * against requests signed by the hub's signing code: it accepts a fresh signed event once, answers a
 * replayed one without processing it again, and refuses an old timestamp, a changed body and another
 * secret. So the documentation cannot drift from what the hub sends.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateWebhookSecret, signWebhookPayload, verifyWebhookSignature } from './webhook-signature';

jest.setTimeout(30_000);

// The project README's notifications section (its first js block is the receiver).
const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('### Notifications: webhooks and the event feed'));
const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
const secret = generateWebhookSecret();
let dir: string;
let child: ChildProcess;
let url: string;
let output = '';

beforeAll(async () => {
  if (!code) throw new Error('README.md has no ```js block in its notifications section');
  dir = mkdtempSync(join(tmpdir(), 'hub-receiver-'));
  writeFileSync(join(dir, 'receiver.mjs'), code);
  child = spawn(process.execPath, [join(dir, 'receiver.mjs')], { env: { ...process.env, WEBHOOK_SECRET: secret, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /listening on (\d+)/.exec(output);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (c) => reject(new Error(`receiver exited with ${c}: ${output}`)));
  });
  url = `http://127.0.0.1:${port}/`;
});

afterAll(() => {
  child?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const now = () => Math.floor(Date.now() / 1000);
const post = (body: string, signature: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature': signature }, body });
const event = (id: string) => JSON.stringify({ id, type: 'letter.delivered', letterId: 'L-1', tenant: 'demo-kommun' });

it('accepts a fresh signed event once and answers a replay without processing it again', async () => {
  const body = event('101');
  const signature = signWebhookPayload([secret], body, now());
  expect((await post(body, signature)).status).toBe(204);
  const replay = await post(body, signature);
  expect(replay.status).toBe(200);
  expect(await replay.text()).toBe('duplicate: already processed');
  await new Promise((r) => setTimeout(r, 100));
  expect(output.match(/processed 101 /g)).toHaveLength(1);
});

it('refuses a request signed more than 5 minutes ago, a changed body and another secret', async () => {
  const body = event('102');
  const old = await post(body, signWebhookPayload([secret], body, now() - 301));
  expect(old.status).toBe(401);
  expect(await old.text()).toMatch(/timestamp outside 5 minutes/);
  expect((await post(event('103'), signWebhookPayload([secret], body, now()))).status).toBe(401);
  expect((await post(body, signWebhookPayload([generateWebhookSecret()], body, now()))).status).toBe(401);
  expect((await post(body, 'v1=abc')).status).toBe(401);
  expect(output).not.toMatch(/processed 10[23] /);
});

it('accepts either signature during a secret rotation, as the hub’s own check does', async () => {
  const body = event('104');
  const signature = signWebhookPayload([generateWebhookSecret(), secret], body, now());
  expect(verifyWebhookSignature(secret, signature, body)).toMatchObject({ ok: true });
  expect((await post(body, signature)).status).toBe(204);
});
