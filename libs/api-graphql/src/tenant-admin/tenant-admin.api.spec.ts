/**
 * The tenant admin's settings over real HTTP: the API in this process on a free port, real tokens
 * from the local OIDC issuer, a fresh database (application role, row-level security), and the
 * dispatch runtime with the FaR and mailbox-operator simulators, to show that what an admin changes
 * is what the hub then does: a new certificate signs the next letter, a print rule decides the next
 * letter's channel. Validation with field paths, audit entries (never a key or password), and
 * another municipality's admin kept out.
 */
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { JobName } from '@hub/jobs';
import { KeyVault } from '@hub/keys';
import { TrustStore, verifyDelivery } from '@hub/mina-meddelanden';
import { createLogger } from '@hub/observability';
import { TenantDb } from '@hub/persistence';
import { DispatchRuntime, SenderCredentials, startDispatchRuntime } from '@hub/dispatch';
import { readFileSync } from 'node:fs';
import { OidcClientSeed, RunningOidcIssuer, startOidcIssuer } from '../../../../apps/simulators/src/oidc/oidc-issuer';
import { AUDIENCE, CLIENTS, createTestDatabase, errorCode, getToken, gql, GqlResponse, ok, ownerQuery, RunningApi, startApi, testConfig, TestDatabase } from '../../../../test/support/api-helpers';
import { deleteKeysByPrefix, eventsOf, hubConfig, insertLetters, startSimulatorsInProcess, TestSimulators, uniqueQueuePrefix, waitForLetters } from '../../../../test/support';
import { issueSenderCertificate, TestCredential, toPkcs12 } from './test-certificates.spec-helper';

jest.setTimeout(120_000);

const OTHER_ADMIN: OidcClientSeed = { clientId: 'annan-admin-app', clientSecret: 'test-secret-0123456789', tenant: 'annan-kommun', roles: ['tenant-admin'] };
const DEMO_ORG = '162120001231';
const KIVRA = '198101032384';
const NOT_REGISTERED = '201001012382';
const prefix = uniqueQueuePrefix('tenant-admin');

let db: TestDatabase;
let issuer: RunningOidcIssuer;
let sims: TestSimulators;
let api: RunningApi;
let orm: MikroORM;
let tenantDb: TenantDb;
let runtime: DispatchRuntime;
let admin: string;
let officer: string;
let caseSystem: string;
let otherAdmin: string;

beforeAll(async () => {
  [db, issuer, sims] = await Promise.all([createTestDatabase('tenant-admin'), startOidcIssuer({ port: 0, issuerPath: '/realms/dispatch-hub', audience: AUDIENCE, clients: [...Object.values(CLIENTS), OTHER_ADMIN] }), startSimulatorsInProcess()]);
  api = await startApi(testConfig(db, issuer, { FAR_URL: sims.farUrl }), { reachability: null });
  orm = await db.appOrm(6);
  tenantDb = new TenantDb(orm);
  runtime = await startDispatchRuntime({
    config: hubConfig(db, sims, { QUEUE_PREFIX: prefix }),
    orm,
    log: createLogger('tenant-admin-test', process.env.TEST_LOG_LEVEL ?? 'silent'),
    jobNames: [JobName.DispatchLetter],
  });
  [admin, officer, caseSystem, otherAdmin] = await Promise.all([getToken(issuer, 'demoAdmin'), getToken(issuer, 'demoOfficer'), getToken(issuer, 'demoCaseSystem'), getToken(issuer, OTHER_ADMIN)]);
});

afterAll(async () => {
  await runtime?.close();
  await api?.close();
  await Promise.all([issuer?.close(), sims?.close()]);
  await deleteKeysByPrefix(prefix);
  await db?.drop();
});

const UNIT_FIELDS = `id code name orgNumber postalAddress keyStored
  certificate { subject issuer serialNumber subjectSerialNumber matchesOrgNumber notBefore notAfter daysLeft status fingerprintSha256 }`;
const call = <D = Record<string, unknown>>(token: string, query: string, variables: Record<string, unknown> = {}) => gql<D>(api.graphqlUrl, token, query, variables);
const fieldsOf = (r: GqlResponse) => (r.errors?.[0]?.extensions?.fields ?? []).map((f) => `${f.path}:${f.rule}`);
const auditOf = (target: string) =>
  ownerQuery<{ action: string; actor: string; detail: Record<string, unknown> }>(db, `select action, actor, detail from audit_log where tenant_id = $1 and target = $2 order by seq`, [db.demo.tenantId, target]);

