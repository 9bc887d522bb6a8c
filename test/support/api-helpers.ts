/**
 * Helpers for the API's end-to-end tests: a fresh database per test file (roles, migrations, the demo
 * seed and a second tenant), the local OIDC issuer with the clients the tests log in as, real
 * client-credentials tokens, the API started in process on a free port, and a small GraphQL client.
 */
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { HubConfig, loadConfig } from '@hub/config';
import { readFileSync } from 'node:fs';
import { HubDatabase, OTHER_TENANT, startHubDatabase } from './hub-database';
import { createApiApplication, ApiApplicationOptions } from '../../apps/api/src/api.application';
import { OidcClientSeed, RunningOidcIssuer, startOidcIssuer } from '../../apps/simulators/src/oidc/oidc-issuer';
import { checkSeed, SimulatorSeed, withFreePorts } from '../../apps/simulators/src/seed';
import { RunningSimulators, startSimulators } from '../../apps/simulators/src/simulators';

export const ROOT = join(__dirname, '..', '..');
export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** A fixed test master key (never a real one). */
export const TEST_MASTER_KEY = Buffer.alloc(32, 11).toString('base64');
export const AUDIENCE = 'dispatch-hub-api';

/** The second municipality, for isolation tests. */
export const OTHER = {
  tenant: { alias: OTHER_TENANT.alias, name: OTHER_TENANT.name, orgNumber: OTHER_TENANT.orgNumber },
  unit: OTHER_TENANT.unit,
  client: OTHER_TENANT.client,
};

/** The hub's test database (see startHubDatabase), with the master key the API processes here use. */
export type TestDatabase = HubDatabase;

/**
 * A new database with the hub's roles (`hub_owner`, `hub_app`), every migration, the demo tenant
 * (`demo-kommun`: units bygg and social, API client demo-case-system bound to bygg) and a second
 * tenant (`annan-kommun`: unit bygg, API client annan-case-system).
 */
export function createTestDatabase(label: string): Promise<TestDatabase> {
  return startHubDatabase({ label, masterKey: TEST_MASTER_KEY, pkiDir: join(ROOT, '.data', 'pki') });
}

/** Runs SQL as the owner (bypasses row-level security): for arranging state a test needs. */
export function ownerQuery<R extends Record<string, unknown> = Record<string, unknown>>(db: TestDatabase, text: string, params: unknown[] = []): Promise<R[]> {
  return db.ownerQuery<R>(text, params);
}

// ---- identity ----------------------------------------------------------------------------------

/** Secrets of the test clients (test-only values). */
const SECRET = 'test-secret-0123456789';

/** The machine clients the tests log in as. */
export const CLIENTS = {
  demoCaseSystem: { clientId: 'demo-case-system', clientSecret: SECRET, tenant: 'demo-kommun', roles: ['case-system'] },
  demoOfficer: { clientId: 'demo-officer-app', clientSecret: SECRET, tenant: 'demo-kommun', roles: ['case-officer'] },
  demoAdmin: { clientId: 'demo-admin-app', clientSecret: SECRET, tenant: 'demo-kommun', roles: ['tenant-admin'] },
  otherCaseSystem: { clientId: 'annan-case-system', clientSecret: SECRET, tenant: 'annan-kommun', roles: ['case-system'] },
  /** A case system the identity provider knows but that is not registered as an API client of the tenant. */
  unregisteredCaseSystem: { clientId: 'rogue-case-system', clientSecret: SECRET, tenant: 'demo-kommun', roles: ['case-system'] },
  printVendor: { clientId: 'print-vendor', clientSecret: SECRET, roles: ['print-vendor'] },
  noTenant: { clientId: 'no-tenant-case-system', clientSecret: SECRET, roles: ['case-system'] },
  unknownTenant: { clientId: 'ghost-case-system', clientSecret: SECRET, tenant: 'ingen-kommun', roles: ['case-system'] },
  shortLived: { clientId: 'short-lived', clientSecret: SECRET, tenant: 'demo-kommun', roles: ['case-officer'], accessTokenTtlSeconds: 1 },
} satisfies Record<string, OidcClientSeed>;

export type TestClient = keyof typeof CLIENTS;

