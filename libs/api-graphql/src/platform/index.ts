import type { Type } from '@nestjs/common';

/** The platform operator's administration (no tenant; platform admins only): tenants, FaR and operator connections, print vendors. */
export const PLATFORM_ADMIN_RESOLVERS: Type<unknown>[] = [];