interface Unit {
  id: string;
  code: string;
  name: string;
  orgNumber: string;
  postalAddress: string[];
  keyStored: boolean;
  certificate: null | { subject: string; serialNumber: string; subjectSerialNumber: string; matchesOrgNumber: boolean; notAfter: string; daysLeft: number; status: string; fingerprintSha256: string };
}

const CREATE_UNIT = `mutation($input: SendingUnitInput!) { createSendingUnit(input: $input) { ${UNIT_FIELDS} } }`;
const createUnit = (token: string, input: Record<string, unknown>) => call<{ createSendingUnit: Unit }>(token, CREATE_UNIT, { input });

/** setSendingUnitCertificate as a GraphQL multipart request, the way the console sends it. */
async function uploadCertificate(token: string, code: string, files: Partial<Record<'pkcs12' | 'certificatePem' | 'privateKeyPem', Buffer | string>>, password?: string): Promise<GqlResponse<{ setSendingUnitCertificate: Unit }>> {
  const query = `mutation($code: String!, $input: SenderCertificateInput!) { setSendingUnitCertificate(code: $code, input: $input) { ${UNIT_FIELDS} } }`;
  const entries = Object.entries(files);
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables: { code, input: { ...(password !== undefined ? { password } : {}), ...Object.fromEntries(entries.map(([k]) => [k, null])) } } }));
  form.append('map', JSON.stringify(Object.fromEntries(entries.map(([k], i) => [String(i), [`variables.input.${k}`]]))));
  entries.forEach(([k, content], i) => form.append(String(i), new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), `${k}.bin`));
  const res = await fetch(api.graphqlUrl, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' }, body: form });
  return { status: res.status, headers: res.headers, ...((await res.json()) as object) };
}

const issue = (options: Partial<Parameters<typeof issueSenderCertificate>[1]> = {}): TestCredential => issueSenderCertificate(db.pkiDir, { orgNumber: DEMO_ORG, name: 'Demo kommun', ...options });

