import { createHash, generateKeyPairSync, JsonWebKey, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import {
  CLAIM_METADATA,
  claimMetadataValidator,
  claimsOfRegisteredClient,
  claimsPolicy,
  DEFAULT_ALLOWED_ROLES,
  loadOrCreateInitialAccessToken,
  newClientSecret,
  OidcRegistrationOptions,
  REGISTRATION_POLICY,
} from './client-registration';

export type { OidcRegistrationOptions } from './client-registration';

/** A machine client of the issuer, shaped like a Keycloak client with a service account. */
export interface OidcClientSeed {
  clientId: string;
  /** `''` makes a public client (authorization code + PKCE only, no client credentials). */
  clientSecret: string;
  /** Tenant alias, emitted like Keycloak Organizations: `organization: [alias]`. */
  tenant?: string;
  /** Emitted as `realm_access.roles`. */
  roles: string[];
  /** Emitted as the claim `sending_unit`. */
  sendingUnit?: string;
  /** Enables authorization code + PKCE for this client. */
  redirectUris?: string[];
  /** Overrides the issuer's access token lifetime for this client's tokens (e.g. 1 to test expiry). */
  accessTokenTtlSeconds?: number;
}

/** A person who can log in through the issuer's login form (authorization code + PKCE). */
export interface OidcUserSeed {
  username: string;
  password: string;
  name: string;
  tenant?: string;
  roles: string[];
  sendingUnit?: string;
}

export interface OidcIssuerOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** e.g. `/realms/dispatch-hub`, so that URLs look like Keycloak's. */
  issuerPath?: string;
  /** Signing keys are kept here (mode 0600) so that restarts keep tokens verifiable; generated on first start. */
  keysFile?: string;
  /** The `aud` of every access token, e.g. `dispatch-hub-api`. */
  audience: string;
  /** Default 300 (Keycloak's default). */
  accessTokenTtlSeconds?: number;
  clients: OidcClientSeed[];
  users?: OidcUserSeed[];
  /**
   * Dynamic client registration (RFC 7591) and management (RFC 7592), protected by an initial
   * access token: always on; these options name the token, the roles a registration may give and
   * where registered clients are kept.
   */
  registration?: OidcRegistrationOptions;
}

export interface RunningOidcIssuer {
  issuer: string;
  discoveryUrl: string;
  jwksUri: string;
  tokenEndpoint: string;
  authorizationEndpoint: string;
  /** The RFC 8707 resource indicator that stands for `audience` (requests without `resource` get it by default). */
  resourceIndicator: string;
  /** The RFC 7591 registration endpoint (Keycloak's path: `/clients-registrations/openid-connect`). */
  registrationEndpoint: string;
  /** The Bearer token a registration request must carry. */
  initialAccessToken: string;
  close(): Promise<void>;
}

// oidc-provider ships no type declarations; this is the small part of its API used here.
interface OidcProviderInstance {
  proxy: boolean;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<OidcInteraction>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: object, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  Grant: new (init: { accountId: string; clientId: string }) => OidcGrant;
  InitialAccessToken: new (init: { jti: string; policies: string[] }) => { save(): Promise<string> };
  Client: { find(id: string): Promise<{ metadata(): Record<string, unknown> } | undefined> };
}
interface OidcGrant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
}
interface OidcInteraction {
  uid: string;
  prompt: { name: string; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId?: string };
  grantId?: string;
}
interface OidcToken {
  kind: string;
  clientId: string;
  accountId?: string;
}
interface OidcProviderModule {
  default: new (issuer: string, configuration: object) => OidcProviderInstance;
  errors: { InvalidTarget: new (description?: string) => Error; InvalidClientMetadata: new (description: string) => Error };
}

const USER_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8'; // RFC 4122 URL namespace
const DEFAULT_TTL_SECONDS = 300;
const MAX_FORM_BYTES = 16 * 1024;

/**
 * Starts a local OpenID Provider (oidc-provider) that stands in for the production Keycloak realm:
 * JWT access tokens signed RS256 with `aud`, `organization`, `realm_access.roles` and `sending_unit`
 * claims shaped like Keycloak's, client credentials (basic or post), authorization code + PKCE
 * with a minimal login form, and dynamic client registration (RFC 7591/7592, Keycloak's path)
 * behind an initial access token, through which the hub registers case systems (see
 * client-registration.ts). Plain HTTP; for development and tests only.
 */
