/**
 * The channel preview over real HTTP: the API in this process, a fresh database, the FaR and
 * mailbox-operator simulators in process (the demo register), real tokens from the local issuer.
 * Each outcome of the channel switch, the case type's narrowing, the tenant's rules, FaR's faults,
 * the sending unit's certificate, refusals with submitLetter's field paths, roles and isolation.
 */
import { startOidcIssuer } from '../../../../apps/simulators/src/oidc/oidc-issuer';
import type { RunningOidcIssuer } from '../../../../apps/simulators/src/oidc/oidc-issuer';
import type { RunningSimulators } from '../../../../apps/simulators/src/simulators';
import {
  AUDIENCE,
  CLIENTS,
  createTestDatabase,
  errorCode,
  getToken,
  gql,
  GqlResponse,
  ok,
  ownerQuery,
  RunningApi,
  startApi,
  startTestSimulators,
  testConfig,
  TestDatabase,
} from '../../../../test/support/api-helpers';

jest.setTimeout(90_000);

/** An officer of the second municipality (annan-kommun: one unit, no certificate). */
const OTHER_OFFICER = { clientId: 'annan-officer-app', clientSecret: 'test-secret-0123456789', tenant: 'annan-kommun', roles: ['case-officer'] };

let db: TestDatabase;
let issuer: RunningOidcIssuer;
let sims: RunningSimulators;
let api: RunningApi;
let officer: string;
let admin: string;
let caseSystem: string;
let otherOfficer: string;

beforeAll(async () => {
  [db, issuer, sims] = await Promise.all([
    createTestDatabase('api_send'),
    startOidcIssuer({ port: 0, issuerPath: '/realms/dispatch-hub', audience: AUDIENCE, clients: [...Object.values(CLIENTS), OTHER_OFFICER] }),
    startTestSimulators(),
  ]);
  api = await startApi(testConfig(db, issuer, { FAR_URL: sims.farUrl }));
  [officer, admin, caseSystem, otherOfficer] = await Promise.all([getToken(issuer, 'demoOfficer'), getToken(issuer, 'demoAdmin'), getToken(issuer, 'demoCaseSystem'), getToken(issuer, OTHER_OFFICER)]);
});

afterEach(() => sims.far.faults.set({}));

afterAll(async () => {
  await api?.close();
  await Promise.all([issuer?.close(), sims?.close()]);
  await db?.drop();
});

const PREVIEW = `query($input: ChannelPreviewInput!) {
  channelPreview(input: $input) {
    channel reason holdReason printBlockedBy explanation operator { id name }
    reachability { recipient deliverable reason operator { name } }
    recipient sendingUnit { code name } protectionClass protectionClassFromCaseType requestedChannelPreference channelPreference
    caseType { code defaultProtectionClass allowedChannels } decidedByTenantSetting
  }
}`;

interface Preview {
  channel: string;
  reason: string | null;
  holdReason: string | null;
  printBlockedBy: string | null;
  explanation: string;
  operator: { id: string; name: string } | null;
  reachability: { recipient: string; deliverable: boolean; reason: string | null; operator: { name: string } | null } | null;
  recipient: string;
  sendingUnit: { code: string; name: string };
  protectionClass: number;
  protectionClassFromCaseType: boolean;
  requestedChannelPreference: string;
  channelPreference: string;
  caseType: { code: string; defaultProtectionClass: number; allowedChannels: string[] } | null;
  decidedByTenantSetting: string | null;
}

const ADDRESS = { name: 'Anna Andersson', lines: ['Storgatan 1'], postalCode: '123 45', city: 'Demostad' };
/** Reachable at the Kivra-like operator. */
const REACHABLE = '198101032384';
/** Type Not in FaR. */
const NOT_REGISTERED = '201001012382';

const ask = (token: string, input: Record<string, unknown>) => gql<{ channelPreview: Preview }>(api.graphqlUrl, token, PREVIEW, { input });
const preview = async (input: Record<string, unknown>, token = officer) => ok(await ask(token, input)).channelPreview;
const fieldsOf = (r: GqlResponse) => (r.errors?.[0]?.extensions?.fields ?? []).map((f) => `${f.path}:${f.rule}`);
const farRequests = () => sims.far.stats.requests;

