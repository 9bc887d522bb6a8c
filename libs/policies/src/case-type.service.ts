import type { EntityManager } from '@mikro-orm/postgresql';
import { appendAudit } from '@hub/audit';
import { CaseTypeChannel, IntakeContext, IntakeError, IntakeErrorCode, LetterValidationError, sql } from '@hub/letters';
import type { TenantDb } from '@hub/persistence';
import { CaseTypeInput, CaseTypeUpdate, CaseTypeView } from './case-type.types';
import { CaseTypeFields, validateCaseTypeUpdate, validateNewCaseType } from './case-type.validator';

/** No case type with this code exists for the caller's tenant (another tenant's is, to the caller, absent). */
export class CaseTypeNotFoundError extends IntakeError {
  constructor(readonly caseTypeCode: string) {
    super(IntakeErrorCode.NotFound, `No case type ${JSON.stringify(caseTypeCode)} exists for your organisation; the caseTypes query lists them.`);
  }
}

const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const COLUMNS = `id, code, name, default_protection_class, subject_template, body_template, allowed_channels, print_allowed, retention_rule_id,
  diary_enabled, version, ${iso('archived_at')} as archived_at, ${iso('created_at')} as created_at, ${iso('updated_at')} as updated_at`;

interface Row {
  id: string;
  code: string;
  name: string;
  default_protection_class: number;
  subject_template: string;
  body_template: string | null;
  allowed_channels: CaseTypeChannel[];
  print_allowed: boolean;
  retention_rule_id: string | null;
  diary_enabled: boolean;
  version: number;
  archived_at: string | null;
  created_at: string;
  updated_at: string;
}

