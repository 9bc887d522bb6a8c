import type { Type } from '@nestjs/common';

/** A municipality's own settings: sending units and certificates, channel and print rules, envelope and postage. */
export const TENANT_ADMIN_RESOLVERS: Type<unknown>[] = [];
