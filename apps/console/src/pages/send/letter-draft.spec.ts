import {
  CaseTypeOption,
  channelOptions,
  classOptions,
  draftProblems,
  fieldErrors,
  fieldOfPath,
  fileProblems,
  MAX_ATTACHMENT_BYTES,
  newDraft,
  toLetterInput,
  toPreviewInput,
  withCaseType,
} from './letter-draft';

const bygglov: CaseTypeOption = { code: 'bygglov', name: 'Bygglov', defaultProtectionClass: 2, allowedChannels: ['DIGITAL', 'PRINT'], subjectTemplate: 'Beslut {caseReference}', bodyTemplate: null };
const digital: CaseTypeOption = { ...bygglov, code: 'digitalt', defaultProtectionClass: 3, allowedChannels: ['DIGITAL'], bodyTemplate: 'Hej' };
const paper: CaseTypeOption = { ...bygglov, code: 'papper', defaultProtectionClass: 1, allowedChannels: ['PRINT'] };
const pdf = (name: string, size: number, type = 'application/pdf') => new File([new Uint8Array(size)], name, { type });

describe('what a case type allows', () => {
  it('offers the case type’s class and above, all three without one', () => {
    expect(classOptions(undefined)).toEqual(['1', '2', '3']);
    expect(classOptions(bygglov)).toEqual(['2', '3']);
    expect(classOptions(digital)).toEqual(['3']);
  });

  it('offers the channel preferences the case type allows', () => {
    expect(channelOptions(undefined)).toEqual(['AUTO', 'DIGITAL_ONLY', 'PRINT_ONLY']);
    expect(channelOptions(bygglov)).toEqual(['AUTO', 'DIGITAL_ONLY', 'PRINT_ONLY']);
    expect(channelOptions(digital)).toEqual(['DIGITAL_ONLY']);
    expect(channelOptions(paper)).toEqual(['PRINT_ONLY']);
  });

  it('choosing a case type gives its class (never lowers a higher one) and a channel it allows', () => {
    const d = newDraft('198101032384');
    expect(withCaseType(d, bygglov)).toMatchObject({ caseType: 'bygglov', protectionClass: '2', channelPreference: 'AUTO' });
    expect(withCaseType({ ...d, protectionClass: '3' }, bygglov).protectionClass).toBe('3');
    expect(withCaseType({ ...d, protectionClass: '1' }, bygglov).protectionClass).toBe('2');
    expect(withCaseType({ ...d, channelPreference: 'PRINT_ONLY' }, digital)).toMatchObject({ protectionClass: '3', channelPreference: 'DIGITAL_ONLY' });
    expect(withCaseType(withCaseType(d, paper), undefined)).toMatchObject({ caseType: '', protectionClass: '1', channelPreference: 'PRINT_ONLY' });
  });
});

