/**
 * API clients through the GraphQL API over real HTTP: a fresh database, the local OIDC issuer as the
 * identity provider (RFC 7591/7592 behind an initial access token), the API in process. A tenant
 * admin registers a case system (the client really exists at the issuer, and its token works
 * against the API), rotates its secret (the issuer refuses the old one), revokes it (the hub refuses
 * its tokens within the cache time, the issuer gives no more); every change is audited without
 * secrets; other roles and other municipalities get nothing.
 */
import { KeyVault } from '@hub/keys';
import { OidcClientSeed, RunningOidcIssuer, startOidcIssuer } from '../../../../apps/simulators/src/oidc/oidc-issuer';
import { AUDIENCE, CLIENTS, createTestDatabase, errorCode, getToken, gql, ok, RunningApi, startApi, TEST_MASTER_KEY, testConfig, TestDatabase } from '../../../../test/support/api-helpers';
import { registrationTokenContext } from './api-client.service';

jest.setTimeout(90_000);

const IAT = 'the-initial-access-token-of-these-tests';
const OTHER_ADMIN: OidcClientSeed = { clientId: 'annan-admin-app', clientSecret: 'test-secret-0123456789', tenant: 'annan-kommun', roles: ['tenant-admin'] };

let db: TestDatabase;
let issuer: RunningOidcIssuer;
let api: RunningApi;
const tokens: Record<'admin' | 'officer' | 'caseSystem' | 'otherAdmin', string> = {} as never;

beforeAll(async () => {
  db = await createTestDatabase('api-clients-api');
  issuer = await startOidcIssuer({ port: 0, issuerPath: '/realms/dispatch-hub', audience: AUDIENCE, clients: [...Object.values(CLIENTS), OTHER_ADMIN], registration: { initialAccessToken: IAT } });
  api = await startApi(testConfig(db, issuer, { IDP_INITIAL_ACCESS_TOKEN: IAT }), { reachability: null });
  tokens.admin = await getToken(issuer, 'demoAdmin');
  tokens.officer = await getToken(issuer, 'demoOfficer');
  tokens.caseSystem = await getToken(issuer, 'demoCaseSystem');
  tokens.otherAdmin = await getToken(issuer, OTHER_ADMIN);
});

afterAll(async () => {
  await api?.close();
  await issuer?.close();
  await db?.drop();
});

const FIELDS = 'id name clientId sendingUnit sendingUnitName createdAt createdBy secretRotatedAt revokedAt revokedBy managed identityProviderRemovedAt identityProviderError';
const LIST = `query($all: Boolean) { apiClients(includeRevoked: $all) { ${FIELDS} } }`;
const CREATE = `mutation($name: String!, $unit: String) { createApiClient(name: $name, sendingUnit: $unit) { clientId clientSecret tokenEndpoint apiClient { ${FIELDS} } } }`;
const ROTATE = `mutation($id: ID!) { rotateApiClientSecret(id: $id) { clientId clientSecret apiClient { ${FIELDS} } } }`;
const REVOKE = `mutation($id: ID!) { revokeApiClient(id: $id) { ${FIELDS} } }`;
const CASE_TYPES = '{ caseTypes { code } }';

interface ApiClientData {
  id: string;
  name: string;
  clientId: string;
  sendingUnit: string | null;
  sendingUnitName: string | null;
  createdBy: string | null;
  secretRotatedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  managed: boolean;
  identityProviderRemovedAt: string | null;
  identityProviderError: string | null;
}
interface Credentials {
  clientId: string;
  clientSecret: string;
  tokenEndpoint: string | null;
  apiClient: ApiClientData;
}

const create = async (name: string, unit?: string, token = tokens.admin) => ok(await gql<{ createApiClient: Credentials }>(api.graphqlUrl, token, CREATE, { name, unit })).createApiClient;

/** What the issuer answers a client-credentials request with these credentials. */
async function tokenRequest(clientId: string, clientSecret: string): Promise<{ status: number; accessToken?: string; error?: string }> {
  const res = await fetch(issuer.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await res.json()) as { access_token?: string; error?: string };
  return { status: res.status, accessToken: body.access_token, error: body.error };
}

const audit = (target: string) =>
  db.ownerQuery<{ actor: string; action: string; detail: Record<string, unknown> }>(`select actor, action, detail from audit_log where target = $1 order by seq`, [target]);