describe('channelPreview: the channel switch’s decisions', () => {
  it('DIGITAL for a recipient FaR says can take digital mail from the unit, with the operator', async () => {
    const p = await preview({ recipient: '19810103-2384', sendingUnit: 'bygg', protectionClass: 2 });
    expect(p).toMatchObject({
      channel: 'DIGITAL',
      reason: null,
      holdReason: null,
      printBlockedBy: null,
      operator: { id: '165599000014', name: expect.stringMatching(/Kivra/) },
      reachability: { recipient: REACHABLE, deliverable: true, reason: null },
      recipient: REACHABLE,
      sendingUnit: { code: 'bygg' },
      protectionClass: 2,
      protectionClassFromCaseType: false,
      requestedChannelPreference: 'AUTO',
      channelPreference: 'AUTO',
      caseType: null,
      decidedByTenantSetting: null,
    });
    expect(p.explanation).toMatch(/^Digital: .*Kivra/);
  });

  it('PRINT for a recipient without a mailbox when an address is given; HOLD (missingAddressRule) without one', async () => {
    const print = await preview({ recipient: NOT_REGISTERED, sendingUnit: 'bygg', protectionClass: 1, postalAddress: ADDRESS });
    expect(print).toMatchObject({ channel: 'PRINT', reason: 'NOT_REGISTERED', operator: null, reachability: { deliverable: false, reason: 'NOT_REGISTERED' }, decidedByTenantSetting: null });
    expect(print.explanation).toMatch(/^Paper: FaR says the recipient has no secure digital mailbox/);
    const held = await preview({ recipient: NOT_REGISTERED, sendingUnit: 'bygg', protectionClass: 1 });
    expect(held).toMatchObject({ channel: 'HOLD', reason: 'NOT_REGISTERED', holdReason: 'NO_POSTAL_ADDRESS', decidedByTenantSetting: 'missingAddressRule' });
  });

  it('asks FaR as the sending unit named: a person who blocked Socialnämnden only gets paper from it', async () => {
    expect((await preview({ recipient: '198001032385', sendingUnit: 'bygg', protectionClass: 1 })).channel).toBe('DIGITAL');
    expect(await preview({ recipient: '198001032385', sendingUnit: 'social', protectionClass: 1, postalAddress: ADDRESS })).toMatchObject({ channel: 'PRINT', reason: 'SENDER_NOT_ACCEPTED' });
    expect(await preview({ recipient: '199001022384', sendingUnit: 'bygg', protectionClass: 1, postalAddress: ADDRESS })).toMatchObject({ channel: 'PRINT', reason: 'PENDING' });
  });

  it('PRINT_ONLY goes to print without asking FaR', async () => {
    const before = farRequests();
    const p = await preview({ recipient: REACHABLE, sendingUnit: 'bygg', protectionClass: 1, channelPreference: 'PRINT_ONLY', postalAddress: ADDRESS });
    expect(p).toMatchObject({ channel: 'PRINT', reason: 'PRINT_ONLY', reachability: null, channelPreference: 'PRINT_ONLY' });
    expect(farRequests()).toBe(before);
  });

  it('UNDELIVERABLE for a DIGITAL_ONLY letter to a recipient without a mailbox', async () => {
    const p = await preview({ recipient: NOT_REGISTERED, sendingUnit: 'bygg', protectionClass: 1, channelPreference: 'DIGITAL_ONLY', postalAddress: ADDRESS });
    expect(p).toMatchObject({ channel: 'UNDELIVERABLE', reason: 'NOT_REGISTERED', printBlockedBy: 'DIGITAL_ONLY', decidedByTenantSetting: null });
    expect(p.explanation).toMatch(/^Cannot be delivered: .*DIGITAL_ONLY/);
  });

  it('HOLD for a protected identity (the tenant’s default rule), said by the letter or by FaR’s fault 6006', async () => {
    expect(await preview({ recipient: NOT_REGISTERED, sendingUnit: 'bygg', protectionClass: 1, postalAddress: ADDRESS, protectedIdentity: true })).toMatchObject({
      channel: 'HOLD',
      holdReason: 'PROTECTED_IDENTITY',
      decidedByTenantSetting: 'protectedIdentityRule',
    });
    // Reachable, but FaR refuses the question for good with 6006: the dispatch would hold it the same way.
    sims.far.faults.set({ recipients: { '199001012385': { mode: 'fault', code: 6006 } } });
    const p = await preview({ recipient: '199001012385', sendingUnit: 'bygg', protectionClass: 1, postalAddress: ADDRESS });
    expect(p).toMatchObject({ channel: 'HOLD', reason: 'FAR_REFUSED', holdReason: 'PROTECTED_IDENTITY', reachability: null });
    expect(p.explanation).toMatch(/fault 6006/);
  });

  it('answers UPSTREAM_UNAVAILABLE when FaR does not answer', async () => {
    sims.far.faults.set({ recipients: { [REACHABLE]: { mode: 'http5xx', status: 503 } } });
    const r = await ask(officer, { recipient: REACHABLE, sendingUnit: 'bygg', protectionClass: 1 });
    expect(errorCode(r)).toBe('UPSTREAM_UNAVAILABLE');
    expect(r.errors![0].message).toMatch(/FaR/);
  });
});

