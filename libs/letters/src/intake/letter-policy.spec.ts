/**
 * The intake's policy rules, on the validator alone: case types (unknown, archived, templates, the
 * protection class, the channels), message categories and event messages. The same rules through
 * the intake service and PostgreSQL are in libs/policies/src/policies.spec.ts.
 */
import { CaseTypeRef, IntakeContext, LetterInput } from './intake.types';
import { SendingUnitRef, validateLetter, ValidationOptions } from './letter-input.validator';
import { expandTemplate, parseTemplate, stockholmDate } from './templates';

const BYGG: SendingUnitRef = { id: '00000000-0000-4000-8000-000000000001', code: 'bygg', name: 'Samhällsbyggnadsnämnden', orgNumber: '162120001231' };
const UNITS = new Map([['bygg', BYGG]]);
const CTX: IntakeContext = { tenantId: '00000000-0000-4000-8000-0000000000aa', actor: 'officer' };
const NOW = new Date('2026-03-01T23:30:00Z'); // already 2 March in Sweden

const caseType = (over: Partial<CaseTypeRef> = {}): CaseTypeRef => ({
  code: 'bygglov',
  name: 'Bygglov',
  defaultProtectionClass: 2,
  subjectTemplate: 'Beslut i ärende {caseReference}',
  bodyTemplate: null,
  allowedChannels: ['DIGITAL', 'PRINT'],
  archived: false,
  ...over,
});
const types = (...list: CaseTypeRef[]) => new Map(list.map((t) => [t.code, t]));

const base = (over: Partial<LetterInput> = {}): LetterInput => ({ recipient: '198101032384', body: { text: 'Hej' }, caseReference: 'BN 2026-17', caseType: 'bygglov', ...over });

function check(i: LetterInput, options: ValidationOptions = {}) {
  return validateLetter(i, CTX, UNITS, { caseTypes: types(caseType()), now: NOW, ...options });
}
const fields = (i: LetterInput, options: ValidationOptions = {}) => {
  const out = check(i, options);
  return out.ok ? [] : out.fields.map((f) => `${f.path}:${f.rule}`);
};
const letter = (i: LetterInput, options: ValidationOptions = {}) => {
  const out = check(i, options);
  if (!out.ok) throw new Error(JSON.stringify(out.fields));
  return out.letter;
};

describe('templates', () => {
  it('knows its placeholders and refuses unknown ones and stray braces, saying where', () => {
    expect(parseTemplate('Beslut {caseReference} ({caseType}, {sendingUnit}, {date})')).toMatchObject({ ok: true, placeholders: ['caseReference', 'caseType', 'sendingUnit', 'date'] });
    const bad = parseTemplate('Beslut {personnummer} {date');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems.join(' | ')).toMatch(/\{personnummer\} is not a known placeholder.*never closed.*the placeholders are \{caseReference\}/);
    expect(parseTemplate('a } b').ok).toBe(false);
    expect(parseTemplate('{ }').ok).toBe(false);
  });

  it('fills placeholders, keeps doubled braces literal, and reports missing values instead of leaving gaps', () => {
    expect(expandTemplate('{{x}} {caseReference}', { caseReference: 'BN 1' })).toEqual({ ok: true, text: '{x} BN 1' });
    expect(expandTemplate('Ärende {caseReference}', { caseReference: null })).toEqual({ ok: false, missing: ['caseReference'] });
    expect(stockholmDate(NOW)).toBe('2026-03-02');
  });
});

