import { LogAccessDeniedError } from './log-errors';

/**
 * Who reads the log, as the API layer established it from the verified token: the tenant, the actor
 * (for audit and export ownership), the roles, the sending unit the token names (claim
 * `sending_unit`, a unit code) and, for a case system, its registered API client.
 */
export interface LogCaller {
  tenantId: string;
  actor: string;
  roles: readonly string[];
  /** The token's `sending_unit` claim (a unit code such as `bygg`). */
  sendingUnitRef?: string;
  /** The `api_client` row of a case system. */
  apiClientId?: string;
}

/**
 * The part of the tenant's log a caller sees:
 * - `tenant`: a tenant admin, the whole municipality;
 * - `unit`: a case officer, the letters of the sending unit the token names;
 * - `client`: a case system, the letters it submitted itself.
 */
export type LogAccess = { kind: 'tenant' } | { kind: 'unit'; unitCode: string } | { kind: 'client'; apiClientId: string };

const ADMIN = 'tenant-admin';
const OFFICER = 'case-officer';
const CASE_SYSTEM = 'case-system';

/** The roles that may read the log (each sees the part {@link logAccessFor} gives it). */
export const LOG_ROLES = [CASE_SYSTEM, OFFICER, ADMIN] as const;

/**
 * What part of the log the caller sees; the broadest role wins (admin, then officer, then case
 * system). Throws {@link LogAccessDeniedError} for an officer whose token names no sending unit (the
 * hub cannot tell which unit's letters are theirs) and for a case system without a registered client.
 */
export function logAccessFor(caller: LogCaller): LogAccess {
  if (caller.roles.includes(ADMIN)) return { kind: 'tenant' };
  if (caller.roles.includes(OFFICER)) {
    if (!caller.sendingUnitRef) {
      throw new LogAccessDeniedError(
        'Your token names no sending unit, so the hub cannot tell whose letters you handle: a case officer sees the log of their own sending unit. ' +
          'Ask the identity provider administrator to set your sending_unit attribute (e.g. "bygg"), or ask a tenant admin to search.',
      );
    }
    return { kind: 'unit', unitCode: caller.sendingUnitRef };
  }
  if (caller.roles.includes(CASE_SYSTEM)) {
    if (!caller.apiClientId) throw new LogAccessDeniedError('Your client is not registered as an API client of this municipality; a tenant admin registers case systems.');
    return { kind: 'client', apiClientId: caller.apiClientId };
  }
  throw new LogAccessDeniedError(`The delivery log is for ${LOG_ROLES.join(', ')}; your token has none of these roles.`);
}
