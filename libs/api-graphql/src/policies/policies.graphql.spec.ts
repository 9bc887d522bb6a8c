/**
 * Case types, the protection-class policy, event and service messages through the GraphQL API over
 * real HTTP: the API in this process on a free port, real tokens from the local OIDC issuer, a fresh
 * database. Who may do what, the error codes and field paths callers see, and isolation between
 * municipalities at the API.
 */
import { pickTestPersonnummer } from '@hub/testing';
import type { RunningOidcIssuer } from '../../../../apps/simulators/src/oidc/oidc-issuer';
import type { RunningSimulators } from '../../../../apps/simulators/src/simulators';
import {
  createTestDatabase,
  errorCode,
  getToken,
  gql,
  GqlResponse,
  ok,
  ownerQuery,
  RunningApi,
  startApi,
  startTestIssuer,
  startTestSimulators,
  testConfig,
  TestDatabase,
} from '../../../../test/support/api-helpers';

jest.setTimeout(90_000);

let db: TestDatabase;
let issuer: RunningOidcIssuer;
let sims: RunningSimulators;
let api: RunningApi;
let admin: string;
let officer: string;
let caseSystem: string;
let otherCaseSystem: string;

beforeAll(async () => {
  [db, issuer, sims] = await Promise.all([createTestDatabase('api_policies'), startTestIssuer(), startTestSimulators()]);
  api = await startApi(testConfig(db, issuer, { FAR_URL: sims.farUrl }));
  [admin, officer, caseSystem, otherCaseSystem] = await Promise.all(['demoAdmin', 'demoOfficer', 'demoCaseSystem', 'otherCaseSystem'].map((c) => getToken(issuer, c as never)));
});

afterAll(async () => {
  await api?.close();
  await Promise.all([issuer?.close(), sims?.close()]);
  await db?.drop();
});

const CASE_TYPE_FIELDS = 'id code name defaultProtectionClass subjectTemplate bodyTemplate allowedChannels printAllowed diaryEnabled active version';
const call = <D = Record<string, unknown>>(token: string, query: string, variables: Record<string, unknown> = {}) => gql<D>(api.graphqlUrl, token, query, variables);
const fieldsOf = (r: GqlResponse) => (r.errors?.[0]?.extensions?.fields ?? []).map((f) => `${f.path}:${f.rule}`);

const CREATE = `mutation($input: CaseTypeInput!) { createCaseType(input: $input) { ${CASE_TYPE_FIELDS} } }`;
const SUBMIT = `mutation($input: LetterInput!) { submitLetter(input: $input) { id subject protectionClass caseType category channelPreference events { type detail } } }`;

