import { Inject, UseInterceptors } from '@nestjs/common';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Role, Roles } from '@hub/auth';
import { PurgeRecord, RetentionCounts, RetentionRule, RetentionService } from '@hub/retention';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { Caller } from '../caller/caller';
import { CallerInterceptor } from '../caller/caller.interceptor';
import { CurrentCaller } from '../caller/current-caller.decorator';
import { pageSize, retentionCall } from './retention-errors';
import { PurgeRecordConnectionType, PurgeRecordType, RetentionCountsType, RetentionDryRunType, RetentionRuleInputType, RetentionRuleSnapshotType, RetentionRuleType } from './retention.types';

function toRuleType(r: RetentionRule): RetentionRuleType {
  return {
    id: r.id,
    caseTypeCode: r.caseTypeCode,
    protectionClass: r.protectionClass,
    contentAfterDays: r.contentAfterDays,
    identifiersAfterDays: r.identifiersAfterDays,
    identifiersAction: r.identifiersAction,
    logAfterDays: r.logAfterDays,
    description: r.description,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function toCountsType(c: RetentionCounts): RetentionCountsType {
  const { purgers, ...steps } = c;
  return { ...steps, purgers: Object.entries(purgers).map(([name, count]) => ({ name, count })) };
}

function toRecordType(r: PurgeRecord): PurgeRecordType {
  return {
    id: r.id,
    ruleId: r.ruleId,
    rule: r.rule as unknown as RetentionRuleSnapshotType,
    dryRun: r.dryRun,
    trigger: r.trigger,
    actor: r.actor,
    asOf: r.asOf,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    counts: toCountsType(r.counts),
    error: r.error,
  };
}

/** Retention (gallring) for tenant admins: rules (audited), dry-runs and purge records. */
@Resolver(() => RetentionRuleType)
@UseInterceptors(CallerInterceptor)
export class RetentionResolver {
  private readonly retention: RetentionService;

  constructor(@Inject(API_GRAPHQL_OPTIONS) private readonly options: ApiGraphqlOptions) {
    this.retention = new RetentionService(options.tenantDb, { pageSizeMax: options.config.PAGE_SIZE_MAX });
  }

  @Query(() => [RetentionRuleType], { description: 'Your municipality\'s retention rules, most specific first.' })
  @Roles(Role.TenantAdmin)
  async retentionRules(@CurrentCaller() caller: Caller): Promise<RetentionRuleType[]> {
    return (await retentionCall(() => this.retention.listRules(caller))).map(toRuleType);
  }

  @Mutation(() => RetentionRuleType, {
    description: 'Creates a retention rule (audited). VALIDATION_FAILED names each broken field: N ≤ M ≤ K, at least one step, one rule per case type and class.',
  })
  @Roles(Role.TenantAdmin)
  async createRetentionRule(@Args('input', { type: () => RetentionRuleInputType }) input: RetentionRuleInputType, @CurrentCaller() caller: Caller): Promise<RetentionRuleType> {
    return toRuleType(await retentionCall(() => this.retention.createRule(caller, input)));
  }

  @Mutation(() => RetentionRuleType, { description: 'Replaces a retention rule\'s settings (audited with the old and new ones). NOT_FOUND for an unknown id.' })
  @Roles(Role.TenantAdmin)
  async updateRetentionRule(
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { type: () => RetentionRuleInputType }) input: RetentionRuleInputType,
    @CurrentCaller() caller: Caller,
  ): Promise<RetentionRuleType> {
    return toRuleType(await retentionCall(() => this.retention.updateRule(caller, id, input)));
  }

  @Mutation(() => RetentionRuleType, { description: 'Deletes a retention rule (audited) and returns it as it was; its purge records stay.' })
  @Roles(Role.TenantAdmin)
  async deleteRetentionRule(@Args('id', { type: () => ID }) id: string, @CurrentCaller() caller: Caller): Promise<RetentionRuleType> {
    return toRuleType(await retentionCall(() => this.retention.deleteRule(caller, id)));
  }

  @Query(() => RetentionDryRunType, {
    description: 'What one rule (ruleId) or every rule would remove if the daily run ran now, per step. Changes nothing; each rule\'s dry-run is kept as a purge record.',
  })
  @Roles(Role.TenantAdmin)
  async retentionDryRun(@CurrentCaller() caller: Caller, @Args('ruleId', { type: () => ID, nullable: true }) ruleId?: string | null): Promise<RetentionDryRunType> {
    const result = await retentionCall(() => this.retention.dryRun(caller, ruleId));
    return { asOf: result.asOf, rules: result.records.map(toRecordType), totals: toCountsType(result.totals) };
  }

  @Query(() => PurgeRecordConnectionType, { description: 'Your municipality\'s purge records (real runs and dry-runs), newest first.' })
  @Roles(Role.TenantAdmin)
  async purgeRecords(
    @CurrentCaller() caller: Caller,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size; default 50 (or PAGE_SIZE_MAX when smaller).' }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
    @Args('ruleId', { type: () => ID, nullable: true, description: 'Only this rule\'s records.' }) ruleId?: string | null,
    @Args('dryRun', { type: () => Boolean, nullable: true, description: 'Only dry-runs (true) or only real runs (false).' }) dryRun?: boolean | null,
  ): Promise<PurgeRecordConnectionType> {
    const size = pageSize(first, this.options.config.PAGE_SIZE_MAX);
    const page = await retentionCall(() => this.retention.purgeRecords(caller, { ruleId: ruleId ?? null, dryRun: dryRun ?? null }, size, after));
    return { edges: page.items.map((i) => ({ cursor: i.cursor, node: toRecordType(i.record) })), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }
}
