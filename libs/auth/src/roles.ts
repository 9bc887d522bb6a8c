/** Every role the hub knows. Tokens may carry other role names; those are ignored. */
export const ROLES = ['case-system', 'case-officer', 'tenant-admin', 'platform-admin', 'print-vendor'] as const;

/** A hub role, as it appears in the token (Keycloak realm role names). */
export type Role = (typeof ROLES)[number];

/** Named constants for the roles, so call sites read `Role.TenantAdmin` rather than a string. */
export const Role = {
  CaseSystem: 'case-system',
  CaseOfficer: 'case-officer',
  TenantAdmin: 'tenant-admin',
  PlatformAdmin: 'platform-admin',
  PrintVendor: 'print-vendor',
} as const satisfies Record<string, Role>;

const known = new Set<string>(ROLES);

/** True when `value` is one of the hub's role names. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && known.has(value);
}