describe('case types over GraphQL', () => {
  it('are created by a tenant admin only; case systems and officers read them', async () => {
    const input = { code: 'bygglov', name: 'Bygglov', defaultProtectionClass: 2, subjectTemplate: 'Beslut i ärende {caseReference}', allowedChannels: ['DIGITAL', 'PRINT'] };
    expect(errorCode(await call(officer, CREATE, { input }))).toBe('FORBIDDEN');
    expect(errorCode(await call(caseSystem, CREATE, { input }))).toBe('FORBIDDEN');
    const created = ok(await call<{ createCaseType: Record<string, unknown> }>(admin, CREATE, { input })).createCaseType;
    expect(created).toMatchObject({ code: 'bygglov', printAllowed: true, active: true, version: 1 });
    for (const token of [caseSystem, officer, admin]) {
      expect(ok(await call<{ caseTypes: { code: string }[] }>(token, `{ caseTypes { code name } }`)).caseTypes).toEqual([{ code: 'bygglov', name: 'Bygglov' }]);
    }
    const [entry] = await ownerQuery<{ action: string; actor: string }>(db, `select action, actor from audit_log where tenant_id = $1 and target = $2`, [db.demo.tenantId, `caseType:${created.id}`]);
    expect(entry).toEqual({ action: 'caseType.create', actor: expect.any(String) });
  });

  it('answer mistakes with VALIDATION_FAILED and field paths, an unknown code with NOT_FOUND', async () => {
    const r = await call(admin, CREATE, { input: { code: 'bygglov', name: 'Igen', defaultProtectionClass: 1, subjectTemplate: 'Hej {namn}' } });
    expect(errorCode(r)).toBe('VALIDATION_FAILED');
    expect(fieldsOf(r)).toEqual(['subjectTemplate:template']);
    expect(r.errors![0].message).toMatch(/\{namn\} is not a known placeholder/);
    const update = await call(admin, `mutation { updateCaseType(code: "finns-inte", input: { name: "X" }) { code } }`);
    expect(errorCode(update)).toBe('NOT_FOUND');
    const archived = ok(await call<{ archiveCaseType: { active: boolean } }>(admin, `mutation { archiveCaseType(code: "bygglov") { active } }`));
    expect(archived.archiveCaseType.active).toBe(false);
    expect(ok(await call<{ caseTypes: unknown[] }>(officer, `{ caseTypes { code } }`)).caseTypes).toEqual([]);
    expect(ok(await call<{ restoreCaseType: { active: boolean; version: number } }>(admin, `mutation { restoreCaseType(code: "bygglov") { active version } }`)).restoreCaseType).toEqual({
      active: true,
      version: 3,
    });
    expect(errorCode(await call(officer, `mutation { archiveCaseType(code: "bygglov") { active } }`))).toBe('FORBIDDEN');
  });

  it('fill a letter’s subject and class, and refuse a lower class naming the case type’s', async () => {
    const letter = ok(await call<{ submitLetter: Record<string, unknown> }>(caseSystem, SUBMIT, { input: { recipient: '198101032384', caseType: 'bygglov', caseReference: 'BN 2026-5', body: { text: 'Hej' } } })).submitLetter;
    expect(letter).toMatchObject({ subject: 'Beslut i ärende BN 2026-5', protectionClass: 2, caseType: 'bygglov', category: 'CASE', events: [{ type: 'ACCEPTED', detail: { caseType: 'bygglov', subjectFromTemplate: true } }] });
    const low = await call(caseSystem, SUBMIT, { input: { recipient: '198101032384', caseType: 'bygglov', caseReference: 'BN 2026-5', body: { text: 'Hej' }, protectionClass: 1 } });
    expect(errorCode(low)).toBe('VALIDATION_FAILED');
    expect(low.errors![0].extensions!.fields).toEqual([expect.objectContaining({ path: 'protectionClass', rule: 'caseType', message: expect.stringMatching(/protection class 2/) })]);
    const unknown = await call(caseSystem, SUBMIT, { input: { recipient: '198101032384', caseType: 'okand', subject: 'x', protectionClass: 1, body: { text: 'Hej' } } });
    expect(fieldsOf(unknown)).toEqual(['caseType:unknown']);
  });

  it('are another municipality’s business only: its case system sees none of ours and cannot use them', async () => {
    expect(ok(await call<{ caseTypes: unknown[] }>(otherCaseSystem, `{ caseTypes(includeArchived: true) { code } }`)).caseTypes).toEqual([]);
    expect(errorCode(await call(otherCaseSystem, `{ caseType(code: "bygglov") { code } }`))).toBe('NOT_FOUND');
    const r = await call(otherCaseSystem, SUBMIT, { input: { recipient: '198101032384', caseType: 'bygglov', caseReference: 'A 1', body: { text: 'Hej' } } });
    expect(fieldsOf(r)).toEqual(['caseType:unknown']);
  });
});

describe('the protection-class policy over GraphQL', () => {
  it('is read and set by tenant admins only, and refuses class 3 subjects in notifications', async () => {
    expect(errorCode(await call(officer, `{ protectionClassPolicy { protectionClass } }`))).toBe('FORBIDDEN');
    const set = await call<{ setProtectionClassPolicy: { protectionClass: number; print: string; notificationMayIncludeSubject: boolean }[] }>(
      admin,
      `mutation { setProtectionClassPolicy(rules: [{ protectionClass: 3, print: HOLD }]) { protectionClass print notificationMayIncludeSubject } }`,
    );
    expect(ok(set).setProtectionClassPolicy).toEqual([
      { protectionClass: 1, print: 'ALLOW', notificationMayIncludeSubject: true },
      { protectionClass: 2, print: 'ALLOW', notificationMayIncludeSubject: false },
      { protectionClass: 3, print: 'HOLD', notificationMayIncludeSubject: false },
    ]);
    const refused = await call(admin, `mutation { setProtectionClassPolicy(rules: [{ protectionClass: 3, notificationMayIncludeSubject: true }]) { protectionClass } }`);
    expect(errorCode(refused)).toBe('VALIDATION_FAILED');
    expect(fieldsOf(refused)).toEqual(['rules[0].notificationMayIncludeSubject:policy']);
    expect(errorCode(await call(caseSystem, `mutation { setProtectionClassPolicy(rules: [{ protectionClass: 1, print: DENY }]) { protectionClass } }`))).toBe('FORBIDDEN');
  });
});