describe('the GraphQL inputs of a draft', () => {
  it('leave empty optional fields out, so that the case type’s templates apply', () => {
    const d = { ...withCaseType(newDraft(' 19810103-2384 '), bygglov), caseReference: 'BN 1' };
    const { input, files } = toLetterInput(d, 'bygg');
    expect(input).toEqual({
      recipient: '19810103-2384',
      sendingUnit: 'bygg',
      caseType: 'bygglov',
      protectionClass: 2,
      channelPreference: 'AUTO',
      postalAddress: null,
      protectedIdentity: false,
      subject: null,
      body: null,
      caseReference: 'BN 1',
      attachments: null,
      idempotencyKey: d.key,
    });
    expect(files).toEqual({});
  });

  it('carry the address when any part is given, the body as text/plain and each file as a multipart upload', () => {
    const a = pdf('beslut.pdf', 10);
    const b = pdf('ritning.pdf', 20);
    const d = {
      ...newDraft('201001012382'),
      protectionClass: '1',
      subject: ' Beslut ',
      body: 'Hej!\nMvh',
      address: { name: 'Anna Andersson', line1: 'Storgatan 1', line2: ' ', postalCode: '123 45', city: 'Demostad' },
      files: [a, b],
    };
    const { input, files } = toLetterInput(d, 'bygg');
    expect(input).toMatchObject({
      subject: 'Beslut',
      body: { contentType: 'text/plain', text: 'Hej!\nMvh' },
      postalAddress: { name: 'Anna Andersson', lines: ['Storgatan 1'], postalCode: '123 45', city: 'Demostad' },
      attachments: [
        { filename: 'beslut.pdf', contentType: 'application/pdf', file: null },
        { filename: 'ritning.pdf', contentType: 'application/pdf', file: null },
      ],
    });
    expect(files).toEqual({ 'input.attachments.0.file': a, 'input.attachments.1.file': b });
    expect(toPreviewInput({ ...d, address: { ...d.address, name: '', line1: '', postalCode: '', city: '' } }, 'bygg').postalAddress).toBeNull();
  });

  it('keep one idempotency key per draft, and a new one for a new draft', () => {
    const d = newDraft();
    expect(d.key).toMatch(/^console-[0-9a-f]{32}$/);
    expect(toLetterInput(d, 'bygg').input.idempotencyKey).toBe(toLetterInput({ ...d, subject: 'x' }, 'bygg').input.idempotencyKey);
    expect(newDraft().key).not.toBe(d.key);
  });
});

describe('checks in the browser', () => {
  it('refuses files that are not PDF, and more PDF than one letter can carry', () => {
    expect(fileProblems([pdf('a.pdf', 10), pdf('b.PDF', 10, '')])).toEqual([]);
    expect(fileProblems([pdf('bild.png', 10, 'image/png'), pdf('text.docx', 10, '')])).toEqual([
      { kind: 'notPdf', name: 'bild.png' },
      { kind: 'notPdf', name: 'text.docx' },
    ]);
    expect(fileProblems([{ name: 'stor.pdf', type: 'application/pdf', size: MAX_ATTACHMENT_BYTES + 1 }])).toEqual([
      { kind: 'tooLarge', bytes: MAX_ATTACHMENT_BYTES + 1, max: MAX_ATTACHMENT_BYTES },
    ]);
  });

  it('names what is missing: subject, body and class are needed without a case type that gives them', () => {
    const d = newDraft();
    expect(draftProblems(d, '', undefined).map((p) => `${p.field}:${p.kind}`)).toEqual([
      'unit:required',
      'recipient:required',
      'protectionClass:required',
      'subject:required',
      'body:required',
    ]);
    expect(draftProblems({ ...withCaseType(d, digital), recipient: '198101032385' }, 'bygg', digital)).toEqual([{ field: 'recipient', kind: 'id', problem: 'luhn' }]);
    expect(draftProblems({ ...withCaseType(d, bygglov), recipient: '198101032384' }, 'bygg', bygglov).map((p) => p.field)).toEqual(['body']);
  });
});

describe('the API’s field errors', () => {
  it('belong next to their form fields', () => {
    expect(fieldOfPath('subject')).toBe('subject');
    expect(fieldOfPath('input.protectionClass')).toBe('protectionClass');
    expect(fieldOfPath('body.text')).toBe('body');
    expect(fieldOfPath('postalAddress')).toBe('address');
    expect(fieldOfPath('postalAddress.lines')).toBe('addressLine1');
    expect(fieldOfPath('postalAddress.lines[0]')).toBe('addressLine1');
    expect(fieldOfPath('postalAddress.lines[1]')).toBe('addressLine2');
    expect(fieldOfPath('postalAddress.postalCode')).toBe('postalCode');
    expect(fieldOfPath('attachments[0].content')).toBe('attachments');
    expect(fieldOfPath('sendingUnit')).toBe('unit');
    expect(fieldOfPath('idempotencyKey')).toBeNull();
    expect(fieldErrors([{ path: 'subject', message: 'is too long' }, { path: 'subject', message: 'names a person' }, { path: 'category', message: 'x' }])).toEqual({
      subject: 'is too long names a person',
    });
  });
});
