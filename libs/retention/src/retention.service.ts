import type { TenantDb } from '@hub/persistence';
import { PurgeRecordFilter, PurgeRecordPage, PurgeRecords } from './purge-records';
import { RetentionPurgers } from './retention-purgers';
import { addCounts, emptyCounts, PurgeRecord, RetentionCounts, RetentionPurge } from './retention-purge';
import { RetentionContext, RetentionError, RetentionRule, RetentionRuleInput } from './retention-rule';
import { RetentionRules } from './retention-rules.service';

/** A dry-run's answer: one purge record per rule, and the totals. */
export interface RetentionDryRunResult {
  asOf: Date | null;
  records: PurgeRecord[];
  totals: RetentionCounts;
}

/**
 * What tenant admins do with retention (the API's entry point): manage rules (audited), dry-run one
 * rule or all (recorded as dry-run purge records), read purge records.
 */
export class RetentionService {
  readonly rules: RetentionRules;
  private readonly records: PurgeRecords;
  private readonly purge: RetentionPurge;

  constructor(
    db: TenantDb,
    private readonly options: { pageSizeMax: number; defaultPageSize?: number; purgers?: RetentionPurgers },
  ) {
    this.rules = new RetentionRules(db);
    this.records = new PurgeRecords(db);
    this.purge = new RetentionPurge({ db, ...(options.purgers ? { purgers: options.purgers } : {}) });
  }

  listRules(ctx: RetentionContext): Promise<RetentionRule[]> {
    return this.rules.list(ctx);
  }

  createRule(ctx: RetentionContext, input: RetentionRuleInput): Promise<RetentionRule> {
    return this.rules.create(ctx, input);
  }

  updateRule(ctx: RetentionContext, id: string, input: RetentionRuleInput): Promise<RetentionRule> {
    return this.rules.update(ctx, id, input);
  }

  deleteRule(ctx: RetentionContext, id: string): Promise<RetentionRule> {
    return this.rules.delete(ctx, id);
  }

  /** What one rule (or every rule) would remove now; nothing is changed but the dry-run's purge records. */
  async dryRun(ctx: RetentionContext, ruleId?: string | null): Promise<RetentionDryRunResult> {
    if (ruleId) await this.rules.get(ctx, ruleId);
    const records = await this.purge.run(ctx, { dryRun: true, trigger: 'MANUAL', ruleId: ruleId ?? null });
    return { asOf: records[0]?.asOf ?? null, records, totals: records.reduce((t, r) => addCounts(t, r.counts), emptyCounts()) };
  }

  async purgeRecords(ctx: RetentionContext, filter: PurgeRecordFilter, first?: number | null, after?: string | null): Promise<PurgeRecordPage> {
    const size = first ?? Math.min(this.options.defaultPageSize ?? 50, this.options.pageSizeMax);
    if (!Number.isInteger(size) || size < 1 || size > this.options.pageSizeMax) {
      throw new RetentionError('BAD_INPUT', `first must be between 1 and ${this.options.pageSizeMax}; ask for the next page with after.`);
    }
    return this.records.list(ctx, filter, size, after);
  }
}