describe('event and service messages over GraphQL', () => {
  it('submitEventMessage stores an EVENT letter, digital only, with its OfficialMatter', async () => {
    const r = await call<{ submitEventMessage: Record<string, unknown> }>(
      caseSystem,
      `mutation($input: EventMessageInput!) { submitEventMessage(input: $input) { category channelPreference subject officialMatter { eventId officialMatterId precedingEventId matterStatus timestamp } } }`,
      {
        input: {
          recipient: '198101032384',
          caseReference: 'BN 2026-9',
          caseType: 'bygglov',
          body: { text: 'Ny status' },
          officialMatter: { eventId: 'e-9-2', precedingEventId: 'e-9-1', matterStatus: 'CLOSED', timestamp: '2026-03-02' },
        },
      },
    );
    expect(ok(r).submitEventMessage).toEqual({
      category: 'EVENT',
      channelPreference: 'DIGITAL_ONLY',
      subject: 'Beslut i ärende BN 2026-9',
      officialMatter: { eventId: 'e-9-2', officialMatterId: 'BN 2026-9', precedingEventId: 'e-9-1', matterStatus: 'CLOSED', timestamp: '2026-03-02' },
    });
    const bad = await call(caseSystem, `mutation($input: EventMessageInput!) { submitEventMessage(input: $input) { id } }`, {
      input: { recipient: '198101032384', subject: 'Status', protectionClass: 1, body: { text: 'x' }, officialMatter: { timestamp: '2026-13-01' } },
    });
    expect(fieldsOf(bad)).toEqual(['officialMatter.officialMatterId:required', 'officialMatter.timestamp:format']);
  });

  it('submitServiceMessage sends one message to many recipients as SERVICE letters, refusing bad recipients on their own', async () => {
    const people = pickTestPersonnummer(3, 21);
    const r = await call<{ submitServiceMessage: { accepted: number; refused: number; results: { index: number; letter: { category: string; recipient: string } | null; errors: { path: string; rule: string }[] | null }[] } }>(
      officer,
      `mutation($message: ServiceMessageInput!, $recipients: [ServiceRecipientInput!]!) {
        submitServiceMessage(message: $message, recipients: $recipients) { accepted refused results { index letter { category recipient } errors { path rule } } }
      }`,
      { message: { sendingUnit: 'bygg', subject: 'Sophämtning flyttas', body: { text: 'Hämtningen flyttas till onsdag.' }, protectionClass: 1 }, recipients: [...people.map((recipient) => ({ recipient })), { recipient: 'x' }] },
    );
    const out = ok(r).submitServiceMessage;
    expect(out).toMatchObject({ accepted: 3, refused: 1 });
    expect(out.results.map((x) => x.letter?.category ?? x.errors!.map((e) => `${e.path}:${e.rule}`).join())).toEqual(['SERVICE', 'SERVICE', 'SERVICE', 'recipient:format']);
    const whole = await call(officer, `mutation($message: ServiceMessageInput!, $recipients: [ServiceRecipientInput!]!) { submitServiceMessage(message: $message, recipients: $recipients) { accepted } }`, {
      message: { sendingUnit: 'bygg', body: { text: 'x' }, protectionClass: 1 },
      recipients: people.map((recipient) => ({ recipient })),
    });
    expect(errorCode(whole)).toBe('VALIDATION_FAILED');
    expect(fieldsOf(whole)).toEqual(['message.subject:required']);
  });
});
