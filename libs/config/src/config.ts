import { z } from 'zod';


const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a ${protocols.join(' or ')} URL`);

const bool = z.enum(['true', 'false'], { message: 'must be true or false' }).transform((v) => v === 'true');
const timeZone = z.string().refine((v) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: v });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone, e.g. Europe/Stockholm');

/**
 * Every setting of the hub, read from the environment once at boot. Each entry: variable name,
 * schema, demo default (undefined = required), and what it means (the README's table is this list).
 */
export const SETTINGS = {
  NODE_ENV: { schema: z.enum(['development', 'test', 'production']), default: 'development', doc: 'development, test or production' },
  LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', doc: 'pino log level' },
  DATABASE_URL: { schema: url(['postgres:', 'postgresql:']), default: 'postgres://hub_app@127.0.0.1:5432/dispatch_hub', doc: 'PostgreSQL as the application role (no ownership, no BYPASSRLS)' },
  DATABASE_OWNER_URL: { schema: url(['postgres:', 'postgresql:']), default: 'postgres://hub_owner@127.0.0.1:5432/dispatch_hub', doc: 'PostgreSQL as the owner role: migrations only' },
  DATABASE_ADMIN_URL: { schema: url(['postgres:', 'postgresql:']), default: 'postgres://postgres@127.0.0.1:5432/postgres', doc: 'a superuser, used once by `npm run db:setup` to create the roles and the database' },
  DATABASE_POOL_SIZE: { schema: int(1, 200), default: '10', doc: 'connections per process' },
  REDIS_URL: { schema: url(['redis:', 'rediss:']), default: 'redis://127.0.0.1:6379', doc: 'Redis for the job queues (AOF on and maxmemory-policy noeviction in production)' },
  QUEUE_PREFIX: { schema: z.string().regex(/^[a-z0-9-]+$/), default: 'hub', doc: 'prefix of the BullMQ keys (several hubs can share a Redis)' },
  API_HOST: { schema: z.string().min(1), default: '127.0.0.1', doc: 'address the API listens on' },
  API_PORT: { schema: int(0, 65535), default: '3000', doc: 'port of the API (GraphQL at /graphql, /health, /metrics)' },
  OIDC_ISSUER: { schema: url(['http:', 'https:']), default: 'http://127.0.0.1:7400/realms/dispatch-hub', doc: 'issuer of bearer tokens (Keycloak realm URL)' },
  OIDC_AUDIENCE: { schema: z.string().min(1), default: 'dispatch-hub-api', doc: 'audience the tokens must carry' },
  OIDC_JWKS_URI: { schema: url(['http:', 'https:']).optional(), default: undefined as string | undefined, optional: true, doc: 'JWKS URL (default: from the issuer discovery document)' },
  OIDC_TENANT_CLAIM: { schema: z.string().min(1), default: 'organization', doc: 'claim naming the tenant (Keycloak Organizations: organization)' },
  OIDC_ALGORITHMS: { schema: z.string().regex(/^[A-Z0-9,]+$/), default: 'RS256,PS256,ES256', doc: 'accepted token signature algorithms' },
  CONSOLE_OIDC_ISSUER: { schema: url(['http:', 'https:']).optional(), default: undefined as string | undefined, optional: true, doc: 'issuer the web console logs users in at, as the browser reaches it (default: OIDC_ISSUER)' },
  CONSOLE_OIDC_CLIENT_ID: { schema: z.string().min(1), default: 'dispatch-hub-console', doc: "the console's public client at the issuer (Authorization Code + PKCE; redirect URI <API URL>/callback)" },
  CONSOLE_DIR: { schema: z.string().min(1).optional(), default: undefined as string | undefined, optional: true, doc: 'directory of the built console the API serves at / (default: dist/console; `npm run build` makes it)' },
  IDP_REGISTRATION_URL: { schema: url(['http:', 'https:']).optional(), default: undefined as string | undefined, optional: true, doc: "the identity provider's dynamic client registration endpoint (RFC 7591), where tenant admins' API clients are registered (default: registration_endpoint from OIDC_ISSUER's discovery document; Keycloak: <realm URL>/clients-registrations/openid-connect)" },
  IDP_INITIAL_ACCESS_TOKEN: { schema: z.string().min(16, 'must be at least 16 characters').optional(), default: undefined as string | undefined, optional: true, secret: true, doc: 'initial access token the hub registers API clients with (Keycloak: Clients → Client registration → Initial access token); default: read from IDP_INITIAL_ACCESS_TOKEN_FILE' },
  IDP_INITIAL_ACCESS_TOKEN_FILE: { schema: z.string().min(1), default: '.data/oidc-initial-access-token', doc: "file holding the initial access token when IDP_INITIAL_ACCESS_TOKEN is not set (the demo's issuer writes its generated one there); read when an API client is registered" },
  MASTER_KEY: { schema: z.string().refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes in base64 (openssl rand -base64 32)'), default: undefined as string | undefined, doc: 'AES-256-GCM key that encrypts the stored signing keys (base64, 32 bytes); required' },
  FAR_URL: { schema: url(['https:']), default: 'https://127.0.0.1:7443/Recipient/v3', doc: 'FaR endpoint (the simulator in the demo)' },
  MM_CA_FILE: { schema: z.string().min(1), default: '.data/pki/ca.crt.pem', doc: 'PEM bundle of the CAs trusted for FaR and mailbox operators (TLS)' },
  MM_TIMEOUT_MS: { schema: int(100, 600000), default: '30000', doc: 'timeout of one FaR or mailbox-operator call' },
  DISPATCH_DEADLINE_HOURS: { schema: int(1, 24 * 60), default: '24', doc: 'default time a letter may try digital delivery before it fails or goes to print (tenant settings override)' },
  DISPATCH_MAX_ATTEMPTS: { schema: int(1, 100), default: '12', doc: 'retries of a retryable failure before the letter fails or goes to print' },
  RETRY_BASE_MS: { schema: int(10, 3600000), default: '2000', doc: 'first retry delay; doubles each attempt (with jitter)' },
  RETRY_MAX_MS: { schema: int(10, 86400000), default: '900000', doc: 'longest retry delay' },
  WORKER_CONCURRENCY: { schema: int(1, 500), default: '32', doc: 'jobs a worker process runs at once' },
  OUTBOX_POLL_MS: { schema: int(10, 60000), default: '100', doc: 'how often the outbox relay looks for new rows' },
  RECONCILE_INTERVAL_MS: { schema: int(100, 3600000), default: '15000', doc: 'how often the reconciler looks for stalled letters' },
  RECONCILE_STALLED_MS: { schema: int(100, 86400000), default: '60000', doc: 'a letter untouched this long in a working state is re-enqueued' },
  PRINT_STORAGE_DIR: { schema: z.string().min(1), default: '.data/print', doc: 'directory of the print batch files (PDF, manifests); the API and the workers must share it' },
  PRINT_SCHEDULER_INTERVAL_MS: { schema: int(100, 3600000), default: '5000', doc: 'how often a worker closes due print batches, flags unacknowledged ones and redoes lost print jobs' },
  PRINT_TIMEZONE: { schema: timeZone, default: 'Europe/Stockholm', doc: 'time zone of the print vendors\' cut-off times' },
  DELIVERY_LOG_EXPORT_DIR: { schema: z.string().min(1), default: '.data/exports', doc: 'directory of delivery-log export files; the API and the workers must share it' },
  DELIVERY_LOG_DOWNLOAD_MAX_ROWS: { schema: int(1, 10000000), default: '100000', doc: 'largest delivery-log export streamed as a direct download (larger ones: an export job)' },
  DELIVERY_LOG_EXPORT_TTL_HOURS: { schema: int(1, 24 * 90), default: '72', doc: 'how long a finished export file is kept' },
  DELIVERY_LOG_EXPORT_POLL_MS: { schema: int(100, 3600000), default: '2000', doc: 'how often a worker looks for export jobs' },
  WEBHOOK_ALLOW_HTTP_LOCALHOST: { schema: bool, default: undefined as string | undefined, optional: true, doc: 'allow http:// webhooks to localhost (default: allowed unless NODE_ENV=production; otherwise https only)' },
  WEBHOOK_TIMEOUT_MS: { schema: int(100, 600000), default: '10000', doc: 'wait for a webhook receiver\'s answer' },
  WEBHOOK_RETRY_WINDOW_HOURS: { schema: int(1, 24 * 14), default: '24', doc: 'how long a webhook delivery is retried (exponential backoff) before it is dead-lettered' },
  DIARY_ALLOW_HTTP_LOCALHOST: { schema: bool, default: undefined as string | undefined, optional: true, doc: 'allow http:// diary hooks to localhost (default: allowed unless NODE_ENV=production)' },
  DIARY_TIMEOUT_MS: { schema: int(100, 600000), default: '30000', doc: 'timeout of one call to a registry system (diary hook)' },
  DIARY_RETRY_TOTAL_MS: { schema: int(1000, 14 * 86400000), default: '86400000', doc: 'how long a diary registration is retried before it is marked failed' },
  DIARY_CA_FILE: { schema: z.string().min(1).optional(), default: undefined as string | undefined, optional: true, doc: 'PEM file of extra CAs trusted for registry systems\' https' },
  RETENTION_RUN_AT: { schema: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)'), default: '02:30', doc: 'local time of the daily retention (gallring) run (a tenant may set its own)' },
  RETENTION_TIMEZONE: { schema: timeZone, default: 'Europe/Stockholm', doc: 'time zone of RETENTION_RUN_AT' },
  GRAPHQL_MAX_DEPTH: { schema: int(2, 50), default: '10', doc: 'deepest GraphQL query accepted' },
  GRAPHQL_MAX_COMPLEXITY: { schema: int(10, 1000000), default: '20000', doc: 'highest query complexity accepted' },
  PAGE_SIZE_MAX: { schema: int(1, 1000), default: '200', doc: 'largest page of a connection' },
  REQUEST_MAX_BYTES: { schema: int(1024, 1024 * 1024 * 1024), default: String(64 * 1024 * 1024), doc: 'largest request body (a bulk of 1,000 letters with attachments)' },
  BULK_MAX_LETTERS: { schema: int(1, 100000), default: '5000', doc: 'letters accepted in one submitLetters call' },
} as const;

type Settings = typeof SETTINGS;
export type HubConfig = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

/** A setting is missing or invalid; the message names each one. */
export class ConfigError extends Error {}

/**
 * Reads and validates the whole configuration. Throws {@link ConfigError} naming every bad or
 * missing setting, so a process stops at boot rather than failing later.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: { notNeeded?: (keyof Settings)[] } = {}): HubConfig {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(SETTINGS) as [keyof Settings, Settings[keyof Settings]][]) {
    const raw = env[name] !== undefined && env[name] !== '' ? env[name] : s.default;
    if (raw === undefined) {
      if (('optional' in s && s.optional) || options.notNeeded?.includes(name)) continue;
      problems.push(`${name} is required: ${s.doc}`);
      continue;
    }
    const parsed = (s.schema as z.ZodType).safeParse(raw);
    const hidden = name === 'MASTER_KEY' || ('secret' in s && s.secret);
    if (!parsed.success) problems.push(`${name}=${hidden ? '(hidden)' : JSON.stringify(raw)}: ${parsed.error.issues.map((i) => i.message).join(', ')}`);
    else out[name] = parsed.data;
  }
  if (problems.length) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return out as HubConfig;
}