describe('API clients (tenant admins)', () => {
  it('registers a case system at the identity provider: its id and secret once, a token that works against the API, bound to the sending unit', async () => {
    const created = await create('Bygglovssystemet', 'bygg');
    expect(created.tokenEndpoint).toBe(issuer.tokenEndpoint);
    expect(created.apiClient).toMatchObject({
      name: 'Bygglovssystemet',
      clientId: created.clientId,
      sendingUnit: 'bygg',
      sendingUnitName: expect.any(String),
      createdBy: CLIENTS.demoAdmin.clientId,
      managed: true,
      revokedAt: null,
      secretRotatedAt: null,
    });
    const t = await tokenRequest(created.clientId, created.clientSecret);
    expect(t.status).toBe(200);
    const claims = JSON.parse(Buffer.from(t.accessToken!.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ organization: ['demo-kommun'], realm_access: { roles: ['case-system'] }, sending_unit: 'bygg' });
    expect(ok(await gql<{ caseTypes: unknown[] }>(api.graphqlUrl, t.accessToken, CASE_TYPES)).caseTypes).toEqual(expect.any(Array));

    // The hub keeps the registration access token encrypted, bound to the row; never the secret.
    const [row] = await db.ownerQuery<{ registration_token_ciphertext: Buffer; registration_client_uri: string; sending_unit_id: string }>(
      `select registration_token_ciphertext, registration_client_uri, sending_unit_id from api_client where id = $1`,
      [created.apiClient.id],
    );
    expect(row.registration_client_uri).toBe(`${issuer.registrationEndpoint}/${created.clientId}`);
    const registrationToken = new KeyVault(TEST_MASTER_KEY).decrypt(row.registration_token_ciphertext, registrationTokenContext(created.apiClient.id)).toString();
    const read = await fetch(row.registration_client_uri, { headers: { authorization: `Bearer ${registrationToken}` } });
    expect(read.status).toBe(200);
    expect(row.registration_token_ciphertext.toString('latin1')).not.toContain(registrationToken);

    const listed = await gql<{ apiClients: ApiClientData[] }>(api.graphqlUrl, tokens.admin, LIST);
    expect(ok(listed).apiClients).toEqual(expect.arrayContaining([expect.objectContaining({ id: created.apiClient.id, managed: true })]));
    // The demo's hand-registered client is listed too, as not managed by the hub.
    expect(ok(listed).apiClients).toEqual(expect.arrayContaining([expect.objectContaining({ clientId: 'demo-case-system', managed: false, createdBy: null })]));
    expect(JSON.stringify(listed)).not.toContain(created.clientSecret);

    const entries = await audit(`apiClient:${created.apiClient.id}`);
    expect(entries).toEqual([
      {
        actor: CLIENTS.demoAdmin.clientId,
        action: 'apiClient.create',
        detail: { name: 'Bygglovssystemet', clientId: created.clientId, sendingUnit: 'bygg', roles: ['case-system'], identityProvider: new URL(issuer.issuer).origin },
      },
    ]);
    expect(JSON.stringify(entries)).not.toContain(created.clientSecret);
    expect(JSON.stringify(entries)).not.toContain(registrationToken);
  });

  it('rotates the secret: the issuer refuses the old one, the new one works, and the hub keeps managing the client', async () => {
    const created = await create('Skolsystemet');
    expect(created.apiClient.sendingUnit).toBeNull();
    const rotated = ok(await gql<{ rotateApiClientSecret: Credentials }>(api.graphqlUrl, tokens.admin, ROTATE, { id: created.apiClient.id })).rotateApiClientSecret;
    expect(rotated.clientId).toBe(created.clientId);
    expect(rotated.clientSecret).not.toBe(created.clientSecret);
    expect(rotated.apiClient.secretRotatedAt).not.toBeNull();
    expect(await tokenRequest(created.clientId, created.clientSecret)).toMatchObject({ status: 401, error: 'invalid_client' });
    expect((await tokenRequest(created.clientId, rotated.clientSecret)).status).toBe(200);

    // Again: the registration access token the issuer rotated was stored.
    const again = ok(await gql<{ rotateApiClientSecret: Credentials }>(api.graphqlUrl, tokens.admin, ROTATE, { id: created.apiClient.id })).rotateApiClientSecret;
    expect((await tokenRequest(created.clientId, rotated.clientSecret)).status).toBe(401);
    expect((await tokenRequest(created.clientId, again.clientSecret)).status).toBe(200);

    const entries = await audit(`apiClient:${created.apiClient.id}`);
    expect(entries.map((e) => e.action)).toEqual(['apiClient.create', 'apiClient.rotateSecret', 'apiClient.rotateSecret']);
    expect(JSON.stringify(entries)).not.toContain(rotated.clientSecret);
  });

  it('revokes: removed at the issuer at once, and the API refuses a token issued before at once', async () => {
    const created = await create('Socialtjänstens system', 'social');
    const before = (await tokenRequest(created.clientId, created.clientSecret)).accessToken!;
    expect(ok(await gql(api.graphqlUrl, before, CASE_TYPES))).toBeTruthy();

    const revoked = ok(await gql<{ revokeApiClient: ApiClientData }>(api.graphqlUrl, tokens.admin, REVOKE, { id: created.apiClient.id })).revokeApiClient;
    expect(revoked).toMatchObject({ revokedBy: CLIENTS.demoAdmin.clientId, identityProviderRemovedAt: expect.any(String), identityProviderError: null });
    expect(await tokenRequest(created.clientId, created.clientSecret)).toMatchObject({ status: 401, error: 'invalid_client' });

    // The API process that revoked it refuses the client's token at once (others within their 30 s cache).
    expect(errorCode(await gql(api.graphqlUrl, before, CASE_TYPES))).toBe('FORBIDDEN');

    expect(errorCode(await gql(api.graphqlUrl, tokens.admin, ROTATE, { id: created.apiClient.id }))).toBe('BAD_USER_INPUT');
    // Revoking again changes nothing.
    expect(ok(await gql<{ revokeApiClient: ApiClientData }>(api.graphqlUrl, tokens.admin, REVOKE, { id: created.apiClient.id })).revokeApiClient.revokedAt).toBe(revoked.revokedAt);
    expect((await audit(`apiClient:${created.apiClient.id}`)).map((e) => [e.action, e.detail.outcome])).toEqual([
      ['apiClient.create', undefined],
      ['apiClient.revoke', undefined],
      ['apiClient.removeAtIdentityProvider', 'deleted'],
    ]);
    const active = ok(await gql<{ apiClients: ApiClientData[] }>(api.graphqlUrl, tokens.admin, LIST, { all: false })).apiClients;
    expect(active.map((c) => c.id)).not.toContain(created.apiClient.id);
  });

  it('revokes in the hub even when the identity provider cannot remove the client, and says so', async () => {
    const created = await create('Gamla ärendesystemet');
    // Someone removed the registration at the identity provider by hand: its registration access token went with it.
    const [row] = await db.ownerQuery<{ registration_token_ciphertext: Buffer; registration_client_uri: string }>(
      `select registration_token_ciphertext, registration_client_uri from api_client where id = $1`,
      [created.apiClient.id],
    );
    const registrationToken = new KeyVault(TEST_MASTER_KEY).decrypt(row.registration_token_ciphertext, registrationTokenContext(created.apiClient.id)).toString();
    expect((await fetch(row.registration_client_uri, { method: 'DELETE', headers: { authorization: `Bearer ${registrationToken}` } })).status).toBe(204);

    const revoked = ok(await gql<{ revokeApiClient: ApiClientData }>(api.graphqlUrl, tokens.admin, REVOKE, { id: created.apiClient.id })).revokeApiClient;
    expect(revoked.revokedAt).not.toBeNull();
    expect(revoked.identityProviderRemovedAt).toBeNull();
    expect(revoked.identityProviderError).toMatch(/refused to delete the client registration \(HTTP 401/);
    const entries = await audit(`apiClient:${created.apiClient.id}`);
    expect(entries.map((e) => [e.action, e.detail.outcome])).toEqual([
      ['apiClient.create', undefined],
      ['apiClient.revoke', undefined],
      ['apiClient.removeAtIdentityProvider', 'failed'],
    ]);
  });

  it('refuses bad input with the field that is wrong, and rotating a client registered by hand', async () => {
    const empty = await gql(api.graphqlUrl, tokens.admin, CREATE, { name: '  ', unit: 'ingen-sadan' });
    expect(errorCode(empty)).toBe('VALIDATION_FAILED');
    expect(empty.errors![0].extensions!.fields!.map((f) => [f.path, f.rule])).toEqual([
      ['name', 'required'],
      ['sendingUnit', 'unknown'],
    ]);
    expect(empty.errors![0].message).toMatch(/"ingen-sadan" is not a sending unit of your municipality; choose one of: bygg, social/);
    expect(errorCode(await gql(api.graphqlUrl, tokens.admin, CREATE, { name: 'x'.repeat(101) }))).toBe('VALIDATION_FAILED');
    await create('Dubbletten');
    const twice = await gql(api.graphqlUrl, tokens.admin, CREATE, { name: 'dubbletten' });
    expect(twice.errors![0].extensions!.fields).toEqual([expect.objectContaining({ path: 'name', rule: 'unique' })]);

    const demo = ok(await gql<{ apiClients: ApiClientData[] }>(api.graphqlUrl, tokens.admin, LIST)).apiClients.find((c) => c.clientId === 'demo-case-system')!;
    const rotate = await gql(api.graphqlUrl, tokens.admin, ROTATE, { id: demo.id });
    expect(errorCode(rotate)).toBe('BAD_USER_INPUT');
    expect(rotate.errors![0].message).toMatch(/registered at the identity provider by hand.*rotate its secret there/);
    expect(errorCode(await gql(api.graphqlUrl, tokens.admin, ROTATE, { id: 'not-an-id' }))).toBe('NOT_FOUND');
  });

  it('is for tenant admins only, and one municipality never sees or changes another\'s clients', async () => {
    const created = await create('Miljösystemet');
    for (const token of [tokens.officer, tokens.caseSystem]) {
      for (const [query, variables] of [
        [LIST, {}],
        [CREATE, { name: 'Intrång' }],
        [ROTATE, { id: created.apiClient.id }],
        [REVOKE, { id: created.apiClient.id }],
      ] as [string, Record<string, unknown>][]) {
        expect(errorCode(await gql(api.graphqlUrl, token, query, variables))).toBe('FORBIDDEN');
      }
    }
    const other = ok(await gql<{ apiClients: ApiClientData[] }>(api.graphqlUrl, tokens.otherAdmin, LIST)).apiClients;
    expect(other.map((c) => c.clientId)).toEqual(['annan-case-system']);
    expect(errorCode(await gql(api.graphqlUrl, tokens.otherAdmin, ROTATE, { id: created.apiClient.id }))).toBe('NOT_FOUND');
    expect(errorCode(await gql(api.graphqlUrl, tokens.otherAdmin, REVOKE, { id: created.apiClient.id }))).toBe('NOT_FOUND');
    // Another municipality's admin registers its own client for its own tenant.
    const theirs = await create('Annans system', 'bygg', tokens.otherAdmin);
    const t = await tokenRequest(theirs.clientId, theirs.clientSecret);
    expect(JSON.parse(Buffer.from(t.accessToken!.split('.')[1], 'base64url').toString())).toMatchObject({ organization: ['annan-kommun'] });
    expect((await db.ownerQuery<{ alias: string }>(`select t.alias from api_client c join tenant t on t.id = c.tenant_id where c.id = $1`, [theirs.apiClient.id]))[0].alias).toBe('annan-kommun');
  });

  it('creates nothing when the identity provider refuses the registration', async () => {
    const wrong = await startApi(testConfig(db, issuer, { IDP_INITIAL_ACCESS_TOKEN: 'not-the-initial-access-token' }), { reachability: null });
    try {
      const r = await gql(wrong.graphqlUrl, tokens.admin, CREATE, { name: 'Avvisad' });
      expect(errorCode(r)).toBe('UPSTREAM_UNAVAILABLE');
      expect(r.errors![0].message).toMatch(/The identity provider did not register the API client: the identity provider refused to register the client \(HTTP 401, invalid_token/);
      expect(r.errors![0].extensions).toMatchObject({ identityProvider: { kind: 'refused', status: 401, error: 'invalid_token' } });
    } finally {
      await wrong.close();
    }
    expect(await db.ownerQuery(`select 1 from api_client where name = 'Avvisad'`)).toEqual([]);
  });
});
