import type { Principal } from '@hub/auth';
import type { IntakeContext } from '@hub/letters';

/**
 * Who calls, resolved once per request from the verified token: the tenant (from the token's
 * organisation claim), and for a case system its registered API client and bound sending unit.
 */
export interface Caller extends IntakeContext {
  tenantAlias: string;
  principal: Principal;
}
