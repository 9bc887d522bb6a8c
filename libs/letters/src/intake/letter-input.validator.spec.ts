import { buildDelivery, DeliveryInput } from '@hub/mina-meddelanden';
import { IntakeContext, LetterInput } from './intake.types';
import { containsPersonalId, SendingUnitRef, validateLetter } from './letter-input.validator';
import { ENVELOPE_BUDGET_BYTES, estimateDeliveryBytes, MAX_DELIVERY_BYTES } from './wire-size';

const BYGG: SendingUnitRef = { id: '00000000-0000-4000-8000-000000000001', code: 'bygg', name: 'Demo kommun, Samhällsbyggnadsnämnden', orgNumber: '162120001231' };
const SOCIAL: SendingUnitRef = { id: '00000000-0000-4000-8000-000000000002', code: 'social', name: 'Demo kommun, Socialnämnden', orgNumber: '162120009879' };
const UNITS = new Map([
  ['bygg', BYGG],
  ['social', SOCIAL],
]);
const OFFICER: IntakeContext = { tenantId: '00000000-0000-4000-8000-0000000000aa', actor: 'officer' };
const BOUND: IntakeContext = { ...OFFICER, actor: 'demo-case-system', apiClientId: 'x', boundSendingUnitId: BYGG.id };

const pdf = (bytes = 64) => {
  const b = Buffer.alloc(bytes, 0x20);
  b.write('%PDF-1.4\n');
  return b;
};

function input(over: Partial<LetterInput> = {}): LetterInput {
  return { recipient: '198101032384', sendingUnit: 'bygg', subject: 'Beslut', body: { contentType: 'text/plain', text: 'Hej' }, protectionClass: 1, ...over };
}

function fields(i: LetterInput, ctx = OFFICER): string[] {
  const out = validateLetter(i, ctx, UNITS);
  return out.ok ? [] : out.fields.map((f) => `${f.path}:${f.rule}`);
}

