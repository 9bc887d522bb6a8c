/**
 * The platform admin's API over real HTTP: the API in this process on a free port, real tokens from
 * a local OIDC issuer, a fresh database, the FaR and mailbox-operator simulators in process.
 * Onboarding (validation per field, a tenant usable at once that sees nothing of another), print
 * vendors (validation, the rules that keep every municipality with a vendor, audit), the connection
 * settings and check (ok, a failing operator, TLS and network failures in words), and that no other
 * role reaches any platform field.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESOLVER_NAME_METADATA, RESOLVER_TYPE_METADATA } from '@nestjs/graphql';
import { TenantDb } from '@hub/persistence';
import { ensureTestPki, freePort as closedPort } from '@hub/testing';
import { OidcClientSeed, RunningOidcIssuer, startOidcIssuer } from '../../../../apps/simulators/src/oidc/oidc-issuer';
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
  RunningApi,
  startApi,
  startTestSimulators,
  testConfig,
  TEST_MASTER_KEY,
  TestDatabase,
} from '../../../../test/support/api-helpers';
import { PLATFORM_RESOLVERS } from '../api-graphql.module';
import { CONNECTION_CHECK_RECIPIENT, MmConnections } from './mm-connections';

jest.setTimeout(120_000);

const SECRET = 'test-secret-0123456789';
const PLATFORM: OidcClientSeed = { clientId: 'platform-ops', clientSecret: SECRET, roles: ['platform-admin'] };
/** An admin of a municipality the identity provider knows before the hub does. */
const NEW_ADMIN: OidcClientSeed = { clientId: 'ny-kommun-admin', clientSecret: SECRET, tenant: 'ny-kommun', roles: ['tenant-admin'] };

let db: TestDatabase;
let issuer: RunningOidcIssuer;
let sims: RunningSimulators;
let api: RunningApi;
let platform: string;
let admin: string;
let officer: string;
let caseSystem: string;

beforeAll(async () => {
  [db, issuer, sims] = await Promise.all([
    createTestDatabase('api_platform'),
    startOidcIssuer({ port: 0, issuerPath: '/realms/dispatch-hub', audience: AUDIENCE, clients: [...Object.values(CLIENTS), PLATFORM, NEW_ADMIN] }),
    startTestSimulators(),
  ]);
  api = await startApi(testConfig(db, issuer, { FAR_URL: sims.farUrl }));
  [platform, admin, officer, caseSystem] = await Promise.all([getToken(issuer, PLATFORM), getToken(issuer, 'demoAdmin'), getToken(issuer, 'demoOfficer'), getToken(issuer, 'demoCaseSystem')]);
});

afterAll(async () => {
  await api?.close();
  await Promise.all([issuer?.close(), sims?.close()]);
  await db?.drop();
});

const call = <D = Record<string, unknown>>(token: string, query: string, variables: Record<string, unknown> = {}) => gql<D>(api.graphqlUrl, token, query, variables);
const fieldsOf = (r: GqlResponse) => (r.errors?.[0]?.extensions?.fields ?? []).map((f) => `${f.path}:${f.rule}`);
const messageOf = (r: GqlResponse, path: string) => r.errors?.[0]?.extensions?.fields?.find((f) => f.path === path)?.message;

const TENANT_FIELDS = 'id alias name orgNumber createdAt printVendorId sendingUnits lettersLast30Days';
const ONBOARD = `mutation($input: OnboardTenantInput!) { onboardTenant(input: $input) { ${TENANT_FIELDS} } }`;
const VENDOR_FIELDS = 'id name clientId envelopeProfile maxPages maxBatchLetters cutoffTimes maxWaitSeconds ackDeadlineMinutes duplex colour postageClasses active tenantsUsing';
const CREATE_VENDOR = `mutation($input: PrintVendorCreateInput!) { createPrintVendor(input: $input) { ${VENDOR_FIELDS} } }`;
const UPDATE_VENDOR = `mutation($id: ID!, $input: PrintVendorSettingsInput!) { updatePrintVendor(id: $id, input: $input) { ${VENDOR_FIELDS} } }`;

