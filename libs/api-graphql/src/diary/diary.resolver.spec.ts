/**
 * The diary hooks' GraphQL API over real HTTP: the API in process against a fresh database, real
 * bearer tokens from the local OIDC issuer, and a registry on a real port that checks the signature.
 * Admin-only fields, the secret shown once, VALIDATION_FAILED with field paths, Letter.diaryRegistration,
 * failures and their retry, audit entries, and another municipality's admin kept out.
 */
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DiaryEventConsumer, DiarySender, verifyDiarySignature } from '@hub/diary';
import { KeyVault } from '@hub/keys';
import { createLogger } from '@hub/observability';
import { TenantDb } from '@hub/persistence';
import { OidcClientSeed, RunningOidcIssuer, startOidcIssuer } from '../../../../apps/simulators/src/oidc/oidc-issuer';
import { AUDIENCE, CLIENTS, createTestDatabase, errorCode, getToken, gql, ok, RunningApi, startApi, testConfig, TestDatabase } from '../../../../test/support/api-helpers';
import { insertLetters } from '../../../../test/support';

jest.setTimeout(90_000);

const log = createLogger('diary-api-test', process.env.TEST_LOG_LEVEL ?? 'silent');
const OTHER_ADMIN: OidcClientSeed = { clientId: 'annan-admin-app', clientSecret: 'test-secret-0123456789', tenant: 'annan-kommun', roles: ['tenant-admin'] };

let db: TestDatabase;
let issuer: RunningOidcIssuer;
let api: RunningApi;
let tenantDb: TenantDb;
let admin: string;
let officer: string;
let caseSystem: string;
let otherAdmin: string;

/** The municipality's registry: checks the signature with the secret it was given, answers with a number (or what it is told to). */
let registry: Server;
let registryUrl: string;
let registrySecret = '';
let registryAnswers: { status: number; body: unknown }[] = [];
const received: { verdict: string; body: Record<string, unknown> }[] = [];

const HOOK_FIELDS = 'id name caseTypeCode url enabled includeRecipient createdAt updatedAt secretRotatedAt';

