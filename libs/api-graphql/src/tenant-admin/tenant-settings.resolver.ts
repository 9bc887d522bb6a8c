import { Inject, UseInterceptors } from '@nestjs/common';
import { Args, Query, Mutation, Resolver } from '@nestjs/graphql';
import { Role, Roles } from '@hub/auth';
import { ENVELOPE_PROFILES, EnvelopeProfile } from '@hub/print';
import type { PrintVendor } from '@hub/print-path';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { Caller } from '../caller/caller';
import { CallerInterceptor } from '../caller/caller.interceptor';
import { CurrentCaller } from '../caller/current-caller.decorator';
import {
  EnvelopeProfileSpecType,
  PrintPreviewType,
  PrintVendorOptionType,
  TenantPrintOptionsType,
  TenantPrintSettingsInputType,
  TenantSettingsInputType,
  TenantSettingsType,
} from './tenant-admin.types';
import { TenantSettingsService, TenantSettingsView } from './tenant-settings.service';

const profileType = (p: EnvelopeProfile | Record<string, unknown> | null | undefined): EnvelopeProfileSpecType | null => (p ? (p as unknown as EnvelopeProfileSpecType) : null);

const vendorOption = (v: PrintVendor): PrintVendorOptionType => ({
  id: v.id,
  name: v.name,
  envelopeProfile: typeof v.customEnvelopeProfile?.id === 'string' ? v.customEnvelopeProfile.id : v.envelopeProfile,
  maxPages: v.maxPages,
  duplex: v.duplex,
  colour: v.colour,
  postageClasses: v.postageClasses,
  active: v.active,
});

function toType(v: TenantSettingsView): TenantSettingsType {
  const p = v.stored.print ?? {};
  const eff = v.effectivePrint;
  return {
    printAllowed: v.printAllowed,
    fallbackToPrint: v.fallbackToPrint,
    protectedIdentityRule: v.protectedIdentityRule,
    missingAddressRule: v.missingAddressRule,
    deadlineHours: v.deadlineHours,
    deadlineHoursIsDefault: !(Number(v.stored.deadlineHours) > 0),
    defaultDeadlineHours: v.defaultDeadlineHours,
    print: {
      vendorId: p.vendorId ?? null,
      vendor: eff.vendor ? vendorOption(eff.vendor) : null,
      postageClass: eff.postageClass,
      envelopeProfile: p.envelopeProfile ?? null,
      customEnvelopeProfile: profileType(p.customEnvelopeProfile),
      effectiveEnvelopeProfile: profileType(eff.envelopeProfile),
      problem: eff.problem,
      duplex: p.duplex ?? null,
      colour: p.colour ?? null,
      effectiveDuplex: eff.duplex,
      effectiveColour: eff.colour,
    },
  };
}

/** The municipality's channel and print rules and the print preview: tenant admins only; changes audited. */
@Resolver(() => TenantSettingsType)
@UseInterceptors(CallerInterceptor)
export class TenantSettingsResolver {
  private readonly service: TenantSettingsService;

  constructor(@Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    this.service = new TenantSettingsService(options.tenantDb, { defaultDeadlineHours: options.config.DISPATCH_DEADLINE_HOURS });
  }

  @Query(() => TenantSettingsType, { description: 'Your municipality\'s channel and print rules, with the defaults that apply where none is set.' })
  @Roles(Role.TenantAdmin)
  async tenantSettings(@CurrentCaller() caller: Caller): Promise<TenantSettingsType> {
    return toType(await this.service.get(caller));
  }

  @Mutation(() => TenantSettingsType, {
    description:
      'Changes the channel and print rules (fields left out stay; null restores a default). The channel switch and the print path apply them to the next letter they handle; ' +
      'the deadline applies to letters submitted from then on (within 5 seconds). VALIDATION_FAILED names each wrong field; nothing is changed then.',
  })
  @Roles(Role.TenantAdmin)
  async updateTenantSettings(@Args('input', { type: () => TenantSettingsInputType, description: 'The rules to change.' }) input: TenantSettingsInputType, @CurrentCaller() caller: Caller): Promise<TenantSettingsType> {
    return toType(await this.service.update(caller, input));
  }

  @Query(() => TenantPrintOptionsType, { description: 'The print vendors (active ones may be chosen) and standard envelope profiles your print settings may name.' })
  @Roles(Role.TenantAdmin)
  async tenantPrintOptions(@CurrentCaller() caller: Caller): Promise<TenantPrintOptionsType> {
    const view = await this.service.get(caller);
    return { vendors: view.vendors.map(vendorOption), envelopeProfiles: Object.values(ENVELOPE_PROFILES).map((p) => profileType(p)!) };
  }

  @Query(() => PrintPreviewType, {
    description:
      'A sample letter (your first sending unit as sender, a made-up recipient) rendered as your letters would be printed: with your saved print settings, or with `print` applied ' +
      'on top of them without saving. The envelope window is outlined. VALIDATION_FAILED when `print` has wrong fields.',
  })
  @Roles(Role.TenantAdmin)
  async printPreview(
    @CurrentCaller() caller: Caller,
    @Args('print', { type: () => TenantPrintSettingsInputType, nullable: true, description: 'Unsaved print settings to preview; left out: the saved ones.' }) print?: TenantPrintSettingsInputType | null,
  ): Promise<PrintPreviewType> {
    const preview = await this.service.preview(caller, print);
    return {
      pdfBase64: preview.pdf ? preview.pdf.toString('base64') : null,
      pages: preview.pages,
      addressLines: preview.addressLines,
      envelopeProfile: profileType(preview.envelopeProfile),
      vendorId: preview.vendorId,
      duplex: preview.duplex,
      colour: preview.colour,
      problems: preview.problems.map((p) => ({ code: p.code, message: p.message, field: p.field ?? null })),
    };
  }
}