describe('channelPreview: the case type and the municipality’s rules', () => {
  beforeAll(async () => {
    const create = `mutation($input: CaseTypeInput!) { createCaseType(input: $input) { code } }`;
    ok(await gql(api.graphqlUrl, admin, create, { input: { code: 'digitalt-beslut', name: 'Digitalt beslut', defaultProtectionClass: 2, subjectTemplate: 'Beslut {caseReference}', allowedChannels: ['DIGITAL'] } }));
    ok(await gql(api.graphqlUrl, admin, create, { input: { code: 'pappersbrev', name: 'Pappersbrev', defaultProtectionClass: 1, subjectTemplate: 'Brev', allowedChannels: ['PRINT'] } }));
  });

  it('narrows the preference and gives the class as intake does', async () => {
    const p = await preview({ recipient: NOT_REGISTERED, sendingUnit: 'bygg', caseType: 'digitalt-beslut', postalAddress: ADDRESS });
    expect(p).toMatchObject({
      channel: 'UNDELIVERABLE',
      printBlockedBy: 'DIGITAL_ONLY',
      protectionClass: 2,
      protectionClassFromCaseType: true,
      requestedChannelPreference: 'AUTO',
      channelPreference: 'DIGITAL_ONLY',
      caseType: { code: 'digitalt-beslut', defaultProtectionClass: 2, allowedChannels: ['DIGITAL'] },
    });
    // A print-only case type makes AUTO PRINT_ONLY: FaR is not asked, and an address is required.
    const before = farRequests();
    expect(await preview({ recipient: REACHABLE, sendingUnit: 'bygg', caseType: 'pappersbrev', protectionClass: 3, postalAddress: ADDRESS })).toMatchObject({
      channel: 'PRINT',
      reason: 'PRINT_ONLY',
      channelPreference: 'PRINT_ONLY',
      protectionClass: 3,
      protectionClassFromCaseType: false,
    });
    expect(farRequests()).toBe(before);
    expect(fieldsOf(await ask(officer, { recipient: REACHABLE, sendingUnit: 'bygg', caseType: 'pappersbrev' }))).toEqual(['postalAddress:required']);
  });

  it('refuses what submitLetter would refuse, with the same field paths', async () => {
    const wrongChannel = await ask(officer, { recipient: REACHABLE, sendingUnit: 'bygg', caseType: 'digitalt-beslut', channelPreference: 'PRINT_ONLY', postalAddress: ADDRESS });
    expect(errorCode(wrongChannel)).toBe('VALIDATION_FAILED');
    expect(fieldsOf(wrongChannel)).toEqual(['channelPreference:caseType']);
    expect(wrongChannel.errors![0].message).toMatch(/^The letter would be refused: channelPreference is PRINT_ONLY, but case type "digitalt-beslut" allows only digital delivery/);
    expect(fieldsOf(await ask(officer, { recipient: REACHABLE, sendingUnit: 'bygg', caseType: 'digitalt-beslut', protectionClass: 1 }))).toEqual(['protectionClass:caseType']);
    expect(fieldsOf(await ask(officer, { recipient: REACHABLE, sendingUnit: 'bygg', caseType: 'finns-inte', protectionClass: 1 }))).toEqual(['caseType:unknown']);
    expect(fieldsOf(await ask(officer, { recipient: '198101032385', protectionClass: 4, postalAddress: { ...ADDRESS, postalCode: '12' } }))).toEqual([
      'recipient:luhn',
      'sendingUnit:required',
      'protectionClass:range',
      'postalAddress.postalCode:format',
    ]);
    ok(await gql(api.graphqlUrl, admin, `mutation { archiveCaseType(code: "pappersbrev") { code } }`));
    expect(fieldsOf(await ask(officer, { recipient: REACHABLE, sendingUnit: 'bygg', caseType: 'pappersbrev', postalAddress: ADDRESS }))).toEqual(['caseType:archived']);
    ok(await gql(api.graphqlUrl, admin, `mutation { restoreCaseType(code: "pappersbrev") { code } }`));
  });

  it('applies the protection-class print rule and printAllowed as stored now', async () => {
    const setRule = (print: string) => gql(api.graphqlUrl, admin, `mutation { setProtectionClassPolicy(rules: [{ protectionClass: 3, print: ${print} }]) { protectionClass } }`);
    const paper = { recipient: NOT_REGISTERED, sendingUnit: 'bygg', protectionClass: 3, postalAddress: ADDRESS };
    try {
      ok(await setRule('HOLD'));
      expect(await preview(paper)).toMatchObject({ channel: 'HOLD', holdReason: 'PROTECTION_CLASS_POLICY', decidedByTenantSetting: 'printByProtectionClass.3' });
      ok(await setRule('DENY'));
      const denied = await preview(paper);
      expect(denied).toMatchObject({ channel: 'UNDELIVERABLE', printBlockedBy: 'PROTECTION_CLASS_POLICY', decidedByTenantSetting: 'printByProtectionClass.3' });
      expect(denied.explanation).toMatch(/does not print letters of protection class 3/);
      // A digital letter of the class is not affected.
      expect((await preview({ ...paper, recipient: REACHABLE })).channel).toBe('DIGITAL');
    } finally {
      ok(await setRule('ALLOW'));
    }
    try {
      await ownerQuery(db, `update tenant set settings = settings || '{"printAllowed": false}' where id = $1`, [db.demo.tenantId]);
      expect(await preview(paper)).toMatchObject({ channel: 'UNDELIVERABLE', printBlockedBy: 'PRINT_NOT_ALLOWED', decidedByTenantSetting: 'printAllowed' });
    } finally {
      await ownerQuery(db, `update tenant set settings = settings - 'printAllowed' where id = $1`, [db.demo.tenantId]);
    }
  });
});

