import { Inject, UseInterceptors } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Role, Roles } from '@hub/auth';
import { CaseTypeService, ProtectionClassPolicyService } from '@hub/policies';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { Caller } from '../caller/caller';
import { CallerInterceptor } from '../caller/caller.interceptor';
import { CurrentCaller } from '../caller/current-caller.decorator';
import { CaseTypeInputType, CaseTypeType, CaseTypeUpdateInputType, ProtectionClassRuleInputType, ProtectionClassRuleType } from './policies.types';

/** Who may read case types: everyone who sends or follows letters. */
const CASE_TYPE_READERS = [Role.CaseSystem, Role.CaseOfficer, Role.TenantAdmin] as const;

/** Case types (ärendetyper): read by those who send letters, changed by tenant admins (audited). */
@Resolver(() => CaseTypeType)
@UseInterceptors(CallerInterceptor)
export class CaseTypeResolver {
  private readonly service: CaseTypeService;

  constructor(@Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    this.service = new CaseTypeService(options.tenantDb);
  }

  @Query(() => [CaseTypeType], { description: 'Your municipality\'s case types, by code.' })
  @Roles(...CASE_TYPE_READERS)
  caseTypes(
    @CurrentCaller() caller: Caller,
    @Args('includeArchived', { type: () => Boolean, nullable: true, defaultValue: false }) includeArchived: boolean,
  ): Promise<CaseTypeType[]> {
    return this.service.list(caller, { includeArchived });
  }

  @Query(() => CaseTypeType, { description: 'One case type by its code (archived ones too). NOT_FOUND for an unknown code.' })
  @Roles(...CASE_TYPE_READERS)
  caseType(@Args('code') code: string, @CurrentCaller() caller: Caller): Promise<CaseTypeType> {
    return this.service.get(caller, code);
  }

  @Mutation(() => CaseTypeType, { description: 'Creates a case type (tenant admins). VALIDATION_FAILED with the fields, e.g. a code already taken or an unknown placeholder.' })
  @Roles(Role.TenantAdmin)
  createCaseType(@Args('input', { type: () => CaseTypeInputType }) input: CaseTypeInputType, @CurrentCaller() caller: Caller): Promise<CaseTypeType> {
    return this.service.create(caller, input);
  }

  @Mutation(() => CaseTypeType, { description: 'Changes a case type (tenant admins); applies to letters submitted from now on.' })
  @Roles(Role.TenantAdmin)
  updateCaseType(
    @Args('code') code: string,
    @Args('input', { type: () => CaseTypeUpdateInputType }) input: CaseTypeUpdateInputType,
    @CurrentCaller() caller: Caller,
  ): Promise<CaseTypeType> {
    return this.service.update(caller, code, input);
  }

  @Mutation(() => CaseTypeType, { description: 'Archives a case type (tenant admins): letters may no longer name it; letters already sent keep it.' })
  @Roles(Role.TenantAdmin)
  archiveCaseType(@Args('code') code: string, @CurrentCaller() caller: Caller): Promise<CaseTypeType> {
    return this.service.archive(caller, code);
  }

  @Mutation(() => CaseTypeType, { description: 'Makes an archived case type active again (tenant admins).' })
  @Roles(Role.TenantAdmin)
  restoreCaseType(@Args('code') code: string, @CurrentCaller() caller: Caller): Promise<CaseTypeType> {
    return this.service.restore(caller, code);
  }
}

/** The municipality's protection-class policy (SK3), for its tenant admins (audited). */
@Resolver(() => ProtectionClassRuleType)
@UseInterceptors(CallerInterceptor)
export class ProtectionClassPolicyResolver {
  private readonly policy: ProtectionClassPolicyService;

  constructor(@Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    this.policy = new ProtectionClassPolicyService(options.tenantDb);
  }

  @Query(() => [ProtectionClassRuleType], { description: 'What each protection class allows in your municipality (classes 1–3, defaults filled in).' })
  @Roles(Role.TenantAdmin)
  protectionClassPolicy(@CurrentCaller() caller: Caller): Promise<ProtectionClassRuleType[]> {
    return this.policy.get(caller);
  }

  @Mutation(() => [ProtectionClassRuleType], {
    description: 'Changes what the given protection classes allow (fields left out stay as they are); returns the whole policy. Class 3 subjects never appear in notifications.',
  })
  @Roles(Role.TenantAdmin)
  setProtectionClassPolicy(
    @Args('rules', { type: () => [ProtectionClassRuleInputType] }) rules: ProtectionClassRuleInputType[],
    @CurrentCaller() caller: Caller,
  ): Promise<ProtectionClassRuleType[]> {
    return this.policy.set(caller, rules);
  }
}
