import { createServer } from 'node:net';
import { generateKeyPair, SignJWT } from 'jose';
import { RunningOidcIssuer, startOidcIssuer } from '../../../apps/simulators/src/oidc/oidc-issuer';
import { AuthenticationError, AuthFailureReason } from './auth.errors';
import { TokenVerifier, tokenFromAuthorizationHeader } from './token-verifier';

const AUDIENCE = 'dispatch-hub-api';

async function issuerFor(name: string) {
  return startOidcIssuer({
    port: 0,
    issuerPath: `/realms/${name}`,
    audience: AUDIENCE,
    clients: [
      {
        clientId: 'demo-case-system',
        clientSecret: 'case-secret',
        tenant: 'demo-kommun',
        // Keycloak puts its own default roles next to ours; they must be ignored.
        roles: ['case-system', 'default-roles-dispatch-hub', 'offline_access'],
        sendingUnit: 'bygg-och-miljo',
      },
      { clientId: 'short-lived', clientSecret: 'short-secret', tenant: 'demo-kommun', roles: ['case-system'], accessTokenTtlSeconds: 1 },
    ],
  });
}

async function tokenFrom(issuer: RunningOidcIssuer, clientId: string, secret: string): Promise<string> {
  const res = await fetch(issuer.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const json = (await res.json()) as { access_token?: string };
  if (!json.access_token) throw new Error(`no token: ${JSON.stringify(json)}`);
  return json.access_token;
}

/** Runs `verify` and returns the AuthenticationError it must throw, checking the message never repeats the token. */
async function failure(verifier: TokenVerifier, token: string | undefined): Promise<AuthenticationError> {
  const err = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthenticationError);
  const authErr = err as AuthenticationError;
  expect(authErr.code).toBe('UNAUTHENTICATED');
  // The claims part is what would leak; a bare word like 'Bearer' is not worth checking.
  const secretPart = token?.split('.')[1] || token || '';
  if (secretPart.length >= 8) expect(authErr.message).not.toContain(secretPart);
  return authErr;
}

