import { translate } from '../../i18n/i18n';
import { describeEvent, reasonText } from './letter-words';

const sv = (key: string, params?: Record<string, string | number>) => translate('sv', key, params);
const en = (key: string, params?: Record<string, string | number>) => translate('en', key, params);
const fmt = (iso: string) => `[${iso}]`;

describe('reasons in words', () => {
  it('says the codes the hub records in words, and keeps an unknown code as it is', () => {
    expect(reasonText(sv, 'NOT_REGISTERED')).toBe('mottagaren har ingen digital brevlåda');
    expect(reasonText(en, 'PROTECTED_IDENTITY')).toBe('the recipient has a protected identity');
    expect(reasonText(sv, 'SOMETHING_NEW')).toBe('SOMETHING_NEW');
    expect(reasonText(sv, null)).toBe('');
  });

  it('keeps the sender\'s own words of a cancellation', () => {
    expect(reasonText(sv, 'cancelled: fel mottagare')).toBe('avbrutet: fel mottagare');
    expect(reasonText(sv, 'cancelled by the sender')).toBe('avbrutet av avsändaren');
  });
});

describe('the history in words', () => {
  it('describes a delivery with its operator and receipt', () => {
    expect(describeEvent(sv, { type: 'DELIVERED', detail: { operatorName: 'Kivra', operatorId: '165599000014', transId: 'T-42' } }, fmt)).toEqual({
      title: 'Levererat till den digitala brevlådan',
      text: 'Till Kivra, kvitto (TransId) T-42.',
      problems: [],
      letterId: null,
    });
  });

  it('describes a hold with its reason and the print problems to fix', () => {
    const words = describeEvent(sv, { type: 'HELD', detail: { holdReason: 'PRINT_REFUSED', problems: [{ code: 'ATTACHMENT_NOT_A4', message: 'attachment 1 is not A4' }] } }, fmt);
    expect(words).toMatchObject({ title: 'Pausat för manuell hantering', text: 'Orsak: brevet kan inte skrivas ut som det är.', problems: ['attachment 1 is not A4'] });
  });

  it('says why neither channel was possible', () => {
    expect(describeEvent(en, { type: 'FAILED', detail: { reason: 'NOT_REGISTERED', printBlockedBy: 'DIGITAL_ONLY' } }, fmt).text).toBe(
      'Reason: the recipient has no digital mailbox. Paper is not possible: the letter may only go digitally.',
    );
  });

  it('points to the other letter of a resend', () => {
    expect(describeEvent(sv, { type: 'RESEND_OF', detail: { resendOf: 'abc', reason: 'ny adress', addressCorrected: true } }, fmt)).toEqual({
      title: 'Omskick av ett tidigare brev',
      text: 'Orsak: ny adress. Med rättad postadress.',
      problems: [],
      letterId: 'abc',
    });
    expect(describeEvent(sv, { type: 'RESENT', detail: { resentAs: 'def' } }, fmt).letterId).toBe('def');
  });

  it('formats a retry\'s time and shows an unknown event by its code', () => {
    expect(describeEvent(sv, { type: 'RETRY_SCHEDULED', detail: { code: 'TIMEOUT', attempt: 2, nextAttemptAt: '2026-03-01T10:00:00Z' } }, fmt).text).toBe('Fel: TIMEOUT. Försök 2; nästa försök [2026-03-01T10:00:00Z].');
    expect(describeEvent(sv, { type: 'NEW_KIND', detail: { reason: 'PENDING' } }, fmt)).toMatchObject({ title: 'NEW_KIND', text: 'Orsak: mottagarens digitala brevlåda är inte klar än.' });
  });
});