describe('sending units', () => {
  it('are listed for tenant admins only, with their certificates and how long they last', async () => {
    for (const token of [officer, caseSystem]) expect(errorCode(await call(token, `{ sendingUnits { code } }`))).toBe('FORBIDDEN');
    const units = ok(await call<{ sendingUnits: Unit[] }>(admin, `{ sendingUnits { ${UNIT_FIELDS} } }`)).sendingUnits;
    expect(units.map((u) => u.code)).toEqual(['bygg', 'social']);
    const seeded = new X509Certificate(readFileSync(join(db.pkiDir, 'municipality-2120001231.crt.pem')));
    expect(units[0]).toMatchObject({
      orgNumber: DEMO_ORG,
      keyStored: true,
      postalAddress: ['Samhällsbyggnadsförvaltningen', 'Box 100', '123 45 Demostad'],
      certificate: { subjectSerialNumber: DEMO_ORG, matchesOrgNumber: true, status: 'VALID', serialNumber: seeded.serialNumber.toUpperCase(), notAfter: new Date(seeded.validTo).toISOString() },
    });
    expect(units[0].certificate!.subject).toContain('SERIALNUMBER=162120001231');
    expect(units[0].certificate!.daysLeft).toBeGreaterThan(30);
  });

  it('are created with every field checked, and audited', async () => {
    const bad = await createUnit(admin, { code: 'Bygg Nämnd', name: ' ', orgNumber: '212000-1232', postalAddress: ['Box 1', 'Demostad'] });
    expect(errorCode(bad)).toBe('VALIDATION_FAILED');
    expect(fieldsOf(bad)).toEqual(['code:format', 'name:required', 'orgNumber:luhn', 'postalAddress[1]:postalCode']);
    expect(fieldsOf(await createUnit(admin, { code: 'x', name: 'X', orgNumber: '198101032384', postalAddress: ['Box 1', '123 45 Demostad'] }))).toEqual(['orgNumber:format']);
    expect(fieldsOf(await createUnit(admin, { code: 'x', name: 'X', orgNumber: DEMO_ORG, postalAddress: ['Box 1'] }))).toEqual(['postalAddress:required']);
    expect(fieldsOf(await createUnit(admin, { code: 'bygg', name: 'X', orgNumber: DEMO_ORG, postalAddress: ['Box 1', '123 45 Demostad'] }))).toEqual(['code:unique']);
    expect(errorCode(await createUnit(officer, { code: 'miljo', name: 'Miljönämnden', orgNumber: DEMO_ORG, postalAddress: ['Box 300', '123 47 Demostad'] }))).toBe('FORBIDDEN');

    const unit = ok(await createUnit(admin, { code: 'miljo', name: 'Demo kommun, Miljönämnden', orgNumber: '212000-1231', postalAddress: ['Miljöförvaltningen', ' Box 300 ', '12347 Demostad', ''] })).createSendingUnit;
    expect(unit).toMatchObject({ code: 'miljo', orgNumber: DEMO_ORG, postalAddress: ['Miljöförvaltningen', 'Box 300', '12347 Demostad'], certificate: null, keyStored: false });
    expect(await auditOf(`sendingUnit:${unit.id}`)).toEqual([
      { action: 'sendingUnit.create', actor: expect.any(String), detail: { code: 'miljo', values: { name: 'Demo kommun, Miljönämnden', orgNumber: DEMO_ORG, postalAddress: unit.postalAddress } } },
    ]);
  });

  it('are changed field by field; the code never, the organisation number not away from its certificate', async () => {
    const r = ok(await call<{ updateSendingUnit: Unit }>(admin, `mutation { updateSendingUnit(code: "miljo", input: { name: "Demo kommun, Miljö- och hälsoskyddsnämnden" }) { ${UNIT_FIELDS} } }`)).updateSendingUnit;
    expect(r.name).toBe('Demo kommun, Miljö- och hälsoskyddsnämnden');
    const same = ok(await call<{ updateSendingUnit: Unit }>(admin, `mutation { updateSendingUnit(code: "miljo", input: { name: "Demo kommun, Miljö- och hälsoskyddsnämnden" }) { id } }`)).updateSendingUnit;
    expect((await auditOf(`sendingUnit:${same.id}`)).map((a) => a.action)).toEqual(['sendingUnit.create', 'sendingUnit.update']);
    expect((await auditOf(`sendingUnit:${same.id}`))[1].detail).toEqual({ code: 'miljo', changes: { name: { from: 'Demo kommun, Miljönämnden', to: 'Demo kommun, Miljö- och hälsoskyddsnämnden' } } });
    // bygg has a certificate issued to 162120001231: another number would leave it unable to sign.
    const refused = await call(admin, `mutation { updateSendingUnit(code: "bygg", input: { orgNumber: "2120009879" }) { code } }`);
    expect(fieldsOf(refused)).toEqual(['orgNumber:certificate']);
    expect(errorCode(await call(admin, `mutation { updateSendingUnit(code: "finns-inte", input: { name: "X" }) { code } }`))).toBe('NOT_FOUND');
  });

  it('are another municipality’s business only (its admin, and its database rows)', async () => {
    const theirs = ok(await call<{ sendingUnits: Unit[] }>(otherAdmin, `{ sendingUnits { code orgNumber } }`)).sendingUnits;
    expect(theirs).toEqual([{ code: 'bygg', orgNumber: '162120002411' }]);
    expect(errorCode(await call(otherAdmin, `mutation { updateSendingUnit(code: "miljo", input: { name: "Kapad" }) { code } }`))).toBe('NOT_FOUND');
    expect(errorCode(await uploadCertificate(otherAdmin, 'miljo', { certificatePem: issue().certPem, privateKeyPem: 'x' }))).toBe('NOT_FOUND');
    // Row-level security as the application role: the other tenant's transaction sees none of our units.
    const seen = await tenantDb.inTenant(db.other.tenantId, (em) => em.execute<{ code: string }[]>(`select code from sending_unit where code = 'miljo'`));
    expect(seen).toEqual([]);
  });
});

