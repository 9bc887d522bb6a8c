import { CASE_TYPE_CHANNELS, CaseTypeChannel, containsPersonalId, FieldViolation, hasControlChars, isUuid, MAX_SUBJECT_LENGTH, parseTemplate } from '@hub/letters';
import { CaseTypeInput, CaseTypeUpdate } from './case-type.types';

export const CASE_TYPE_CODE = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const MAX_CASE_TYPE_NAME_LENGTH = 200;
export const MAX_BODY_TEMPLATE_LENGTH = 100_000;
// Characters XML 1.0 cannot carry (a body template becomes the message body).
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The stored fields of a case type, normalised (those given, for an update). */
export interface CaseTypeFields {
  code: string;
  name: string;
  defaultProtectionClass: number;
  subjectTemplate: string;
  bodyTemplate: string | null;
  allowedChannels: CaseTypeChannel[];
  retentionRuleId: string | null;
  diaryEnabled: boolean;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; fields: FieldViolation[] };

/** Checks a new case type: every field, with defaults for allowedChannels (both) and diaryEnabled (false). */
export function validateNewCaseType(input: CaseTypeInput | null | undefined): Outcome<CaseTypeFields> {
  if (!input || typeof input !== 'object') return { ok: false, fields: [{ path: '', rule: 'required', message: 'a case type { code, name, defaultProtectionClass, subjectTemplate, … } is required' }] };
  const fields: FieldViolation[] = [];
  const code = checkCode(fields, input.code);
  const out = checkFields(fields, { ...input, allowedChannels: input.allowedChannels ?? [...CASE_TYPE_CHANNELS], diaryEnabled: input.diaryEnabled ?? false }, true);
  if (fields.length) return { ok: false, fields };
  return { ok: true, value: { code: code!, bodyTemplate: null, retentionRuleId: null, ...out } as CaseTypeFields };
}

/** Checks a change: only the fields given; required fields cannot be cleared. */
export function validateCaseTypeUpdate(input: CaseTypeUpdate | null | undefined): Outcome<Partial<CaseTypeFields>> {
  if (!input || typeof input !== 'object') return { ok: false, fields: [{ path: '', rule: 'required', message: 'a change { name?, subjectTemplate?, … } is required' }] };
  if ('code' in input && (input as { code?: unknown }).code !== undefined) {
    return { ok: false, fields: [{ path: 'code', rule: 'immutable', message: 'cannot change: letters name the case type by its code; archive it and create a new one instead' }] };
  }
  const fields: FieldViolation[] = [];
  const out = checkFields(fields, input, false);
  return fields.length ? { ok: false, fields } : { ok: true, value: out };
}

function checkCode(fields: FieldViolation[], raw: unknown): string | null {
  if (raw === undefined || raw === null || raw === '') {
    fields.push({ path: 'code', rule: 'required', message: 'is required: a short code letters name the case type by, e.g. "bygglov"' });
    return null;
  }
  if (typeof raw !== 'string' || !CASE_TYPE_CODE.test(raw)) {
    fields.push({ path: 'code', rule: 'format', message: `is ${JSON.stringify(raw)}; a code is 1–63 lower-case letters a–z, digits and "-", starting with a letter or digit (e.g. "bygglov")` });
    return null;
  }
  return raw;
}

