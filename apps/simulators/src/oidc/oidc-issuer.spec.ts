import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, JSONWebKeySet, jwtVerify } from 'jose';
import { OidcIssuerOptions, RunningOidcIssuer, startOidcIssuer } from './oidc-issuer';

const AUDIENCE = 'dispatch-hub-api';
const CONSOLE_REDIRECT = 'http://localhost:3000/callback';

const options = (keysFile: string): OidcIssuerOptions => ({
  host: '127.0.0.1',
  port: 0,
  issuerPath: '/realms/dispatch-hub',
  keysFile,
  audience: AUDIENCE,
  clients: [
    { clientId: 'demo-case-system', clientSecret: 'case-secret', tenant: 'demo-kommun', roles: ['case-system'], sendingUnit: 'bygg-och-miljo' },
    { clientId: 'short-lived', clientSecret: 'short-secret', tenant: 'demo-kommun', roles: ['case-system'], accessTokenTtlSeconds: 1 },
    { clientId: 'dispatch-hub-console', clientSecret: '', roles: [], redirectUris: [CONSOLE_REDIRECT] },
  ],
  users: [{ username: 'handlaggare', password: 'demo', name: 'Hanna Handläggare', tenant: 'demo-kommun', roles: ['case-officer'], sendingUnit: 'bygg-och-miljo' }],
});

