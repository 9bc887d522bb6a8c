import type { EntityManager } from '@mikro-orm/postgresql';
import { appendAudit } from '@hub/audit';
import { sql } from '@hub/letters';
import type { TenantDb } from '@hub/persistence';
import {
  CheckedRetentionRule,
  checkRetentionRuleInput,
  isRuleId,
  RetentionContext,
  RetentionRule,
  RetentionRuleInput,
  RetentionRuleNotFoundError,
  RetentionValidationError,
} from './retention-rule';

interface RuleRow extends Record<string, unknown> {
  id: string;
  tenant_id: string;
  case_type_code: string | null;
  protection_class: number | null;
  content_after_days: number | null;
  identifiers_after_days: number | null;
  identifiers_action: RetentionRule['identifiersAction'];
  log_after_days: number | null;
  description: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, tenant_id, case_type_code, protection_class, content_after_days, identifiers_after_days, identifiers_action, log_after_days, description, created_at, updated_at`;

function toRule(r: RuleRow): RetentionRule {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    caseTypeCode: r.case_type_code,
    protectionClass: r.protection_class === null ? null : Number(r.protection_class),
    contentAfterDays: r.content_after_days,
    identifiersAfterDays: r.identifiers_after_days,
    identifiersAction: r.identifiers_action,
    logAfterDays: r.log_after_days,
    description: r.description,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/** The settings of a rule as the audit trail and purge records keep them (no ids, no times). */
export function ruleSettings(rule: CheckedRetentionRule): Record<string, unknown> {
  return {
    caseTypeCode: rule.caseTypeCode,
    protectionClass: rule.protectionClass,
    contentAfterDays: rule.contentAfterDays,
    identifiersAfterDays: rule.identifiersAfterDays,
    identifiersAction: rule.identifiersAction,
    logAfterDays: rule.logAfterDays,
    description: rule.description,
  };
}

function scopeText(rule: Pick<CheckedRetentionRule, 'caseTypeCode' | 'protectionClass'>): string {
  return `${rule.caseTypeCode === null ? 'every case type' : `case type ${rule.caseTypeCode}`} and ${rule.protectionClass === null ? 'every protection class' : `protection class ${rule.protectionClass}`}`;
}

/** Reads a tenant's rules in its transaction (most specific first). */
export async function listRules(em: EntityManager): Promise<RetentionRule[]> {
  const rows = (
    await sql<RuleRow>(
      em,
      `select ${COLUMNS} from retention_rule
        order by (case_type_code is null), (protection_class is null), case_type_code, protection_class, created_at, id`,
    )
  ).rows;
  return rows.map(toRule);
}

/**
 * A tenant's retention rules: list, create, replace and delete, each change audited (appendAudit in
 * the same tenant transaction, with the old and new settings). One rule per scope (case type or
 * every one × class or every one); a second rule for a scope is refused, naming the first.
 */
export class RetentionRules {
  constructor(private readonly db: TenantDb) {}

  list(ctx: RetentionContext): Promise<RetentionRule[]> {
    return this.db.inTenant(ctx.tenantId, listRules, ctx.actor);
  }

  get(ctx: RetentionContext, id: string): Promise<RetentionRule> {
    return this.db.inTenant(ctx.tenantId, (em) => this.find(em, id, false), ctx.actor);
  }

  async create(ctx: RetentionContext, input: RetentionRuleInput): Promise<RetentionRule> {
    const value = this.check(input);
    return this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        await this.lockScopes(em, ctx.tenantId);
        await this.refuseTakenScope(em, value, null);
        const row = (
          await sql<RuleRow>(
            em,
            `insert into retention_rule (tenant_id, case_type_code, protection_class, content_after_days, identifiers_after_days, identifiers_action, log_after_days, description)
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${COLUMNS}`,
            [ctx.tenantId, value.caseTypeCode, value.protectionClass, value.contentAfterDays, value.identifiersAfterDays, value.identifiersAction, value.logAfterDays, value.description],
          )
        ).rows[0];
        const rule = toRule(row);
        await appendAudit(em, { tenantId: ctx.tenantId, actor: ctx.actor, action: 'retentionRule.create', target: `retentionRule:${rule.id}`, detail: { rule: ruleSettings(rule) } });
        return rule;
      },
      ctx.actor,
    );
  }

  /** Replaces the rule's settings with `input` (fields left out become "not set"). */
  async update(ctx: RetentionContext, id: string, input: RetentionRuleInput): Promise<RetentionRule> {
    const value = this.check(input);
    return this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        await this.lockScopes(em, ctx.tenantId);
        const before = await this.find(em, id, true);
        await this.refuseTakenScope(em, value, id);
        const row = (
          await sql<RuleRow>(
            em,
            `update retention_rule set case_type_code = $2, protection_class = $3, content_after_days = $4, identifiers_after_days = $5,
                    identifiers_action = $6, log_after_days = $7, description = $8, updated_at = now()
              where id = $1 returning ${COLUMNS}`,
            [id, value.caseTypeCode, value.protectionClass, value.contentAfterDays, value.identifiersAfterDays, value.identifiersAction, value.logAfterDays, value.description],
          )
        ).rows[0];
        const rule = toRule(row);
        await appendAudit(em, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: 'retentionRule.update',
          target: `retentionRule:${id}`,
          detail: { rule: ruleSettings(rule), previous: ruleSettings(before) },
        });
        return rule;
      },
      ctx.actor,
    );
  }

  /** Deletes the rule; its purge records stay (with the rule as it was). Returns the deleted rule. */
  delete(ctx: RetentionContext, id: string): Promise<RetentionRule> {
    return this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const before = await this.find(em, id, true);
        await sql(em, `delete from retention_rule where id = $1`, [id]);
        await appendAudit(em, { tenantId: ctx.tenantId, actor: ctx.actor, action: 'retentionRule.delete', target: `retentionRule:${id}`, detail: { previous: ruleSettings(before) } });
        return before;
      },
      ctx.actor,
    );
  }

  private check(input: RetentionRuleInput): CheckedRetentionRule {
    const checked = checkRetentionRuleInput(input);
    if (!checked.ok) throw new RetentionValidationError(checked.fields);
    return checked.value;
  }

  private async find(em: EntityManager, id: string, forUpdate: boolean): Promise<RetentionRule> {
    if (!isRuleId(id)) throw new RetentionRuleNotFoundError(id);
    const row = (await sql<RuleRow>(em, `select ${COLUMNS} from retention_rule where id = $1 ${forUpdate ? 'for update' : ''}`, [id])).rows[0];
    if (!row) throw new RetentionRuleNotFoundError(id);
    return toRule(row);
  }

  /** Serialises rule changes of one tenant, so two admins cannot both take a scope. */
  private async lockScopes(em: EntityManager, tenantId: string): Promise<void> {
    await sql(em, `select pg_advisory_xact_lock(hashtextextended('retention_rule:' || $1, 0))`, [tenantId]);
  }

  private async refuseTakenScope(em: EntityManager, value: CheckedRetentionRule, exceptId: string | null): Promise<void> {
    const taken = (
      await sql<{ id: string }>(
        em,
        `select id from retention_rule where coalesce(case_type_code, '') = coalesce($1, '') and coalesce(protection_class, 0) = coalesce($2::smallint, 0)
            and ($3::uuid is null or id <> $3)`,
        [value.caseTypeCode, value.protectionClass, exceptId],
      )
    ).rows[0];
    if (taken) {
      throw new RetentionValidationError([
        { path: 'caseTypeCode', rule: 'unique', message: `and protectionClass: a rule for ${scopeText(value)} already exists (${taken.id}); change that one instead` },
      ]);
    }
  }
}
