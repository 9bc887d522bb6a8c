import type { Type } from '@nestjs/common';
import { MmConnectionsResolver, PlatformAuditResolver, PlatformPrintVendorResolver, PlatformTenantResolver } from './platform.resolver';

/** The platform operator's administration (no tenant; platform admins only): tenants, FaR and operator connections, print vendors, the platform audit trail. */
export const PLATFORM_ADMIN_RESOLVERS: Type<unknown>[] = [PlatformTenantResolver, PlatformPrintVendorResolver, MmConnectionsResolver, PlatformAuditResolver];
