/** Who is logged in, read from the access token's claims (the API checks them again on every call). */
export type ConsoleRole = 'case-officer' | 'tenant-admin' | 'platform-admin';

export interface ConsoleUser {
  subject: string;
  name: string;
  username?: string;
  roles: ConsoleRole[];
  /** The municipality (organisation alias) the user acts for; absent for a platform admin. */
  tenant?: string;
  /** A case officer's sending unit (claim sending_unit). */
  sendingUnit?: string;
}

const CONSOLE_ROLES: readonly ConsoleRole[] = ['case-officer', 'tenant-admin', 'platform-admin'];

function rolesIn(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((r): r is string => typeof r === 'string') : [];
}

/** Organisation claim as Keycloak Organizations emits it: ["alias"] or { alias: { id } }. */
function organisations(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (value && typeof value === 'object') return Object.keys(value);
  return [];
}

export function userFromClaims(access: Record<string, unknown>, id: Record<string, unknown> = {}, audience = 'dispatch-hub-api'): ConsoleUser {
  const realm = (access.realm_access as { roles?: unknown } | undefined)?.roles;
  const resource = ((access.resource_access as Record<string, { roles?: unknown }> | undefined) ?? {})[audience]?.roles;
  const all = new Set([...rolesIn(realm), ...rolesIn(resource), ...rolesIn(access.roles)]);
  const roles = CONSOLE_ROLES.filter((r) => all.has(r));
  const orgs = organisations(access.organization);
  const name = [id.name, access.name, id.preferred_username, access.preferred_username, access.sub].find((v): v is string => typeof v === 'string' && v !== '') ?? '';
  const username = [access.preferred_username, id.preferred_username].find((v): v is string => typeof v === 'string');
  return {
    subject: String(access.sub ?? ''),
    name,
    ...(username ? { username } : {}),
    roles,
    ...(orgs.length === 1 ? { tenant: orgs[0] } : {}),
    ...(typeof access.sending_unit === 'string' ? { sendingUnit: access.sending_unit } : {}),
  };
}

export function hasRole(user: ConsoleUser | null, ...roles: ConsoleRole[]): boolean {
  return !!user && roles.some((r) => user.roles.includes(r));
}