describe('sender certificates', () => {
  it('are refused, naming the field, when the password, the key, the period or the organisation is wrong', async () => {
    const good = issue();
    const other = issue();
    const check = async (files: Parameters<typeof uploadCertificate>[2], password: string | undefined, expected: string[], message?: RegExp) => {
      const r = await uploadCertificate(admin, 'miljo', files, password);
      expect({ code: errorCode(r), fields: fieldsOf(r) }).toEqual({ code: 'VALIDATION_FAILED', fields: expected });
      if (message) expect(r.errors![0].extensions!.fields![0].message).toMatch(message);
    };
    await check({ pkcs12: toPkcs12(good, 'rätt-lösen') }, 'fel', ['password:password']);
    await check({ certificatePem: good.certPem, privateKeyPem: other.keyPem }, undefined, ['privateKeyPem:keyMismatch'], /does not belong to the certificate CN=Demo kommun/);
    await check({ certificatePem: issue({ validFromDays: -400, validToDays: -2 }).certPem, privateKeyPem: 'x' }, undefined, ['privateKeyPem:format']);
    const expired = issue({ validFromDays: -400, validToDays: -2 });
    await check({ certificatePem: expired.certPem, privateKeyPem: expired.keyPem }, undefined, ['certificatePem:expired'], /^expired on \d{4}-\d{2}-\d{2}/);
    const future = issue({ validFromDays: 3, validToDays: 400 });
    await check({ pkcs12: toPkcs12(future, 'x') }, 'x', ['pkcs12:notYetValid']);
    const social = issue({ orgNumber: '162120009879', name: 'Demo kommun Socialnämnden' });
    await check({ certificatePem: social.certPem, privateKeyPem: social.keyPem }, undefined, ['certificatePem:orgNumber'], /issued to organisation 162120009879 .* not to the sending unit's 162120001231/);
    await check({ certificatePem: readFileSync(join(db.pkiDir, 'ca.crt.pem')), privateKeyPem: readFileSync(join(db.pkiDir, 'ca.key.pem')) }, undefined, ['certificatePem:notEndEntity', 'certificatePem:orgNumber']);
    await check({ pkcs12: Buffer.from('not a pkcs12 file') }, 'x', ['pkcs12:format']);
    await check({ certificatePem: good.certPem }, undefined, ['privateKeyPem:required']);
    expect(errorCode(await uploadCertificate(officer, 'miljo', { certificatePem: good.certPem, privateKeyPem: good.keyPem }))).toBe('FORBIDDEN');
    // Nothing was stored or audited by the refusals.
    const unit = ok(await call<{ sendingUnits: Unit[] }>(admin, `{ sendingUnits { code certificate { serialNumber } keyStored } }`)).sendingUnits.find((u) => u.code === 'miljo')!;
    expect(unit).toEqual({ code: 'miljo', certificate: null, keyStored: false });
  });

  it('are installed from PEM files (an encrypted key, a chain) and from PKCS#12, stored as the dispatch reads them, audited without key or password', async () => {
    const first = issue({ validToDays: 20 });
    const encryptedKey = (await import('node:crypto')).createPrivateKey(first.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'nyckel-lösen' }).toString();
    const withChain = first.certPem + readFileSync(join(db.pkiDir, 'ca.crt.pem'), 'utf8');
    expect(fieldsOf(await uploadCertificate(admin, 'miljo', { certificatePem: withChain, privateKeyPem: encryptedKey }))).toEqual(['password:required']);
    expect(fieldsOf(await uploadCertificate(admin, 'miljo', { certificatePem: withChain, privateKeyPem: encryptedKey }, 'fel-lösen'))).toEqual(['password:password']);
    const pem = ok(await uploadCertificate(admin, 'miljo', { certificatePem: withChain, privateKeyPem: encryptedKey }, 'nyckel-lösen')).setSendingUnitCertificate;
    expect(pem).toMatchObject({ keyStored: true, certificate: { serialNumber: first.serialHex, matchesOrgNumber: true, status: 'EXPIRES_SOON', daysLeft: 19 } });

    const second = issue({ validToDays: 500 });
    const p12 = ok(await uploadCertificate(admin, 'miljo', { pkcs12: toPkcs12(second, 'p12-lösen') }, 'p12-lösen')).setSendingUnitCertificate;
    expect(p12.certificate).toMatchObject({ serialNumber: second.serialHex, status: 'VALID', daysLeft: 499, notAfter: new Date(Math.floor(second.notAfter.getTime() / 1000) * 1000).toISOString() });

    // Stored in the dispatch's format: the PEM certificate, the key encrypted for this row, the expiry.
    const [row] = await ownerQuery<{ certificate_pem: string; key_ciphertext: Buffer; certificate_not_after: Date }>(db, `select certificate_pem, key_ciphertext, certificate_not_after from sending_unit where id = $1`, [p12.id]);
    expect(new X509Certificate(row.certificate_pem).serialNumber.toUpperCase()).toBe(second.serialHex);
    expect(new KeyVault(db.masterKey).decrypt(row.key_ciphertext, `sending_unit:${p12.id}`).toString()).toContain('-----BEGIN PRIVATE KEY-----');
    expect(row.certificate_not_after.toISOString()).toBe(p12.certificate!.notAfter);
    const credential = await new SenderCredentials(tenantDb, new KeyVault(db.masterKey)).forUnit({ id: p12.id, tenantId: db.demo.tenantId, orgNumber: DEMO_ORG, certificatePem: row.certificate_pem });
    expect(credential.certificate.serialNumber.toUpperCase()).toBe(second.serialHex);

    const audit = await auditOf(`sendingUnit:${p12.id}`);
    expect(audit.map((a) => a.action)).toEqual(['sendingUnit.create', 'sendingUnit.update', 'sendingUnit.certificate.set', 'sendingUnit.certificate.set']);
    expect(audit[3].detail).toMatchObject({ code: 'miljo', uploadedAs: 'PKCS12', certificate: { serialNumber: second.serialHex }, replaced: { serialNumber: first.serialHex } });
    const text = JSON.stringify(audit);
    for (const secret of ['PRIVATE KEY', 'p12-lösen', 'nyckel-lösen', second.keyPem.split('\n')[1]]) expect(text).not.toContain(secret);
  });

  it('sign the next letter of the unit (the dispatch uses the new certificate)', async () => {
    const [{ id: unitId }] = await ownerQuery<{ id: string }>(db, `select id from sending_unit where tenant_id = $1 and code = 'miljo'`, [db.demo.tenantId]);
    const [letterId] = await insertLetters(tenantDb, db, [{ recipientId: KIVRA, sendingUnitId: unitId }]);
    const [letter] = await waitForLetters(db, [letterId]);
    expect(letter).toMatchObject({ status: 'DELIVERED' });
    const installed = ok(await call<{ sendingUnits: Unit[] }>(admin, `{ sendingUnits { code certificate { serialNumber } } }`)).sendingUnits.find((u) => u.code === 'miljo')!;
    const raw = await sims.admin.raw('kivra', letter.trans_id!);
    const trust = new TrustStore({ cas: [readFileSync(sims.caFile, 'utf8')] });
    const verified = verifyDelivery(raw, { senderTrust: trust, sealTrust: trust, requireSeal: true });
    expect(verified.sender.serialNumber).toBe(DEMO_ORG);
    expect(verified.sender.certificate.serialNumber.toUpperCase()).toBe(installed.certificate!.serialNumber);
  });
});