export async function startOidcIssuer(options: OidcIssuerOptions): Promise<RunningOidcIssuer> {
  validateOptions(options);
  const host = options.host ?? '127.0.0.1';
  const issuerPath = normalizeIssuerPath(options.issuerPath);
  const privateJwk = await loadOrCreateSigningKey(options.keysFile);
  const initialAccessToken = await loadOrCreateInitialAccessToken(options.registration, options.keysFile);

  // The issuer URL contains the port, so the provider is built, and requests handled, once it is known.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const issuer = `${origin}${issuerPath}`;
  const resourceIndicator = toResourceIndicator(options.audience);

  const provider = buildProvider(issuer, resourceIndicator, privateJwk, options);
  // Registrations with this token carry the claims policy, and so do the registration access tokens they lead to.
  await new provider.InitialAccessToken({ jti: initialAccessToken, policies: [REGISTRATION_POLICY] }).save();
  const providerCallback = provider.callback();
  const interactionPrefix = `${issuerPath}/interaction/`;
  const usersByUsername = new Map((options.users ?? []).map((u) => [u.username, u]));

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    if (url.startsWith(interactionPrefix)) {
      handleInteraction(provider, usersByUsername, req, res).catch((err: unknown) => {
        // oidc-provider's errors carry a status (e.g. 400 when the interaction cookie expired).
        const e = err as { statusCode?: number; message?: string; error_description?: string };
        if (!res.headersSent) res.writeHead(e.statusCode ?? 500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`sign-in failed: ${e.error_description ?? e.message ?? String(err)}; start again from the application.`);
      });
      return;
    }
    if (issuerPath && !(url === issuerPath || url.startsWith(`${issuerPath}/`) || url.startsWith(`${issuerPath}?`))) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found; the issuer lives at ${issuer}`);
      return;
    }
    // oidc-provider derives its mount path from originalUrl vs url (as under express' app.use).
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
    req.url = url.slice(issuerPath.length) || '/';
    providerCallback(req, res);
  });

  const endpoint = (path: string) => `${issuer}${path}`;
  return {
    issuer,
    discoveryUrl: endpoint('/.well-known/openid-configuration'),
    jwksUri: endpoint(ROUTES.jwks),
    tokenEndpoint: endpoint(ROUTES.token),
    authorizationEndpoint: endpoint(ROUTES.authorization),
    resourceIndicator,
    registrationEndpoint: endpoint(ROUTES.registration),
    initialAccessToken,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // keep-alive connections from fetch would otherwise hold close() open
        server.closeAllConnections();
      }),
  };
}

// Keycloak's paths, so that configuration written against the dev issuer reads like production's.
const ROUTES = {
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  jwks: '/protocol/openid-connect/certs',
  userinfo: '/protocol/openid-connect/userinfo',
  end_session: '/protocol/openid-connect/logout',
  introspection: '/protocol/openid-connect/token/introspect',
  revocation: '/protocol/openid-connect/revoke',
  registration: '/clients-registrations/openid-connect',
};

function buildProvider(issuer: string, resourceIndicator: string, privateJwk: JsonWebKey, options: OidcIssuerOptions): OidcProviderInstance {
  // oidc-provider is ESM-only; Node 24 loads it with require().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: Provider, errors } = require('oidc-provider') as OidcProviderModule;
  const clients = new Map(options.clients.map((c) => [c.clientId, c]));
  const allowedRoles = options.registration?.allowedRoles ?? DEFAULT_ALLOWED_ROLES;
  // Assigned below; the token-claims hook runs only once requests come in.
  let provider: OidcProviderInstance | undefined = undefined;
  const users = new Map((options.users ?? []).map((u) => [userId(u.username), u]));
  const ttlFor = (_ctx: unknown, _token: unknown, client?: { clientId: string }) =>
    (client && clients.get(client.clientId)?.accessTokenTtlSeconds) ?? options.accessTokenTtlSeconds ?? DEFAULT_TTL_SECONDS;

  const configuration = {
    adapter: createMemoryAdapter(options.registration?.clientsFile),
    clients: options.clients.map(toClientMetadata),
    extraClientMetadata: { properties: [...CLAIM_METADATA], validator: claimMetadataValidator(errors.InvalidClientMetadata, allowedRoles) },
    jwks: { keys: [privateJwk] },
    routes: ROUTES,
    responseTypes: ['code'],
    scopes: ['openid', 'profile', 'offline_access'],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      registration: {
        enabled: true,
        // Only with the initial access token (an InitialAccessToken saved at start, carrying the policy).
        initialAccessToken: true,
        policies: { [REGISTRATION_POLICY]: claimsPolicy(errors.InvalidClientMetadata) },
        // Keycloak-like client ids.
        idFactory: () => randomUUID(),
        secretFactory: () => newClientSecret(),
      },
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx: unknown, _client: unknown, oneOf?: string[]) =>
          oneOf ? (oneOf.includes(resourceIndicator) ? resourceIndicator : oneOf[0]) : resourceIndicator,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== resourceIndicator) {
            throw new errors.InvalidTarget(`unknown resource ${resource}; this issuer only serves ${resourceIndicator}`);
          }
          return {
            audience: options.audience,
            scope: 'api',
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    ttl: {
      AccessToken: ttlFor,
      ClientCredentials: ttlFor,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
      RefreshToken: 8 * 3600,
    },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `${new URL(issuer).pathname.replace(/\/$/, '')}/interaction/${interaction.uid}`,
    },
    findAccount: (_ctx: unknown, sub: string) => {
      const user = users.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, name: user.name, preferred_username: user.username }),
      };
    },
    extraTokenClaims: async (_ctx: unknown, token: OidcToken) => {
      if (token.accountId) {
        const user = users.get(token.accountId);
        return user ? { azp: token.clientId, preferred_username: user.username, ...identityClaims(user) } : { azp: token.clientId };
      }
      // Keycloak names a client's service-account user like this.
      const serviceAccount = { azp: token.clientId, preferred_username: `service-account-${token.clientId}` };
      const seeded = clients.get(token.clientId);
      if (seeded) return { ...serviceAccount, ...identityClaims(seeded) };
      const registered = await provider?.Client.find(token.clientId);
      return registered ? { ...serviceAccount, ...identityClaims(claimsOfRegisteredClient(registered.metadata())) } : { azp: token.clientId };
    },
    clientBasedCORS: (ctx: { oidc: { route: string } }, origin: string, client: { clientAuthMethod: string; redirectUris: string[] }) =>
      origin !== 'null' &&
      (ctx.oidc.route === 'userinfo' || client.clientAuthMethod === 'none') &&
      client.redirectUris.some((uri) => URL.parse(uri)?.origin === origin),
    renderError: (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', Object.entries(out).map(([k, v]) => `<p><strong>${escapeHtml(k)}</strong>: ${escapeHtml(v)}</p>`).join(''));
    },
  };
  provider = new Provider(issuer, configuration);
  return provider;
}

function identityClaims(seed: { tenant?: string; roles: string[]; sendingUnit?: string }): Record<string, unknown> {
  return {
    ...(seed.tenant ? { organization: [seed.tenant] } : {}),
    realm_access: { roles: [...seed.roles] },
    ...(seed.sendingUnit ? { sending_unit: seed.sendingUnit } : {}),
  };
}

function toClientMetadata(seed: OidcClientSeed): Record<string, unknown> {
  const redirectUris = seed.redirectUris ?? [];
  if (seed.clientSecret === '') {
    return {
      client_id: seed.clientId,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: redirectUris,
      post_logout_redirect_uris: redirectUris.map((u) => new URL(u).origin + '/'),
    };
  }
  const withCode = redirectUris.length > 0;
  return {
    client_id: seed.clientId,
    client_secret: seed.clientSecret,
    // client_secret_post works as well: oidc-provider treats basic and post as one registered method.
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials', ...(withCode ? ['authorization_code', 'refresh_token'] : [])],
    response_types: withCode ? ['code'] : [],
    redirect_uris: redirectUris,
  };
}

async function handleInteraction(
  provider: OidcProviderInstance,
  usersByUsername: Map<string, OidcUserSeed>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'consent') {
    // Every client of this issuer is first-party (like Keycloak clients with consent off): grant what was asked.
    const grant = new provider.Grant({ accountId: details.session?.accountId ?? '', clientId: String(details.params.client_id) });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(resource, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  if (details.prompt.name !== 'login') {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(`unsupported prompt ${details.prompt.name}`);
    return;
  }
  if (req.method === 'GET') {
    sendLoginForm(res, details, undefined);
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'GET, POST' }).end();
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  const user = usersByUsername.get(form.get('username') ?? '');
  if (!user || !sameSecret(user.password, form.get('password') ?? '')) {
    sendLoginForm(res, details, 'Unknown user name or wrong password.', 401);
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: userId(user.username) } }, { mergeWithLastSubmission: false });
}

function sendLoginForm(res: ServerResponse, details: OidcInteraction, error: string | undefined, status = 200): void {
  const body = `
    <p>Sign in to <strong>${escapeHtml(String(details.params.client_id))}</strong> (development issuer).</p>
    ${error ? `<p role="alert" style="color:#a00">${escapeHtml(error)}</p>` : ''}
    <form method="post" autocomplete="off">
      <p><label>User name <input name="username" required autofocus></label></p>
      <p><label>Password <input name="password" type="password" required></label></p>
      <p><button type="submit">Sign in</button></p>
    </form>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page('Sign in', body));
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sameSecret(expected: string, given: string): boolean {
  // Compare digests so that the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/** Stable, Keycloak-looking (UUID) subject for a user, the same across restarts. */
function userId(username: string): string {
  const ns = Buffer.from(USER_NAMESPACE.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(`dispatch-hub-dev-issuer:user:${username}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function toResourceIndicator(audience: string): string {
  // RFC 8707 wants an absolute URI; a Keycloak-style audience such as 'dispatch-hub-api' is not one.
  return URL.canParse(audience) ? audience : `urn:${audience}`;
}

function normalizeIssuerPath(path: string | undefined): string {
  if (!path || path === '/') return '';
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.replace(/\/+$/, '');
}

function validateOptions(options: OidcIssuerOptions): void {
  const problems: string[] = [];
  if (!options.audience) problems.push('audience is required (e.g. "dispatch-hub-api")');
  const positive = (v: number | undefined) => v === undefined || (Number.isInteger(v) && v > 0);
  if (!positive(options.accessTokenTtlSeconds)) problems.push('accessTokenTtlSeconds must be a positive integer');
  const ids = new Set<string>();
  for (const c of options.clients) {
    if (ids.has(c.clientId)) problems.push(`client ${c.clientId} is listed twice`);
    ids.add(c.clientId);
    if (c.clientSecret === '' && !c.redirectUris?.length) {
      problems.push(`client ${c.clientId} is public (clientSecret '') and needs redirectUris`);
    }
    if (!positive(c.accessTokenTtlSeconds)) {
      problems.push(`client ${c.clientId}: accessTokenTtlSeconds must be a positive integer`);
    }
  }
  const roles = options.registration?.allowedRoles;
  if (roles !== undefined && (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string' || r === ''))) {
    problems.push('registration.allowedRoles must list role names (e.g. ["case-system"])');
  }
  const names = new Set<string>();
  for (const u of options.users ?? []) {
    if (names.has(u.username)) problems.push(`user ${u.username} is listed twice`);
    names.add(u.username);
  }
  if (problems.length) throw new Error(`startOidcIssuer: ${problems.join('; ')}`);
}

async function loadOrCreateSigningKey(keysFile: string | undefined): Promise<JsonWebKey> {
  if (keysFile) {
    const existing = await readFile(keysFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (existing !== undefined) return parseKeysFile(keysFile, existing);
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  const key: JsonWebKey = { ...jwk, kid: thumbprint(jwk), alg: 'RS256', use: 'sig' };
  if (keysFile) {
    await mkdir(dirname(keysFile), { recursive: true });
    try {
      // 'wx': when two processes start together, the first key written wins and the other reads it.
      await writeFile(keysFile, JSON.stringify({ keys: [key] }, null, 2), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return parseKeysFile(keysFile, await readFile(keysFile, 'utf8'));
      throw err;
    }
    await chmod(keysFile, 0o600);
  }
  return key;
}

function parseKeysFile(file: string, text: string): JsonWebKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON; delete it to generate a new signing key`);
  }
  const key = (parsed as { keys?: JsonWebKey[] }).keys?.[0];
  if (!key || key.kty !== 'RSA' || !key.d || !key.kid) {
    throw new Error(`${file} holds no private RSA JWK ({"keys":[{kty:"RSA",d,kid,…}]}); delete it to generate a new one`);
  }
  return { ...key, alg: 'RS256', use: 'sig' };
}

/** RFC 7638 thumbprint, used as the key id. */
function thumbprint(jwk: JsonWebKey): string {
  return createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })).digest('base64url');
}

