/**
 * A retention rule in plain words and checked before it is sent: the same order the hub requires
 * (N ≤ M ≤ K, at least one step, whole days 1–36 500), so an admin sees the problem next to the
 * field at once. The API checks again and has the last word.
 */
export interface RetentionDraft {
  caseTypeCode: string;
  /** '' = every class. */
  protectionClass: string;
  contentAfterDays: string;
  identifiersAfterDays: string;
  identifiersAction: 'PSEUDONYMISE' | 'REMOVE';
  logAfterDays: string;
  description: string;
}

export interface RetentionRuleInput {
  caseTypeCode: string | null;
  protectionClass: number | null;
  contentAfterDays: number | null;
  identifiersAfterDays: number | null;
  identifiersAction: 'PSEUDONYMISE' | 'REMOVE';
  logAfterDays: number | null;
  description: string | null;
}

export type DayField = 'contentAfterDays' | 'identifiersAfterDays' | 'logAfterDays';
export const DAY_FIELDS: DayField[] = ['contentAfterDays', 'identifiersAfterDays', 'logAfterDays'];
export const MAX_DAYS = 36_500;

/** Problems per field as message keys with their parameters ('' is the whole rule). */
export type RetentionProblems = Partial<Record<DayField | 'description' | '', { key: string; params?: Record<string, string | number> }>>;

function days(text: string): number | null | 'invalid' {
  const s = text.trim();
  if (s === '') return null;
  if (!/^\d+$/.test(s)) return 'invalid';
  const n = Number(s);
  return n >= 1 && n <= MAX_DAYS ? n : 'invalid';
}

export function checkRetentionDraft(d: RetentionDraft): { input?: RetentionRuleInput; problems: RetentionProblems } {
  const problems: RetentionProblems = {};
  const values = {} as Record<DayField, number | null>;
  for (const f of DAY_FIELDS) {
    const v = days(d[f]);
    if (v === 'invalid') problems[f] = { key: 'settings.retention.error.days', params: { max: MAX_DAYS } };
    values[f] = v === 'invalid' ? null : v;
  }
  const { contentAfterDays: n, identifiersAfterDays: m, logAfterDays: k } = values;
  if (!problems.contentAfterDays && !problems.identifiersAfterDays && !problems.logAfterDays) {
    if (n === null && m === null && k === null) problems[''] = { key: 'settings.retention.error.noStep' };
    if (n !== null && m !== null && n > m) problems.contentAfterDays = { key: 'settings.retention.error.contentAfterIdentifiers', params: { n, m } };
    else if (n !== null && k !== null && n > k) problems.contentAfterDays = { key: 'settings.retention.error.contentAfterLog', params: { n, k } };
    if (m !== null && k !== null && m > k) problems.identifiersAfterDays = { key: 'settings.retention.error.identifiersAfterLog', params: { m, k } };
  }
  if (d.description.length > 500) problems.description = { key: 'settings.retention.error.description' };
  if (Object.keys(problems).length) return { problems };
  return {
    problems,
    input: {
      caseTypeCode: d.caseTypeCode || null,
      protectionClass: d.protectionClass ? Number(d.protectionClass) : null,
      contentAfterDays: n,
      identifiersAfterDays: m,
      identifiersAction: d.identifiersAction,
      logAfterDays: k,
      description: d.description.trim() || null,
    },
  };
}

/** The steps of a rule as sentences (message keys with parameters), in the order they happen. */
export function retentionSentences(r: { contentAfterDays: number | null; identifiersAfterDays: number | null; identifiersAction: string; logAfterDays: number | null }): { key: string; params?: Record<string, string | number> }[] {
  const out: { key: string; params?: Record<string, string | number> }[] = [];
  if (r.contentAfterDays !== null) out.push({ key: 'settings.retention.words.content', params: { n: r.contentAfterDays } });
  if (r.identifiersAfterDays !== null) {
    out.push({ key: r.identifiersAction === 'REMOVE' ? 'settings.retention.words.identifiersRemove' : 'settings.retention.words.identifiersPseudonymise', params: { m: r.identifiersAfterDays } });
  }
  if (r.logAfterDays !== null) out.push({ key: 'settings.retention.words.log', params: { k: r.logAfterDays } });
  else out.push({ key: 'settings.retention.words.kept' });
  return out;
}

/** A rule as a draft for the edit form. */
export function draftOf(r?: Partial<RetentionRuleInput>): RetentionDraft {
  const s = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));
  return {
    caseTypeCode: r?.caseTypeCode ?? '',
    protectionClass: s(r?.protectionClass),
    contentAfterDays: s(r?.contentAfterDays),
    identifiersAfterDays: s(r?.identifiersAfterDays),
    identifiersAction: r?.identifiersAction ?? 'PSEUDONYMISE',
    logAfterDays: s(r?.logAfterDays),
    description: r?.description ?? '',
  };
}
