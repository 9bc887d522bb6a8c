import type { Type } from '@nestjs/common';
import { CaseTypePreviewResolver } from './case-type-preview.resolver';
import { SendingUnitResolver } from './sending-unit.resolver';
import { TenantSettingsResolver } from './tenant-settings.resolver';

/** A municipality's own settings: sending units and certificates, channel and print rules, envelope and postage (with a PDF preview), case type template previews. */
export const TENANT_ADMIN_RESOLVERS: Type<unknown>[] = [SendingUnitResolver, TenantSettingsResolver, CaseTypePreviewResolver];