function checkFields(fields: FieldViolation[], input: CaseTypeUpdate, create: boolean): Partial<CaseTypeFields> {
  const out: Partial<CaseTypeFields> = {};
  const given = (k: keyof CaseTypeUpdate) => input[k] !== undefined;
  const cleared = (k: keyof CaseTypeUpdate, what: string): boolean => {
    if (input[k] === null || input[k] === undefined) {
      if (create || input[k] === null) fields.push({ path: k, rule: 'required', message: create ? `is required: ${what}` : `cannot be removed: give ${what}` });
      return true;
    }
    return false;
  };

  if (create || given('name')) {
    if (!cleared('name', 'the name shown to officers, e.g. "Bygglov"')) {
      const name = typeof input.name === 'string' ? input.name.trim() : '';
      if (typeof input.name !== 'string') fields.push({ path: 'name', rule: 'type', message: 'must be a string' });
      else if (name === '') fields.push({ path: 'name', rule: 'required', message: 'must not be blank' });
      else if (name.length > MAX_CASE_TYPE_NAME_LENGTH) fields.push({ path: 'name', rule: 'maxLength', message: `is ${name.length} characters; at most ${MAX_CASE_TYPE_NAME_LENGTH} are allowed` });
      else if (hasControlChars(name)) fields.push({ path: 'name', rule: 'characters', message: 'contains control characters: write the name on one line' });
      else out.name = name;
    }
  }

  if (create || given('defaultProtectionClass')) {
    if (!cleared('defaultProtectionClass', 'the protection class 1, 2 or 3 of its letters')) {
      const c = input.defaultProtectionClass;
      if (!Number.isInteger(c) || c! < 1 || c! > 3) fields.push({ path: 'defaultProtectionClass', rule: 'range', message: `is ${String(c)}; it must be 1, 2 or 3` });
      else out.defaultProtectionClass = c!;
    }
  }

  if (create || given('subjectTemplate')) {
    if (!cleared('subjectTemplate', 'the subject its letters get when they give none, e.g. "Beslut i ärende {caseReference}"')) {
      const t = input.subjectTemplate;
      if (typeof t !== 'string') fields.push({ path: 'subjectTemplate', rule: 'type', message: 'must be a string' });
      else if (t.trim() === '') fields.push({ path: 'subjectTemplate', rule: 'required', message: 'must not be blank' });
      else if (t.trim().length > MAX_SUBJECT_LENGTH) fields.push({ path: 'subjectTemplate', rule: 'maxLength', message: `is ${t.trim().length} characters; a subject has at most ${MAX_SUBJECT_LENGTH}` });
      else if (hasControlChars(t)) fields.push({ path: 'subjectTemplate', rule: 'characters', message: 'contains control characters: a subject is one line' });
      else if (checkTemplate(fields, 'subjectTemplate', t.trim())) out.subjectTemplate = t.trim();
    }
  }

  if (given('bodyTemplate')) {
    const t = input.bodyTemplate;
    if (t === null) out.bodyTemplate = null;
    else if (typeof t !== 'string') fields.push({ path: 'bodyTemplate', rule: 'type', message: 'must be a string (or null for none)' });
    else if (t.trim() === '') fields.push({ path: 'bodyTemplate', rule: 'required', message: 'is blank: give the text, or null for no body template' });
    else if (t.length > MAX_BODY_TEMPLATE_LENGTH) fields.push({ path: 'bodyTemplate', rule: 'maxLength', message: `is ${t.length} characters; at most ${MAX_BODY_TEMPLATE_LENGTH} are allowed` });
    else if (INVALID_XML_CHARS.test(t)) fields.push({ path: 'bodyTemplate', rule: 'characters', message: 'contains control characters that XML cannot carry (only tab, newline and carriage return are allowed)' });
    else if (checkTemplate(fields, 'bodyTemplate', t)) out.bodyTemplate = t;
  }

  if (create || given('allowedChannels')) {
    if (!cleared('allowedChannels', 'DIGITAL and/or PRINT')) {
      const list = input.allowedChannels;
      if (!Array.isArray(list) || list.length === 0) fields.push({ path: 'allowedChannels', rule: 'required', message: 'must name at least one channel: DIGITAL and/or PRINT' });
      else {
        const channels: CaseTypeChannel[] = [];
        list.forEach((c, i) => {
          if (!CASE_TYPE_CHANNELS.includes(c as CaseTypeChannel)) fields.push({ path: `allowedChannels[${i}]`, rule: 'enum', message: `is ${JSON.stringify(c)}; it must be DIGITAL or PRINT` });
          else if (channels.includes(c!)) fields.push({ path: `allowedChannels[${i}]`, rule: 'duplicate', message: `${c} is named twice` });
          else channels.push(c!);
        });
        // Stored in a fixed order, so that equal sets compare equal.
        out.allowedChannels = CASE_TYPE_CHANNELS.filter((c) => channels.includes(c));
      }
    }
  }

  if (given('retentionRuleId')) {
    const id = input.retentionRuleId;
    if (id === null) out.retentionRuleId = null;
    else if (typeof id !== 'string' || !isUuid(id)) fields.push({ path: 'retentionRuleId', rule: 'format', message: `is ${JSON.stringify(id)}; it must be the id (a UUID) of one of your retention rules, or null` });
    else out.retentionRuleId = id.toLowerCase();
  }

  if (create || given('diaryEnabled')) {
    if (!cleared('diaryEnabled', 'true or false')) {
      if (typeof input.diaryEnabled !== 'boolean') fields.push({ path: 'diaryEnabled', rule: 'type', message: 'must be true or false' });
      else out.diaryEnabled = input.diaryEnabled;
    }
  }
  return out;
}

/** A template's syntax and placeholders, and no personnummer written into it (a subject never names a person). */
function checkTemplate(fields: FieldViolation[], path: string, template: string): boolean {
  const parsed = parseTemplate(template);
  if (!parsed.ok) {
    fields.push({ path, rule: 'template', message: `${parsed.problems.join('; ')}` });
    return false;
  }
  if (containsPersonalId(template)) {
    fields.push({ path, rule: 'personalData', message: 'contains a personnummer or samordningsnummer: a template is the same for every letter and may not name a person' });
    return false;
  }
  return true;
}