const NEW_TENANT = {
  alias: 'ny-kommun',
  name: 'Ny kommun',
  orgNumber: '212000-2411',
  firstSendingUnit: { code: 'bygg', name: 'Ny kommun, Byggnadsnämnden', orgNumber: '2120002411', postalAddress: { lines: ['Byggförvaltningen', 'Box 7'], postalCode: '99988', city: 'Nystad' } },
  settings: { printAllowed: true, deadlineHours: 12, protectedIdentityRule: 'UNDELIVERABLE' },
};

/** Every platform root field once, with arguments that would succeed for a platform admin. */
const EVERY_PLATFORM_FIELD: Record<string, { query: string; variables?: Record<string, unknown> }> = {
  tenants: { query: `{ tenants { id } }` },
  onboardTenant: { query: ONBOARD, variables: { input: { ...NEW_TENANT, alias: 'smyg-kommun', orgNumber: '2120002429' } } },
  updateTenant: { query: `mutation($id: ID!) { updateTenant(id: $id, input: { name: "Kapad kommun" }) { id } }` },
  printVendors: { query: `{ printVendors { id } }` },
  createPrintVendor: { query: CREATE_VENDOR, variables: { input: { id: 'smyg-print', name: 'Smyg AB', clientId: 'smyg', cutoffTimes: ['10:00'], active: false } } },
  updatePrintVendor: { query: UPDATE_VENDOR, variables: { id: 'demo-print', input: { name: 'Kapat tryckeri' } } },
  mmConnections: { query: `{ mmConnections { settings { variable } } }` },
  checkMmConnections: { query: `mutation { checkMmConnections { ok } }` },
  platformAuditTrail: { query: `{ platformAuditTrail { seq } }` },
  verifyPlatformAuditTrail: { query: `{ verifyPlatformAuditTrail { ok } }` },
  unacknowledgedPrintBatches: { query: `{ unacknowledgedPrintBatches { batchId } }` },
};

describe('the platform fields', () => {
  it('refuse every other role, the tenant admin included, and change nothing', async () => {
    const rootFields = PLATFORM_RESOLVERS.flatMap((cls) =>
      Object.getOwnPropertyNames(cls.prototype).flatMap((m) => {
        const fn = (cls.prototype as unknown as Record<string, object>)[m];
        const type = typeof fn === 'function' ? (Reflect.getMetadata(RESOLVER_TYPE_METADATA, fn) as string | undefined) : undefined;
        return type === 'Query' || type === 'Mutation' ? [(Reflect.getMetadata(RESOLVER_NAME_METADATA, fn) as string | undefined) ?? m] : [];
      }),
    );
    expect(Object.keys(EVERY_PLATFORM_FIELD).sort()).toEqual(rootFields.sort());
    for (const [field, op] of Object.entries(EVERY_PLATFORM_FIELD)) {
      for (const [who, token] of [['tenant admin', admin], ['case officer', officer], ['case system', caseSystem]] as const) {
        const r = await call(token, op.query, { id: db.demo.tenantId, ...op.variables });
        expect({ field, who, code: errorCode(r) }).toEqual({ field, who, code: 'FORBIDDEN' });
      }
    }
    const [state] = await db.ownerQuery<{ tenants: string; vendors: string; names: string[] }>(
      `select (select count(*) from tenant) as tenants, (select count(*) from print_vendor) as vendors, array(select name from tenant order by name) as names`,
    );
    expect(state).toEqual({ tenants: '2', vendors: '1', names: ['Annan kommun', 'Demo kommun'] });
  });
});

