import { appendAudit } from '@hub/audit';
import { IntakeContext, LetterValidationError, sql } from '@hub/letters';
import type { TenantDb } from '@hub/persistence';
import type { TenantSettings } from '@hub/tenancy';
import { changeProtectionClassPolicy, protectionClassPolicy, ProtectionClassRule, ProtectionClassRuleInput } from './protection-class-policy';

/**
 * Reads and sets a municipality's protection-class policy (SK3), kept in `tenant.settings`: the print
 * rule per class (`printByProtectionClass`, which the channel switch reads) and the rest
 * (`protectionClassPolicy`). Each change is audited in the same transaction.
 */
export class ProtectionClassPolicyService {
  constructor(private readonly db: TenantDb) {}

  async get(ctx: IntakeContext): Promise<ProtectionClassRule[]> {
    return this.db.inTenant(ctx.tenantId, async (em) => protectionClassPolicy(await this.settings(em, ctx.tenantId, false)), ctx.actor);
  }

  /**
   * Changes the classes given (fields left out stay as they are). Throws {@link LetterValidationError}
   * with `rules[i].…` paths for what the policy may not allow. A change that changes nothing writes
   * nothing and is not audited.
   */
  async set(ctx: IntakeContext, rules: readonly (ProtectionClassRuleInput | null)[]): Promise<ProtectionClassRule[]> {
    return this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const settings = await this.settings(em, ctx.tenantId, true);
        const out = changeProtectionClassPolicy(settings, rules);
        if (!out.ok) throw new LetterValidationError(out.fields, 'The protection-class policy was refused');
        const { change } = out;
        if (change.changes.length === 0) return protectionClassPolicy(settings);
        // Only the policy's own keys change: other settings (print, deadlines…) stay as they are.
        const { rows } = await sql<{ settings: TenantSettings }>(
          em,
          `update tenant set settings = settings
                 || jsonb_build_object('printByProtectionClass', $2::jsonb)
                 || jsonb_build_object('protectionClassPolicy', coalesce(settings->'protectionClassPolicy', '{}'::jsonb) || jsonb_build_object('notificationSubject', $3::jsonb))
            where id = $1 returning settings`,
          [ctx.tenantId, JSON.stringify(change.printByProtectionClass), JSON.stringify(change.notificationSubject)],
        );
        await appendAudit(em, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: 'protectionClassPolicy.update',
          target: `tenant:${ctx.tenantId}`,
          detail: { changes: change.changes },
        });
        return protectionClassPolicy(rows[0].settings);
      },
      ctx.actor,
    );
  }

  private async settings(em: Parameters<typeof sql>[0], tenantId: string, lock: boolean): Promise<TenantSettings> {
    const { rows } = await sql<{ settings: TenantSettings | null }>(em, `select settings from tenant where id = $1${lock ? ' for update' : ''}`, [tenantId]);
    return rows[0]?.settings ?? {};
  }
}