const SETTINGS_FIELDS = `printAllowed fallbackToPrint protectedIdentityRule missingAddressRule deadlineHours deadlineHoursIsDefault
  print { vendorId vendor { id name } postageClass envelopeProfile customEnvelopeProfile { id name envelope window { x y width height } }
          effectiveEnvelopeProfile { id } problem duplex colour effectiveDuplex effectiveColour }`;
const UPDATE = `mutation($input: TenantSettingsInput!) { updateTenantSettings(input: $input) { ${SETTINGS_FIELDS} } }`;
const update = (token: string, input: Record<string, unknown>) => call<{ updateTenantSettings: Record<string, unknown> & { print: Record<string, unknown> } }>(token, UPDATE, { input });

const CUSTOM_PROFILE = {
  name: 'C5 högerfönster, vårt kuvert',
  envelope: 'C5',
  window: { x: 92, y: 46, width: 100, height: 34 },
  windowPaddingMm: 4,
  senderBlock: { x: 15, y: 12, width: 70, height: 26 },
  printableArea: { topMm: 10, rightMm: 15, bottomMm: 15, leftMm: 15 },
  source: 'Kuvertleverantörens datablad 2026',
};

describe('channel and print rules', () => {
  it('are read with the defaults by tenant admins only', async () => {
    expect(errorCode(await call(officer, `{ tenantSettings { printAllowed } }`))).toBe('FORBIDDEN');
    expect(ok(await call<{ tenantSettings: unknown }>(admin, `{ tenantSettings { ${SETTINGS_FIELDS} } }`)).tenantSettings).toEqual({
      printAllowed: true,
      fallbackToPrint: true,
      protectedIdentityRule: 'HOLD',
      missingAddressRule: 'HOLD',
      deadlineHours: 24,
      deadlineHoursIsDefault: false,
      print: {
        vendorId: null,
        vendor: { id: 'demo-print', name: expect.any(String) },
        postageClass: 'ECONOMY',
        envelopeProfile: null,
        customEnvelopeProfile: null,
        effectiveEnvelopeProfile: { id: 'C5-H2' },
        problem: null,
        duplex: null,
        colour: null,
        effectiveDuplex: expect.any(Boolean),
        effectiveColour: expect.any(Boolean),
      },
    });
    const options = ok(await call<{ tenantPrintOptions: { vendors: { id: string }[]; envelopeProfiles: { id: string }[] } }>(admin, `{ tenantPrintOptions { vendors { id maxPages } envelopeProfiles { id window { x } } } }`)).tenantPrintOptions;
    expect(options.vendors.map((v) => v.id)).toEqual(['demo-print']);
    expect(options.envelopeProfiles.map((p) => p.id)).toEqual(['C5-H2', 'C5-V2', 'C4-H2', 'C4-V2']);
  });

  it('refuse a change naming every wrong field, and change nothing then', async () => {
    const r = await update(admin, {
      deadlineHours: 0,
      print: { vendorId: 'okand', envelopeProfile: 'C9-X', customEnvelopeProfile: null },
    });
    expect(errorCode(r)).toBe('VALIDATION_FAILED');
    expect(fieldsOf(r)).toEqual(['deadlineHours:range', 'print.vendorId:unknown', 'print.envelopeProfile:unknown']);
    const both = await update(admin, { print: { envelopeProfile: 'C4-V2', customEnvelopeProfile: CUSTOM_PROFILE } });
    expect(fieldsOf(both)).toEqual(['print.envelopeProfile:exclusive']);
    const badProfile = await update(admin, { print: { customEnvelopeProfile: { ...CUSTOM_PROFILE, window: { x: 92, y: 140, width: 100, height: 34 }, windowPaddingMm: null } } });
    expect(fieldsOf(badProfile)).toEqual(['print.customEnvelopeProfile.windowPaddingMm:envelopeProfile', 'print.customEnvelopeProfile.window:envelopeProfile']);
    expect(badProfile.errors![0].extensions!.fields![1].message).toMatch(/for a C5 envelope the window must lie in the top 148.5 mm/);
    expect(await ownerQuery(db, `select settings from tenant where id = $1`, [db.demo.tenantId])).toEqual([{ settings: { deadlineHours: 24, printAllowed: true } }]);
    expect(errorCode(await update(caseSystem, { printAllowed: false }))).toBe('FORBIDDEN');
  });

  it('are changed and audited, leave the protection-class policy alone, and come back to their defaults with null', async () => {
    ok(await call(admin, `mutation { setProtectionClassPolicy(rules: [{ protectionClass: 3, print: HOLD }]) { protectionClass } }`));
    const changed = ok(await update(admin, { fallbackToPrint: false, missingAddressRule: 'UNDELIVERABLE', deadlineHours: 48, print: { postageClass: 'FIRST_CLASS', duplex: true, customEnvelopeProfile: CUSTOM_PROFILE } })).updateTenantSettings;
    expect(changed).toMatchObject({
      fallbackToPrint: false,
      missingAddressRule: 'UNDELIVERABLE',
      deadlineHours: 48,
      print: { postageClass: 'FIRST_CLASS', duplex: true, effectiveDuplex: true, customEnvelopeProfile: { id: 'demo-kommun-custom', name: CUSTOM_PROFILE.name, window: CUSTOM_PROFILE.window }, effectiveEnvelopeProfile: { id: 'demo-kommun-custom' } },
    });
    const [{ settings }] = await ownerQuery<{ settings: Record<string, unknown> }>(db, `select settings from tenant where id = $1`, [db.demo.tenantId]);
    expect(settings).toMatchObject({ printByProtectionClass: { '3': 'HOLD' }, fallbackToPrint: false, deadlineHours: 48, print: { postageClass: 'FIRST_CLASS', duplex: true } });
    const audit = await auditOf(`tenant:${db.demo.tenantId}`);
    expect(audit.map((a) => a.action)).toEqual(['protectionClassPolicy.update', 'tenantSettings.update']);
    expect(audit[1].detail.changes).toMatchObject({
      fallbackToPrint: { from: null, to: false },
      missingAddressRule: { from: null, to: 'UNDELIVERABLE' },
      deadlineHours: { from: 24, to: 48 },
      'print.postageClass': { from: null, to: 'FIRST_CLASS' },
      'print.customEnvelopeProfile': { from: null, to: expect.objectContaining({ id: 'demo-kommun-custom' }) },
    });
    // A standard profile replaces the custom one; null returns each setting to its default.
    const standard = ok(await update(admin, { print: { envelopeProfile: 'C4-V2' } })).updateTenantSettings;
    expect(standard.print).toMatchObject({ envelopeProfile: 'C4-V2', customEnvelopeProfile: null, effectiveEnvelopeProfile: { id: 'C4-V2' } });
    const reset = ok(await update(admin, { fallbackToPrint: null, missingAddressRule: null, deadlineHours: null, print: null })).updateTenantSettings;
    expect(reset).toMatchObject({ fallbackToPrint: true, missingAddressRule: 'HOLD', deadlineHours: 24, deadlineHoursIsDefault: true, print: { postageClass: 'ECONOMY', envelopeProfile: null, duplex: null } });
    // Nothing changed, nothing audited.
    ok(await update(admin, { fallbackToPrint: null }));
    expect((await auditOf(`tenant:${db.demo.tenantId}`)).length).toBe(4);
    const [{ settings: after }] = await ownerQuery<{ settings: Record<string, unknown> }>(db, `select settings from tenant where id = $1`, [db.demo.tenantId]);
    expect(after).toEqual({ printAllowed: true, printByProtectionClass: { '1': 'ALLOW', '2': 'ALLOW', '3': 'HOLD' }, protectionClassPolicy: expect.any(Object) });
  });

  it('decide the next letter’s channel as soon as they are saved', async () => {
    ok(await update(admin, { printAllowed: false }));
    try {
      const [id] = await insertLetters(tenantDb, db, [{ recipientId: NOT_REGISTERED }]);
      const [letter] = await waitForLetters(db, [id]);
      expect(letter).toMatchObject({ status: 'FAILED', status_reason: 'NOT_REGISTERED' });
      expect((await eventsOf(db, id)).at(-1)?.detail).toEqual({ reason: 'NOT_REGISTERED', printBlockedBy: 'PRINT_NOT_ALLOWED' });
    } finally {
      ok(await update(admin, { printAllowed: true }));
    }
    ok(await update(admin, { missingAddressRule: 'UNDELIVERABLE' }));
    try {
      const [id] = await insertLetters(tenantDb, db, [{ recipientId: NOT_REGISTERED, postalAddress: null }]);
      const [letter] = await waitForLetters(db, [id]);
      expect(letter).toMatchObject({ status: 'FAILED', status_reason: 'NOT_REGISTERED' });
      expect((await eventsOf(db, id)).at(-1)?.detail).toEqual({ reason: 'NOT_REGISTERED', printBlockedBy: 'NO_POSTAL_ADDRESS' });
    } finally {
      ok(await update(admin, { missingAddressRule: null }));
    }
  });

  it('are another municipality’s own: its admin changes only its settings', async () => {
    ok(await update(otherAdmin, { printAllowed: false }));
    expect(ok(await call<{ tenantSettings: { printAllowed: boolean } }>(admin, `{ tenantSettings { printAllowed } }`)).tenantSettings.printAllowed).toBe(true);
    const [{ settings }] = await ownerQuery<{ settings: Record<string, unknown> }>(db, `select settings from tenant where id = $1`, [db.other.tenantId]);
    expect(settings.printAllowed).toBe(false);
    expect((await ownerQuery(db, `select 1 from audit_log where tenant_id = $1 and action = 'tenantSettings.update'`, [db.other.tenantId])).length).toBe(1);
  });
});

