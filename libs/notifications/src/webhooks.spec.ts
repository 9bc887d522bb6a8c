/**
 * Webhook delivery against a real PostgreSQL and a real HTTP receiver: the fan-out from the letter
 * event stream, filters, signed POSTs that the receiver verifies, replays it rejects, retries with
 * backoff into a dead letter, replaying it, timeouts, leases and several workers, secret rotation,
 * and what a payload never carries.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { KeyVault } from '@hub/keys';
import { LetterIntakeService } from '@hub/letters';
import { createLogger } from '@hub/observability';
import { TenantDb } from '@hub/persistence';
import { HubDatabase, insertLetters, startHubDatabase, TestLetter } from '../../../test/support';
import { LetterNotification } from './notification-payload';
import { startTestReceiver, TestReceiver } from './test-receiver.spec-helper';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookFanout } from './webhook-fanout';
import { WebhookSender, WebhookSenderOptions } from './webhook-sender';
import { signWebhookPayload } from './webhook-signature';
import { WebhookSubscriptionService } from './webhook-subscription.service';
import { startWebhookWorker } from './notifications-worker';

jest.setTimeout(60_000);

const log = createLogger('webhooks-test', process.env.TEST_LOG_LEVEL ?? 'silent');
const PNR = '198101032384';
const admin = () => ({ tenantId: hub.demo.tenantId, actor: 'admin-user' });

let hub: HubDatabase;
let db: TenantDb;
let vault: KeyVault;
let receiver: TestReceiver;
let subscriptions: WebhookSubscriptionService;
let deliveries: WebhookDeliveryService;
let fanout: WebhookFanout;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'webhooks' });
  db = new TenantDb(await hub.appOrm());
  vault = new KeyVault(hub.masterKey);
  receiver = await startTestReceiver();
  subscriptions = new WebhookSubscriptionService(db, { vault, allowHttpLocalhost: true });
  deliveries = new WebhookDeliveryService(db, { pageSizeMax: 200 });
  fanout = new WebhookFanout({ db, log, settleMs: 0 });
});

afterAll(async () => {
  await receiver?.close();
  await hub?.drop();
});

// Each test starts without subscriptions (their deliveries go with them) and with the stream read to the end.
afterEach(async () => {
  await hub.ownerQuery(`delete from webhook_subscription`);
  while (await fanout.tick());
});

let paths = 0;
/** A subscription of the demo tenant whose endpoint on the receiver knows its secret. */
async function subscribe(events: string[], options: { tenantId?: string } = {}): Promise<{ id: string; path: string; secret: string }> {
  const path = `/hook-${++paths}`;
  const ctx = { tenantId: options.tenantId ?? hub.demo.tenantId, actor: 'admin-user' };
  const { webhook, secret } = await subscriptions.create(ctx, { url: `${receiver.baseUrl}${path}`, events });
  receiver.secrets.set(path, secret);
  return { id: webhook.id, path, secret };
}

/** An entry in a letter's log, as the dispatch or the print path writes it. */
async function logEvent(letterId: string, type: string, toStatus: string, detail: Record<string, unknown> = {}, tenantId = hub.demo.tenantId): Promise<string> {
  const [row] = await hub.ownerQuery<{ id: string }>(
    `insert into letter_event (tenant_id, letter_id, type, from_status, to_status, detail) values ($1, $2, $3, 'ROUTING', $4, $5) returning id::text`,
    [tenantId, letterId, type, toStatus, JSON.stringify(detail)],
  );
  return row.id;
}

async function letters(list: Partial<TestLetter>[], tenantId?: string): Promise<string[]> {
  return insertLetters(db, hub, list.map((l) => ({ recipientId: PNR, ...l })), { enqueue: false, ...(tenantId ? { tenantId } : {}) });
}

function sender(options: Partial<WebhookSenderOptions> = {}): WebhookSender {
  return new WebhookSender({ db, vault, log, allowHttpLocalhost: true, timeoutMs: 2000, ...options });
}