describe('onboarding a tenant', () => {
  let demoLetterId: string;

  beforeAll(async () => {
    const letter = ok(
      await call<{ submitLetter: { id: string } }>(caseSystem, `mutation($input: LetterInput!) { submitLetter(input: $input) { id } }`, {
        input: { recipient: CONNECTION_CHECK_RECIPIENT, subject: 'Beslut', protectionClass: 1, body: { text: 'Hej' } },
      }),
    );
    demoLetterId = letter.submitLetter.id;
    ok(await call(admin, `mutation { createCaseType(input: { code: "bygglov", name: "Bygglov", defaultProtectionClass: 2, subjectTemplate: "Beslut i ärende {caseReference}" }) { id } }`));
  });

  it('names each bad field, and refuses an alias or organisationsnummer already onboarded', async () => {
    const bad = await call(platform, ONBOARD, {
      input: {
        alias: 'Ny Kommun',
        name: 'N',
        orgNumber: '2120002412',
        firstSendingUnit: { code: 'Bygg!', name: 'Ny kommun, Bygg', orgNumber: '', postalAddress: { lines: [], postalCode: '1234', city: 'Nystad' } },
        settings: { deadlineHours: 0, protectedIdentityRule: 'PRINT', postageClass: 'FAST' },
      },
    });
    expect(errorCode(bad)).toBe('VALIDATION_FAILED');
    expect(fieldsOf(bad).sort()).toEqual(
      [
        'alias:format',
        'name:length',
        'orgNumber:luhn',
        'firstSendingUnit.code:format',
        'firstSendingUnit.orgNumber:required',
        'firstSendingUnit.postalAddress.lines:required',
        'firstSendingUnit.postalAddress.postalCode:format',
        'settings.deadlineHours:range',
        'settings.protectedIdentityRule:enum',
        'settings.postageClass:enum',
      ].sort(),
    );
    expect(messageOf(bad, 'orgNumber')).toMatch(/check digit/);

    const taken = await call(platform, ONBOARD, { input: { ...NEW_TENANT, alias: 'demo-kommun', orgNumber: '212000-1231' } });
    expect(fieldsOf(taken).sort()).toEqual(['alias:unique', 'orgNumber:unique']);
    expect(messageOf(taken, 'alias')).toContain('Demo kommun');
    const vendor = await call(platform, ONBOARD, { input: { ...NEW_TENANT, settings: { printVendorId: 'finns-inte' } } });
    expect(fieldsOf(vendor)).toEqual(['settings.printVendorId:unknown']);
    expect((await db.ownerQuery(`select 1 from tenant where alias = 'ny-kommun'`)).length).toBe(0);
  });

  it('creates a tenant whose admin can work at once and sees none of another municipality’s data', async () => {
    const newAdmin = await getToken(issuer, NEW_ADMIN);
    // Before onboarding, the identity provider's organization is not a tenant of the hub.
    expect(errorCode(await call(newAdmin, `{ caseTypes { code } }`))).toBe('FORBIDDEN');

    const created = ok(await call<{ onboardTenant: Record<string, unknown> }>(platform, ONBOARD, { input: NEW_TENANT })).onboardTenant;
    expect(created).toMatchObject({ alias: 'ny-kommun', name: 'Ny kommun', orgNumber: '162120002411', printVendorId: null, sendingUnits: 1, lettersLast30Days: 0 });
    const [row] = await db.ownerQuery<{ settings: Record<string, unknown>; unit: Record<string, unknown> }>(
      `select t.settings, (select to_jsonb(u) - 'id' - 'tenant_id' - 'created_at' from sending_unit u where u.tenant_id = t.id) as unit from tenant t where t.alias = 'ny-kommun'`,
    );
    expect(row.settings).toEqual({ printAllowed: true, fallbackToPrint: true, deadlineHours: 12, protectedIdentityRule: 'UNDELIVERABLE', missingAddressRule: 'HOLD', print: { postageClass: 'ECONOMY' } });
    expect(row.unit).toMatchObject({ code: 'bygg', name: 'Ny kommun, Byggnadsnämnden', org_number: '162120002411', postal_address: { lines: ['Byggförvaltningen', 'Box 7', '999 88 Nystad'] }, certificate_pem: null });

    // The API keeps a tenant it did not find for at most 5 seconds.
    let caseTypes: GqlResponse<{ caseTypes: unknown[] }> | undefined;
    for (const started = Date.now(); Date.now() - started < 10_000; await new Promise((r) => setTimeout(r, 500))) {
      caseTypes = await call<{ caseTypes: unknown[] }>(newAdmin, `{ caseTypes(includeArchived: true) { code } }`);
      if (!caseTypes.errors) break;
    }
    expect(ok(caseTypes!).caseTypes).toEqual([]);
    expect(ok(await call<{ letters: { edges: unknown[] } }>(newAdmin, `{ letters(first: 50) { edges { node { id } } } }`)).letters.edges).toEqual([]);
    expect(errorCode(await call(newAdmin, `query($id: ID!) { letter(id: $id) { id } }`, { id: demoLetterId }))).toBe('NOT_FOUND');
    expect(ok(await call<{ printBatches: unknown[] }>(newAdmin, `{ printBatches { id } }`)).printBatches).toEqual([]);
    const trail = ok(await call<{ auditTrail: { edges: { node: { action: string; actor: string; detail: Record<string, unknown> } }[] } }>(newAdmin, `{ auditTrail(first: 10) { edges { node { action actor detail } } } }`));
    expect(trail.auditTrail.edges.map((e) => [e.node.action, e.node.actor])).toEqual([['tenant.onboard', 'platform-ops']]);
    expect(trail.auditTrail.edges[0].node.detail).toMatchObject({ alias: 'ny-kommun', firstSendingUnit: { code: 'bygg' } });
    expect(ok(await call<{ verifyAuditTrail: { ok: boolean } }>(newAdmin, `{ verifyAuditTrail { ok } }`)).verifyAuditTrail.ok).toBe(true);
    // … and the demo municipality's admin sees nothing of the new one.
    expect((ok(await call<{ auditTrail: { edges: { node: { action: string } }[] } }>(admin, `{ auditTrail(first: 50) { edges { node { action } } } }`)).auditTrail.edges).map((e) => e.node.action)).not.toContain('tenant.onboard');

    const list = ok(await call<{ tenants: { alias: string; sendingUnits: number; lettersLast30Days: number }[] }>(platform, `{ tenants { ${TENANT_FIELDS} } }`)).tenants;
    expect(list.map((t) => [t.alias, t.sendingUnits, t.lettersLast30Days])).toEqual([
      ['annan-kommun', 1, 0],
      ['demo-kommun', 2, 1],
      ['ny-kommun', 1, 0],
    ]);
  });

  it('renames a tenant, audited in its trail and the platform’s; NOT_FOUND and field errors otherwise', async () => {
    const [t] = await db.ownerQuery<{ id: string }>(`select id from tenant where alias = 'ny-kommun'`);
    const renamed = ok(await call<{ updateTenant: { name: string } }>(platform, `mutation($id: ID!) { updateTenant(id: $id, input: { name: "Nya kommunen" }) { name } }`, { id: t.id }));
    expect(renamed.updateTenant.name).toBe('Nya kommunen');
    expect(await db.ownerQuery(`select action, detail from audit_log where tenant_id = $1 order by seq`, [t.id])).toEqual([
      expect.objectContaining({ action: 'tenant.onboard' }),
      { action: 'tenant.update', detail: { changes: { name: { from: 'Ny kommun', to: 'Nya kommunen' } } } },
    ]);
    expect(errorCode(await call(platform, `mutation { updateTenant(id: "00000000-0000-4000-8000-000000000000", input: { name: "X kommun" }) { name } }`))).toBe('NOT_FOUND');
    expect(fieldsOf(await call(platform, `mutation($id: ID!) { updateTenant(id: $id, input: { name: " " }) { name } }`, { id: t.id }))).toEqual(['name:required']);
    const platformTrail = ok(await call<{ platformAuditTrail: { seq: number; action: string; target: string }[] }>(platform, `{ platformAuditTrail { seq action target } }`)).platformAuditTrail;
    expect(platformTrail.map((e) => [e.seq, e.action, e.target])).toEqual([
      [2, 'tenant.update', `tenant:${t.id}`],
      [1, 'tenant.onboard', `tenant:${t.id}`],
    ]);
    expect(ok(await call<{ verifyPlatformAuditTrail: { ok: boolean; entries: number } }>(platform, `{ verifyPlatformAuditTrail { ok entries } }`)).verifyPlatformAuditTrail).toEqual({ ok: true, entries: 2 });
  });
});