beforeAll(async () => {
  db = await createTestDatabase('diary-api');
  issuer = await startOidcIssuer({ port: 0, issuerPath: '/realms/dispatch-hub', audience: AUDIENCE, clients: [...Object.values(CLIENTS), OTHER_ADMIN] });
  api = await startApi(testConfig(db, issuer), { reachability: null });
  tenantDb = new TenantDb(await db.appOrm());
  [admin, officer, caseSystem, otherAdmin] = await Promise.all([getToken(issuer, 'demoAdmin'), getToken(issuer, 'demoOfficer'), getToken(issuer, 'demoCaseSystem'), getToken(issuer, OTHER_ADMIN)]);
  registry = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const check = verifyDiarySignature(registrySecret, raw, req.headers['x-hub-signature'] as string);
      received.push({ verdict: check.ok ? 'ok' : check.reason, body: JSON.parse(raw) as Record<string, unknown> });
      const answer = check.ok ? (registryAnswers.shift() ?? { status: 200, body: { registrationNumber: `KS 2026/${received.length}` } }) : { status: 401, body: { error: 'bad signature' } };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/diary`;
});

afterAll(async () => {
  await api?.close();
  await issuer?.close();
  await new Promise<void>((resolve) => (registry ? registry.close(() => resolve()) : resolve()));
  await db?.drop();
});

const createHook = (token: string, input: Record<string, unknown>) =>
  gql<{ createDiaryHook: { hook: Record<string, unknown> & { id: string }; secret: string } }>(
    api.graphqlUrl,
    token,
    `mutation($input: CreateDiaryHookInput!) { createDiaryHook(input: $input) { hook { ${HOOK_FIELDS} } secret } }`,
    { input },
  );

describe('diary hooks for tenant admins', () => {
  let hookId: string;

  it('creates a hook and shows its secret once; lists hooks without it', async () => {
    const created = ok(await createHook(admin, { name: 'Diariet', url: registryUrl }));
    hookId = created.createDiaryHook.hook.id;
    expect(created.createDiaryHook.secret).toMatch(/^dhs_/);
    expect(created.createDiaryHook.hook).toMatchObject({ name: 'Diariet', caseTypeCode: null, url: registryUrl, enabled: true, includeRecipient: true, secretRotatedAt: null });
    registrySecret = created.createDiaryHook.secret;
    const listed = ok(await gql<{ diaryHooks: unknown[] }>(api.graphqlUrl, admin, `{ diaryHooks { ${HOOK_FIELDS} } }`));
    expect(listed.diaryHooks).toEqual([created.createDiaryHook.hook]);
    // There is no field to read a secret back.
    const asked = await gql(api.graphqlUrl, admin, `{ diaryHooks { id secret } }`);
    expect(errorCode(asked)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(asked)).not.toContain(registrySecret);
  });

  it('refuses bad input with VALIDATION_FAILED naming each field', async () => {
    const r = await createHook(admin, { name: ' ', url: 'http://diarium.demo.se/hub', caseTypeCode: 'Bygg Lov' });
    expect(errorCode(r)).toBe('VALIDATION_FAILED');
    expect(r.errors![0].extensions!.fields!.map((f) => [f.path, f.rule])).toEqual([
      ['name', 'required'],
      ['url', 'https'],
      ['caseTypeCode', 'format'],
    ]);
    const taken = await createHook(admin, { name: 'Ett till', url: 'https://annat.demo.se/' });
    expect(errorCode(taken)).toBe('VALIDATION_FAILED');
    expect(taken.errors![0].extensions!.fields).toEqual([expect.objectContaining({ path: 'caseTypeCode', rule: 'unique', message: expect.stringContaining(hookId) })]);
    const unknown = await gql(api.graphqlUrl, admin, `mutation { updateDiaryHook(id: "00000000-0000-4000-8000-000000000000", input: { name: "x" }) { hook { id } } }`);
    expect(errorCode(unknown)).toBe('NOT_FOUND');
  });

  it('is for admins only: officers and case systems are refused', async () => {
    for (const token of [officer, caseSystem]) {
      expect(errorCode(await gql(api.graphqlUrl, token, `{ diaryHooks { id } }`))).toBe('FORBIDDEN');
      expect(errorCode(await createHook(token, { name: 'x', url: 'https://x.demo.se/' }))).toBe('FORBIDDEN');
      expect(errorCode(await gql(api.graphqlUrl, token, `{ diaryFailures { letterId } }`))).toBe('FORBIDDEN');
      expect(errorCode(await gql(api.graphqlUrl, token, `mutation { retryDiaryRegistration(letterId: "00000000-0000-4000-8000-000000000000") { id } }`))).toBe('FORBIDDEN');
    }
  });

  it('registers a dispatched letter; the officer sees the number; a failure is listed for the admin and retried', async () => {
    const [registered, failing] = await insertLetters(tenantDb, db, [{ recipientId: '198101032384' }, { recipientId: '198101032384', caseReference: 'BN 2026-9' }], { enqueue: false });
    for (const id of [registered, failing]) {
      await db.ownerQuery(`update letter set status = 'DELIVERED', channel = 'DIGITAL', operator_id = '165599000030', operator_name = 'Kivra', trans_id = $2, dispatched_at = now() where id = $1`, [id, `t-${id}`]);
      await db.ownerQuery(`insert into letter_event (tenant_id, letter_id, type, from_status, to_status, detail) values ($1, $2, 'DELIVERED', 'SEALED', 'DELIVERED', '{}')`, [db.demo.tenantId, id]);
    }
    registryAnswers = [{ status: 200, body: { registrationNumber: 'KS 2026/1001' } }, { status: 403, body: { error: 'case BN 2026-9 is closed' } }];
    const vault = new KeyVault(db.masterKey);
    await new DiaryEventConsumer({ db: tenantDb, log, retryTotalMs: 60_000, settleMs: 0 }).tick();
    const sender = new DiarySender({ db: tenantDb, vault, log, owner: 'api-test', allowHttpLocalhost: true, batch: 1 });
    await sender.tick();
    await sender.tick();
    expect(received.map((r) => r.verdict)).toEqual(['ok', 'ok']);

    const query = `query($id: ID!) { letter(id: $id) { id diaryRegistration { hookId status number registeredAt attempts lastError failedAt } } }`;
    for (const token of [officer, caseSystem, admin]) {
      const seen = ok(await gql<{ letter: { diaryRegistration: Record<string, unknown> } }>(api.graphqlUrl, token, query, { id: registered }));
      expect(seen.letter.diaryRegistration).toMatchObject({ hookId, status: 'REGISTERED', number: 'KS 2026/1001', attempts: 1, lastError: null });
      expect(Date.parse(seen.letter.diaryRegistration.registeredAt as string)).not.toBeNaN();
    }
    const failed = ok(await gql<{ letter: { diaryRegistration: Record<string, unknown> } }>(api.graphqlUrl, officer, query, { id: failing }));
    expect(failed.letter.diaryRegistration).toMatchObject({ status: 'FAILED', number: null, lastError: expect.stringContaining('403') });
    // A letter list resolves every registration in one go.
    const page = ok(await gql<{ letters: { edges: { node: { id: string; diaryRegistration: { status: string } | null } }[] } }>(api.graphqlUrl, admin, `{ letters(first: 10) { edges { node { id diaryRegistration { status } } } } }`));
    expect(Object.fromEntries(page.letters.edges.map((e) => [e.node.id, e.node.diaryRegistration?.status]))).toMatchObject({ [registered]: 'REGISTERED', [failing]: 'FAILED' });

    const failures = ok(await gql<{ diaryFailures: Record<string, unknown>[] }>(api.graphqlUrl, admin, `{ diaryFailures { letterId hookId hookName status caseReference lastError lastHttpStatus attempts failedAt } }`));
    expect(failures.diaryFailures).toEqual([
      expect.objectContaining({ letterId: failing, hookId, hookName: 'Diariet', status: 'FAILED', caseReference: 'BN 2026-9', lastHttpStatus: 403, attempts: 1, lastError: expect.stringContaining('case BN 2026-9 is closed') }),
    ]);

    const retried = ok(await gql<{ retryDiaryRegistration: { status: string }[] }>(api.graphqlUrl, admin, `mutation($id: ID!) { retryDiaryRegistration(letterId: $id) { status attempts } }`, { id: failing }));
    expect(retried.retryDiaryRegistration).toEqual([{ status: 'PENDING', attempts: 1 }]);
    await sender.tick();
    const after = ok(await gql<{ letter: { diaryRegistration: Record<string, unknown> } }>(api.graphqlUrl, officer, query, { id: failing }));
    expect(after.letter.diaryRegistration).toMatchObject({ status: 'REGISTERED', number: expect.stringMatching(/^KS 2026\//), attempts: 2 });
    expect(ok(await gql<{ diaryFailures: unknown[] }>(api.graphqlUrl, admin, `{ diaryFailures { letterId } }`)).diaryFailures).toEqual([]);
    const again = await gql(api.graphqlUrl, admin, `mutation($id: ID!) { retryDiaryRegistration(letterId: $id) { status } }`, { id: failing });
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    expect(again.errors![0].message).toMatch(/only a FAILED registration can be retried/);

    // Another municipality's admin: nothing to see, nothing to change.
    expect(ok(await gql<{ diaryHooks: unknown[] }>(api.graphqlUrl, otherAdmin, `{ diaryHooks { id } }`)).diaryHooks).toEqual([]);
    expect(ok(await gql<{ diaryFailures: unknown[] }>(api.graphqlUrl, otherAdmin, `{ diaryFailures(includeRetrying: true) { letterId } }`)).diaryFailures).toEqual([]);
    expect(errorCode(await gql(api.graphqlUrl, otherAdmin, `mutation($id: ID!) { retryDiaryRegistration(letterId: $id) { status } }`, { id: failing }))).toBe('NOT_FOUND');
    expect(errorCode(await gql(api.graphqlUrl, otherAdmin, `mutation($id: ID!) { updateDiaryHook(id: $id, input: { enabled: false }) { hook { id } } }`, { id: hookId }))).toBe('NOT_FOUND');
    expect(errorCode(await gql(api.graphqlUrl, otherAdmin, `mutation($id: ID!) { deleteDiaryHook(id: $id) }`, { id: hookId }))).toBe('NOT_FOUND');
    expect(errorCode(await gql(api.graphqlUrl, otherAdmin, query, { id: registered }))).toBe('NOT_FOUND');
  });

  it('updates (rotating the secret once shown), deletes, and audits each change as the admin', async () => {
    const unchanged = ok(await gql<{ updateDiaryHook: { hook: Record<string, unknown>; secret: string | null } }>(
      api.graphqlUrl,
      admin,
      `mutation($id: ID!) { updateDiaryHook(id: $id, input: { name: "Diariet (Public 360)", includeRecipient: false }) { hook { ${HOOK_FIELDS} } secret } }`,
      { id: hookId },
    ));
    expect(unchanged.updateDiaryHook.secret).toBeNull();
    expect(unchanged.updateDiaryHook.hook).toMatchObject({ name: 'Diariet (Public 360)', includeRecipient: false, url: registryUrl });
    const rotated = ok(await gql<{ updateDiaryHook: { hook: { secretRotatedAt: string }; secret: string } }>(
      api.graphqlUrl,
      admin,
      `mutation($id: ID!) { updateDiaryHook(id: $id, input: { rotateSecret: true }) { hook { secretRotatedAt } secret } }`,
      { id: hookId },
    ));
    expect(rotated.updateDiaryHook.secret).toMatch(/^dhs_/);
    expect(rotated.updateDiaryHook.secret).not.toBe(registrySecret);
    expect(rotated.updateDiaryHook.hook.secretRotatedAt).not.toBeNull();
    expect(ok(await gql<{ deleteDiaryHook: boolean }>(api.graphqlUrl, admin, `mutation($id: ID!) { deleteDiaryHook(id: $id) }`, { id: hookId })).deleteDiaryHook).toBe(true);
    expect(ok(await gql<{ diaryHooks: unknown[] }>(api.graphqlUrl, admin, `{ diaryHooks { id } }`)).diaryHooks).toEqual([]);
    expect(errorCode(await gql(api.graphqlUrl, admin, `mutation($id: ID!) { deleteDiaryHook(id: $id) }`, { id: hookId }))).toBe('NOT_FOUND');

    const audit = await db.ownerQuery<{ actor: string; action: string; target: string }>(`select actor, action, target from audit_log where tenant_id = $1 order by seq`, [db.demo.tenantId]);
    expect(audit.map((a) => a.action)).toEqual(['diaryHook.create', 'diaryRegistration.retry', 'diaryHook.update', 'diaryHook.update', 'diaryHook.delete']);
    expect(new Set(audit.map((a) => a.actor))).toEqual(new Set(['demo-admin-app']));
    const all = JSON.stringify(await db.ownerQuery(`select detail from audit_log`));
    expect(all).not.toContain(registrySecret);
    expect(all).not.toContain(rotated.updateDiaryHook.secret);
  });
});