async function reason(verifier: TokenVerifier, token: string | undefined): Promise<AuthFailureReason> {
  return (await failure(verifier, token)).reason;
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function deadUrl(): Promise<string> {
  // A port that was free a moment ago and is closed now: connections are refused.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('TokenVerifier against a real OIDC issuer', () => {
  let issuer: RunningOidcIssuer;
  let otherIssuer: RunningOidcIssuer;
  let verifier: TokenVerifier;
  let goodToken: string;

  beforeAll(async () => {
    [issuer, otherIssuer] = await Promise.all([issuerFor('dispatch-hub'), issuerFor('someone-else')]);
    verifier = new TokenVerifier({ issuer: issuer.issuer, audience: AUDIENCE });
    goodToken = await tokenFrom(issuer, 'demo-case-system', 'case-secret');
  });

  afterAll(async () => {
    await Promise.all([issuer?.close(), otherIssuer?.close()]);
  });

  it('verifies a client-credentials token (keys found by discovery) and yields tenant, roles and sending unit', async () => {
    const principal = await verifier.verify(goodToken);
    expect(principal).toEqual({
      subject: 'demo-case-system',
      clientId: 'demo-case-system',
      tenantRef: 'demo-kommun',
      roles: ['case-system'],
      sendingUnitRef: 'bygg-och-miljo',
      tokenId: expect.any(String),
      expiresAt: expect.any(Date),
    });
    expect(principal.expiresAt.getTime()).toBeGreaterThan(Date.now());
    // An explicit JWKS URI works the same, and a "Bearer " prefix is tolerated.
    const direct = new TokenVerifier({ issuer: issuer.issuer, audience: AUDIENCE, jwksUri: issuer.jwksUri });
    expect((await direct.verify(`Bearer ${goodToken}`)).tenantRef).toBe('demo-kommun');
  });

  it('refuses a missing token', async () => {
    expect(await reason(verifier, undefined)).toBe('missing-token');
    expect(await reason(verifier, '')).toBe('missing-token');
    expect(await reason(verifier, 'Bearer ')).toBe('missing-token');
  });

  it('refuses garbage as malformed', async () => {
    expect(await reason(verifier, 'not-a-jwt')).toBe('malformed');
    expect(await reason(verifier, 'aaa.bbb.ccc')).toBe('malformed');
    expect(await reason(verifier, `${b64url({ alg: 'RS256' })}.bm90LWpzb24.c2ln`)).toBe('malformed');
    expect(await reason(verifier, 'a.b.c.d.e')).toBe('malformed');
  });

  it('refuses an expired token', async () => {
    const token = await tokenFrom(issuer, 'short-lived', 'short-secret');
    // The one wait in this suite: the issuer signs exp = iat + 1 s.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const err = await failure(verifier, token);
    expect(err.reason).toBe('expired');
    expect(err.message).toMatch(/expired at \d{4}-\d\d-\d\dT.*get a new one from http:\/\/127\.0\.0\.1/);
  });

  it('refuses a token for another audience', async () => {
    const elsewhere = new TokenVerifier({ issuer: issuer.issuer, audience: 'print-vendor-api' });
    const err = await failure(elsewhere, goodToken);
    expect(err.reason).toBe('wrong-audience');
    expect(err.message).toContain('"dispatch-hub-api", not for this API (print-vendor-api)');
  });

  it('refuses a token from another issuer (own keys) as wrong-issuer, before fetching any key', async () => {
    const foreign = await tokenFrom(otherIssuer, 'demo-case-system', 'case-secret');
    const err = await failure(verifier, foreign);
    expect(err.reason).toBe('wrong-issuer');
    expect(err.message).toContain(`was issued by "${otherIssuer.issuer}"; this API accepts tokens from ${issuer.issuer} only`);
  });

  it('refuses a token claiming our issuer but signed with another key as bad-signature', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const forge = (kid: string) =>
      new SignJWT({ organization: ['demo-kommun'], realm_access: { roles: ['platform-admin'] } })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(issuer.issuer)
        .setAudience(AUDIENCE)
        .setSubject('intruder')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
    const realKid = ((await (await fetch(issuer.jwksUri)).json()) as { keys: { kid: string }[] }).keys[0].kid;
    expect(await reason(verifier, await forge(realKid))).toBe('bad-signature');
    expect(await reason(verifier, await forge('unknown-kid'))).toBe('bad-signature');
  });

  it('refuses a genuine token whose claims were altered as bad-signature', async () => {
    const [header, payload, signature] = goodToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${header}.${b64url({ ...claims, realm_access: { roles: ['platform-admin'] } })}.${signature}`;
    expect(await reason(verifier, tampered)).toBe('bad-signature');
  });

  it('refuses alg "none" and HS256 tokens as algorithm', async () => {
    const claims = { iss: issuer.issuer, aud: AUDIENCE, sub: 'intruder', exp: Math.floor(Date.now() / 1000) + 300, realm_access: { roles: ['platform-admin'] } };
    const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
    expect(await reason(verifier, unsigned)).toBe('algorithm');

    const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('a-shared-secret-of-at-least-32-bytes!'));
    const err = await failure(verifier, hs256);
    expect(err.reason).toBe('algorithm');
    expect(err.message).toContain('signed with "HS256"; this API accepts RS256, PS256, ES256 only');
  });

  it('reports jwks-unavailable when neither the JWKS nor the discovery document can be fetched', async () => {
    const dead = await deadUrl();
    const noJwks = new TokenVerifier({ issuer: issuer.issuer, audience: AUDIENCE, jwksUri: `${dead}/certs` });
    expect(await reason(noJwks, goodToken)).toBe('jwks-unavailable');

    const { privateKey } = await generateKeyPair('RS256');
    const deadIssuer = `${dead}/realms/gone`;
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k' }).setIssuer(deadIssuer).setAudience(AUDIENCE).setSubject('s').setExpirationTime('5m').sign(privateKey);
    const noDiscovery = new TokenVerifier({ issuer: deadIssuer, audience: AUDIENCE });
    const err = await failure(noDiscovery, token);
    expect(err.reason).toBe('jwks-unavailable');
    expect(err.cause).toBeDefined();
  });

  it('refuses settings that cannot be safe or cannot work', () => {
    expect(() => new TokenVerifier({ issuer: issuer.issuer, audience: AUDIENCE, algorithms: ['RS256', 'HS256'] })).toThrow('refused: HS256');
    expect(() => new TokenVerifier({ issuer: 'not a url', audience: '' })).toThrow(/issuer must be an absolute URL.*audience must be set/);
  });
});

describe('tokenFromAuthorizationHeader', () => {
  it('takes the token from "Bearer <token>" in any case', () => {
    expect(tokenFromAuthorizationHeader('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(tokenFromAuthorizationHeader('bearer abc.def.ghi')).toBe('abc.def.ghi');
  });

  it('says what is wrong with other headers', () => {
    const reasonOf = (h: string | string[] | undefined) => {
      try {
        tokenFromAuthorizationHeader(h);
        return undefined;
      } catch (e) {
        return [(e as AuthenticationError).reason, (e as AuthenticationError).message];
      }
    };
    expect(reasonOf(undefined)?.[0]).toBe('missing-token');
    expect(reasonOf('  ')?.[0]).toBe('missing-token');
    expect(reasonOf('Basic ZGVtbzpkZW1v')).toEqual(['malformed', 'The Authorization header must be "Bearer <access token>" (got the Basic scheme).']);
    expect(reasonOf('Bearer a b')?.[0]).toBe('malformed');
    expect(reasonOf(['Bearer a', 'Bearer b'])?.[0]).toBe('malformed');
  });
});
