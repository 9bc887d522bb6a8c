import { SetMetadata } from '@nestjs/common';
import { Role } from './roles';

export const ROLES_METADATA = 'hub:auth:roles';

/**
 * Allows the handler (or every handler of the class) only to principals holding at least one of
 * `roles`; others get a `ForbiddenError`. A handler's list replaces its class's.
 */
export const Roles = (...roles: [Role, ...Role[]]) => SetMetadata(ROLES_METADATA, roles);