/** Starts the local OIDC issuer (a real OpenID Provider) with every test client. */
export function startTestIssuer(audience = AUDIENCE): Promise<RunningOidcIssuer> {
  return startOidcIssuer({ port: 0, issuerPath: '/realms/dispatch-hub', audience, clients: Object.values(CLIENTS) });
}

/** A client-credentials access token from the issuer. */
export async function getToken(issuer: RunningOidcIssuer, client: TestClient | OidcClientSeed): Promise<string> {
  const seed = typeof client === 'string' ? CLIENTS[client] : client;
  const response = await fetch(issuer.tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(seed.clientId)}:${encodeURIComponent(seed.clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!response.ok || !body.access_token) throw new Error(`token request for ${seed.clientId} failed: ${response.status} ${body.error} ${body.error_description}`);
  return body.access_token;
}

// ---- the API -----------------------------------------------------------------------------------

/** The hub's configuration for a test API: this database, this issuer, overrides on top. */
export function testConfig(db: TestDatabase, issuer: RunningOidcIssuer, overrides: Record<string, string> = {}): HubConfig {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: db.appUrl,
    DATABASE_OWNER_URL: db.ownerUrl,
    DATABASE_ADMIN_URL: ADMIN_URL,
    MASTER_KEY: TEST_MASTER_KEY,
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    OIDC_ISSUER: issuer.issuer,
    OIDC_AUDIENCE: AUDIENCE,
    MM_CA_FILE: join(ROOT, '.data', 'pki', 'ca.crt.pem'),
    ...overrides,
  });
}

export interface RunningApi {
  app: INestApplication;
  url: string;
  graphqlUrl: string;
  close(): Promise<void>;
}

/** Starts the API in this process (the same composition as `apps/api/src/main.ts`) on a free port. */
export async function startApi(config: HubConfig, options: ApiApplicationOptions = {}): Promise<RunningApi> {
  const api = await createApiApplication(config, options);
  const url = await api.listen();
  return { app: api.app, url, graphqlUrl: `${url}/graphql`, close: () => api.close() };
}

/** The FaR and mailbox-operator simulators of the demo seed, in process, on free ports, with the shared test PKI. */
export function startTestSimulators(): Promise<RunningSimulators> {
  const seed = JSON.parse(readFileSync(join(ROOT, 'apps', 'simulators', 'seed', 'demo.json'), 'utf8')) as SimulatorSeed;
  seed.pkiDir = join(ROOT, '.data', 'pki');
  withFreePorts(seed);
  delete seed.oidc;
  delete seed.printVendor;
  return startSimulators(checkSeed(seed, 'test seed'));
}

/** A GraphQL response as the tests read it. */
export interface GqlResponse<D = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: D | null;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; fields?: { path: string; rule: string; message: string }[]; errorId?: string } & Record<string, unknown> }[];
}

/** POSTs a GraphQL operation as JSON. */
export async function gql<D = Record<string, unknown>>(
  url: string,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GqlResponse<D>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: Omit<GqlResponse<D>, 'status' | 'headers'>;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`not a JSON response (${response.status}): ${text.slice(0, 500)}`);
  }
  return { status: response.status, headers: response.headers, ...body };
}

/** The data of a response that must have no errors (shows them when it has). */
export function ok<D>(r: GqlResponse<D>): D {
  if (r.errors?.length || !r.data) throw new Error(`unexpected GraphQL errors (${r.status}): ${JSON.stringify(r.errors, null, 2)}`);
  return r.data;
}

/** The first error's code, for assertions. */
export function errorCode<D>(r: GqlResponse<D>): string | undefined {
  return r.errors?.[0]?.extensions?.code;
}

// ---- test content ------------------------------------------------------------------------------

/** A small but real PDF (a single empty page). */
export function tinyPdf(label = 'test'): Buffer {
  const body = `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n% ${label}\ntrailer<</Root 1 0 R>>\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A PDF-looking buffer of exactly `bytes` bytes (header + padding), for size-limit tests. */
export function pdfOfSize(bytes: number): Buffer {
  const b = Buffer.alloc(bytes, 0x20);
  b.write('%PDF-1.4\n', 0, 'latin1');
  return b;
}
