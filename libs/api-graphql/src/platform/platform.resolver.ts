import { Inject } from '@nestjs/common';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, Principal, Role, Roles } from '@hub/auth';
import { PlatformChange, PrintVendorAdmin } from '@hub/print-path';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { ApiError, ApiErrorCode } from '../errors/api-error-code';
import { CheckArgumentError, MmConnectionConfig, MmConnections } from './mm-connections';
import { appendPlatformAudit, readPlatformAudit, verifyPlatformAudit } from './platform-audit';
import { PlatformTenants } from './platform-tenants';
import {
  MmConnectionCheckType,
  MmConnectionsType,
  OnboardTenantInputType,
  PlatformAuditEntryType,
  PlatformAuditVerificationType,
  PlatformPrintVendorType,
  PlatformTenantType,
  PlatformTenantUpdateInput,
  PrintVendorCreateInputType,
  PrintVendorSettingsInput,
} from './platform.types';

/** Who changed something, as the audit trails record it: the platform admin's user id. */
function actorOf(principal: Principal | undefined): string {
  if (!principal) throw new ApiError(ApiErrorCode.Unauthenticated, 'No access token: send "Authorization: Bearer <access token>".');
  return principal.subject;
}

/** Tenants (municipalities): the list, onboarding and renaming. Platform admins only; no tenant scope. */
@Resolver(() => PlatformTenantType)
export class PlatformTenantResolver {
  private readonly service: PlatformTenants;

  constructor(@Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    this.service = new PlatformTenants(options.tenantDb);
  }

  @Query(() => [PlatformTenantType], { description: 'Every tenant (municipality) of the hub, by name, with its size and use (platform admins).' })
  @Roles(Role.PlatformAdmin)
  tenants(): Promise<PlatformTenantType[]> {
    return this.service.list();
  }

  @Mutation(() => PlatformTenantType, {
    description:
      'Onboards a tenant: the tenant, its first sending unit and its rules, audited in its own trail and the platform\'s, in one transaction. ' +
      'Its users can work as soon as the identity provider puts its alias in their tokens (Keycloak: an organization with this alias and the users as members). ' +
      'VALIDATION_FAILED names each bad field (format, check digit, an alias or organisationsnummer already onboarded).',
  })
  @Roles(Role.PlatformAdmin)
  onboardTenant(@Args('input', { type: () => OnboardTenantInputType, description: 'The new tenant.' }) input: OnboardTenantInputType, @CurrentPrincipal() principal: Principal): Promise<PlatformTenantType> {
    return this.service.onboard(input, actorOf(principal));
  }

  @Mutation(() => PlatformTenantType, { description: 'Renames a tenant (audited). NOT_FOUND for an unknown id.' })
  @Roles(Role.PlatformAdmin)
  updateTenant(
    @Args('id', { type: () => ID, description: 'The tenant id (from tenants).' }) id: string,
    @Args('input', { type: () => PlatformTenantUpdateInput, description: 'What changes.' }) input: PlatformTenantUpdateInput,
    @CurrentPrincipal() principal: Principal,
  ): Promise<PlatformTenantType> {
    return this.service.rename(id, input.name, actorOf(principal));
  }
}

/** Print vendors: the list, registering one and changing one (platform admins; audited in the platform trail). */
@Resolver(() => PlatformPrintVendorType)
export class PlatformPrintVendorResolver {
  private readonly vendors: PrintVendorAdmin;

  constructor(@Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    this.vendors = new PrintVendorAdmin(options.tenantDb);
  }

  @Query(() => [PlatformPrintVendorType], { description: 'Every registered print vendor, by name (platform admins).' })
  @Roles(Role.PlatformAdmin)
  printVendors(): Promise<PlatformPrintVendorType[]> {
    return this.vendors.list();
  }

  @Mutation(() => PlatformPrintVendorType, { description: 'Registers a print vendor. VALIDATION_FAILED names each bad field (an id or client id taken, a bad cut-off time…).' })
  @Roles(Role.PlatformAdmin)
  createPrintVendor(@Args('input', { type: () => PrintVendorCreateInputType, description: 'The vendor.' }) input: PrintVendorCreateInputType, @CurrentPrincipal() principal: Principal): Promise<PlatformPrintVendorType> {
    return this.vendors.create(input, platformChange(principal));
  }

