/**
 * Subject and body templates of case types (K3): text with placeholders in braces, `{caseReference}`,
 * filled from the letter's data when the letter gives no subject (or no body) of its own. `{{` and
 * `}}` stand for literal braces; any other brace is a mistake, refused when the case type is saved.
 */

/** The placeholders a template may use, and what each becomes. */
export const TEMPLATE_PLACEHOLDERS = {
  caseReference: "the letter's case reference (diarienummer); a letter without one is refused when the template is used",
  caseType: "the case type's name",
  sendingUnit: "the sending unit's name",
  date: 'the day the letter is submitted, YYYY-MM-DD (Swedish time)',
} as const;
export type TemplatePlaceholder = keyof typeof TEMPLATE_PLACEHOLDERS;

type Token = { text: string } | { placeholder: TemplatePlaceholder };

const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** A template split into text and placeholders, or every problem found in it. */
export type ParsedTemplate = { ok: true; tokens: Token[]; placeholders: TemplatePlaceholder[] } | { ok: false; problems: string[] };

function isPlaceholder(name: string): name is TemplatePlaceholder {
  return Object.prototype.hasOwnProperty.call(TEMPLATE_PLACEHOLDERS, name);
}

export function parseTemplate(template: string): ParsedTemplate {
  const tokens: Token[] = [];
  const problems: string[] = [];
  const used = new Set<TemplatePlaceholder>();
  let text = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if ((c === '{' || c === '}') && template[i + 1] === c) {
      text += c;
      i++;
      continue;
    }
    if (c === '}') {
      problems.push(`a "}" at position ${i + 1} closes nothing (write "}}" for a literal brace)`);
      continue;
    }
    if (c !== '{') {
      text += c;
      continue;
    }
    const end = template.indexOf('}', i + 1);
    if (end < 0) {
      problems.push(`the "{" at position ${i + 1} is never closed (write "{{" for a literal brace)`);
      break;
    }
    const name = template.slice(i + 1, end).trim();
    if (!NAME.test(name)) problems.push(`"{${template.slice(i + 1, end)}}" at position ${i + 1} is not a placeholder name`);
    else if (!isPlaceholder(name)) problems.push(`{${name}} is not a known placeholder`);
    else {
      if (text) tokens.push({ text });
      text = '';
      tokens.push({ placeholder: name });
      used.add(name);
    }
    i = end;
  }
  if (text) tokens.push({ text });
  if (problems.length) {
    if (problems.some((p) => p.includes('not a known placeholder'))) {
      problems.push(`the placeholders are ${Object.keys(TEMPLATE_PLACEHOLDERS).map((k) => `{${k}}`).join(', ')}`);
    }
    return { ok: false, problems };
  }
  return { ok: true, tokens, placeholders: [...used] };
}

/**
 * Fills a template. Placeholders whose value is missing (null or blank) are returned instead of
 * being filled with nothing: a subject "Beslut i ärende " helps nobody.
 */
export function expandTemplate(template: string, values: Partial<Record<TemplatePlaceholder, string | null | undefined>>): { ok: true; text: string } | { ok: false; missing: TemplatePlaceholder[]; problems?: string[] } {
  const parsed = parseTemplate(template);
  if (!parsed.ok) return { ok: false, missing: [], problems: parsed.problems };
  const missing = parsed.placeholders.filter((p) => !values[p] || values[p]!.trim() === '');
  if (missing.length) return { ok: false, missing };
  return { ok: true, text: parsed.tokens.map((t) => ('text' in t ? t.text : values[t.placeholder]!.trim())).join('') };
}

const STOCKHOLM_DATE = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date in Sweden at `at`, YYYY-MM-DD. */
export function stockholmDate(at: Date): string {
  return STOCKHOLM_DATE.format(at);
}