function toView(r: Row): CaseTypeView {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    defaultProtectionClass: Number(r.default_protection_class),
    subjectTemplate: r.subject_template,
    bodyTemplate: r.body_template,
    allowedChannels: r.allowed_channels,
    printAllowed: r.print_allowed,
    retentionRuleId: r.retention_rule_id,
    diaryEnabled: r.diary_enabled,
    active: r.archived_at === null,
    archivedAt: r.archived_at ? new Date(r.archived_at) : null,
    version: Number(r.version),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/** Column of each field, in the order the audit trail lists changes. */
const FIELD_COLUMNS: [keyof Omit<CaseTypeFields, 'code'>, string][] = [
  ['name', 'name'],
  ['defaultProtectionClass', 'default_protection_class'],
  ['subjectTemplate', 'subject_template'],
  ['bodyTemplate', 'body_template'],
  ['allowedChannels', 'allowed_channels'],
  ['retentionRuleId', 'retention_rule_id'],
  ['diaryEnabled', 'diary_enabled'],
];
const CASTS: Record<string, string> = { default_protection_class: 'smallint', allowed_channels: 'text[]', retention_rule_id: 'uuid', diary_enabled: 'boolean' };

/** PostgreSQL's foreign-key violation: a retention rule id that is not one of the tenant's (once the retention work adds the reference). */
const FOREIGN_KEY_VIOLATION = '23503';

/**
 * A municipality's case types (ärendetyper): read by everyone who sends or follows letters, changed
 * by its tenant admins. Every change is written to the audit trail in the same transaction. Case
 * types are archived, never deleted: letters keep naming them.
 */
export class CaseTypeService {
  constructor(private readonly db: TenantDb) {}

  /** The tenant's case types by code; archived ones only when asked for. */
  async list(ctx: IntakeContext, options: { includeArchived?: boolean } = {}): Promise<CaseTypeView[]> {
    return this.db.inTenant(
      ctx.tenantId,
      async (em) =>
        (
          await sql<Row>(em, `select ${COLUMNS} from case_type where tenant_id = $1 ${options.includeArchived ? '' : 'and archived_at is null'} order by code`, [ctx.tenantId])
        ).rows.map(toView),
      ctx.actor,
    );
  }

  /** One case type by code (archived ones too); {@link CaseTypeNotFoundError} otherwise. */
  async get(ctx: IntakeContext, code: string): Promise<CaseTypeView> {
    return this.db.inTenant(ctx.tenantId, async (em) => toView(await this.row(em, ctx, code, false)), ctx.actor);
  }

  /** Creates a case type. {@link LetterValidationError} for a bad field or a code already taken. */
  async create(ctx: IntakeContext, input: CaseTypeInput): Promise<CaseTypeView> {
    const checked = validateNewCaseType(input);
    if (!checked.ok) throw new LetterValidationError(checked.fields, 'The case type was refused');
    const f = checked.value;
    return this.withForeignKeys(() =>
      this.db.inTenant(
        ctx.tenantId,
        async (em) => {
          const { rows } = await sql<Row>(
            em,
            `insert into case_type (tenant_id, code, name, default_protection_class, subject_template, body_template, allowed_channels, retention_rule_id, diary_enabled)
             values ($1, $2, $3, $4, $5, $6, $7::text[], $8::uuid, $9)
             on conflict (tenant_id, code) do nothing
             returning ${COLUMNS}`,
            [ctx.tenantId, f.code, f.name, f.defaultProtectionClass, f.subjectTemplate, f.bodyTemplate, f.allowedChannels, f.retentionRuleId, f.diaryEnabled],
          );
          if (!rows[0]) {
            throw new LetterValidationError(
              [{ path: 'code', rule: 'unique', message: `${JSON.stringify(f.code)} is already a case type of your organisation (perhaps archived): choose another code, or change or restore that one` }],
              'The case type was refused',
            );
          }
          const view = toView(rows[0]);
          await appendAudit(em, { tenantId: ctx.tenantId, actor: ctx.actor, action: 'caseType.create', target: `caseType:${view.id}`, detail: { code: f.code, values: auditValues(f) } });
          return view;
        },
        ctx.actor,
      ),
    );
  }

  /** Changes the fields given. A change that changes nothing writes nothing and is not audited. */
  async update(ctx: IntakeContext, code: string, input: CaseTypeUpdate): Promise<CaseTypeView> {
    const checked = validateCaseTypeUpdate(input);
    if (!checked.ok) throw new LetterValidationError(checked.fields, 'The case type change was refused');
    return this.withForeignKeys(() =>
      this.db.inTenant(
        ctx.tenantId,
        async (em) => {
          const before = toView(await this.row(em, ctx, code, true));
          const changes: Record<string, { from: unknown; to: unknown }> = {};
          const sets: string[] = [];
          const params: unknown[] = [ctx.tenantId, before.id];
          for (const [field, column] of FIELD_COLUMNS) {
            const to = checked.value[field];
            if (to === undefined) continue;
            const from = before[field];
            if (JSON.stringify(from) === JSON.stringify(to)) continue;
            changes[field] = { from, to };
            params.push(to);
            sets.push(`${column} = $${params.length}${CASTS[column] ? `::${CASTS[column]}` : ''}`);
          }
          if (sets.length === 0) return before;
          const { rows } = await sql<Row>(
            em,
            `update case_type set ${sets.join(', ')}, version = version + 1, updated_at = now() where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
            params,
          );
          await appendAudit(em, { tenantId: ctx.tenantId, actor: ctx.actor, action: 'caseType.update', target: `caseType:${before.id}`, detail: { code: before.code, changes } });
          return toView(rows[0]);
        },
        ctx.actor,
      ),
    );
  }

  /** Archives a case type: letters may no longer name it. Archiving an archived one changes nothing. */
  archive(ctx: IntakeContext, code: string): Promise<CaseTypeView> {
    return this.setArchived(ctx, code, true);
  }

  /** Makes an archived case type active again. */
  restore(ctx: IntakeContext, code: string): Promise<CaseTypeView> {
    return this.setArchived(ctx, code, false);
  }

  private setArchived(ctx: IntakeContext, code: string, archive: boolean): Promise<CaseTypeView> {
    return this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const before = toView(await this.row(em, ctx, code, true));
        if (before.active !== archive) return before;
        const { rows } = await sql<Row>(
          em,
          `update case_type set archived_at = ${archive ? 'now()' : 'null'}, version = version + 1, updated_at = now() where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
          [ctx.tenantId, before.id],
        );
        await appendAudit(em, { tenantId: ctx.tenantId, actor: ctx.actor, action: archive ? 'caseType.archive' : 'caseType.restore', target: `caseType:${before.id}`, detail: { code: before.code } });
        return toView(rows[0]);
      },
      ctx.actor,
    );
  }

  private async row(em: EntityManager, ctx: IntakeContext, code: string, lock: boolean): Promise<Row> {
    const { rows } = await sql<Row>(em, `select ${COLUMNS} from case_type where tenant_id = $1 and code = $2${lock ? ' for update' : ''}`, [ctx.tenantId, typeof code === 'string' ? code.trim() : '']);
    if (!rows[0]) throw new CaseTypeNotFoundError(code);
    return rows[0];
  }

  private async withForeignKeys<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if ((e as { code?: string }).code === FOREIGN_KEY_VIOLATION && /retention_rule/.test(String((e as { constraint?: string; message?: string }).constraint ?? (e as Error).message))) {
        throw new LetterValidationError([{ path: 'retentionRuleId', rule: 'unknown', message: 'is not one of your retention rules: give the id of one, or null' }], 'The case type was refused');
      }
      throw e;
    }
  }
}

function auditValues(f: Partial<CaseTypeFields>): Record<string, unknown> {
  return Object.fromEntries(FIELD_COLUMNS.filter(([k]) => f[k] !== undefined).map(([k]) => [k, f[k]]));
}