describe('the print preview', () => {
  const PREVIEW = `query($print: TenantPrintSettingsInput) { printPreview(print: $print) { pdfBase64 pages addressLines envelopeProfile { id window { x y width height } } vendorId duplex colour problems { code message field } } }`;
  type Preview = { printPreview: { pdfBase64: string | null; pages: number | null; duplex: boolean; addressLines: string[]; envelopeProfile: { id: string } | null; problems: { code: string; field: string | null }[] } };

  it('renders a sample letter as a PDF with the saved settings, and with unsaved ones without saving them', async () => {
    const saved = ok(await call<Preview>(admin, PREVIEW)).printPreview;
    // One page of letter; printed on both sides it gets a blank back page.
    expect(saved).toMatchObject({ pages: saved.duplex ? 2 : 1, addressLines: ['Anna Exempelsson', 'Exempelgatan 12 lgh 1101', '123 45 EXEMPELSTAD'], envelopeProfile: { id: 'C5-H2' }, problems: [] });
    const pdf = Buffer.from(saved.pdfBase64!, 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeLessThan(1_000_000);

    const unsaved = ok(await call<Preview>(admin, PREVIEW, { print: { customEnvelopeProfile: { ...CUSTOM_PROFILE, window: { x: 15, y: 44, width: 105, height: 35 }, senderBlock: { x: 125, y: 12, width: 70, height: 26 } } } })).printPreview;
    expect(unsaved).toMatchObject({ envelopeProfile: { id: 'demo-kommun-custom' }, problems: [] });
    expect(unsaved.pdfBase64).not.toBe(saved.pdfBase64);
    expect(ok(await call<{ tenantSettings: { print: { customEnvelopeProfile: unknown } } }>(admin, `{ tenantSettings { print { customEnvelopeProfile { id } } } }`)).tenantSettings.print.customEnvelopeProfile).toBeNull();
  });

  it('names wrong fields of unsaved settings, and says when the sample cannot be printed', async () => {
    const r = await call(admin, PREVIEW, { print: { vendorId: 'okand' } });
    expect(fieldsOf(r)).toEqual(['print.vendorId:unknown']);
    // A valid profile whose narrow sender block just above the window lets the unit's name and address run into it: letters would be held.
    const narrow = { ...CUSTOM_PROFILE, window: { x: 15, y: 44, width: 105, height: 35 }, senderBlock: { x: 15, y: 30, width: 25, height: 6 } };
    const tiny = ok(await call<Preview>(admin, PREVIEW, { print: { customEnvelopeProfile: narrow } })).printPreview;
    expect(tiny.pdfBase64).toBeNull();
    expect(tiny.problems[0]).toMatchObject({ code: 'CONTENT_IN_WINDOW', field: 'sender.name' });
    expect(errorCode(await call(officer, PREVIEW))).toBe('FORBIDDEN');
  });
});

describe('the case type template preview', () => {
  const PREVIEW = `query($s: String!, $b: String, $n: String, $u: String, $r: String) {
    caseTypeTemplatePreview(subjectTemplate: $s, bodyTemplate: $b, caseTypeName: $n, sendingUnit: $u, caseReference: $r) { subject body problems { path rule message } placeholders { placeholder } } }`;
  type P = { caseTypeTemplatePreview: { subject: string | null; body: string | null; problems: { path: string; rule: string; message: string }[]; placeholders: { placeholder: string }[] } };

  it('fills the templates as a letter would get them, with the save’s own checks', async () => {
    const r = ok(await call<P>(admin, PREVIEW, { s: 'Beslut i {caseType} {caseReference}', b: 'Hej!\n{sendingUnit} har beslutat {date}. {{Inte en platshållare}}', n: 'Bygglov', u: 'social', r: 'BN 2026-77' })).caseTypeTemplatePreview;
    expect(r.subject).toBe('Beslut i Bygglov BN 2026-77');
    expect(r.body).toMatch(/^Hej!\nDemo kommun, Socialnämnden har beslutat \d{4}-\d{2}-\d{2}\. \{Inte en platshållare\}$/);
    expect(r.problems).toEqual([]);
    expect(r.placeholders.map((p) => p.placeholder)).toEqual(['{caseReference}', '{caseType}', '{sendingUnit}', '{date}']);

    const bad = ok(await call<P>(admin, PREVIEW, { s: 'Beslut för 19810103-2384 {namn}', b: 'Hej {caseReference' })).caseTypeTemplatePreview;
    expect(bad.subject).toBeNull();
    expect(bad.body).toBeNull();
    expect(bad.problems.map((p) => `${p.path}:${p.rule}`)).toEqual(['subjectTemplate:template', 'bodyTemplate:template']);
    expect(bad.problems[0].message).toMatch(/\{namn\} is not a known placeholder/);
    const pnr = ok(await call<P>(admin, PREVIEW, { s: 'Beslut för 19810103-2384' })).caseTypeTemplatePreview;
    expect(pnr.problems.map((p) => `${p.path}:${p.rule}`)).toEqual(['subjectTemplate:personalData']);
    expect(errorCode(await call(officer, PREVIEW, { s: 'x' }))).toBe('FORBIDDEN');
  });
});
