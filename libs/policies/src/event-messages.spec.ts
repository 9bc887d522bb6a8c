/**
 * Event messages (händelsemeddelanden, M2) from the intake to the mailbox operator: real PostgreSQL,
 * Redis, the dispatch runtime of a worker in this process, and the FaR and mailbox-operator
 * simulators over mutual TLS. The delivery carries the v3 OfficialMatter extension with the values
 * given and is valid against the XSDs; a recipient who cannot take digital mail makes the event
 * message FAILED as undeliverable with FaR's reason, and it is never printed.
 */
import { readFileSync } from 'node:fs';
import { startDispatchRuntime, DispatchRuntime } from '@hub/dispatch';
import { JobName } from '@hub/jobs';
import { IntakeContext, LetterIntakeService, LetterValidationError } from '@hub/letters';
import { NS, SchemaValidator, TrustStore, verifyDelivery } from '@hub/mina-meddelanden';
import { createLogger } from '@hub/observability';
import { TenantDb } from '@hub/persistence';
import {
  deleteKeysByPrefix,
  eventsOf,
  hubConfig,
  HubDatabase,
  makePdf,
  startHubDatabase,
  startSimulatorsInProcess,
  TestSimulators,
  uniqueQueuePrefix,
  waitForLetters,
} from '../../../test/support';
import { CaseTypeService } from './case-type.service';

jest.setTimeout(90_000);

const KIVRA = '198101032384';
const NOT_REGISTERED = '201001012382';
const SENDER_NOT_ACCEPTED = '200001011493';

let hub: HubDatabase;
let sims: TestSimulators;
let db: TenantDb;
let runtime: DispatchRuntime;
let intake: LetterIntakeService;
let officer: IntakeContext;
const prefix = uniqueQueuePrefix('event-messages');

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'event-messages' });
  sims = await startSimulatorsInProcess();
  const orm = await hub.appOrm(12);
  db = new TenantDb(orm);
  intake = new LetterIntakeService(db, { defaultDeadlineHours: 24, bulkMax: 5000, pageSizeMax: 200, catalogTtlMs: 0 });
  officer = { tenantId: hub.demo.tenantId, actor: 'officer-olle' };
  const config = hubConfig(hub, sims, { QUEUE_PREFIX: prefix });
  runtime = await startDispatchRuntime({ config, orm, log: createLogger('event-messages-test', process.env.TEST_LOG_LEVEL ?? 'silent'), jobNames: [JobName.DispatchLetter] });
  await new CaseTypeService(db).create({ tenantId: hub.demo.tenantId, actor: 'admin' }, {
    code: 'bygglov',
    name: 'Bygglov',
    defaultProtectionClass: 2,
    subjectTemplate: 'Ditt bygglovsärende {caseReference}',
    bodyTemplate: 'Ärende {caseReference} har fått en ny status. Logga in för att se mer.',
  });
});

afterAll(async () => {
  await runtime?.close();
  await sims?.close();
  await deleteKeysByPrefix(prefix);
  await hub?.drop();
});

