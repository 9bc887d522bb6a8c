import { auditChanges, auditValueText } from './audit-format';

const words = { yes: 'Ja', no: 'Nej', none: '–' };

describe('auditChanges', () => {
  it('reads an update as field, before and after', () => {
    expect(auditChanges({ changes: { active: { from: true, to: false }, events: { from: ['letter.held'], to: ['letter.held', 'letter.posted'] } } })).toEqual([
      { field: 'active', before: true, after: false, kind: 'change' },
      { field: 'events', before: ['letter.held'], after: ['letter.held', 'letter.posted'], kind: 'change' },
    ]);
  });

  it('reads nested changes with a dotted path and keeps the plain values beside them', () => {
    expect(auditChanges({ code: 'BYGGLOV', changes: { print: { duplex: { from: false, to: true } } }, secretRotated: true })).toEqual([
      { field: 'print.duplex', before: false, after: true, kind: 'change' },
      { field: 'code', value: 'BYGGLOV', kind: 'value' },
      { field: 'secretRotated', value: true, kind: 'value' },
    ]);
  });

  it('compares a whole object before with the one after, listing only what differs', () => {
    const previous = { caseTypeCode: null, contentAfterDays: 30, identifiersAfterDays: 60, logAfterDays: null };
    const rule = { caseTypeCode: null, contentAfterDays: 30, identifiersAfterDays: 90, logAfterDays: 365 };
    expect(auditChanges({ rule, previous })).toEqual([
      { field: 'identifiersAfterDays', before: 60, after: 90, kind: 'change' },
      { field: 'logAfterDays', before: null, after: 365, kind: 'change' },
    ]);
  });

  it('shows what was deleted as before-values, and what was created as values', () => {
    expect(auditChanges({ previous: { contentAfterDays: 30 } })).toEqual([{ field: 'contentAfterDays', before: 30, kind: 'change' }]);
    expect(auditChanges({ name: 'Bygglovssystemet', clientId: 'c-1', roles: ['case-system'], values: { name: 'x', code: 'Y' } })).toEqual([
      { field: 'name', value: 'Bygglovssystemet', kind: 'value' },
      { field: 'clientId', value: 'c-1', kind: 'value' },
      { field: 'roles', value: ['case-system'], kind: 'value' },
      { field: 'values.name', value: 'x', kind: 'value' },
      { field: 'values.code', value: 'Y', kind: 'value' },
    ]);
    expect(auditChanges({})).toEqual([]);
    expect(auditChanges(null)).toEqual([]);
  });
});

describe('auditValueText', () => {
  it('writes values as words', () => {
    expect(auditValueText(true, words)).toBe('Ja');
    expect(auditValueText(false, words)).toBe('Nej');
    expect(auditValueText(null, words)).toBe('–');
    expect(auditValueText([], words)).toBe('–');
    expect(auditValueText(['a', 'b'], words)).toBe('a, b');
    expect(auditValueText(30, words)).toBe('30');
    expect(auditValueText({ a: 1 }, words)).toBe('{"a":1}');
  });
});