describe('print vendors', () => {
  it('are listed with their settings and the municipalities that use them', async () => {
    const vendors = ok(await call<{ printVendors: Record<string, unknown>[] }>(platform, `{ printVendors { ${VENDOR_FIELDS} } }`)).printVendors;
    expect(vendors).toEqual([
      expect.objectContaining({ id: 'demo-print', clientId: 'demo-print-vendor', cutoffTimes: ['10:00', '15:00'], maxWaitSeconds: 10, postageClasses: ['FIRST_CLASS', 'ECONOMY'], active: true }),
    ]);
    // Every municipality names no vendor, so all use the only active one.
    expect([...(vendors[0].tenantsUsing as string[])].sort()).toEqual(['Annan kommun', 'Demo kommun', 'Nya kommunen']);
  });

  it('refuse bad settings field by field', async () => {
    const r = await call(platform, CREATE_VENDOR, {
      input: { id: 'Tryck AB', name: 'T', clientId: 'demo-print-vendor', envelopeProfile: 'C6', maxPages: 0, cutoffTimes: ['25:00', '10:00'], maxWaitSeconds: -5, postageClasses: ['FAST'] },
    });
    expect(errorCode(r)).toBe('VALIDATION_FAILED');
    expect(fieldsOf(r).sort()).toEqual(['cutoffTimes[0]:format', 'envelopeProfile:enum', 'id:format', 'maxPages:range', 'maxWaitSeconds:range', 'name:length', 'postageClasses[0]:enum'].sort());
    const noClosing = await call(platform, CREATE_VENDOR, { input: { id: 'tryck', name: 'Tryck AB', clientId: 'tryck-client', cutoffTimes: [] } });
    expect(fieldsOf(noClosing)).toEqual(['cutoffTimes:closing']);
    const clash = await call(platform, CREATE_VENDOR, { input: { id: 'demo-print', name: 'Tryck AB', clientId: 'demo-print-vendor', cutoffTimes: ['10:00'], active: false } });
    expect(fieldsOf(clash).sort()).toEqual(['clientId:unique', 'id:unique']);
    expect(errorCode(await call(platform, UPDATE_VENDOR, { id: 'finns-inte', input: { name: 'X AB' } }))).toBe('NOT_FOUND');
  });

  it('are created and changed, never leaving a municipality without a vendor, each change audited', async () => {
    // A second active vendor would leave the municipalities that name none without one.
    const second = await call(platform, CREATE_VENDOR, { input: { id: 'nord-print', name: 'Nordtryck AB', clientId: 'nord-print-client', cutoffTimes: ['14:00'] } });
    expect(fieldsOf(second)).toEqual(['active:defaultVendor']);
    expect(messageOf(second, 'active')).toMatch(/Annan kommun, Demo kommun, Nya kommunen name no print vendor/);

    const created = ok(
      await call<{ createPrintVendor: Record<string, unknown> }>(platform, CREATE_VENDOR, {
        input: { id: 'nord-print', name: 'Nordtryck AB', clientId: 'nord-print-client', cutoffTimes: ['14:00', '09:30'], postageClasses: ['ECONOMY'], active: false },
      }),
    ).createPrintVendor;
    expect(created).toEqual({
      id: 'nord-print',
      name: 'Nordtryck AB',
      clientId: 'nord-print-client',
      envelopeProfile: 'C5-H2',
      maxPages: 20,
      maxBatchLetters: 5000,
      cutoffTimes: ['09:30', '14:00'],
      maxWaitSeconds: null,
      ackDeadlineMinutes: 240,
      duplex: true,
      colour: false,
      postageClasses: ['ECONOMY'],
      active: false,
      tenantsUsing: [],
    });
    const changed = ok(await call<{ updatePrintVendor: Record<string, unknown> }>(platform, UPDATE_VENDOR, { id: 'nord-print', input: { maxWaitSeconds: 3600, envelopeProfile: 'C4-V2' } })).updatePrintVendor;
    expect(changed).toMatchObject({ maxWaitSeconds: 3600, envelopeProfile: 'C4-V2', cutoffTimes: ['09:30', '14:00'], name: 'Nordtryck AB' });
    expect(fieldsOf(await call(platform, UPDATE_VENDOR, { id: 'nord-print', input: { active: true } }))).toEqual(['active:defaultVendor']);
    expect(fieldsOf(await call(platform, UPDATE_VENDOR, { id: 'demo-print', input: { active: false } }))).toEqual(['active:inUse']);
    expect(fieldsOf(await call(platform, UPDATE_VENDOR, { id: 'nord-print', input: { cutoffTimes: [], maxWaitSeconds: null } }))).toEqual(['cutoffTimes:closing']);

    // Once every municipality names its vendor, a second one may be active.
    await db.ownerQuery(`update tenant set settings = jsonb_set(settings, '{print}', coalesce(settings->'print', '{}') || '{"vendorId": "demo-print"}')`);
    const activated = ok(await call<{ updatePrintVendor: { active: boolean } }>(platform, UPDATE_VENDOR, { id: 'nord-print', input: { active: true } })).updatePrintVendor;
    expect(activated.active).toBe(true);
    const onboarded = await call(platform, ONBOARD, { input: { ...NEW_TENANT, alias: 'tredje-kommun', orgNumber: '2120002429', settings: { printVendorId: 'nord-print', postageClass: 'FIRST_CLASS' } } });
    expect(fieldsOf(onboarded)).toEqual(['settings.postageClass:vendor']);

    const trail = await db.ownerQuery<{ action: string; target: string; detail: Record<string, unknown> }>(`select action, target, detail from platform_audit_log where target = 'printVendor:nord-print' order by seq`);
    expect(trail.map((e) => e.action)).toEqual(['printVendor.create', 'printVendor.update', 'printVendor.update']);
    expect(trail[1].detail).toEqual({ changes: { envelopeProfile: { from: 'C5-H2', to: 'C4-V2' }, maxWaitSeconds: { from: null, to: 3600 } } });
    expect(trail[2].detail).toEqual({ changes: { active: { from: false, to: true } } });
    // The platform chain refuses updates and deletes, for everyone.
    await expect(db.ownerQuery(`delete from platform_audit_log`)).rejects.toThrow(/append-only/);
  });
});