describe('channelPreview: the sending unit’s certificate', () => {
  it('sends a digital letter the other way when the unit cannot sign: no certificate, or an expired one', async () => {
    const [saved] = await ownerQuery<{ certificate_pem: string; certificate_not_after: Date }>(db, `select certificate_pem, certificate_not_after from sending_unit where tenant_id = $1 and code = 'social'`, [
      db.demo.tenantId,
    ]);
    try {
      await ownerQuery(db, `update sending_unit set certificate_not_after = now() - interval '1 day' where tenant_id = $1 and code = 'social'`, [db.demo.tenantId]);
      expect(await preview({ recipient: REACHABLE, sendingUnit: 'social', protectionClass: 1, postalAddress: ADDRESS })).toMatchObject({
        channel: 'PRINT',
        reason: 'SENDER_CERTIFICATE_EXPIRED',
        reachability: { deliverable: true },
      });
      await ownerQuery(db, `update sending_unit set certificate_pem = null where tenant_id = $1 and code = 'social'`, [db.demo.tenantId]);
      expect(await preview({ recipient: REACHABLE, sendingUnit: 'social', protectionClass: 1 })).toMatchObject({ channel: 'HOLD', reason: 'SENDER_CERTIFICATE_MISSING', holdReason: 'NO_POSTAL_ADDRESS' });
    } finally {
      await ownerQuery(db, `update sending_unit set certificate_pem = $2, certificate_not_after = $3 where tenant_id = $1 and code = 'social'`, [db.demo.tenantId, saved.certificate_pem, saved.certificate_not_after]);
    }
    expect((await preview({ recipient: REACHABLE, sendingUnit: 'social', protectionClass: 1 })).channel).toBe('DIGITAL');
  });
});

describe('channelPreview and sendingUnitChoices: who may ask, and isolation', () => {
  it('are for case officers and tenant admins; a case system gets FORBIDDEN', async () => {
    expect((await preview({ recipient: REACHABLE, sendingUnit: 'bygg', protectionClass: 1 }, admin)).channel).toBe('DIGITAL');
    expect(errorCode(await ask(caseSystem, { recipient: REACHABLE, protectionClass: 1 }))).toBe('FORBIDDEN');
    expect(errorCode(await gql(api.graphqlUrl, caseSystem, `{ sendingUnitChoices { code } }`))).toBe('FORBIDDEN');
    expect(errorCode(await gql(api.graphqlUrl, undefined, `{ sendingUnitChoices { code } }`))).toBe('UNAUTHENTICATED');
  });

  it('show each municipality its own units and case types only, and store nothing', async () => {
    const units = (token: string) => gql<{ sendingUnitChoices: { code: string; name: string }[] }>(api.graphqlUrl, token, `{ sendingUnitChoices { code name } }`);
    expect(ok(await units(officer)).sendingUnitChoices.map((u) => u.code)).toEqual(['bygg', 'social']);
    expect(ok(await units(otherOfficer)).sendingUnitChoices).toEqual([{ code: 'bygg', name: 'Annan kommun, Byggnadsnämnden' }]);
    // Our case type is unknown to the other municipality; its only unit is taken by default and has no certificate.
    expect(fieldsOf(await ask(otherOfficer, { recipient: REACHABLE, caseType: 'digitalt-beslut', protectionClass: 2 }))).toEqual(['caseType:unknown']);
    expect(await preview({ recipient: REACHABLE, protectionClass: 1, postalAddress: ADDRESS }, otherOfficer)).toMatchObject({
      channel: 'PRINT',
      reason: 'SENDER_CERTIFICATE_MISSING',
      sendingUnit: { code: 'bygg', name: 'Annan kommun, Byggnadsnämnden' },
    });
    const [{ n }] = await ownerQuery<{ n: string }>(db, `select count(*) as n from letter`);
    expect(Number(n)).toBe(0);
  });
});