describe('an event message to a recipient with a digital mailbox', () => {
  it('is delivered with the OfficialMatter extension carrying the given values, schema-valid', async () => {
    const pdf = await makePdf('Komplettering');
    const { letter, created } = await intake.submitEvent(officer, {
      recipient: KIVRA,
      sendingUnit: 'bygg',
      caseReference: 'BN 2026-77',
      caseType: 'bygglov',
      attachments: [{ filename: 'begaran.pdf', content: pdf }],
      officialMatter: {
        eventId: 'evt-2026-77-3',
        officialMatterId: 'BN-2026-77',
        precedingEventId: 'evt-2026-77-2',
        matterStatus: 'recipientinitiative',
        eventType: 'Begäran om komplettering',
        matterSubject: 'Bygglov, nybyggnad av garage',
        timestamp: '2026-03-02',
      },
      idempotencyKey: 'evt-2026-77-3',
    });
    expect(created).toBe(true);
    expect(letter).toMatchObject({
      category: 'EVENT',
      channelPreference: 'DIGITAL_ONLY',
      caseType: 'bygglov',
      protectionClass: 2,
      subject: 'Ditt bygglovsärende BN 2026-77',
      postalAddress: null,
      officialMatter: {
        timestamp: '2026-03-02',
        eventId: 'evt-2026-77-3',
        officialMatterId: 'BN-2026-77',
        precedingEventId: 'evt-2026-77-2',
        matterStatus: 'recipientinitiative',
        eventType: 'Begäran om komplettering',
        matterSubject: 'Bygglov, nybyggnad av garage',
      },
    });

    const [done] = await waitForLetters(hub, [letter.id]);
    expect(done).toMatchObject({ status: 'DELIVERED', channel: 'DIGITAL' });
    const raw = await sims.admin.raw('kivra', done.trans_id!);

    // The operator accepted it after its own XSD validation; check again here, independently.
    expect(await SchemaValidator.shared().validate(raw, 'deliverSecure')).toEqual({ valid: true, errors: [] });
    const trust = new TrustStore({ cas: [readFileSync(sims.caFile, 'utf8')] });
    const verified = verifyDelivery(raw, { senderTrust: trust, sealTrust: trust, requireSeal: true });
    expect(verified.delivery.messages[0].officialMatter).toEqual({
      timestamp: '2026-03-02',
      eventId: 'evt-2026-77-3',
      officialMatterId: 'BN-2026-77',
      precedingEventId: 'evt-2026-77-2',
      matterStatus: 'recipientinitiative',
      eventType: 'Begäran om komplettering',
      matterSubject: 'Bygglov, nybyggnad av garage',
    });
    expect(verified.delivery.messages[0]).toMatchObject({ subject: 'Ditt bygglovsärende BN 2026-77', body: { text: 'Ärende BN 2026-77 har fått en ny status. Logga in för att se mer.' } });
    // In the OfficialMatter namespace, inside the message header.
    expect(raw).toContain(NS.officialMatterV3);
    expect(raw).toMatch(/<(\w+:)?MatterStatus[^>]*>recipientinitiative</);

    // Idempotent like submitLetter: the same key and content return the same letter.
    const again = await intake.submitEvent(officer, {
      recipient: KIVRA,
      sendingUnit: 'bygg',
      caseReference: 'BN 2026-77',
      caseType: 'bygglov',
      attachments: [{ filename: 'begaran.pdf', content: pdf }],
      officialMatter: {
        eventId: 'evt-2026-77-3',
        officialMatterId: 'BN-2026-77',
        precedingEventId: 'evt-2026-77-2',
        matterStatus: 'recipientinitiative',
        eventType: 'Begäran om komplettering',
        matterSubject: 'Bygglov, nybyggnad av garage',
        timestamp: '2026-03-02',
      },
      idempotencyKey: 'evt-2026-77-3',
    });
    expect(again).toMatchObject({ created: false, letter: { id: letter.id } });
    expect(await sims.admin.deliveriesOfMessage(letter.id)).toHaveLength(1);
  });

  it('gets the letter id as its event id and the case reference as its case id when the case system gives neither', async () => {
    const { letter } = await intake.submitEvent(officer, {
      recipient: KIVRA,
      sendingUnit: 'bygg',
      caseReference: 'BN 2026-78',
      subject: 'Ditt ärende är avslutat',
      body: { text: 'Ärendet är avslutat.' },
      protectionClass: 1,
      officialMatter: { matterStatus: 'closed' },
    });
    expect(letter.officialMatter).toMatchObject({ eventId: letter.id, officialMatterId: 'BN 2026-78', matterStatus: 'closed', timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    const [done] = await waitForLetters(hub, [letter.id]);
    expect(done.status).toBe('DELIVERED');
    const trust = new TrustStore({ cas: [readFileSync(sims.caFile, 'utf8')] });
    const verified = verifyDelivery(await sims.admin.raw('kivra', done.trans_id!), { senderTrust: trust, sealTrust: trust, requireSeal: true });
    expect(verified.delivery.messages[0].officialMatter).toMatchObject({ eventId: letter.id, officialMatterId: 'BN 2026-78', matterStatus: 'closed' });
  });
});

describe('an event message to a recipient who cannot take digital mail', () => {
  it.each([
    [NOT_REGISTERED, 'NOT_REGISTERED'],
    [SENDER_NOT_ACCEPTED, 'SENDER_NOT_ACCEPTED'],
  ])('%s: FAILED as undeliverable with FaR’s reason %s, never printed', async (recipient, reason) => {
    const { letter } = await intake.submitEvent(officer, {
      recipient,
      sendingUnit: 'bygg',
      caseReference: 'BN 2026-79',
      subject: 'Nytt i ditt ärende',
      body: { text: 'Det har hänt något i ditt ärende.' },
      protectionClass: 1,
      officialMatter: { matterStatus: 'senderinitiative' },
    });
    const [done] = await waitForLetters(hub, [letter.id]);
    expect(done).toMatchObject({ status: 'FAILED', status_reason: reason, channel: null, trans_id: null });
    const events = await eventsOf(hub, letter.id);
    expect(events.map((e) => e.type)).toEqual(['ACCEPTED', 'REACHABILITY_CHECKED', 'NOT_REACHABLE', 'FAILED']);
    expect(events[3].detail).toMatchObject({ reason, printBlockedBy: 'DIGITAL_ONLY' });
    const [row] = await hub.ownerQuery<{ channel_decision: string; print_items: number; print_jobs: number }>(
      `select channel_decision, (select count(*)::int from print_item where letter_id = $1) as print_items,
              (select count(*)::int from outbox where letter_id = $1 and job = $2) as print_jobs from letter where id = $1`,
      [letter.id, JobName.PreparePrint],
    );
    expect(row).toEqual({ channel_decision: 'UNDELIVERABLE', print_items: 0, print_jobs: 0 });
  });
});

describe('submitting an event message', () => {
  it('is refused with the fields that are wrong', async () => {
    const e = await intake
      .submitEvent(officer, {
        recipient: KIVRA,
        sendingUnit: 'bygg',
        subject: 'Status',
        body: { text: 'Hej' },
        protectionClass: 1,
        officialMatter: { matterStatus: 'open' as never, timestamp: 'igår' },
      })
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(LetterValidationError);
    expect((e as LetterValidationError).message).toMatch(/^The event message was refused/);
    expect((e as LetterValidationError).fields.map((f) => `${f.path}:${f.rule}`)).toEqual([
      'officialMatter.officialMatterId:required',
      'officialMatter.matterStatus:enum',
      'officialMatter.timestamp:format',
    ]);
  });
});