describe('the connections to Mina meddelanden', () => {
  const CHECK = `mutation($sender: String) { checkMmConnections(senderOrgNumber: $sender) { ok senderOrgNumber results { kind name url ok latencyMs httpStatus errorCode message serverCertificateNotAfter farAnswer { recipientId deliverable reason operatorName } } } }`;
  type Check = { ok: boolean; senderOrgNumber: string; results: { kind: string; name: string; url: string; ok: boolean; latencyMs: number; httpStatus: number | null; errorCode: string | null; message: string | null; farAnswer: Record<string, unknown> | null }[] };

  it('shows the settings from the environment, the förmedlare certificate and the trusted CAs', async () => {
    const c = ok(
      await call<{ mmConnections: Record<string, unknown> & { settings: { variable: string; value: string; isDefault: boolean; meaning: string }[] } }>(
        platform,
        `{ mmConnections { settings { variable value meaning isDefault } trustedCas { subject notAfter } caProblem intermediary { subject serialNumber notAfter } intermediaryProblem operators { id } } }`,
      ),
    ).mmConnections;
    expect(c.settings).toEqual([
      { variable: 'FAR_URL', value: sims.farUrl, meaning: expect.stringMatching(/FaR endpoint/), isDefault: false },
      { variable: 'MM_CA_FILE', value: expect.stringMatching(/ca\.crt\.pem$/), meaning: expect.stringMatching(/CAs trusted/), isDefault: false },
      { variable: 'MM_TIMEOUT_MS', value: '30000', meaning: expect.any(String), isDefault: true },
    ]);
    expect(c).toMatchObject({ trustedCas: [{ subject: 'CN=Dispatch Hub Test CA, O=Dispatch Hub Test, C=SE' }], caProblem: null, intermediary: { serialNumber: '165591234561' }, intermediaryProblem: null });
  });

  it('checks FaR with a real question and each mailbox operator it names, and reports a failing operator in words', async () => {
    const first = ok(await call<{ checkMmConnections: Check }>(platform, CHECK)).checkMmConnections;
    expect(first.senderOrgNumber).toBe('165591234561');
    expect(first.results).toEqual([
      expect.objectContaining({ kind: 'FAR', url: sims.farUrl, ok: true, errorCode: null, farAnswer: { recipientId: CONNECTION_CHECK_RECIPIENT, deliverable: true, reason: null, operatorName: sims.operators.kivra.name } }),
      expect.objectContaining({ kind: 'MAILBOX_OPERATOR', name: sims.operators.kivra.name, url: sims.operators.kivra.url, ok: true, httpStatus: 404 }),
    ]);
    expect(first.ok).toBe(true);

    // The dispatch learned of an operator whose endpoint is down now.
    const port = await closedPort();
    const [letter] = await db.ownerQuery<{ id: string }>(`select id from letter where tenant_id = $1 limit 1`, [db.demo.tenantId]);
    await db.ownerQuery(`update letter set operator_id = '165599000030', operator_name = 'Stängd brevlåda', service_address = $2 where id = $1`, [letter.id, `https://127.0.0.1:${port}/service/v3`]);
    const known = ok(await call<{ mmConnections: { operators: { id: string; name: string; serviceAddress: string; tenants: number }[] } }>(platform, `{ mmConnections { operators { id name serviceAddress tenants } } }`));
    expect(known.mmConnections.operators).toEqual([{ id: '165599000030', name: 'Stängd brevlåda', serviceAddress: `https://127.0.0.1:${port}/service/v3`, tenants: 1 }]);

    const second = ok(await call<{ checkMmConnections: Check }>(platform, CHECK, { sender: '212000-1231' })).checkMmConnections;
    expect(second.ok).toBe(false);
    expect(second.senderOrgNumber).toBe('162120001231');
    const down = second.results.find((r) => r.name === 'Stängd brevlåda')!;
    expect(down).toMatchObject({ kind: 'MAILBOX_OPERATOR', ok: false, errorCode: 'ECONNREFUSED', message: expect.stringMatching(/Nothing answers at this address and port/) });
    expect(second.results.filter((r) => r.ok).map((r) => r.kind)).toEqual(['FAR', 'MAILBOX_OPERATOR']);

    const bad = await call(platform, CHECK, { sender: '212000-1232' });
    expect(fieldsOf(bad)).toEqual(['senderOrgNumber:format']);
  });

  it('says in words when FaR’s certificate is not trusted, FaR does not answer, or the setup is incomplete', async () => {
    const tenantDb = new TenantDb(await db.appOrm(2));
    const otherPki = await ensureTestPki(mkdtempSync(join(tmpdir(), 'other-pki-')), { intermediary: { orgnr: '5591234561', name: 'Annan CA-kedja' }, municipalities: [], servers: [] });
    const base = { FAR_URL: sims.farUrl, MM_CA_FILE: otherPki.caCertPath, MM_TIMEOUT_MS: 5000, MASTER_KEY: TEST_MASTER_KEY };

    const untrusted = await new MmConnections(tenantDb, base).check();
    expect(untrusted.results[0]).toMatchObject({ kind: 'FAR', ok: false, message: expect.stringMatching(/not issued by a CA in MM_CA_FILE/) });
    expect(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']).toContain(untrusted.results[0].errorCode);

    const refused = await new MmConnections(tenantDb, { ...base, MM_CA_FILE: join(db.pkiDir, 'ca.crt.pem'), FAR_URL: `https://127.0.0.1:${await closedPort()}/Recipient/v3` }).check();
    expect(refused.results[0]).toMatchObject({ kind: 'FAR', ok: false, errorCode: 'ECONNREFUSED', message: expect.stringMatching(/connection refused/) });

    const notPem = join(mkdtempSync(join(tmpdir(), 'ca-')), 'ca.pem');
    writeFileSync(notPem, 'not a certificate');
    const setup = await new MmConnections(tenantDb, { ...base, MM_CA_FILE: notPem }).check();
    expect(setup.results).toEqual([expect.objectContaining({ kind: 'SETUP', ok: false, message: expect.stringMatching(/holds no PEM certificate/) })]);
    const settings = await new MmConnections(tenantDb, { ...base, MM_CA_FILE: notPem }).settings();
    expect(settings.caProblem).toMatch(/no PEM certificate/);
  });
});