describe('case types at intake', () => {
  it('fills the subject from the template when the letter gives none (K3), and keeps a given subject', () => {
    const l = letter(base());
    expect(l).toMatchObject({ subject: 'Beslut i ärende BN 2026-17', caseTypeCode: 'bygglov', protectionClass: 2, policyNotes: { caseType: 'bygglov', subjectFromTemplate: true, protectionClassFromCaseType: 2 } });
    expect(letter(base({ subject: 'Eget' })).subject).toBe('Eget');
    const all = letter(base(), { caseTypes: types(caseType({ subjectTemplate: '{caseType}: {caseReference} från {sendingUnit} {date}' })) });
    expect(all.subject).toBe('Bygglov: BN 2026-17 från Samhällsbyggnadsnämnden 2026-03-02');
  });

  it('refuses a template subject that needs a case reference the letter does not have', () => {
    expect(fields(base({ caseReference: null }))).toEqual(['caseReference:required']);
    expect(fields(base({ caseReference: null, subject: 'Eget' }))).toEqual([]);
  });

  it('refuses a personnummer in a subject made from the template (from the case reference)', () => {
    const out = check(base({ caseReference: '19810103-2384' }));
    expect(out.ok ? [] : out.fields.map((f) => `${f.path}:${f.rule}`)).toEqual(['subject:personalData']);
    expect(!out.ok && out.fields[0].message).toMatch(/template/);
  });

  it('refuses unknown and archived case types', () => {
    expect(fields(base({ caseType: 'okand' }))).toEqual(['caseType:unknown']);
    expect(fields(base(), { caseTypes: types(caseType({ archived: true })) })).toEqual(['caseType:archived']);
  });

  it('gives the case type’s class to a letter without one; the stricter wins; a lower class is refused, naming the case type’s', () => {
    expect(letter(base()).protectionClass).toBe(2);
    expect(letter(base({ protectionClass: 3 })).protectionClass).toBe(3);
    const out = check(base({ protectionClass: 1 }));
    expect(out.ok ? [] : out.fields.map((f) => `${f.path}:${f.rule}`)).toEqual(['protectionClass:caseType']);
    expect(!out.ok && out.fields[0].message).toMatch(/below case type "bygglov"'s protection class 2/);
    // Without a case type the class is required as before.
    expect(fields(base({ caseType: null }))).toEqual(['subject:required', 'protectionClass:required']);
  });

  it('keeps letters within the case type’s channels: AUTO narrowed, a conflicting preference refused', () => {
    const digital = types(caseType({ allowedChannels: ['DIGITAL'] }));
    expect(letter(base(), { caseTypes: digital })).toMatchObject({ channelPreference: 'DIGITAL_ONLY', policyNotes: { channelPreferenceRequested: 'AUTO' } });
    expect(fields(base({ channelPreference: 'PRINT_ONLY', postalAddress: { name: 'A B', lines: ['Gatan 1'], postalCode: '12345', city: 'Stad' } }), { caseTypes: digital })).toEqual([
      'channelPreference:caseType',
    ]);
    const print = types(caseType({ allowedChannels: ['PRINT'] }));
    expect(fields(base(), { caseTypes: print })).toEqual(['postalAddress:required']);
    expect(letter(base({ postalAddress: { name: 'A B', lines: ['Gatan 1'], postalCode: '12345', city: 'Stad' } }), { caseTypes: print }).channelPreference).toBe('PRINT_ONLY');
    expect(fields(base({ channelPreference: 'DIGITAL_ONLY' }), { caseTypes: print })).toEqual(['channelPreference:caseType']);
  });

  it('fills the body from the body template when the letter gives none', () => {
    const withBody = types(caseType({ bodyTemplate: 'Hej! Beslut i {caseReference} den {date}.' }));
    expect(letter(base({ body: null }), { caseTypes: withBody })).toMatchObject({ bodyText: 'Hej! Beslut i BN 2026-17 den 2026-03-02.', bodyType: 'text/plain', policyNotes: { bodyFromTemplate: true } });
    expect(fields(base({ body: null }))).toEqual(['body:required']);
  });

  it('hashes what the caller sent, so a retry on another day is the same letter', () => {
    const a = letter(base(), { now: new Date('2026-03-02T10:00:00Z'), caseTypes: types(caseType({ subjectTemplate: '{date}' })) });
    const b = letter(base(), { now: new Date('2026-03-05T10:00:00Z'), caseTypes: types(caseType({ subjectTemplate: '{date}' })) });
    expect(a.subject).not.toBe(b.subject);
    expect(a.contentHash).toBe(b.contentHash);
    expect(letter(base({ caseType: null, subject: 'S', protectionClass: 2 })).contentHash).not.toBe(letter(base({ subject: 'S', protectionClass: 2 })).contentHash);
  });
});

describe('categories and event messages', () => {
  const event = (over: Partial<LetterInput> = {}): LetterInput =>
    base({ category: 'EVENT', channelPreference: 'DIGITAL_ONLY', officialMatter: { eventId: 'e-2', precedingEventId: 'e-1', matterStatus: 'recipientinitiative' }, ...over });

  it('accepts CASE (default) and SERVICE, and EVENT only from submitEvent', () => {
    expect(letter(base()).category).toBe('CASE');
    expect(letter(base({ category: 'SERVICE' })).category).toBe('SERVICE');
    expect(fields(event())).toEqual(['category:eventMessage']);
    expect(fields(base({ officialMatter: { eventId: 'x' } }))).toEqual(['officialMatter:category']);
    expect(fields(base({ category: 'OTHER' as never }))).toEqual(['category:enum']);
  });

  it('builds the OfficialMatter data with defaults: the case reference as case id, today as timestamp', () => {
    const l = letter(event(), { allowEvent: true });
    expect(l).toMatchObject({ category: 'EVENT', channelPreference: 'DIGITAL_ONLY', postalAddress: null });
    expect(l.officialMatter).toEqual({ timestamp: '2026-03-02', eventId: 'e-2', officialMatterId: 'BN 2026-17', precedingEventId: 'e-1', matterStatus: 'recipientinitiative' });
  });

  it('checks each OfficialMatter field against the schema and keeps personal data out of its texts', () => {
    const f = (officialMatter: LetterInput['officialMatter'], over: Partial<LetterInput> = {}) => fields(event({ officialMatter, ...over }), { allowEvent: true });
    expect(f(null)).toEqual(['officialMatter:required']);
    expect(f({ eventId: 'e' }, { caseReference: null, subject: 'Ärendet' })).toEqual(['officialMatter.officialMatterId:required']);
    expect(f({ eventId: 'x'.repeat(256) })).toEqual(['officialMatter.eventId:maxLength']);
    expect(f({ eventId: 'e', precedingEventId: 'e' })).toEqual(['officialMatter.precedingEventId:format']);
    expect(f({ matterStatus: 'open' as never })).toEqual(['officialMatter.matterStatus:enum']);
    expect(f({ timestamp: '2026-02-30' })).toEqual(['officialMatter.timestamp:format']);
    expect(f({ timestamp: '2026-02-28' })).toEqual([]);
    expect(f({ matterSubject: 'Bygglov för 19810103-2384' })).toEqual(['officialMatter.matterSubject:personalData']);
    expect(f({ eventType: 'x'.repeat(2001) })).toEqual(['officialMatter.eventType:maxLength']);
  });

  it('is digital only: never a postal address, postage class or print-only case type', () => {
    expect(fields(event({ postalAddress: { name: 'A B', lines: ['Gatan 1'], postalCode: '12345', city: 'Stad' }, postageClass: 'ECONOMY' }), { allowEvent: true })).toEqual([
      'postalAddress:category',
      'postageClass:category',
    ]);
    expect(fields(event({ channelPreference: 'PRINT_ONLY' }), { allowEvent: true })).toEqual(['channelPreference:category']);
    expect(fields(event(), { allowEvent: true, caseTypes: types(caseType({ allowedChannels: ['PRINT'] })) })).toEqual(['caseType:channel']);
  });
});