interface StoredEntry {
  payload: Record<string, unknown>;
  expiresAt?: number;
}

/** The models a `clientsFile` keeps: registered clients and the tokens that manage them. */
const PERSISTED_MODELS = new Set(['Client', 'RegistrationAccessToken']);

// oidc-provider's bundled memory adapter logs a "MUST change" warning on every start; this is the same
// thing, quietly, and kept per issuer so that two issuers in one process share nothing. With a
// clientsFile, registered clients and their registration access tokens are also written there
// (whole file, replaced atomically: registrations are rare) and read back at start.
function createMemoryAdapter(clientsFile?: string) {
  const store = new Map<string, StoredEntry>();
  const index = new Map<string, string>();
  const grants = new Map<string, Set<string>>();
  let writes = 0;

  if (clientsFile) {
    let saved: Record<string, StoredEntry> = {};
    try {
      saved = JSON.parse(readFileSync(clientsFile, 'utf8')) as Record<string, StoredEntry>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${clientsFile} cannot be read as registered clients (${(err as Error).message}); fix or delete it`);
    }
    for (const [key, entry] of Object.entries(saved)) if (PERSISTED_MODELS.has(key.split(':')[0])) store.set(key, entry);
  }
  const persist = (model: string) => {
    if (!clientsFile || !PERSISTED_MODELS.has(model)) return;
    const kept = Object.fromEntries([...store].filter(([key]) => PERSISTED_MODELS.has(key.split(':')[0])));
    mkdirSync(dirname(clientsFile), { recursive: true });
    const temporary = `${clientsFile}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(kept, null, 2), { mode: 0o600 });
    renameSync(temporary, clientsFile);
  };

  const alive = (key: string): StoredEntry | undefined => {
    const entry = store.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry;
  };
  const sweep = () => {
    for (const key of [...store.keys()]) alive(key);
  };

  return class MemoryAdapter {
    constructor(private readonly model: string) {}

    private key(id: string) {
      return `${this.model}:${id}`;
    }

    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
      const key = this.key(id);
      store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
      if (typeof payload.grantId === 'string') {
        const keys = grants.get(payload.grantId) ?? new Set<string>();
        keys.add(key);
        grants.set(payload.grantId, keys);
      }
      if (typeof payload.uid === 'string') index.set(`${this.model}:uid:${payload.uid}`, id);
      if (typeof payload.userCode === 'string') index.set(`${this.model}:userCode:${payload.userCode}`, id);
      if (++writes % 1000 === 0) sweep();
      persist(this.model);
    }

    async find(id: string) {
      return alive(this.key(id))?.payload;
    }

    async findByUid(uid: string) {
      const id = index.get(`${this.model}:uid:${uid}`);
      return id === undefined ? undefined : this.find(id);
    }

    async findByUserCode(userCode: string) {
      const id = index.get(`${this.model}:userCode:${userCode}`);
      return id === undefined ? undefined : this.find(id);
    }

    async consume(id: string): Promise<void> {
      const entry = alive(this.key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      store.delete(this.key(id));
      persist(this.model);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of grants.get(grantId) ?? []) store.delete(key);
      grants.delete(grantId);
    }
  };
}
