import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * OAuth 2.0 Dynamic Client Registration (RFC 7591) and its management protocol (RFC 7592) for the
 * local issuer, the way the hub registers a municipality's case systems as API clients: only with
 * the initial access token, and with three extension metadata fields that become the claims the
 * hub reads from the client's tokens.
 */
export interface OidcRegistrationOptions {
  /**
   * The initial access token (Bearer) a registration request must carry. Default: the content of
   * `initialAccessTokenFile`, generated there (mode 0600) on first start.
   */
  initialAccessToken?: string;
  /** Default: `oidc-initial-access-token` beside the keys file; without a keys file, a token kept in memory only. */
  initialAccessTokenFile?: string;
  /** Roles a registered client may be given in its `roles` metadata. Default `['case-system']`. */
  allowedRoles?: string[];
  /** Registered clients (and their registration access tokens) are kept here across restarts; default: in memory only. */
  clientsFile?: string;
}

/**
 * Client metadata the registrant sets and the issuer turns into token claims:
 * `organization` (tenant alias) → `organization: [alias]`, `roles` → `realm_access.roles`,
 * `sending_unit` → `sending_unit`.
 */
export const CLAIM_METADATA = ['organization', 'roles', 'sending_unit'] as const;

/** The policy the initial access token (and so every registration access token it leads to) carries. */
export const REGISTRATION_POLICY = 'dispatch-hub-claims';

export const DEFAULT_ALLOWED_ROLES = ['case-system'];
export const INITIAL_ACCESS_TOKEN_FILE = 'oidc-initial-access-token';

const ALIAS = /^[a-z0-9][a-z0-9-]{1,62}$/;
const UNIT_CODE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A new client secret: 256 random bits, URL-safe. */
export function newClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The token registrants must present: the configured one, or the one in the token file (created
 * with a fresh random value when absent; the first of two processes starting together wins).
 */
export async function loadOrCreateInitialAccessToken(options: OidcRegistrationOptions | undefined, keysFile: string | undefined): Promise<string> {
  if (options?.initialAccessToken !== undefined) {
    if (options.initialAccessToken.length < 16) throw new Error('startOidcIssuer: registration.initialAccessToken must be at least 16 characters');
    return options.initialAccessToken;
  }
  const file = options?.initialAccessTokenFile ?? (keysFile ? join(dirname(keysFile), INITIAL_ACCESS_TOKEN_FILE) : undefined);
  if (!file) return randomBytes(32).toString('base64url');
  const read = async () => {
    const value = (await readFile(file, 'utf8')).trim();
    if (value.length < 16) throw new Error(`${file} holds no initial access token (at least 16 characters); delete it to generate a new one`);
    return value;
  };
  try {
    return await read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(file), { recursive: true });
  try {
    await writeFile(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return read();
}

type MetadataError = new (description: string) => Error;

/**
 * Checks the claim metadata of a client (oidc-provider's `extraClientMetadata.validator`; it runs for
 * every client, seeded ones too, which carry none of these fields).
 */
export function claimMetadataValidator(InvalidClientMetadata: MetadataError, allowedRoles: string[]) {
  return (_ctx: unknown, key: string, value: unknown, metadata: Record<string, unknown>): void => {
    if (value === undefined) {
      if (key === 'organization' && (metadata.roles !== undefined || metadata.sending_unit !== undefined)) {
        throw new InvalidClientMetadata('organization is required with roles or sending_unit: the tenant (municipality alias) the client acts for');
      }
      return;
    }
    switch (key) {
      case 'organization':
        if (typeof value !== 'string' || !ALIAS.test(value)) throw new InvalidClientMetadata('organization must be a tenant alias: lower-case letters, digits and dashes, 2–63 characters');
        return;
      case 'roles':
        if (!Array.isArray(value) || value.some((r) => typeof r !== 'string')) throw new InvalidClientMetadata('roles must be an array of role names');
        for (const role of value as string[]) {
          if (!allowedRoles.includes(role)) throw new InvalidClientMetadata(`roles: ${JSON.stringify(role)} cannot be given by registration; allowed: ${allowedRoles.join(', ')}`);
        }
        return;
      case 'sending_unit':
        if (typeof value !== 'string' || !UNIT_CODE.test(value)) throw new InvalidClientMetadata('sending_unit must be a sending unit code: lower-case letters, digits and dashes');
        return;
    }
  };
}

interface PolicyContext {
  oidc: { route: string; client?: { metadata(): Record<string, unknown> } };
}

/**
 * The registration policy: on an RFC 7592 update the claim metadata must stay as registered (a
 * registration access token must not move a client to another municipality or give it other
 * roles), and the client gets a new secret: RFC 7592 §2.2 lets the server issue one on any update,
 * and this is how a registrant rotates it.
 */
export function claimsPolicy(InvalidClientMetadata: MetadataError) {
  return (ctx: PolicyContext, properties: Record<string, unknown>): void => {
    if (ctx.oidc.route !== 'client_update' || !ctx.oidc.client) return;
    const current = ctx.oidc.client.metadata();
    for (const key of CLAIM_METADATA) {
      if (JSON.stringify(properties[key]) !== JSON.stringify(current[key])) {
        throw new InvalidClientMetadata(`${key} is set when the client is registered and cannot be changed (send it as it is); register a new client instead`);
      }
    }
    properties.client_secret = newClientSecret();
    properties.client_secret_expires_at = 0;
  };
}

/** The claims a registered client's tokens carry, from its metadata. */
export function claimsOfRegisteredClient(metadata: Record<string, unknown>): { tenant?: string; roles: string[]; sendingUnit?: string } {
  return {
    ...(typeof metadata.organization === 'string' ? { tenant: metadata.organization } : {}),
    roles: Array.isArray(metadata.roles) ? (metadata.roles as string[]) : [],
    ...(typeof metadata.sending_unit === 'string' ? { sendingUnit: metadata.sending_unit } : {}),
  };
}
