import { MESSAGES } from '../../../i18n/messages';
import { checkRetentionDraft, draftOf, retentionSentences } from './retention-words';

const draft = (d: Partial<ReturnType<typeof draftOf>>) => ({ ...draftOf(), ...d });
const keysOf = (problems: Record<string, { key: string } | undefined>) => Object.fromEntries(Object.entries(problems).map(([f, p]) => [f, p!.key]));

describe('checkRetentionDraft', () => {
  it('turns a valid draft into the API input', () => {
    expect(checkRetentionDraft(draft({ caseTypeCode: 'BYGGLOV', protectionClass: '2', contentAfterDays: '30', identifiersAfterDays: ' 90 ', logAfterDays: '365', description: ' Beslut 2026:1 ' }))).toEqual({
      problems: {},
      input: { caseTypeCode: 'BYGGLOV', protectionClass: 2, contentAfterDays: 30, identifiersAfterDays: 90, identifiersAction: 'PSEUDONYMISE', logAfterDays: 365, description: 'Beslut 2026:1' },
    });
    expect(checkRetentionDraft(draft({ logAfterDays: '10' })).input).toMatchObject({ caseTypeCode: null, protectionClass: null, contentAfterDays: null, identifiersAfterDays: null, logAfterDays: 10, description: null });
  });

  it('names the field that breaks N ≤ M ≤ K', () => {
    expect(keysOf(checkRetentionDraft(draft({ contentAfterDays: '100', identifiersAfterDays: '50' })).problems)).toEqual({ contentAfterDays: 'settings.retention.error.contentAfterIdentifiers' });
    expect(keysOf(checkRetentionDraft(draft({ contentAfterDays: '100', logAfterDays: '50' })).problems)).toEqual({ contentAfterDays: 'settings.retention.error.contentAfterLog' });
    expect(keysOf(checkRetentionDraft(draft({ identifiersAfterDays: '400', logAfterDays: '365' })).problems)).toEqual({ identifiersAfterDays: 'settings.retention.error.identifiersAfterLog' });
    expect(checkRetentionDraft(draft({ identifiersAfterDays: '400', logAfterDays: '365' })).problems.identifiersAfterDays!.params).toEqual({ m: 400, k: 365 });
    // Equal days are allowed.
    expect(checkRetentionDraft(draft({ contentAfterDays: '30', identifiersAfterDays: '30', logAfterDays: '30' })).input).toBeTruthy();
  });

  it('refuses days that are not whole numbers from 1 to 36 500, a rule without steps and a long description', () => {
    for (const bad of ['0', '-1', '1.5', 'tio', '36501']) {
      expect(keysOf(checkRetentionDraft(draft({ contentAfterDays: bad })).problems)).toEqual({ contentAfterDays: 'settings.retention.error.days' });
    }
    expect(keysOf(checkRetentionDraft(draft({})).problems)).toEqual({ '': 'settings.retention.error.noStep' });
    expect(keysOf(checkRetentionDraft(draft({ logAfterDays: '1', description: 'x'.repeat(501) })).problems)).toEqual({ description: 'settings.retention.error.description' });
  });
});

describe('retentionSentences', () => {
  it('tells the steps in order, and that the letter is kept without a log step', () => {
    expect(retentionSentences({ contentAfterDays: 30, identifiersAfterDays: 90, identifiersAction: 'REMOVE', logAfterDays: 365 })).toEqual([
      { key: 'settings.retention.words.content', params: { n: 30 } },
      { key: 'settings.retention.words.identifiersRemove', params: { m: 90 } },
      { key: 'settings.retention.words.log', params: { k: 365 } },
    ]);
    expect(retentionSentences({ contentAfterDays: null, identifiersAfterDays: 60, identifiersAction: 'PSEUDONYMISE', logAfterDays: null }).map((s) => s.key)).toEqual([
      'settings.retention.words.identifiersPseudonymise',
      'settings.retention.words.kept',
    ]);
  });

  it('only uses message keys that exist in both languages', () => {
    const keys = [
      ...retentionSentences({ contentAfterDays: 1, identifiersAfterDays: 2, identifiersAction: 'REMOVE', logAfterDays: null }),
      ...retentionSentences({ contentAfterDays: null, identifiersAfterDays: 2, identifiersAction: 'PSEUDONYMISE', logAfterDays: 3 }),
      ...Object.values(checkRetentionDraft(draft({ contentAfterDays: '9', identifiersAfterDays: '5', logAfterDays: '4', description: 'x'.repeat(600) })).problems),
      ...Object.values(checkRetentionDraft(draft({ contentAfterDays: '9', logAfterDays: '4' })).problems),
      ...Object.values(checkRetentionDraft(draft({ contentAfterDays: 'x' })).problems),
      ...Object.values(checkRetentionDraft(draft({})).problems),
    ].map((p) => p!.key);
    expect(new Set(keys).size).toBe(11);
    for (const key of keys) {
      expect(MESSAGES.sv[key]).toBeTruthy();
      expect(MESSAGES.en[key]).toBeTruthy();
    }
  });
});
