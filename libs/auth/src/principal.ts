import { isRole, Role } from './roles';

/** Who is calling, as established from a verified access token. */
export interface Principal {
  /** `sub`: the user id, or the client id for a client-credentials token. */
  subject: string;
  /** `azp` (Keycloak) or `client_id` (RFC 9068): the OAuth client the token was issued to. */
  clientId?: string;
  /** The tenant alias the token is bound to; absent when the token names no tenant or several. */
  tenantRef?: string;
  roles: Role[];
  sendingUnitRef?: string;
  /** `jti`, for audit logs. */
  tokenId?: string;
  expiresAt: Date;
}

/** Where the tenant, roles and sending unit are found in the token's claims. */
export interface ClaimMapping {
  audience: string;
  tenantClaim: string;
  rolesClaim?: string;
  sendingUnitClaim: string;
}

/** Builds the Principal from the claims of a token whose signature and standard claims were already verified. */
export function principalFromClaims(claims: Record<string, unknown>, mapping: ClaimMapping): Principal {
  const clientId = stringOrUndefined(claims.azp) ?? stringOrUndefined(claims.client_id);
  const tenantRef = extractTenant(claimAt(claims, mapping.tenantClaim));
  const sendingUnitRef = stringOrUndefined(claimAt(claims, mapping.sendingUnitClaim));
  const tokenId = stringOrUndefined(claims.jti);
  return {
    subject: String(claims.sub),
    ...(clientId ? { clientId } : {}),
    ...(tenantRef ? { tenantRef } : {}),
    roles: extractRoles(claims, mapping),
    ...(sendingUnitRef ? { sendingUnitRef } : {}),
    ...(tokenId ? { tokenId } : {}),
    expiresAt: new Date(Number(claims.exp) * 1000),
  };
}

/**
 * The tenant alias in a tenant claim, or undefined unless there is exactly one. Accepts the shapes
 * Keycloak Organizations emits, `["demo-kommun"]` and (with "add organization id")
 * `{ "demo-kommun": { "id": "…" } }`, and a plain string from a configured claim.
 */
export function extractTenant(value: unknown): string | undefined {
  let candidates: unknown[];
  if (typeof value === 'string') candidates = [value];
  else if (Array.isArray(value)) candidates = value;
  else if (value !== null && typeof value === 'object') candidates = Object.keys(value);
  else return undefined;
  const tenants = [...new Set(candidates.filter((c): c is string => typeof c === 'string' && c.trim() !== ''))];
  // A token for several tenants cannot say which one a request acts for; treat it as tenant-less.
  return tenants.length === 1 ? tenants[0] : undefined;
}

/**
 * The hub roles in the token: the configured `rolesClaim` (a dotted path) or, by default, the union of
 * Keycloak's `realm_access.roles` and `resource_access[audience].roles` and a plain `roles` claim.
 * Names the hub does not know are dropped.
 */
export function extractRoles(claims: Record<string, unknown>, mapping: Pick<ClaimMapping, 'audience' | 'rolesClaim'>): Role[] {
  const sources = mapping.rolesClaim
    ? [claimAt(claims, mapping.rolesClaim)]
    : [claimAt(claims, 'realm_access.roles'), claimAt(claims, ['resource_access', mapping.audience, 'roles']), claims.roles];
  const roles = new Set<Role>();
  for (const source of sources) {
    const names = typeof source === 'string' ? source.split(/[\s,]+/) : Array.isArray(source) ? source : [];
    for (const name of names) if (isRole(name)) roles.add(name);
  }
  return [...roles];
}

function claimAt(claims: Record<string, unknown>, path: string | string[]): unknown {
  // A claim whose name itself contains dots (rare, but Keycloak allows it) wins over the dotted path.
  if (typeof path === 'string' && Object.hasOwn(claims, path)) return claims[path];
  const segments = typeof path === 'string' ? path.split('.') : path;
  let node: unknown = claims;
  for (const segment of segments) {
    // own properties only: a claim path must never reach into Object.prototype
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