async function clientCredentials(issuer: RunningOidcIssuer, auth: 'basic' | 'post', clientId: string, secret: string, extra: Record<string, string> = {}) {
  const body = new URLSearchParams({ grant_type: 'client_credentials', ...extra });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth === 'basic') headers.authorization = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
  else {
    body.set('client_id', clientId);
    body.set('client_secret', secret);
  }
  const res = await fetch(issuer.tokenEndpoint, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as Record<string, string | number> };
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('local OIDC issuer', () => {
  let dir: string;
  let keysFile: string;
  let issuer: RunningOidcIssuer;
  let jwks: JSONWebKeySet;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oidc-issuer-'));
    keysFile = join(dir, 'keys', 'oidc-jwks.json');
    issuer = await startOidcIssuer(options(keysFile));
    jwks = (await (await fetch(issuer.jwksUri)).json()) as JSONWebKeySet;
  });

  afterAll(async () => {
    await issuer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes Keycloak-shaped discovery metadata and only public keys', async () => {
    expect(issuer.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/realms\/dispatch-hub$/);
    const discovery = (await (await fetch(`${issuer.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: issuer.issuer,
      jwks_uri: `${issuer.issuer}/protocol/openid-connect/certs`,
      token_endpoint: `${issuer.issuer}/protocol/openid-connect/token`,
      authorization_endpoint: `${issuer.issuer}/protocol/openid-connect/auth`,
      code_challenge_methods_supported: ['S256'],
    });
    expect(discovery.grant_types_supported).toEqual(expect.arrayContaining(['client_credentials', 'authorization_code']));
    expect(discovery.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwks.keys[0]).not.toHaveProperty(privatePart);
  });

  it('keeps its private key in a 0600 file and reuses it after a restart', async () => {
    expect(statSync(keysFile).mode & 0o777).toBe(0o600);
    const again = await startOidcIssuer(options(keysFile));
    try {
      const keys = (await (await fetch(again.jwksUri)).json()) as JSONWebKeySet;
      expect(keys.keys[0].kid).toBe(jwks.keys[0].kid);
      expect(keys.keys[0].n).toBe(jwks.keys[0].n);
    } finally {
      await again.close();
    }
  });

  it('issues RS256 JWT access tokens for client credentials with tenant, roles and sending unit', async () => {
    const { status, json } = await clientCredentials(issuer, 'basic', 'demo-case-system', 'case-secret');
    expect(status).toBe(200);
    expect(json).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    const token = String(json.access_token);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: jwks.keys[0].kid });

    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: issuer.issuer, audience: AUDIENCE, algorithms: ['RS256'] });
    expect(payload).toMatchObject({
      iss: issuer.issuer,
      aud: AUDIENCE,
      sub: 'demo-case-system',
      azp: 'demo-case-system',
      client_id: 'demo-case-system',
      organization: ['demo-kommun'],
      realm_access: { roles: ['case-system'] },
      sending_unit: 'bygg-och-miljo',
      jti: expect.any(String),
    });
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it('accepts client_secret_post as well as client_secret_basic, and refuses a wrong secret', async () => {
    const post = await clientCredentials(issuer, 'post', 'demo-case-system', 'case-secret');
    expect(post.status).toBe(200);
    expect(claimsOf(String(post.json.access_token))).toMatchObject({ sub: 'demo-case-system', aud: AUDIENCE });

    const wrong = await clientCredentials(issuer, 'basic', 'demo-case-system', 'not-the-secret');
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toBe('invalid_client');
  });

  it('honours a per-client access token lifetime', async () => {
    const { status, json } = await clientCredentials(issuer, 'basic', 'short-lived', 'short-secret');
    expect(status).toBe(200);
    expect(json.expires_in).toBe(1);
    const claims = claimsOf(String(json.access_token));
    expect(Number(claims.exp) - Number(claims.iat)).toBe(1);
  });

  it('refuses resources other than the API and client credentials for the public console client', async () => {
    const other = await clientCredentials(issuer, 'basic', 'demo-case-system', 'case-secret', { resource: 'https://elsewhere.example/api' });
    expect(other.status).toBe(400);
    expect(other.json.error).toBe('invalid_target');

    const res = await fetch(issuer.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'dispatch-hub-console' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request', error_description: 'requested grant type is not allowed for this client' });
  });

  it('logs a user in with authorization code + PKCE and issues a user access token', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authorize = new URL(issuer.authorizationEndpoint);
    authorize.search = new URLSearchParams({
      client_id: 'dispatch-hub-console',
      response_type: 'code',
      redirect_uri: CONSOLE_REDIRECT,
      scope: 'openid profile',
      state: 'state-123',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();

    const browser = new Browser();
    let res = await browser.get(authorize.href);
    const loginUrl = res.location;
    expect(loginUrl).toContain('/realms/dispatch-hub/interaction/');
    res = await browser.get(loginUrl);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<form method="post"');

    res = await browser.post(loginUrl, { username: 'handlaggare', password: 'wrong' });
    expect(res.status).toBe(401);
    expect(res.body).toContain('wrong password');

    res = await browser.post(loginUrl, { username: 'handlaggare', password: 'demo' });
    // Follow the provider's redirects (resume, automatic consent) until it sends the browser back to the console.
    for (let hops = 0; !res.location.startsWith(CONSOLE_REDIRECT); hops++) {
      expect(hops).toBeLessThan(10);
      expect(res.status).toBe(303);
      res = await browser.get(res.location);
    }
    const callback = new URL(res.location);
    expect(callback.searchParams.get('state')).toBe('state-123');
    const code = callback.searchParams.get('code');
    expect(code).toBeTruthy();

    const tokenRes = await fetch(issuer.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: code!, redirect_uri: CONSOLE_REDIRECT, client_id: 'dispatch-hub-console', code_verifier: verifier }),
    });
    const tokens = (await tokenRes.json()) as Record<string, string>;
    expect(tokenRes.status).toBe(200);
    const { payload } = await jwtVerify(tokens.access_token, createLocalJWKSet(jwks), { issuer: issuer.issuer, audience: AUDIENCE });
    expect(payload).toMatchObject({
      sub: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      azp: 'dispatch-hub-console',
      preferred_username: 'handlaggare',
      organization: ['demo-kommun'],
      realm_access: { roles: ['case-officer'] },
      sending_unit: 'bygg-och-miljo',
    });
    expect(claimsOf(tokens.id_token)).toMatchObject({ sub: payload.sub, aud: 'dispatch-hub-console', name: 'Hanna Handläggare' });
  });

  it('answers a stale or forged login page with a client error, not a crash', async () => {
    const res = await fetch(`${issuer.issuer}/interaction/no-such-interaction`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('start again from the application');
  });

  describe('dynamic client registration (RFC 7591) and management (RFC 7592)', () => {
    const HUB_CLIENT = {
      client_name: 'Bygglovssystemet',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      organization: 'demo-kommun',
      roles: ['case-system'],
      sending_unit: 'bygg',
    };
    type Registered = Record<string, unknown> & { client_id: string; client_secret: string; registration_access_token: string; registration_client_uri: string };

    const register = (metadata: Record<string, unknown>, token: string | null = issuer.initialAccessToken) =>
      fetch(issuer.registrationEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(metadata),
      });
    const manage = (c: Registered, method: 'GET' | 'PUT' | 'DELETE', body?: unknown, token = c.registration_access_token) =>
      fetch(c.registration_client_uri, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    /** The client's metadata as an RFC 7592 update sends it back (without the server-managed fields). */
    const updateBody = (c: Registered) =>
      Object.fromEntries(Object.entries(c).filter(([k]) => !['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at', 'client_secret'].includes(k)));

    it('advertises Keycloak\'s registration endpoint and keeps a generated initial access token in a 0600 file', async () => {
      const discovery = (await (await fetch(`${issuer.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(discovery.registration_endpoint).toBe(`${issuer.issuer}/clients-registrations/openid-connect`);
      expect(issuer.registrationEndpoint).toBe(discovery.registration_endpoint);
      const file = join(dir, 'keys', 'oidc-initial-access-token');
      expect(readFileSync(file, 'utf8').trim()).toBe(issuer.initialAccessToken);
      expect(issuer.initialAccessToken.length).toBeGreaterThanOrEqual(32);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const again = await startOidcIssuer(options(keysFile));
      try {
        expect(again.initialAccessToken).toBe(issuer.initialAccessToken);
      } finally {
        await again.close();
      }
    });

    it('registers only with the initial access token', async () => {
      for (const token of [null, 'not-the-initial-access-token', 'demo-case-system']) {
        const res = await register(HUB_CLIENT, token);
        expect(res.status).toBe(401);
        expect(((await res.json()) as { error: string }).error).toBe('invalid_token');
      }
    });

    it('registers a client whose tokens carry the tenant, the roles and the sending unit it was registered with', async () => {
      const res = await register(HUB_CLIENT);
      expect(res.status).toBe(201);
      const c = (await res.json()) as Registered;
      expect(c).toMatchObject({
        client_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        client_secret: expect.any(String),
        registration_access_token: expect.any(String),
        registration_client_uri: `${issuer.registrationEndpoint}/${c.client_id}`,
        organization: 'demo-kommun',
        roles: ['case-system'],
        sending_unit: 'bygg',
      });
      const { status, json } = await clientCredentials(issuer, 'basic', c.client_id, c.client_secret);
      expect(status).toBe(200);
      const { payload } = await jwtVerify(String(json.access_token), createLocalJWKSet(jwks), { issuer: issuer.issuer, audience: AUDIENCE });
      expect(payload).toMatchObject({
        sub: c.client_id,
        azp: c.client_id,
        preferred_username: `service-account-${c.client_id}`,
        organization: ['demo-kommun'],
        realm_access: { roles: ['case-system'] },
        sending_unit: 'bygg',
      });
    });

    it('refuses roles a registration may not give, and claims without a tenant', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ ...HUB_CLIENT, roles: ['case-system', 'tenant-admin'] }, /"tenant-admin" cannot be given by registration; allowed: case-system/],
        [{ ...HUB_CLIENT, roles: ['platform-admin'] }, /"platform-admin" cannot be given/],
        [{ ...HUB_CLIENT, organization: undefined }, /organization is required with roles or sending_unit/],
        [{ ...HUB_CLIENT, organization: 'Demo Kommun' }, /organization must be a tenant alias/],
        [{ ...HUB_CLIENT, sending_unit: 'Bygg och miljö' }, /sending_unit must be a sending unit code/],
      ];
      for (const [metadata, message] of cases) {
        const res = await register(metadata);
        expect(res.status).toBe(400);
        const body = (await res.json()) as { error: string; error_description: string };
        expect(body.error).toBe('invalid_client_metadata');
        expect(body.error_description).toMatch(message);
      }
    });

    it('rotates the secret on an update (the old one is refused), rotates the registration access token, keeps the claims fixed and deletes', async () => {
      const c = (await (await register(HUB_CLIENT)).json()) as Registered;
      const read = await manage(c, 'GET');
      expect(read.status).toBe(200);
      const current = (await read.json()) as Registered;
      expect(current).toMatchObject({ client_id: c.client_id, organization: 'demo-kommun', roles: ['case-system'], sending_unit: 'bygg' });

      const moved = await manage(c, 'PUT', { ...updateBody(current), organization: 'annan-kommun' });
      expect(moved.status).toBe(400);
      expect(((await moved.json()) as { error_description: string }).error_description).toMatch(/organization is set when the client is registered and cannot be changed/);
      const promoted = await manage(c, 'PUT', { ...updateBody(current), roles: ['case-system', 'tenant-admin'] });
      expect(promoted.status).toBe(400);

      const res = await manage(c, 'PUT', updateBody(current));
      expect(res.status).toBe(200);
      const updated = (await res.json()) as Registered;
      expect(updated.client_secret).not.toBe(c.client_secret);
      expect(updated.registration_access_token).not.toBe(c.registration_access_token);
      expect((await clientCredentials(issuer, 'basic', c.client_id, c.client_secret)).status).toBe(401);
      expect((await clientCredentials(issuer, 'basic', c.client_id, updated.client_secret)).status).toBe(200);
      expect((await manage(c, 'GET')).status).toBe(401);

      expect((await manage(updated, 'DELETE')).status).toBe(204);
      const gone = await clientCredentials(issuer, 'basic', c.client_id, updated.client_secret);
      expect(gone.status).toBe(401);
      expect(gone.json.error).toBe('invalid_client');
    });

    it('keeps registered clients across restarts in a clientsFile', async () => {
      const clientsFile = join(dir, 'registered-clients.json');
      const withFile = { ...options(keysFile), registration: { clientsFile, initialAccessToken: 'a-fixed-initial-access-token' } };
      const first = await startOidcIssuer(withFile);
      let c: Registered;
      try {
        expect(first.initialAccessToken).toBe('a-fixed-initial-access-token');
        const res = await fetch(first.registrationEndpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer a-fixed-initial-access-token' },
          body: JSON.stringify(HUB_CLIENT),
        });
        expect(res.status).toBe(201);
        c = (await res.json()) as Registered;
      } finally {
        await first.close();
      }
      expect(statSync(clientsFile).mode & 0o777).toBe(0o600);
      const second = await startOidcIssuer(withFile);
      try {
        expect((await clientCredentials(second, 'basic', c.client_id, c.client_secret)).status).toBe(200);
        const read = await fetch(`${second.registrationEndpoint}/${c.client_id}`, { headers: { authorization: `Bearer ${c.registration_access_token}` } });
        expect(read.status).toBe(200);
      } finally {
        await second.close();
      }
    });
  });

  it('refuses impossible seeds at start', async () => {
    await expect(
      startOidcIssuer({ port: 0, audience: AUDIENCE, clients: [{ clientId: 'spa', clientSecret: '', roles: [] }] }),
    ).rejects.toThrow('client spa is public');
  });
});

/** Just enough of a browser for the login round trip: manual redirects and a cookie jar. */
class Browser {
  private readonly cookies = new Map<string, string>();

  get(url: string) {
    return this.send(url, { method: 'GET' });
  }

  post(url: string, form: Record<string, string>) {
    return this.send(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  }

  private async send(url: string, init: RequestInit) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), value);
    }
    const location = res.headers.get('location');
    return { status: res.status, location: location ? new URL(location, url).href : '', body: await res.text() };
  }
}