/** Runs the sender until `done` holds (or fails after `timeoutMs`). */
async function sendUntil(s: WebhookSender | WebhookSender[], done: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const senders = Array.isArray(s) ? s : [s];
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await Promise.all(senders.map(async (x) => {
      await x.tick();
      await x.drain();
    }));
    await new Promise((r) => setTimeout(r, 20));
  }
}

const deliveryRows = (subscriptionId: string) =>
  hub.ownerQuery<{ id: string; event_id: string; event_type: string; status: string; attempts: number; last_status_code: number | null; last_error: string | null; replays: number }>(
    `select id::text, event_id::text, event_type, status, attempts, last_status_code, last_error, replays from webhook_delivery where subscription_id = $1 order by event_id`,
    [subscriptionId],
  );
/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
const processedOn = (path: string) => receiver.processed.filter((p) => p.path === path).map((p) => p.event);

describe('fan-out and delivery', () => {
  it('sends each event once to every subscription that asked for it, signed so that the receiver verifies it', async () => {
    const deliveredAndReturned = await subscribe(['letter.delivered', 'letter.returned']);
    const heldOnly = await subscribe(['letter.held']);
    const [a, b] = await letters([{ caseReference: 'BN 2026-1' }, { unit: 'social', caseReference: 'SN 2026-2' }]);
    const delivered = await logEvent(a, 'DELIVERED', 'DELIVERED', { transId: 'T-1', operatorId: 'kivra', operatorName: 'Kivra' });
    await logEvent(a, 'SIGNED', 'SIGNED');
    const held = await logEvent(b, 'HELD', 'HELD', { holdReason: 'PROTECTED_IDENTITY', reason: 'NOT_REGISTERED' });
    const returned = await logEvent(b, 'RETURNED', 'RETURNED', { vendorId: 'demo-print', batchId: 'B1', reason: 'ADDRESSEE_UNKNOWN', occurredAt: '2026-11-20T10:00:00.000Z' });

    while (await fanout.tick());
    // Reading the same events again (a worker that died before moving its cursor) queues nothing twice.
    await hub.ownerQuery(`update event_consumer set last_event_id = 0 where name = 'webhooks'`);
    while (await fanout.tick());
    expect((await deliveryRows(deliveredAndReturned.id)).map((d) => [d.event_id, d.event_type, d.status])).toEqual([
      [delivered, 'letter.delivered', 'PENDING'],
      [returned, 'letter.returned', 'PENDING'],
    ]);
    expect((await deliveryRows(heldOnly.id)).map((d) => d.event_type)).toEqual(['letter.held']);

    const s = sender();
    await sendUntil(s, () => receiver.processed.length >= 3);
    const got = processedOn(deliveredAndReturned.path);
    expect(got.map((e) => e.type).sort()).toEqual(['letter.delivered', 'letter.returned']);
    expect(got.find((e) => e.type === 'letter.delivered')).toEqual({
      id: delivered,
      type: 'letter.delivered',
      occurredAt: expect.any(String),
      recordedAt: expect.any(String),
      tenant: 'demo-kommun',
      letterId: a,
      caseReference: 'BN 2026-1',
      caseType: null,
      sendingUnit: 'bygg',
      protectionClass: 1,
      status: 'DELIVERED',
      channel: 'DIGITAL',
      reason: null,
      subject: 'Beslut om bygglov',
      details: { transId: 'T-1', operatorId: 'kivra', operatorName: 'Kivra' },
    });
    expect(got.find((e) => e.type === 'letter.returned')).toMatchObject({ sendingUnit: 'social', channel: 'PRINT', reason: 'ADDRESSEE_UNKNOWN', occurredAt: '2026-11-20T10:00:00.000Z' });
    expect(processedOn(heldOnly.path)).toEqual([
      expect.objectContaining({ id: held, type: 'letter.held', status: 'HELD', reason: 'PROTECTED_IDENTITY', details: { holdReason: 'PROTECTED_IDENTITY', channelReason: 'NOT_REGISTERED' } }),
    ]);
    // The headers name the event and the delivery; every request verified (none answered 401).
    const req = receiver.requests.find((r) => r.path === heldOnly.path)!;
    expect(req.headers).toMatchObject({ 'x-hub-event-id': held, 'x-hub-event': 'letter.held', 'content-type': 'application/json; charset=utf-8' });
    expect(req.headers['x-hub-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(req.headers['x-hub-delivery-id']).toBe((await deliveryRows(heldOnly.id))[0].id);
    expect(receiver.requests.filter((r) => [deliveredAndReturned.path, heldOnly.path].includes(r.path)).map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await deliveryRows(deliveredAndReturned.id)).map((d) => [d.status, d.attempts, d.last_status_code])).toEqual([
      ['DELIVERED', 1, 200],
      ['DELIVERED', 1, 200],
    ]);
    // Nothing left to send.
    await s.tick();
    await s.drain();
    expect(receiver.requests.filter((r) => r.path === heldOnly.path)).toHaveLength(1);
  });

  it('publishes every public event type from the log entries behind it', async () => {
    const all = await subscribe([
      'letter.delivered',
      'letter.not_reachable',
      'letter.routed_to_print',
      'letter.printed',
      'letter.posted',
      'letter.returned',
      'letter.failed',
      'letter.cancelled',
      'letter.held',
    ]);
    const [id] = await letters([{}]);
    for (const [type, to, detail] of [
      ['NOT_REACHABLE', 'ROUTING', { reason: 'NOT_REGISTERED' }],
      ['ROUTED_TO_PRINT', 'PRINT_PENDING', { reason: 'NOT_REGISTERED' }],
      ['PRINTED', 'PRINTED', { vendorId: 'demo-print', batchId: 'B' }],
      ['POSTED', 'POSTED', { vendorId: 'demo-print', batchId: 'B' }],
      ['PRINT_FAILED', 'PRINT_FAILED', { vendorId: 'demo-print', batchId: 'B', reason: 'PAPER_JAM' }],
      ['FAILED', 'FAILED', { reason: 'NOT_REGISTERED', printBlockedBy: 'DIGITAL_ONLY' }],
      ['CANCELLED', 'CANCELLED', {}],
      ['RETRY_SCHEDULED', 'ROUTING', {}],
      ['PRINT_RENDERED', 'PRINT_PENDING', {}],
      ['BATCHED', 'BATCHED', {}],
    ] as const) {
      await logEvent(id, type, to, detail);
    }
    while (await fanout.tick());
    await sendUntil(sender(), async () => processedOn(all.path).length >= 7);
    // Requests run in parallel: the receiver orders by event id.
    const ordered = processedOn(all.path).sort((x, y) => Number(x.id) - Number(y.id));
    expect(ordered.map((e) => [e.type, e.status, e.reason])).toEqual([
      ['letter.not_reachable', 'ROUTING', 'NOT_REGISTERED'],
      ['letter.routed_to_print', 'PRINT_PENDING', 'NOT_REGISTERED'],
      ['letter.printed', 'PRINTED', null],
      ['letter.posted', 'POSTED', null],
      ['letter.failed', 'PRINT_FAILED', 'PAPER_JAM'],
      ['letter.failed', 'FAILED', 'NOT_REGISTERED'],
      ['letter.cancelled', 'CANCELLED', null],
    ]);
    expect(await deliveryRows(all.id)).toHaveLength(7);
  });

  it('queues nothing for an inactive subscription, nor events from before a subscription existed', async () => {
    const [id] = await letters([{}]);
    await logEvent(id, 'HELD', 'HELD', { holdReason: 'MISSING_ADDRESS' });
    await new Promise((r) => setTimeout(r, 5));
    const later = await subscribe(['letter.held']);
    const paused = await subscribe(['letter.held']);
    await subscriptions.update(admin(), paused.id, { active: false });
    while (await fanout.tick());
    expect(await deliveryRows(later.id)).toEqual([]);
    await logEvent(id, 'HELD', 'HELD', { holdReason: 'MISSING_ADDRESS' });
    while (await fanout.tick());
    expect(await deliveryRows(later.id)).toHaveLength(1);
    expect(await deliveryRows(paused.id)).toEqual([]);
  });

  it('sends a municipality’s subscriptions only its own letters’ events', async () => {
    const demoSub = await subscribe(['letter.posted']);
    const otherSub = await subscribe(['letter.posted'], { tenantId: hub.other.tenantId });
    const [demoLetter] = await letters([{}]);
    const [otherLetter] = await letters([{ sendingUnitId: hub.other.unitId }], hub.other.tenantId);
    const demoEvent = await logEvent(demoLetter, 'POSTED', 'POSTED');
    const otherEvent = await logEvent(otherLetter, 'POSTED', 'POSTED', {}, hub.other.tenantId);
    while (await fanout.tick());
    await sendUntil(sender(), () => processedOn(demoSub.path).length + processedOn(otherSub.path).length >= 2);
    expect(processedOn(demoSub.path).map((e) => [e.id, e.tenant, e.letterId])).toEqual([[demoEvent, 'demo-kommun', demoLetter]]);
    expect(processedOn(otherSub.path).map((e) => [e.id, e.tenant, e.letterId])).toEqual([[otherEvent, 'annan-kommun', otherLetter]]);
  });

  it('runs as worker loops that start and stop', async () => {
    const sub = await subscribe(['letter.cancelled']);
    const worker = startWebhookWorker({ db, vault, log, pollMs: 20, settleMs: 0, allowHttpLocalhost: true });
    try {
      // A real cancellation through the intake writes the CANCELLED entry.
      const intake = new LetterIntakeService(db, { defaultDeadlineHours: 24, bulkMax: 10, pageSizeMax: 50 });
      const [id] = await letters([{}]);
      await intake.cancel({ tenantId: hub.demo.tenantId, actor: 'case-system' }, id, 'skickat i fel ärende');
      const deadline = Date.now() + 10_000;
      while (processedOn(sub.path).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(processedOn(sub.path)).toEqual([expect.objectContaining({ type: 'letter.cancelled', letterId: id, status: 'CANCELLED', reason: 'skickat i fel ärende' })]);
    } finally {
      await worker.stop();
    }
  });
});

describe('what a payload carries', () => {
  it('never the recipient’s personnummer, nor one written in the subject, case reference or a reason; no class-3 subject by default', async () => {
    const sub = await subscribe(['letter.cancelled']);
    const [open, sensitive] = await letters([
      { protectionClass: 1, subject: `Beslut för ${PNR}`, caseReference: `BN ${PNR.slice(2, 8)}-${PNR.slice(8)}` },
      { protectionClass: 3, subject: 'Beslut om insats enligt LSS' },
    ]);
    await logEvent(open, 'CANCELLED', 'CANCELLED', { reason: `fel mottagare ${PNR}`, actor: 'someone' });
    await logEvent(sensitive, 'CANCELLED', 'CANCELLED', {});
    while (await fanout.tick());
    await sendUntil(sender(), () => processedOn(sub.path).length >= 2);
    const bodies = receiver.requests.filter((r) => r.path === sub.path).map((r) => r.body.toString('utf8'));
    for (const body of bodies) {
      expect(body).not.toContain(PNR);
      expect(body).not.toContain(PNR.slice(2));
      expect(body).not.toContain('810103-2384');
      expect(body).not.toMatch(/body|recipient|attachment/i);
    }
    const byLetter = new Map(processedOn(sub.path).map((e) => [e.letterId, e]));
    expect(byLetter.get(open)).toMatchObject({ subject: 'Beslut för [personnummer]', caseReference: 'BN [personnummer]', reason: 'fel mottagare [personnummer]', protectionClass: 1 });
    expect(byLetter.get(sensitive)).toMatchObject({ subject: null, protectionClass: 3 });
  });

  it('follows the municipality’s subject policy per protection class', async () => {
    const sub = await subscribe(['letter.cancelled']);
    const [one, two] = await letters([{ protectionClass: 1 }, { protectionClass: 2 }]);
    const setPolicy = (notificationSubject: Record<string, boolean> | null) =>
      hub.ownerQuery(
        notificationSubject === null
          ? `update tenant set settings = settings - 'protectionClassPolicy' where id = $1`
          : `update tenant set settings = settings || jsonb_build_object('protectionClassPolicy', jsonb_build_object('notificationSubject', $2::jsonb)) where id = $1`,
        notificationSubject === null ? [hub.demo.tenantId] : [hub.demo.tenantId, JSON.stringify(notificationSubject)],
      );
    try {
      await setPolicy({ '1': false });
      await logEvent(one, 'CANCELLED', 'CANCELLED');
      while (await fanout.tick());
      await sendUntil(sender(), () => processedOn(sub.path).length >= 1);
      expect(processedOn(sub.path)[0]).toMatchObject({ letterId: one, subject: null });
      await setPolicy({ '2': true });
      await logEvent(two, 'CANCELLED', 'CANCELLED');
      while (await fanout.tick());
      await sendUntil(sender(), () => processedOn(sub.path).length >= 2);
      expect(processedOn(sub.path)[1]).toMatchObject({ letterId: two, subject: 'Beslut om bygglov' });
    } finally {
      await setPolicy(null);
    }
  });
});

describe('the receiver', () => {
  it('processes an event once: a replayed request is not processed again, an old or altered one is refused', async () => {
    const sub = await subscribe(['letter.posted']);
    const [id] = await letters([{}]);
    await logEvent(id, 'POSTED', 'POSTED', { vendorId: 'demo-print', batchId: 'B' });
    while (await fanout.tick());
    await sendUntil(sender(), () => processedOn(sub.path).length === 1);
    const original = receiver.requests.find((r) => r.path === sub.path)!;
    const replay = (headers: Record<string, string>, body: Buffer | string = original.body) =>
      fetch(`${receiver.baseUrl}${sub.path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

    // An attacker (or a network) sends the captured request again: acknowledged, not processed twice.
    const again = await replay({ 'x-hub-signature': original.headers['x-hub-signature'] as string, 'x-hub-event-id': original.headers['x-hub-event-id'] as string });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ duplicate: true });
    expect(processedOn(sub.path)).toHaveLength(1);

    // The same body signed (correctly) ten minutes ago: refused as too old.
    const old = signWebhookPayload([sub.secret], original.body, Math.floor(Date.now() / 1000) - 600);
    const stale = await replay({ 'x-hub-signature': old, 'x-hub-event-id': original.headers['x-hub-event-id'] as string });
    expect(stale.status).toBe(401);
    expect(await stale.json()).toEqual({ error: 'TIMESTAMP_OUT_OF_TOLERANCE' });

    // A new event id written into the captured body: the signature no longer matches.
    const event = JSON.parse(original.body.toString('utf8')) as LetterNotification;
    const forged = await replay({ 'x-hub-signature': original.headers['x-hub-signature'] as string, 'x-hub-event-id': '999999' }, JSON.stringify({ ...event, id: '999999' }));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ error: 'SIGNATURE_MISMATCH' });
    expect(processedOn(sub.path)).toHaveLength(1);
  });

  it('verifies with the old or the new secret while a rotation’s grace period lasts', async () => {
    const sub = await subscribe(['letter.posted']);
    const { secret: next } = await subscriptions.rotateSecret(admin(), sub.id, { previousValidHours: 1 });
    const [a, b] = await letters([{}, {}]);
    // The receiver still has the old secret: it verifies.
    await logEvent(a, 'POSTED', 'POSTED');
    while (await fanout.tick());
    await sendUntil(sender(), () => processedOn(sub.path).length === 1);
    expect(receiver.requests.filter((r) => r.path === sub.path).at(-1)!.headers['x-hub-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    // Switched to the new one: it verifies too.
    receiver.secrets.set(sub.path, next);
    await logEvent(b, 'POSTED', 'POSTED');
    while (await fanout.tick());
    await sendUntil(sender(), () => processedOn(sub.path).length === 2);
    // A rotation without grace: only the new secret signs.
    const { secret: third } = await subscriptions.rotateSecret(admin(), sub.id, { previousValidHours: 0 });
    await logEvent(a, 'RETURNED', 'RETURNED');
    await subscriptions.update(admin(), sub.id, { events: ['letter.returned'] });
    while (await fanout.tick());
    await sendUntil(sender(), async () => (await deliveryRows(sub.id)).some((d) => d.event_type === 'letter.returned' && d.last_status_code === 401));
    receiver.secrets.set(sub.path, third);
    expect(receiver.requests.filter((r) => r.path === sub.path).at(-1)!.headers['x-hub-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });
});

describe('retries and dead letters', () => {
  it('retries a failing receiver with backoff, dead-letters it after the window, and a replay delivers it', async () => {
    const sub = await subscribe(['letter.held']);
    receiver.modes.set(sub.path, 'fail');
    const [id] = await letters([{}]);
    const eventId = await logEvent(id, 'HELD', 'HELD', { holdReason: 'PRINT_REFUSED' });
    while (await fanout.tick());
    const s = sender({ retry: { baseMs: 100, maxMs: 400, windowMs: 1500 } });
    await sendUntil(s, async () => (await deliveryRows(sub.id))[0].status === 'DEAD');
    const [dead] = await deliveryRows(sub.id);
    expect(dead).toMatchObject({ status: 'DEAD', last_status_code: 500, last_error: 'answered HTTP 500' });
    expect(dead.attempts).toBeGreaterThanOrEqual(3);
    const times = receiver.requests.filter((r) => r.path === sub.path).length;
    expect(times).toBe(dead.attempts);
    // Waiting is spent in backoff: the attempts spread over the window rather than hammering.
    expect(times).toBeLessThan(15);

    const listed = await deliveries.deadLetters(admin());
    expect(listed.items.map((i) => [i.delivery.id, i.delivery.eventId, i.delivery.webhookId, i.delivery.status])).toEqual([[dead.id, eventId, sub.id, 'DEAD']]);
    expect((await subscriptions.get(admin(), sub.id)).deadLetters).toBe(1);
    // The sender leaves a dead letter alone.
    await s.tick();
    await s.drain();
    expect(receiver.requests.filter((r) => r.path === sub.path)).toHaveLength(times);

    receiver.modes.set(sub.path, 'ok');
    const replayed = await deliveries.replay(admin(), dead.id);
    expect(replayed).toMatchObject({ status: 'PENDING', attempts: 0, replays: 1, deadAt: null });
    await sendUntil(s, async () => (await deliveryRows(sub.id))[0].status === 'DELIVERED');
    expect(processedOn(sub.path)).toEqual([expect.objectContaining({ id: eventId, type: 'letter.held' })]);
    expect((await deliveryRows(sub.id))[0]).toMatchObject({ attempts: 1, replays: 1, last_status_code: 200, last_error: null });
    expect((await deliveries.deadLetters(admin())).items).toEqual([]);
    await expect(deliveries.replay(admin(), dead.id)).rejects.toThrow(/is DELIVERED, not DEAD/);
  });

  it('counts a receiver that does not answer in time, or cannot be reached, as a failed attempt', async () => {
    const slow = await subscribe(['letter.held']);
    receiver.modes.set(slow.path, 'hang');
    const [id] = await letters([{}]);
    await logEvent(id, 'HELD', 'HELD');
    const gone = await subscriptions.create(admin(), { url: `http://127.0.0.1:${await closedPort()}/nothing-listens`, events: ['letter.posted'] });
    await logEvent(id, 'POSTED', 'POSTED');
    while (await fanout.tick());
    const s = sender({ timeoutMs: 300, retry: { baseMs: 60_000, maxMs: 60_000, windowMs: 3_600_000 } });
    await sendUntil(s, async () => (await deliveryRows(slow.id))[0].attempts === 1 && (await deliveryRows(gone.webhook.id))[0].attempts === 1);
    expect((await deliveryRows(slow.id))[0]).toMatchObject({ status: 'PENDING', last_status_code: null, last_error: 'no answer within 300 ms' });
    expect((await deliveryRows(gone.webhook.id))[0]).toMatchObject({ status: 'PENDING', last_status_code: null, last_error: expect.stringMatching(/^could not connect or send: ECONNREFUSED/) });
    const [next] = await hub.ownerQuery<{ wait: number }>(`select extract(epoch from next_attempt_at - last_attempt_at) as wait from webhook_delivery where subscription_id = $1`, [slow.id]);
    expect(Number(next.wait)).toBeGreaterThanOrEqual(29);
  });
});

describe('deliveries that cannot be sent', () => {
  it('are not sent to an http URL when this worker does not allow it, and say why', async () => {
    const sub = await subscribe(['letter.posted']);
    const [id] = await letters([{}]);
    await logEvent(id, 'POSTED', 'POSTED');
    while (await fanout.tick());
    const strict = sender({ allowHttpLocalhost: false, retry: { baseMs: 60_000, maxMs: 60_000, windowMs: 3_600_000 } });
    await sendUntil(strict, async () => (await deliveryRows(sub.id))[0].attempts === 1);
    expect((await deliveryRows(sub.id))[0]).toMatchObject({ status: 'PENDING', last_error: expect.stringMatching(/^not sent: the URL uses http to this machine/) });
    expect(receiver.requests.filter((r) => r.path === sub.path)).toHaveLength(0);
  });

  it('are dead at once when their event no longer exists (purged)', async () => {
    const sub = await subscribe(['letter.posted']);
    const [id] = await letters([{}]);
    const eventId = await logEvent(id, 'POSTED', 'POSTED');
    while (await fanout.tick());
    // Only retention may remove log entries; as the owner, past the append-only trigger.
    await hub.ownerQuery(
      `alter table letter_event disable trigger letter_event_no_update; delete from letter_event where id = ${Number(eventId)}; alter table letter_event enable trigger letter_event_no_update`,
    );
    await sendUntil(sender(), async () => (await deliveryRows(sub.id))[0].status === 'DEAD');
    expect((await deliveryRows(sub.id))[0]).toMatchObject({ attempts: 1, last_error: 'the letter event no longer exists (purged by retention)' });
    expect(receiver.requests.filter((r) => r.path === sub.path)).toHaveLength(0);
  });
});

describe('several workers', () => {
  it('share the work without sending any event twice', async () => {
    const sub = await subscribe(['letter.posted']);
    const ids = await letters(Array.from({ length: 30 }, () => ({})));
    for (const id of ids) await logEvent(id, 'POSTED', 'POSTED');
    while (await fanout.tick());
    const workers = [sender({ concurrency: 3 }), sender({ concurrency: 3 }), sender({ concurrency: 3 })];
    await sendUntil(workers, async () => (await deliveryRows(sub.id)).every((d) => d.status === 'DELIVERED'));
    const requests = receiver.requests.filter((r) => r.path === sub.path);
    expect(requests).toHaveLength(30);
    expect(new Set(requests.map((r) => r.headers['x-hub-event-id'])).size).toBe(30);
  });

  it('take over a delivery whose worker died once its lease has run out', async () => {
    const sub = await subscribe(['letter.posted']);
    const [id] = await letters([{}]);
    await logEvent(id, 'POSTED', 'POSTED');
    while (await fanout.tick());
    // A worker leases it for half a second, then dies.
    const claimed = await db.withoutTenant((em) => em.execute(`select * from webhook_deliveries_claim('dead-worker', 0.5, 10)`));
    expect(claimed).toHaveLength(1);
    const s = sender();
    await s.tick();
    await s.drain();
    expect(receiver.requests.filter((r) => r.path === sub.path)).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 600));
    await sendUntil(s, async () => (await deliveryRows(sub.id))[0].status === 'DELIVERED');
    expect(processedOn(sub.path)).toHaveLength(1);
  });
});