describe('validateLetter', () => {
  it('accepts a plain letter and normalises it', () => {
    const out = validateLetter(input({ recipient: '19810103-2384', subject: '  Beslut  ' }), OFFICER, UNITS);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.letter).toMatchObject({ recipientId: '198101032384', recipientKind: 'personnummer', subject: 'Beslut', channelPreference: 'AUTO', sendingUnit: BYGG });
    expect(out.letter.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('checks recipients: personnummer, samordningsnummer and organisationsnummer, with the rule that failed', () => {
    expect(fields(input({ recipient: '202001612395' }))).toEqual([]); // samordningsnummer
    expect(fields(input({ recipient: '165599000030' }))).toEqual([]); // organisation
    expect(fields(input({ recipient: '198101032385' }))).toEqual(['recipient:luhn']);
    expect(fields(input({ recipient: '198113032384' }))).toEqual(['recipient:date']);
    expect(fields(input({ recipient: '8101032384' }))).toEqual(['recipient:format']);
    expect(fields(input({ recipient: undefined }))).toEqual(['recipient:required']);
  });

  it('binds a case system to its sending unit', () => {
    expect(fields(input({ sendingUnit: undefined }), BOUND)).toEqual([]);
    expect(fields(input({ sendingUnit: 'social' }), BOUND)).toEqual(['sendingUnit:bound']);
    expect(fields(input({ sendingUnit: undefined }), OFFICER)).toEqual(['sendingUnit:required']);
    expect(fields(input({ sendingUnit: 'skola' }), OFFICER)).toEqual(['sendingUnit:unknown']);
  });

  it('checks subject, protection class, body and channel', () => {
    expect(fields(input({ subject: 'x'.repeat(256) }))).toEqual(['subject:maxLength']);
    expect(fields(input({ subject: 'rad 1\nrad 2' }))).toEqual(['subject:characters']);
    expect(fields(input({ subject: '   ' }))).toEqual(['subject:required']);
    expect(fields(input({ protectionClass: 0 }))).toEqual(['protectionClass:range']);
    expect(fields(input({ protectionClass: null }))).toEqual(['protectionClass:required']);
    expect(fields(input({ body: { contentType: 'text/markdown', text: '# x' } }))).toEqual(['body.contentType:contentType']);
    expect(fields(input({ body: { contentType: 'text/plain', text: 'a\u0001b' } }))).toEqual(['body.text:characters']);
    expect(fields(input({ body: { contentType: 'text/html', text: '<script>alert(1)</script>' } }))).toEqual(['body.text:required']);
    expect(fields(input({ channelPreference: 'PRINT_ONLY' }))).toEqual(['postalAddress:required']);
  });

  it('keeps personnummer and samordningsnummer out of every subject (any class) and out of the address window', () => {
    expect(fields(input({ protectionClass: 2, subject: 'Beslut för 19810103-2384' }))).toEqual(['subject:personalData']);
    expect(fields(input({ protectionClass: 1, subject: 'Beslut för 19810103-2384' }))).toEqual(['subject:personalData']);
    expect(fields(input({ protectionClass: 3, subject: 'Beslut för 810103-2384' }))).toEqual(['subject:personalData']);
    expect(fields(input({ protectionClass: 1, subject: 'Beslut 202001612395' }))).toEqual(['subject:personalData']); // samordningsnummer
    expect(fields(input({ protectionClass: 1, subject: 'Beslut för 165599000030' }))).toEqual([]); // an organisation is not a person
    expect(fields(input({ postalAddress: { name: 'Anna 810103-2384', lines: ['Storgatan 1'], postalCode: '12345', city: 'Demostad' } }))).toEqual([
      'postalAddress.name:personalData',
    ]);
    expect(containsPersonalId('ring 0701234567')).toBe(false);
  });

  it('checks the postal address and normalises the postal code', () => {
    const out = validateLetter(input({ channelPreference: 'PRINT_ONLY', postalAddress: { name: 'Anna Andersson', lines: ['Storgatan 1'], postalCode: '12345', city: 'Demostad' } }), OFFICER, UNITS);
    expect(out.ok && out.letter.postalAddress).toEqual({ name: 'Anna Andersson', lines: ['Storgatan 1'], postalCode: '123 45', city: 'Demostad', country: 'SE' });
    expect(fields(input({ postalAddress: { name: 'A', lines: [], postalCode: '1234', city: '' } }))).toEqual([
      'postalAddress.lines:required',
      'postalAddress.postalCode:format',
      'postalAddress.city:required',
    ]);
  });

  it('sanitises HTML to the allowed subset and remembers that it did', () => {
    const html = '<h1>Beslut</h1><p onclick="x()">Se <a href="javascript:alert(1)">här</a> och <a href="https://demo.se/x">här</a><img src=x></p><script>steal()</script><b>viktigt</b>';
    const out = validateLetter(input({ body: { contentType: 'text/html', text: html } }), OFFICER, UNITS);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.letter.bodyText).toBe('<h1>Beslut</h1><p>Se <a>här</a> och <a href="https://demo.se/x">här</a></p><strong>viktigt</strong>');
    expect(out.letter.htmlSanitized).toBe(true);
  });

  it('accepts PDFs only, named, non-empty', () => {
    expect(fields(input({ attachments: [{ filename: 'a.pdf', content: pdf() }] }))).toEqual([]);
    expect(fields(input({ attachments: [{ filename: 'a.pdf', content: Buffer.from('PK\u0003\u0004') }] }))).toEqual(['attachments[0].content:contentType']);
    expect(fields(input({ attachments: [{ filename: 'a.png', contentType: 'image/png', content: pdf() }] }))).toEqual(['attachments[0].contentType:contentType']);
    expect(fields(input({ attachments: [{ filename: '../a.pdf', content: pdf() }] }))).toEqual(['attachments[0].filename:format']);
    expect(fields(input({ attachments: [{ filename: 'a.pdf', content: Buffer.alloc(0) }] }))).toEqual(['attachments[0].content:required']);
    expect(fields(input({ attachments: [{ filename: 'a.pdf', contentError: 'is not valid base64' }] }))).toEqual(['attachments[0].content:format']);
  });

  it('checks the idempotency key', () => {
    expect(fields(input({ idempotencyKey: 'k'.repeat(200) }))).toEqual([]);
    expect(fields(input({ idempotencyKey: 'k'.repeat(201) }))).toEqual(['idempotencyKey:maxLength']);
  });

  it('gives the same content hash for the same content only', () => {
    const hash = (i: LetterInput) => {
      const out = validateLetter(i, OFFICER, UNITS);
      return out.ok ? out.letter.contentHash : '';
    };
    expect(hash(input({ idempotencyKey: 'a' }))).toBe(hash(input({ idempotencyKey: 'b' })));
    expect(hash(input())).not.toBe(hash(input({ subject: 'Annat' })));
    expect(hash(input({ attachments: [{ filename: 'a.pdf', content: pdf(100) }] }))).not.toBe(hash(input({ attachments: [{ filename: 'a.pdf', content: pdf(101) }] })));
  });
});

describe('the 2 MB wire limit', () => {
  // Worst-case header fields the builder allows, so that the bound holds whatever the worker puts there.
  const worstCase = (body: string, attachments: { filename: string; content: Buffer }[]): DeliveryInput => ({
    sender: { id: '162120001231', name: 'Å'.repeat(256), attention: '&'.repeat(255) },
    recipient: '198101032384',
    reference: '&'.repeat(255),
    correlationId: '<'.repeat(100),
    messages: [
      {
        id: 'f47ac10b-58cc-4372-a567-0e02b2c3d479',
        subject: '&'.repeat(255),
        supportInfo: { text: '&'.repeat(1024), url: `https://demo.se/${'a'.repeat(230)}`, phoneNumber: '0'.repeat(255), emailAddress: `${'a'.repeat(240)}@demo.se` },
        body: { contentType: 'text/plain', text: body },
        attachments: attachments.map((a) => ({ contentType: 'application/pdf', ...a })),
      },
    ],
  });

  /** The largest single attachment the intake accepts with this body and file name. */
  function largestAccepted(bodyBytes: number, filename: string, count = 1): number {
    let lo = 1;
    let hi = MAX_DELIVERY_BYTES;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      const fits = estimateDeliveryBytes(bodyBytes, Array.from({ length: count }, () => ({ filename, sizeBytes: mid }))) <= MAX_DELIVERY_BYTES;
      if (fits) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  it.each([
    ['one attachment, short body', 10, 'beslut.pdf', 1],
    ['one attachment, long body', 50_000, 'ö'.repeat(255), 1],
    ['three attachments', 1_000, 'bilaga.pdf', 3],
  ])('a letter accepted at the limit is never refused by buildDelivery (%s)', (_label, bodyBytes, filename, count) => {
    const size = largestAccepted(bodyBytes, filename, count);
    const content = pdf(size);
    const attachments = Array.from({ length: count }, () => ({ filename, content }));
    const accepted = validateLetter(input({ body: { contentType: 'text/plain', text: 'x'.repeat(bodyBytes) }, attachments }), OFFICER, UNITS);
    expect(accepted.ok).toBe(true);
    const built = buildDelivery(worstCase('x'.repeat(bodyBytes), attachments));
    expect(built.bytes).toBeLessThanOrEqual(MAX_DELIVERY_BYTES);
    // …and the intake gives away little: under 1 % of the limit.
    expect(MAX_DELIVERY_BYTES - built.bytes).toBeLessThan(ENVELOPE_BUDGET_BYTES + 20_000);
    const refused = validateLetter(input({ body: { contentType: 'text/plain', text: 'x'.repeat(bodyBytes) }, attachments: attachments.map((a) => ({ ...a, content: pdf(size + 3) })) }), OFFICER, UNITS);
    expect(refused.ok ? [] : refused.fields.map((f) => `${f.path}:${f.rule}`)).toEqual(['attachments:maxSize']);
  });
});
