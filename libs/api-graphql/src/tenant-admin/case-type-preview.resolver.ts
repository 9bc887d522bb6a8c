import { Inject, UseInterceptors } from '@nestjs/common';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { Role, Roles } from '@hub/auth';
import { sql, stockholmDate } from '@hub/letters';
import type { TenantDb } from '@hub/persistence';
import { expandTemplate, TEMPLATE_PLACEHOLDERS, TemplatePlaceholder, validateCaseTypeUpdate } from '@hub/policies';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { Caller } from '../caller/caller';
import { CallerInterceptor } from '../caller/caller.interceptor';
import { CurrentCaller } from '../caller/current-caller.decorator';
import { CaseTypeTemplatePreviewType } from './tenant-admin.types';

/** Sample values when the caller gives none. */
export const SAMPLE_CASE_REFERENCE = 'BN 2026-123';
export const SAMPLE_CASE_TYPE_NAME = 'Ärendetyp';

const PLACEHOLDERS = (Object.entries(TEMPLATE_PLACEHOLDERS) as [TemplatePlaceholder, string][]).map(([name, description]) => ({ placeholder: `{${name}}`, description }));

/**
 * Fills case type templates with sample values for the console's live preview, with the same
 * parser, validator and filler the API uses when a case type is saved and when a letter is made
 * from it: the console keeps no copy of the placeholder rules.
 */
export async function previewTemplates(
  db: TenantDb,
  caller: Pick<Caller, 'tenantId' | 'actor'>,
  args: { subjectTemplate: string; bodyTemplate?: string | null; caseTypeName?: string | null; sendingUnit?: string | null; caseReference?: string | null },
  now = new Date(),
): Promise<CaseTypeTemplatePreviewType> {
  const checked = validateCaseTypeUpdate({ subjectTemplate: args.subjectTemplate, ...(args.bodyTemplate !== undefined && args.bodyTemplate !== null ? { bodyTemplate: args.bodyTemplate } : {}) });
  const problems = checked.ok ? [] : checked.fields;
  const unitCode = args.sendingUnit?.trim() || null;
  const units = await db.inTenant(
    caller.tenantId,
    async (em) => (await sql<{ code: string; name: string }>(em, `select code, name from sending_unit where tenant_id = $1 order by code`, [caller.tenantId])).rows,
    caller.actor,
  );
  const unit = units.find((u) => u.code === unitCode) ?? units[0];
  const values: Record<TemplatePlaceholder, string> = {
    caseReference: args.caseReference?.trim() || SAMPLE_CASE_REFERENCE,
    caseType: args.caseTypeName?.trim() || SAMPLE_CASE_TYPE_NAME,
    sendingUnit: unit?.name ?? 'Avsändande nämnd',
    date: stockholmDate(now),
  };
  const fill = (path: string, template: string | null | undefined): string | null => {
    if (template === null || template === undefined || problems.some((p) => p.path === path)) return null;
    const out = expandTemplate(path === 'subjectTemplate' ? template.trim() : template, values);
    return out.ok ? out.text : null;
  };
  return {
    subject: fill('subjectTemplate', args.subjectTemplate),
    body: fill('bodyTemplate', args.bodyTemplate),
    problems: problems.map((p) => ({ path: p.path, rule: p.rule, message: p.message })),
    placeholders: PLACEHOLDERS,
  };
}

/** The live preview of case type templates (tenant admins, who edit case types). */
@Resolver(() => CaseTypeTemplatePreviewType)
@UseInterceptors(CallerInterceptor)
export class CaseTypePreviewResolver {
  constructor(@Inject(API_GRAPHQL_OPTIONS) private readonly options: ApiGraphqlOptions) {}

  @Query(() => CaseTypeTemplatePreviewType, {
    description:
      'Fills a subject and body template with sample values, exactly as a letter of the case type would get them, and lists what saving them would refuse (unknown placeholders, ' +
      'a personnummer, a subject too long). Nothing is saved. Sample values: caseReference as given (default "BN 2026-123"), caseType the given name, sendingUnit the given ' +
      'unit\'s name (default: your first unit), date today (Swedish time).',
  })
  @Roles(Role.TenantAdmin)
  caseTypeTemplatePreview(
    @CurrentCaller() caller: Caller,
    @Args('subjectTemplate', { description: 'The subject template as typed.' }) subjectTemplate: string,
    @Args('bodyTemplate', { type: () => String, nullable: true, description: 'The body template as typed; null for none.' }) bodyTemplate?: string | null,
    @Args('caseTypeName', { type: () => String, nullable: true, description: 'The case type\'s name, for {caseType}.' }) caseTypeName?: string | null,
    @Args('sendingUnit', { type: () => String, nullable: true, description: 'A sending unit\'s code, for {sendingUnit}.' }) sendingUnit?: string | null,
    @Args('caseReference', { type: () => String, nullable: true, description: 'A sample case reference, for {caseReference}.' }) caseReference?: string | null,
  ): Promise<CaseTypeTemplatePreviewType> {
    return previewTemplates(this.options.tenantDb, caller, { subjectTemplate, bodyTemplate, caseTypeName, sendingUnit, caseReference });
  }
}
