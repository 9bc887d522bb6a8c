/**
 * The dispatch against real PostgreSQL (application role, row-level security), real Redis (BullMQ)
 * and the FaR and mailbox-operator simulators over HTTPS with mutual TLS: the runtime of a worker
 * process (worker, outbox relay, reconciler) runs in this test's process.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { TrustStore, verifyDelivery } from '@hub/mina-meddelanden';
import { createLogger } from '@hub/observability';
import { JobName } from '@hub/jobs';
import { TenantDb } from '@hub/persistence';
import {
  deleteKeysByPrefix,
  eventsOf,
  hubConfig,
  HubDatabase,
  insertLetters,
  makePdf,
  readLetters,
  startHubDatabase,
  startSimulatorsInProcess,
  TestSimulators,
  uniqueQueuePrefix,
  waitForJob,
  waitForLetters,
} from '../../../test/support';
import { readFileSync } from 'node:fs';
import { DispatchRuntime, startDispatchRuntime } from './dispatch-runtime';

jest.setTimeout(60_000);

const KIVRA = '198101032384';
const SENDER = '162120001231';

let hub: HubDatabase;
let sims: TestSimulators;
let orm: MikroORM;
let db: TenantDb;
let runtime: DispatchRuntime;
const prefix = uniqueQueuePrefix('dispatch');

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'dispatch' });
  sims = await startSimulatorsInProcess();
  orm = await hub.appOrm(12);
  db = new TenantDb(orm);
  const config = hubConfig(hub, sims, { QUEUE_PREFIX: prefix, DISPATCH_MAX_ATTEMPTS: '4' });
  runtime = await startDispatchRuntime({ config, orm, log: createLogger('dispatch-test', process.env.TEST_LOG_LEVEL ?? 'silent'), jobNames: [JobName.DispatchLetter] });
});

afterAll(async () => {
  await runtime?.close();
  await sims?.close();
  await deleteKeysByPrefix(prefix);
  await hub?.drop();
});

afterEach(() => sims.admin.clearFaults());

describe('a deliverable letter', () => {
  it('is delivered once, to the recipient’s operator, signed by the sending unit and sealed by the hub, with its events in order', async () => {
    const pdf = await makePdf('Beslut om bygglov');
    const [id] = await insertLetters(db, hub, [{ recipientId: KIVRA, attachments: [{ filename: 'beslut.pdf', content: pdf }] }]);
    const [letter] = await waitForLetters(hub, [id]);
    expect(letter).toMatchObject({ status: 'DELIVERED', channel: 'DIGITAL', operator_id: '165599000014', attempts: 0, lease_owner: null, status_reason: null });
    expect(letter.trans_id).toBeTruthy();
    expect(letter.dispatched_at).toBeInstanceOf(Date);

    const events = await eventsOf(hub, id);
    expect(events.map((e) => [e.type, e.from_status, e.to_status])).toEqual([
      ['REACHABILITY_CHECKED', 'ACCEPTED', 'ROUTING'],
      ['SIGNED', 'ROUTING', 'SIGNED'],
      ['SEALED', 'SIGNED', 'SEALED'],
      ['DELIVERED', 'SEALED', 'DELIVERED'],
    ]);
    expect(events[0].detail).toMatchObject({ deliverable: true, operatorId: '165599000014', serviceAddress: sims.operators.kivra.url });
    expect(events[3].detail).toMatchObject({ transId: letter.trans_id, operatorId: '165599000014' });

    const stored = await sims.admin.deliveriesOfMessage(id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ operator: 'kivra', transId: letter.trans_id, recipient: KIVRA, senderId: SENDER, correlationId: id, reference: 'BN 2026-123', redeliveries: 0 });
    expect(stored[0].attachments).toEqual([expect.objectContaining({ filename: 'beslut.pdf', bytes: pdf.length })]);

    // The operator verified both layers; check again independently of it, from the bytes it received.
    const raw = await sims.admin.raw('kivra', letter.trans_id!);
    const trust = new TrustStore({ cas: [readFileSync(sims.caFile, 'utf8')] });
    const verified = verifyDelivery(raw, { senderTrust: trust, sealTrust: trust, requireSeal: true });
    expect(verified.sender.serialNumber).toBe(SENDER);
    expect(verified.seal?.serialNumber).toBe('165591234561');
    expect(verified.delivery.messages[0]).toMatchObject({ id, subject: 'Beslut om bygglov' });
  });
});

const typesOf = async (id: string) => (await eventsOf(hub, id)).map((e) => e.type);

describe('a recipient who cannot take digital mail', () => {
  it.each([
    ['201001012382', 'bygg', 'NOT_REGISTERED'],
    ['199001032391', 'bygg', 'NOT_REGISTERED'],
    ['200001011493', 'bygg', 'SENDER_NOT_ACCEPTED'],
    ['198001032385', 'social', 'SENDER_NOT_ACCEPTED'],
    ['199001022384', 'bygg', 'PENDING'],
  ])('%s (unit %s) goes to print with FaR’s reason %s, and the case officer sees why', async (recipientId, unit, reason) => {
    const [id] = await insertLetters(db, hub, [{ recipientId, unit }]);
    const [letter] = await waitForLetters(hub, [id]);
    expect(letter).toMatchObject({ status: 'PRINT_PENDING', status_reason: reason, channel: 'PRINT', trans_id: null, lease_owner: null });
    const events = await eventsOf(hub, id);
    expect(events.map((e) => [e.type, e.to_status])).toEqual([
      ['REACHABILITY_CHECKED', 'ROUTING'],
      ['NOT_REACHABLE', 'ROUTING'],
      ['ROUTED_TO_PRINT', 'PRINT_PENDING'],
    ]);
    expect(events[1].detail).toEqual({ reason });
    expect(events[2].detail).toEqual({ reason });
    expect(await sims.admin.deliveriesOfMessage(id)).toEqual([]);
  });

  it('fails with the reason when the letter is DIGITAL_ONLY', async () => {
    const [id] = await insertLetters(db, hub, [{ recipientId: '199001022384', channelPreference: 'DIGITAL_ONLY' }]);
    const [letter] = await waitForLetters(hub, [id]);
    expect(letter).toMatchObject({ status: 'FAILED', status_reason: 'PENDING', channel: null });
    const events = await eventsOf(hub, id);
    expect(events.map((e) => e.type)).toEqual(['REACHABILITY_CHECKED', 'NOT_REACHABLE', 'FAILED']);
    expect(events[2].detail).toEqual({ reason: 'PENDING', printBlockedBy: 'DIGITAL_ONLY' });
  });

  it('fails with the reason when the tenant does not allow print', async () => {
    await hub.ownerQuery(`update tenant set settings = settings || '{"printAllowed": false}' where id = $1`, [hub.demo.tenantId]);
    try {
      const [id] = await insertLetters(db, hub, [{ recipientId: '201001012382' }]);
      const [letter] = await waitForLetters(hub, [id]);
      expect(letter).toMatchObject({ status: 'FAILED', status_reason: 'NOT_REGISTERED' });
      expect((await eventsOf(hub, id)).at(-1)?.detail).toEqual({ reason: 'NOT_REGISTERED', printBlockedBy: 'PRINT_NOT_ALLOWED' });
    } finally {
      await hub.ownerQuery(`update tenant set settings = settings - 'printAllowed' where id = $1`, [hub.demo.tenantId]);
    }
  });
});

describe('letters that do not try digital delivery', () => {
  it('sends a PRINT_ONLY letter to print without asking FaR', async () => {
    const [id] = await insertLetters(db, hub, [{ recipientId: KIVRA, channelPreference: 'PRINT_ONLY' }]);
    const [letter] = await waitForLetters(hub, [id]);
    expect(letter).toMatchObject({ status: 'PRINT_PENDING', status_reason: 'PRINT_ONLY', channel: 'PRINT' });
    expect(await typesOf(id)).toEqual(['ROUTED_TO_PRINT']);
  });

  it('sends a letter whose deadline has passed to print', async () => {
    const [id] = await insertLetters(db, hub, [{ recipientId: KIVRA, deadlineAt: new Date(Date.now() - 1000) }]);
    const [letter] = await waitForLetters(hub, [id]);
    expect(letter).toMatchObject({ status: 'PRINT_PENDING', status_reason: 'DEADLINE_PASSED' });
    expect(await typesOf(id)).toEqual(['ROUTED_TO_PRINT']);
    expect(await sims.admin.deliveriesOfMessage(id)).toEqual([]);
  });

  it('sends a letter whose sending unit has no certificate to print, saying so', async () => {
    const [id] = await insertLetters(db, hub, [{ recipientId: KIVRA, sendingUnitId: hub.other.unitId }], { tenantId: hub.other.tenantId, enqueue: false });
    await runtime.queue.add('dispatch-letter', { tenantId: hub.other.tenantId, letterId: id }, { jobId: `nocert-${id}` });
    expect(await waitForJob(runtime.queue, `nocert-${id}`)).toMatchObject({ state: 'completed', returnvalue: 'PRINT_PENDING' });
    const [letter] = await readLetters(hub, [id]);
    expect(letter).toMatchObject({ status: 'PRINT_PENDING', status_reason: 'SENDER_CERTIFICATE_MISSING' });
    expect(await typesOf(id)).toEqual(['REACHABILITY_CHECKED', 'DELIVERY_FAILED', 'ROUTED_TO_PRINT']);
  });
});

describe('failures at the mailbox operator', () => {
  it('retries a retryable failure (HTTP 503 twice) with backoff through the outbox, then delivers once', async () => {
    const recipientId = '199001012385';
    await sims.admin.setOperatorFaults('kivra', { recipients: { [recipientId]: { mode: 'http5xx', times: 2 } } });
    const [id] = await insertLetters(db, hub, [{ recipientId }]);
    const [letter] = await waitForLetters(hub, [id]);
    expect(letter).toMatchObject({ status: 'DELIVERED', attempts: 2, next_attempt_at: null });
    const events = await eventsOf(hub, id);
    expect(events.map((e) => e.type)).toEqual(['REACHABILITY_CHECKED', 'SIGNED', 'SEALED', 'RETRY_SCHEDULED', 'RETRY_SCHEDULED', 'DELIVERED']);
    expect(events[3].detail).toMatchObject({ service: 'operator', code: 'HTTP_5XX', kind: 'retryable', httpStatus: 503, attempt: 1 });
    expect(events[4].detail).toMatchObject({ code: 'HTTP_5XX', attempt: 2 });
    const outbox = await hub.ownerQuery<{ n: string }>(`select count(*) as n from outbox where letter_id = $1 and dispatched_at is not null`, [id]);
    expect(Number(outbox[0].n)).toBe(3);
    const stored = await sims.admin.deliveriesOfMessage(id);
    expect(stored).toHaveLength(1);
    expect(stored[0].transId).toBe(letter.trans_id);
  });

  it('gives up after DISPATCH_MAX_ATTEMPTS retryable failures and prints, with the reason', async () => {
    const recipientId = '202001612395';
    await sims.admin.setOperatorFaults('kivra', { recipients: { [recipientId]: { mode: 'http5xx', status: 502 } } });
    const [id] = await insertLetters(db, hub, [{ recipientId }]);
    const [letter] = await waitForLetters(hub, [id]);
    expect(letter).toMatchObject({ status: 'PRINT_PENDING', status_reason: 'RETRIES_EXHAUSTED', attempts: 4 });
    const events = await eventsOf(hub, id);
    expect(events.map((e) => e.type)).toEqual(['REACHABILITY_CHECKED', 'SIGNED', 'SEALED', 'RETRY_SCHEDULED', 'RETRY_SCHEDULED', 'RETRY_SCHEDULED', 'DELIVERY_FAILED', 'ROUTED_TO_PRINT']);
    expect(events[6].detail).toMatchObject({ reason: 'RETRIES_EXHAUSTED', code: 'HTTP_5XX', httpStatus: 502, attempt: 4 });
  });

  it('gives up at the letter’s deadline', async () => {
    const recipientId = '202001612395';
    await sims.admin.setOperatorFaults('kivra', { recipients: { [recipientId]: { mode: 'http5xx' } } });
    const [id] = await insertLetters(db, hub, [{ recipientId, deadlineAt: new Date(Date.now() + 150) }]);
    const [letter] = await waitForLetters(hub, [id]);
    expect(letter).toMatchObject({ status: 'PRINT_PENDING', status_reason: 'DEADLINE_PASSED' });
    expect((await eventsOf(hub, id)).find((e) => e.type === 'DELIVERY_FAILED')?.detail).toMatchObject({ reason: 'DEADLINE_PASSED', code: 'HTTP_5XX' });
  });

  it('prints after a permanent refusal, recording the fault code', async () => {
    const recipientId = '202001612395';
    await sims.admin.setOperatorFaults('kivra', { recipients: { [recipientId]: { mode: 'fault', code: 5001 } } });
    const [id] = await insertLetters(db, hub, [{ recipientId }]);
    const [letter] = await waitForLetters(hub, [id]);
    expect(letter).toMatchObject({ status: 'PRINT_PENDING', status_reason: 'OPERATOR_REFUSED', attempts: 0 });
    const events = await eventsOf(hub, id);
    expect(events.map((e) => e.type)).toEqual(['REACHABILITY_CHECKED', 'SIGNED', 'SEALED', 'DELIVERY_FAILED', 'ROUTED_TO_PRINT']);
    expect(events[3].detail).toMatchObject({ reason: 'OPERATOR_REFUSED', service: 'operator', code: 'OPERATOR_FAULT', kind: 'permanent', faultCode: 5001 });
    expect(events[4]).toMatchObject({ from_status: 'SEALED', to_status: 'PRINT_PENDING' });
  });

  it('fails a DIGITAL_ONLY letter the operator answers Delivered=false', async () => {
    const recipientId = '199001012385';
    await sims.admin.setOperatorFaults('kivra', { recipients: { [recipientId]: { mode: 'delivered-false' } } });
    const [id] = await insertLetters(db, hub, [{ recipientId, channelPreference: 'DIGITAL_ONLY' }]);
    const [letter] = await waitForLetters(hub, [id]);
    expect(letter).toMatchObject({ status: 'FAILED', status_reason: 'DELIVERED_FALSE' });
    expect((await eventsOf(hub, id)).at(-1)?.detail).toEqual({ reason: 'DELIVERED_FALSE', printBlockedBy: 'DIGITAL_ONLY' });
  });
});

describe('exactly once', () => {
  it('resends a letter found in SEALED whose operator already has it: same message id, same TransId, stored once', async () => {
    const recipientId = '195001182046';
    const [id] = await insertLetters(db, hub, [{ recipientId }]);
    const [first] = await waitForLetters(hub, [id]);
    expect(first).toMatchObject({ status: 'DELIVERED', operator_id: '165599000022' });
    // As if the worker had died after the operator accepted and before DELIVERED was committed.
    await hub.ownerQuery(`update letter set status = 'SEALED', trans_id = null, dispatched_at = null where id = $1`, [id]);
    await hub.ownerQuery(`insert into outbox (tenant_id, letter_id, job, payload) values ($1, $2, 'dispatch-letter', $3)`, [
      hub.demo.tenantId,
      id,
      JSON.stringify({ tenantId: hub.demo.tenantId, letterId: id }),
    ]);
    const [again] = await waitForLetters(hub, [id], { until: (l) => l.status === 'DELIVERED' && l.trans_id !== null });
    expect(again.trans_id).toBe(first.trans_id);
    const stored = await sims.admin.deliveriesOfMessage(id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ operator: 'minmyndighetspost', transId: first.trans_id, redeliveries: 1 });
    const events = await eventsOf(hub, id);
    expect(events.at(-1)).toMatchObject({ type: 'DELIVERED', from_status: 'SEALED', detail: { transId: first.trans_id, resent: true } });
  });

  it('lets only one of two simultaneous jobs for a letter work on it', async () => {
    const recipientId = '198001022386';
    await sims.admin.setOperatorFaults('minmyndighetspost', { latencyMs: 300 });
    const [id] = await insertLetters(db, hub, [{ recipientId }], { enqueue: false });
    const payload = { tenantId: hub.demo.tenantId, letterId: id };
    await runtime.queue.addBulk([
      { name: 'dispatch-letter', data: payload, opts: { jobId: `twin-a-${id}` } },
      { name: 'dispatch-letter', data: payload, opts: { jobId: `twin-b-${id}` } },
    ]);
    const results = await Promise.all([waitForJob(runtime.queue, `twin-a-${id}`), waitForJob(runtime.queue, `twin-b-${id}`)]);
    expect(results.map((r) => r.returnvalue).sort()).toEqual(['DELIVERED', 'SKIPPED']);
    const stored = await sims.admin.deliveriesOfMessage(id);
    expect(stored).toHaveLength(1);
    expect(stored[0].redeliveries).toBe(0);
    expect((await typesOf(id)).filter((t) => t === 'DELIVERED')).toHaveLength(1);
  });

  it('does nothing for a job whose letter belongs to another tenant', async () => {
    const [id] = await insertLetters(db, hub, [{ recipientId: KIVRA }], { enqueue: false });
    await runtime.queue.add('dispatch-letter', { tenantId: hub.other.tenantId, letterId: id }, { jobId: `cross-${id}` });
    expect(await waitForJob(runtime.queue, `cross-${id}`)).toMatchObject({ state: 'completed', returnvalue: 'SKIPPED' });
    const [letter] = await readLetters(hub, [id]);
    expect(letter).toMatchObject({ status: 'ACCEPTED', lease_owner: null });
    expect(await eventsOf(hub, id)).toEqual([]);
  });

  it('does nothing for a letter that is already finished', async () => {
    const [id] = await insertLetters(db, hub, [{ recipientId: KIVRA }]);
    await waitForLetters(hub, [id]);
    const before = await eventsOf(hub, id);
    await runtime.queue.add('dispatch-letter', { tenantId: hub.demo.tenantId, letterId: id }, { jobId: `again-${id}` });
    expect(await waitForJob(runtime.queue, `again-${id}`)).toMatchObject({ returnvalue: 'SKIPPED' });
    expect(await eventsOf(hub, id)).toEqual(before);
    expect(await sims.admin.deliveriesOfMessage(id)).toHaveLength(1);
  });
});

describe('while a run works on a letter', () => {
  const whileAtFaR = async (recipientId: string, meddle: (id: string) => Promise<unknown>) => {
    await sims.admin.setFarFaults({ latencyMs: 600 });
    const [id] = await insertLetters(db, hub, [{ recipientId }], { enqueue: false });
    await runtime.queue.add('dispatch-letter', { tenantId: hub.demo.tenantId, letterId: id }, { jobId: `meddle-${id}` });
    await waitForLetters(hub, [id], { until: (l) => l.lease_owner !== null, pollMs: 10 });
    await meddle(id);
    return { id, job: await waitForJob(runtime.queue, `meddle-${id}`) };
  };

  it('stops without sending when the letter is cancelled meanwhile', async () => {
    const { id, job } = await whileAtFaR(KIVRA, (letterId) => hub.ownerQuery(`update letter set status = 'CANCELLED' where id = $1`, [letterId]));
    expect(job).toMatchObject({ state: 'completed', returnvalue: 'SKIPPED' });
    const [letter] = await readLetters(hub, [id]);
    expect(letter).toMatchObject({ status: 'CANCELLED', lease_owner: null });
    expect(await eventsOf(hub, id)).toEqual([]);
    expect(await sims.admin.deliveriesOfMessage(id)).toEqual([]);
  });

  it('never sends once its lease has been taken over, and leaves the letter to the new holder', async () => {
    const { id, job } = await whileAtFaR(KIVRA, (letterId) => hub.ownerQuery(`update letter set lease_owner = 'other-worker' where id = $1`, [letterId]));
    expect(job).toMatchObject({ state: 'completed', returnvalue: 'SKIPPED' });
    const [letter] = await readLetters(hub, [id]);
    expect(letter).toMatchObject({ status: 'ACCEPTED', lease_owner: 'other-worker' });
    expect(await eventsOf(hub, id)).toEqual([]);
    expect(await sims.admin.deliveriesOfMessage(id)).toEqual([]);
  });

  it('retries a FaR outage from ACCEPTED, then delivers', async () => {
    const recipientId = '200001012384';
    await sims.admin.setFarFaults({ recipients: { [recipientId]: { mode: 'http5xx', times: 1 } } });
    const [id] = await insertLetters(db, hub, [{ recipientId }]);
    const [letter] = await waitForLetters(hub, [id]);
    expect(letter).toMatchObject({ status: 'DELIVERED', attempts: 1, operator_id: '165599000022' });
    const events = await eventsOf(hub, id);
    expect(events.map((e) => [e.type, e.from_status, e.to_status])).toEqual([
      ['RETRY_SCHEDULED', 'ACCEPTED', 'ROUTING'],
      ['REACHABILITY_CHECKED', 'ROUTING', 'ROUTING'],
      ['SIGNED', 'ROUTING', 'SIGNED'],
      ['SEALED', 'SIGNED', 'SEALED'],
      ['DELIVERED', 'SEALED', 'DELIVERED'],
    ]);
    expect(events[0].detail).toMatchObject({ service: 'FaR', code: 'HTTP_5XX', attempt: 1 });
  });
});

describe('metrics', () => {
  it('counts letters per state, queue depths, outcomes and delivery latency', async () => {
    const text = await runtime.metrics.registry.metrics();
    expect(text).toMatch(/^hub_letters\{status="DELIVERED"\} [1-9]\d*$/m);
    expect(text).toMatch(/^hub_letters\{status="PRINT_PENDING"\} [1-9]\d*$/m);
    expect(text).toMatch(/^hub_queue_jobs\{queue="letters",state="waiting"\} \d+$/m);
    expect(text).toMatch(/^hub_jobs_total\{job="dispatch-letter",outcome="DELIVERED"\} [1-9]\d*$/m);
    expect(text).toMatch(/^hub_jobs_total\{job="dispatch-letter",outcome="SKIPPED"\} [1-9]\d*$/m);
    expect(text).toMatch(/^hub_dispatch_latency_seconds_count [1-9]\d*$/m);
    expect(text).toMatch(/^hub_dispatch_seal_seconds_count [1-9]\d*$/m);
  });
});