  @Mutation(() => PlatformPrintVendorType, {
    description: 'Changes a print vendor\'s settings (fields left out stay as they are; applies to batches closed from now on). NOT_FOUND for an unknown id.',
  })
  @Roles(Role.PlatformAdmin)
  updatePrintVendor(
    @Args('id', { type: () => ID, description: 'The vendor id.' }) id: string,
    @Args('input', { type: () => PrintVendorSettingsInput, description: 'What changes.' }) input: PrintVendorSettingsInput,
    @CurrentPrincipal() principal: Principal,
  ): Promise<PlatformPrintVendorType> {
    return this.vendors.update(id, input, platformChange(principal));
  }
}

function platformChange(principal: Principal | undefined): PlatformChange {
  const actor = actorOf(principal);
  return { actor, audit: (em, entry) => appendPlatformAudit(em, { actor, ...entry }).then(() => undefined) };
}

/** The hub's connections to FaR and the mailbox operators: settings (read-only) and a live check (platform admins). */
@Resolver(() => MmConnectionsType)
export class MmConnectionsResolver {
  private readonly connections: MmConnections;

  constructor(@Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    // The application hands the whole HubConfig to the API; these keys are not in ApiGraphqlOptions' declared Pick.
    this.connections = new MmConnections(options.tenantDb, options.config as MmConnectionConfig);
  }

  @Query(() => MmConnectionsType, {
    description: 'The FaR and mailbox-operator connection settings (environment variables, read-only), the förmedlare certificate, the trusted CAs and the operators known from FaR.',
  })
  @Roles(Role.PlatformAdmin)
  mmConnections(): Promise<MmConnectionsType> {
    return this.connections.settings();
  }

  @Mutation(() => MmConnectionCheckType, {
    description:
      'Tests the connections now: mutual TLS to FaR and to each known mailbox operator with the förmedlare certificate, and one real FaR question about a ' +
      'Skatteverket test personnummer. Reports per endpoint ok, latency and what failed, in words (a mutation: it calls external services).',
  })
  @Roles(Role.PlatformAdmin)
  async checkMmConnections(
    @Args('senderOrgNumber', {
      type: () => String,
      nullable: true,
      description: 'The sender FaR is asked for (organisationsnummer); default: the förmedlare\'s own, from its certificate.',
    })
    senderOrgNumber?: string | null,
  ): Promise<MmConnectionCheckType> {
    try {
      return await this.connections.check(senderOrgNumber);
    } catch (e) {
      if (e instanceof CheckArgumentError) {
        throw new ApiError(ApiErrorCode.ValidationFailed, `The check was refused: ${e.path} ${e.message}.`, { fields: [{ path: e.path, rule: 'format', message: e.message }] });
      }
      throw e;
    }
  }
}

/** The platform's own audit trail: reading it and verifying its hash chain (platform admins). */
@Resolver(() => PlatformAuditEntryType)
export class PlatformAuditResolver {
  constructor(@Inject(API_GRAPHQL_OPTIONS) private readonly options: ApiGraphqlOptions) {}

  @Query(() => [PlatformAuditEntryType], { description: 'The platform\'s audit trail (onboarding, tenant names, print vendors), newest first.' })
  @Roles(Role.PlatformAdmin)
  async platformAuditTrail(
    @Args('first', { type: () => Int, nullable: true, description: 'How many entries; default 50, at most PAGE_SIZE_MAX.' }) first?: number | null,
    @Args('beforeSeq', { type: () => Int, nullable: true, description: 'Only entries older than this one (paging: the last seq of the previous page).' }) beforeSeq?: number | null,
  ): Promise<PlatformAuditEntryType[]> {
    const max = this.options.config.PAGE_SIZE_MAX;
    const size = first ?? Math.min(50, max);
    if (!Number.isInteger(size) || size < 1 || size > max) throw new ApiError(ApiErrorCode.PageSizeExceeded, `first must be from 1 to ${max} (PAGE_SIZE_MAX); got ${first}.`);
    const page = await this.options.tenantDb.withoutTenant((em) => readPlatformAudit(em as never, size, beforeSeq ?? null));
    return page.entries.map((e) => ({ ...e, createdAt: new Date(e.createdAt) }));
  }

  @Query(() => PlatformAuditVerificationType, { description: 'Recomputes the platform\'s audit chain: ok, or the first entry that does not fit.' })
  @Roles(Role.PlatformAdmin)
  async verifyPlatformAuditTrail(): Promise<PlatformAuditVerificationType> {
    const v = await this.options.tenantDb.withoutTenant((em) => verifyPlatformAudit(em as never));
    return { ok: v.ok, entries: v.entries, lastHash: v.lastHash, brokenSeq: v.firstBroken?.seq ?? null, brokenProblem: v.firstBroken?.problem ?? null, brokenMessage: v.firstBroken?.message ?? null };
  }
}
