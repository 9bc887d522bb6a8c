import type { LetterStatus } from '@hub/letters';

/**
 * Letters retention may touch: the terminal states, and POSTED (the last step of a letter on paper
 * unless the post brings it back; without it no printed letter would ever be purged). Letters in any
 * other state (in dispatch, waiting for print, in a batch, held for a person) are never touched.
 * The migration's SQL names the same list.
 */
export const RETENTION_FINISHED_STATUSES: readonly LetterStatus[] = ['DELIVERED', 'POSTED', 'RETURNED', 'PRINT_FAILED', 'FAILED', 'CANCELLED'];

/** What the identifier step does with a recipient's personnummer, samordningsnummer or organisationsnummer. */
export const IDENTIFIER_ACTIONS = ['PSEUDONYMISE', 'REMOVE'] as const;
export type IdentifierAction = (typeof IDENTIFIER_ACTIONS)[number];

/** The steps of a rule, in the order a letter goes through them. */
export const RETENTION_STEPS = ['content', 'identifiers', 'log'] as const;
export type RetentionStep = (typeof RETENTION_STEPS)[number];

/** The longest period a rule may name (100 years). */
export const MAX_RETENTION_DAYS = 36_500;

/** A tenant's retention rule (gallringsregel). */
export interface RetentionRule {
  id: string;
  tenantId: string;
  /** The case type (ärendetyp) code it governs; null: letters of every case type, and letters without one. */
  caseTypeCode: string | null;
  /** The protection class (skyddsklass) it governs; null: every class. */
  protectionClass: number | null;
  /** N: days after which the content goes (body, subject, attachments, the rendered print PDF). */
  contentAfterDays: number | null;
  /** M: days after which recipient identifiers go (pseudonymised or removed; postal address and case reference removed). */
  identifiersAfterDays: number | null;
  identifiersAction: IdentifierAction;
  /** K: days after which the letter is deleted with its events, outbox rows and print item. */
  logAfterDays: number | null;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A rule as an admin gives it (create, or the whole rule again on update). */
export interface RetentionRuleInput {
  caseTypeCode?: string | null;
  protectionClass?: number | null;
  contentAfterDays?: number | null;
  identifiersAfterDays?: number | null;
  identifiersAction?: IdentifierAction | null;
  logAfterDays?: number | null;
  description?: string | null;
}

/** Who acts: the tenant of the request or job, and the person or system (for the audit trail and purge records). */
export interface RetentionContext {
  tenantId: string;
  actor: string;
}

/** One broken rule of an input, with the path of the field. */
export interface RetentionFieldViolation {
  path: string;
  rule: string;
  message: string;
}

export type RetentionErrorCode = 'VALIDATION_FAILED' | 'NOT_FOUND' | 'BAD_INPUT';

/** A domain error of retention; the API maps `code` to its error codes. */
export class RetentionError extends Error {
  constructor(
    readonly code: RetentionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RetentionError';
  }
}

export class RetentionValidationError extends RetentionError {
  constructor(
    readonly fields: RetentionFieldViolation[],
    what = 'The retention rule was refused',
  ) {
    super('VALIDATION_FAILED', `${what}: ${fields.map((f) => `${f.path || '(input)'} ${f.message}`).join('; ')}. Fix these fields and send it again.`);
  }
}

export class RetentionRuleNotFoundError extends RetentionError {
  constructor(readonly ruleId: string) {
    super('NOT_FOUND', `No retention rule ${JSON.stringify(ruleId)} exists for your organisation; list them with retentionRules.`);
  }
}

const CASE_TYPE_CODE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isRuleId(value: string): boolean {
  return UUID.test(value);
}

/** A checked rule input: every field present (null where not given). */
export type CheckedRetentionRule = Omit<RetentionRule, 'id' | 'tenantId' | 'createdAt' | 'updatedAt'>;

/**
 * Checks a rule: the case type code's format, the class 1–3, each period a whole number of days
 * 1–36,500, at least one step, N ≤ M ≤ K for the periods given (content goes no later than the
 * identifiers, and both no later than the letter itself), the description's length. Every violation
 * is reported, with the path of its field.
 */
export function checkRetentionRuleInput(input: RetentionRuleInput): { ok: true; value: CheckedRetentionRule } | { ok: false; fields: RetentionFieldViolation[] } {
  const fields: RetentionFieldViolation[] = [];
  const caseTypeCode = input.caseTypeCode ?? null;
  if (caseTypeCode !== null && !CASE_TYPE_CODE.test(caseTypeCode)) {
    fields.push({ path: 'caseTypeCode', rule: 'format', message: 'must be a case type code: 1–63 characters a–z, 0–9 and "-", starting with a letter or digit (leave it out for every case type)' });
  }
  const protectionClass = input.protectionClass ?? null;
  if (protectionClass !== null && !(Number.isInteger(protectionClass) && protectionClass >= 1 && protectionClass <= 3)) {
    fields.push({ path: 'protectionClass', rule: 'range', message: 'must be 1, 2 or 3 (leave it out for every class)' });
  }
  const days = (path: 'contentAfterDays' | 'identifiersAfterDays' | 'logAfterDays'): number | null => {
    const v = input[path] ?? null;
    if (v === null) return null;
    if (!Number.isInteger(v) || v < 1 || v > MAX_RETENTION_DAYS) {
      fields.push({ path, rule: 'range', message: `must be a whole number of days from 1 to ${MAX_RETENTION_DAYS} (leave it out to skip this step)` });
      return null;
    }
    return v;
  };
  const n = days('contentAfterDays');
  const m = days('identifiersAfterDays');
  const k = days('logAfterDays');
  if (input.contentAfterDays == null && input.identifiersAfterDays == null && input.logAfterDays == null) {
    fields.push({ path: '', rule: 'required', message: 'must name at least one step: contentAfterDays, identifiersAfterDays or logAfterDays' });
  }
  if (n !== null && m !== null && n > m) {
    fields.push({ path: 'contentAfterDays', rule: 'order', message: `(${n}) must not be greater than identifiersAfterDays (${m}): content is removed before or together with the recipient's identifiers` });
  }
  if (m !== null && k !== null && m > k) {
    fields.push({ path: 'identifiersAfterDays', rule: 'order', message: `(${m}) must not be greater than logAfterDays (${k}): identifiers are removed before or together with the letter itself` });
  }
  if (n !== null && k !== null && n > k) {
    fields.push({ path: 'contentAfterDays', rule: 'order', message: `(${n}) must not be greater than logAfterDays (${k}): content is removed before or together with the letter itself` });
  }
  const action = input.identifiersAction ?? 'PSEUDONYMISE';
  if (!IDENTIFIER_ACTIONS.includes(action)) fields.push({ path: 'identifiersAction', rule: 'enum', message: `must be one of ${IDENTIFIER_ACTIONS.join(', ')}` });
  const description = input.description?.trim() || null;
  if (description !== null && description.length > 500) fields.push({ path: 'description', rule: 'maxLength', message: 'must be at most 500 characters' });
  if (fields.length) return { ok: false, fields };
  return {
    ok: true,
    value: { caseTypeCode, protectionClass, contentAfterDays: n, identifiersAfterDays: m, identifiersAction: action, logAfterDays: k, description },
  };
}

/** The steps a rule has, in order. */
export function stepsOf(rule: Pick<RetentionRule, 'contentAfterDays' | 'identifiersAfterDays' | 'logAfterDays'>): RetentionStep[] {
  const steps: RetentionStep[] = [];
  if (rule.contentAfterDays !== null) steps.push('content');
  if (rule.identifiersAfterDays !== null) steps.push('identifiers');
  if (rule.logAfterDays !== null) steps.push('log');
  return steps;
}
