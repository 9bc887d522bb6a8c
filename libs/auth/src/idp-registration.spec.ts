/**
 * The registration client against the real local issuer (oidc-provider with RFC 7591/7592): it
 * registers a case system whose tokens carry the tenant, roles and sending unit, rotates the secret
 * (the old one is refused by the issuer), deletes the client, and names what went wrong otherwise.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { RunningOidcIssuer, startOidcIssuer } from '../../../apps/simulators/src/oidc/oidc-issuer';
import { IdpRegistrationClient, IdpRegistrationError } from './idp-registration';

const AUDIENCE = 'dispatch-hub-api';
const IAT = 'initial-access-token-for-the-tests';
const METADATA = {
  client_name: 'Bygglovssystemet',
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  token_endpoint_auth_method: 'client_secret_basic',
  organization: 'demo-kommun',
  roles: ['case-system'],
  sending_unit: 'bygg',
};

let issuer: RunningOidcIssuer;

beforeAll(async () => {
  issuer = await startOidcIssuer({ port: 0, issuerPath: '/realms/dispatch-hub', audience: AUDIENCE, clients: [], registration: { initialAccessToken: IAT } });
});

afterAll(() => issuer?.close());

const client = (overrides: Partial<ConstructorParameters<typeof IdpRegistrationClient>[0]> = {}) =>
  new IdpRegistrationClient({ issuer: issuer.issuer, initialAccessToken: async () => IAT, ...overrides });

async function token(clientId: string, secret: string): Promise<{ status: number; claims?: Record<string, unknown> }> {
  const res = await fetch(issuer.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await res.json()) as { access_token?: string };
  return { status: res.status, ...(body.access_token ? { claims: JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString()) as Record<string, unknown> } : {}) };
}

async function failure(p: Promise<unknown>): Promise<IdpRegistrationError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(IdpRegistrationError);
  return e as IdpRegistrationError;
}

describe('IdpRegistrationClient', () => {
  it('finds the registration and token endpoints by discovery and registers a client whose tokens carry its claims', async () => {
    const idp = client();
    expect(await idp.tokenEndpoint()).toBe(issuer.tokenEndpoint);
    const registered = await idp.register(METADATA);
    expect(registered).toMatchObject({
      clientId: expect.any(String),
      clientSecret: expect.any(String),
      registrationAccessToken: expect.any(String),
      registrationClientUri: `${issuer.registrationEndpoint}/${registered.clientId}`,
    });
    const t = await token(registered.clientId, registered.clientSecret);
    expect(t.status).toBe(200);
    expect(t.claims).toMatchObject({ sub: registered.clientId, aud: AUDIENCE, organization: ['demo-kommun'], realm_access: { roles: ['case-system'] }, sending_unit: 'bygg' });
  });

  it('rotates the secret: the new one works, the issuer refuses the old one, and the registration access token moves on', async () => {
    const idp = client();
    const registered = await idp.register(METADATA);
    const rotated = await idp.rotateSecret(registered.registrationClientUri, registered.registrationAccessToken);
    expect(rotated.clientId).toBe(registered.clientId);
    expect(rotated.clientSecret).not.toBe(registered.clientSecret);
    expect(rotated.registrationAccessToken).not.toBe(registered.registrationAccessToken);
    expect((await token(registered.clientId, registered.clientSecret)).status).toBe(401);
    expect((await token(registered.clientId, rotated.clientSecret)).status).toBe(200);
    // The claims stay as registered.
    expect((await token(registered.clientId, rotated.clientSecret)).claims).toMatchObject({ organization: ['demo-kommun'], sending_unit: 'bygg' });
    // The old registration access token no longer manages the client.
    const stale = await failure(idp.read(registered.registrationClientUri, registered.registrationAccessToken));
    expect(stale).toMatchObject({ kind: 'refused', status: 401, error: 'invalid_token' });
    // Twice in a row works with the token the last answer gave.
    const again = await idp.rotateSecret(rotated.registrationClientUri, rotated.registrationAccessToken);
    expect((await token(registered.clientId, again.clientSecret)).status).toBe(200);
  });

  it('deletes a client: the issuer gives it no more tokens', async () => {
    const idp = client();
    const registered = await idp.register(METADATA);
    expect(await idp.delete(registered.registrationClientUri, registered.registrationAccessToken)).toBe('deleted');
    expect((await token(registered.clientId, registered.clientSecret)).status).toBe(401);
    // Deleting again: the registration access token went with the client.
    const e = await failure(idp.delete(registered.registrationClientUri, registered.registrationAccessToken));
    expect(e).toMatchObject({ kind: 'refused', status: 401 });
  });

  it('says why a registration is refused: a wrong initial access token, metadata the issuer refuses, none configured', async () => {
    const wrong = await failure(client({ initialAccessToken: async () => 'not-the-token' }).register(METADATA));
    expect(wrong).toMatchObject({ kind: 'refused', status: 401, error: 'invalid_token' });
    expect(wrong.message).toMatch(/the identity provider refused to register the client \(HTTP 401, invalid_token/);

    const promoted = await failure(client().register({ ...METADATA, roles: ['tenant-admin'] }));
    expect(promoted).toMatchObject({ kind: 'refused', status: 400, error: 'invalid_client_metadata' });
    expect(promoted.message).toMatch(/"tenant-admin" cannot be given by registration/);

    const none = await failure(client({ initialAccessToken: async () => '' }).register(METADATA));
    expect(none.kind).toBe('configuration');
    expect(none.message).toMatch(/IDP_INITIAL_ACCESS_TOKEN/);
    const unreadable = await failure(client({ initialAccessToken: () => Promise.reject(new Error('ENOENT: /nowhere/token')) }).register(METADATA));
    expect(unreadable).toMatchObject({ kind: 'configuration', message: expect.stringMatching(/ENOENT: \/nowhere\/token/) });
  });

  it('needs a registration endpoint, an answering provider, and keeps the registration access token at the provider', async () => {
    // A provider whose discovery document has no registration_endpoint.
    const bare = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"issuer":"x","token_endpoint":"http://x/token"}'));
    try {
      const e = await failure(new IdpRegistrationClient({ issuer: bare.url, initialAccessToken: async () => IAT }).register(METADATA));
      expect(e.kind).toBe('configuration');
      expect(e.message).toMatch(/advertises no registration_endpoint.*IDP_REGISTRATION_URL/);
    } finally {
      await bare.close();
    }
    const closed = await serve(() => undefined);
    await closed.close();
    const down = await failure(new IdpRegistrationClient({ issuer: closed.url, registrationUrl: `${closed.url}/reg`, initialAccessToken: async () => IAT, timeoutMs: 2000 }).register(METADATA));
    expect(down.kind).toBe('unreachable');
    expect(down.message).toMatch(/could not register the client at the identity provider/);

    const elsewhere = await failure(client().read('https://attacker.example/clients/1', 'a-registration-access-token'));
    expect(elsewhere.message).toMatch(/not at the identity provider's registration endpoint/);
  });
});

async function serve(handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
