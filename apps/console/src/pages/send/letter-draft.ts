/**
 * The "Skriv brev" form's logic, apart from React: the draft, what the case type allows, the
 * GraphQL inputs it becomes, attachment checks and where the API's field errors belong.
 */
import { checkRecipientId, IdProblem } from './recipient-ids';

export type ChannelPreference = 'AUTO' | 'DIGITAL_ONLY' | 'PRINT_ONLY';
export const CHANNEL_PREFERENCES: readonly ChannelPreference[] = ['AUTO', 'DIGITAL_ONLY', 'PRINT_ONLY'];
export const PROTECTION_CLASSES = ['1', '2', '3'] as const;

/** A case type as the form needs it (from the caseTypes query). */
export interface CaseTypeOption {
  code: string;
  name: string;
  defaultProtectionClass: number;
  allowedChannels: ('DIGITAL' | 'PRINT')[];
  subjectTemplate: string;
  bodyTemplate: string | null;
}

export interface AddressDraft {
  name: string;
  line1: string;
  line2: string;
  postalCode: string;
  city: string;
}

export interface LetterDraft {
  /** The idempotency key: one per draft, so that sending it twice (a double click, a retry) makes one letter. */
  key: string;
  recipient: string;
  /** '' for none. */
  caseType: string;
  /** '' until chosen. */
  protectionClass: string;
  subject: string;
  body: string;
  caseReference: string;
  channelPreference: ChannelPreference;
  protectedIdentity: boolean;
  address: AddressDraft;
  files: File[];
}

/** The form's fields, as the page ties errors to them. */
export type DraftField =
  | 'unit'
  | 'recipient'
  | 'caseType'
  | 'protectionClass'
  | 'subject'
  | 'body'
  | 'caseReference'
  | 'channelPreference'
  | 'protectedIdentity'
  | 'address'
  | 'addressName'
  | 'addressLine1'
  | 'addressLine2'
  | 'postalCode'
  | 'city'
  | 'attachments';

/** A random key for a new draft (crypto.getRandomValues works outside secure contexts too). */
export function newDraftKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function newDraft(recipient = ''): LetterDraft {
  return {
    key: newDraftKey(),
    recipient,
    caseType: '',
    protectionClass: '',
    subject: '',
    body: '',
    caseReference: '',
    channelPreference: 'AUTO',
    protectedIdentity: false,
    address: { name: '', line1: '', line2: '', postalCode: '', city: '' },
    files: [],
  };
}

/** The classes a letter under this case type may have: its class and above (all three without one). */
export function classOptions(caseType: CaseTypeOption | undefined): string[] {
  return PROTECTION_CLASSES.filter((c) => !caseType || Number(c) >= caseType.defaultProtectionClass);
}

/** The preferences the case type allows (the intake narrows AUTO to the only channel of a one-channel case type). */
export function channelOptions(caseType: CaseTypeOption | undefined): ChannelPreference[] {
  if (!caseType) return [...CHANNEL_PREFERENCES];
  const digital = caseType.allowedChannels.includes('DIGITAL');
  const print = caseType.allowedChannels.includes('PRINT');
  if (digital && print) return [...CHANNEL_PREFERENCES];
  return digital ? ['DIGITAL_ONLY'] : ['PRINT_ONLY'];
}

/**
 * The draft under another case type (or none): the class becomes at least the case type's (its
 * default when none was chosen), the channel one the case type allows.
 */
export function withCaseType(draft: LetterDraft, caseType: CaseTypeOption | undefined): LetterDraft {
  const classes = classOptions(caseType);
  let protectionClass = draft.protectionClass;
  if (caseType && (protectionClass === '' || Number(protectionClass) < caseType.defaultProtectionClass)) protectionClass = String(caseType.defaultProtectionClass);
  if (protectionClass !== '' && !classes.includes(protectionClass)) protectionClass = '';
  const channels = channelOptions(caseType);
  const channelPreference = channels.includes(draft.channelPreference) ? draft.channelPreference : channels[0];
  return { ...draft, caseType: caseType?.code ?? '', protectionClass, channelPreference };
}

const trimmed = (s: string) => s.trim();
const hasAddress = (a: AddressDraft) => [a.name, a.line1, a.line2, a.postalCode, a.city].some((v) => v.trim() !== '');

function postalAddress(a: AddressDraft) {
  if (!hasAddress(a)) return null;
  return { name: trimmed(a.name), lines: [a.line1, a.line2].map(trimmed).filter((l) => l !== ''), postalCode: trimmed(a.postalCode), city: trimmed(a.city) };
}

const recipientOf = (d: LetterDraft) => d.recipient.replace(/\s/g, '');

/** What channelPreview is asked (the parts of the draft that decide the channel). */
export function toPreviewInput(d: LetterDraft, sendingUnit: string) {
  return {
    recipient: recipientOf(d),
    sendingUnit: sendingUnit || null,
    caseType: d.caseType || null,
    protectionClass: d.protectionClass ? Number(d.protectionClass) : null,
    channelPreference: d.channelPreference,
    postalAddress: postalAddress(d.address),
    protectedIdentity: d.protectedIdentity,
  };
}

/**
 * The submitLetter input and the files of its multipart request (variable path → file). Empty
 * optional fields are left out, so the case type's templates apply.
 */
export function toLetterInput(d: LetterDraft, sendingUnit: string): { input: Record<string, unknown>; files: Record<string, File> } {
  const files: Record<string, File> = {};
  d.files.forEach((f, i) => (files[`input.attachments.${i}.file`] = f));
  const input = {
    ...toPreviewInput(d, sendingUnit),
    subject: d.subject.trim() || null,
    body: d.body.trim() ? { contentType: 'text/plain', text: d.body } : null,
    caseReference: d.caseReference.trim() || null,
    attachments: d.files.length ? d.files.map((f) => ({ filename: f.name, contentType: 'application/pdf', file: null })) : null,
    idempotencyKey: d.key,
  };
  return { input, files };
}

/** What a PDF-only, size-limited attachment list can say is wrong before anything is sent. */
export type FileProblem = { kind: 'notPdf'; name: string } | { kind: 'tooLarge'; bytes: number; max: number };

/**
 * A letter travels at most 2 MB once base64-encoded and signed (Mina meddelanden's limit): above
 * this much PDF it cannot fit whatever else it holds. The API checks the exact limit.
 */
export const MAX_ATTACHMENT_BYTES = Math.floor((2 * 1024 * 1024 * 3) / 4);

export function isPdf(f: Pick<File, 'name' | 'type'>): boolean {
  return f.type === 'application/pdf' || (f.type === '' && /\.pdf$/i.test(f.name));
}

export function fileProblems(files: Pick<File, 'name' | 'type' | 'size'>[]): FileProblem[] {
  const problems: FileProblem[] = files.filter((f) => !isPdf(f)).map((f) => ({ kind: 'notPdf', name: f.name }));
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > MAX_ATTACHMENT_BYTES) problems.push({ kind: 'tooLarge', bytes: total, max: MAX_ATTACHMENT_BYTES });
  return problems;
}

/** What the browser can tell is missing or wrong; the API checks everything again. */
export type DraftProblem =
  | { field: 'unit' | 'recipient' | 'subject' | 'body' | 'protectionClass'; kind: 'required' }
  | { field: 'recipient'; kind: 'id'; problem: IdProblem }
  | { field: 'attachments'; kind: 'file'; problem: FileProblem };

export function draftProblems(d: LetterDraft, sendingUnit: string, caseType: CaseTypeOption | undefined): DraftProblem[] {
  const out: DraftProblem[] = [];
  if (!sendingUnit) out.push({ field: 'unit', kind: 'required' });
  if (!d.recipient.trim()) out.push({ field: 'recipient', kind: 'required' });
  else {
    const id = checkRecipientId(d.recipient);
    if (!id.ok) out.push({ field: 'recipient', kind: 'id', problem: id.problem });
  }
  if (!caseType && !d.protectionClass) out.push({ field: 'protectionClass', kind: 'required' });
  if (!caseType && !d.subject.trim()) out.push({ field: 'subject', kind: 'required' });
  if (!caseType?.bodyTemplate && !d.body.trim()) out.push({ field: 'body', kind: 'required' });
  for (const problem of fileProblems(d.files)) out.push({ field: 'attachments', kind: 'file', problem });
  return out;
}

/** The form field an API field path belongs to (e.g. "postalAddress.lines[1]" → addressLine2); null for the letter as a whole. */
export function fieldOfPath(path: string): DraftField | null {
  const p = path.replace(/^(input|inputs\[\d+\])\./, '');
  if (p === 'postalAddress.lines[1]') return 'addressLine2';
  if (/^postalAddress\.lines/.test(p)) return 'addressLine1';
  const exact: Record<string, DraftField> = {
    recipient: 'recipient',
    sendingUnit: 'unit',
    caseType: 'caseType',
    protectionClass: 'protectionClass',
    subject: 'subject',
    caseReference: 'caseReference',
    channelPreference: 'channelPreference',
    protectedIdentity: 'protectedIdentity',
    postalAddress: 'address',
    'postalAddress.country': 'address',
    'postalAddress.name': 'addressName',
    'postalAddress.postalCode': 'postalCode',
    'postalAddress.city': 'city',
  };
  if (p in exact) return exact[p];
  if (/^body(\.|$)/.test(p)) return 'body';
  if (/^attachments(\[|\.|$)/.test(p)) return 'attachments';
  return null;
}

/** The API's field errors by form field (several messages for one field joined). */
export function fieldErrors(fields: { path: string; message: string }[]): Partial<Record<DraftField, string>> {
  const out: Partial<Record<DraftField, string>> = {};
  for (const f of fields) {
    const field = fieldOfPath(f.path);
    if (field) out[field] = out[field] ? `${out[field]} ${f.message}` : f.message;
  }
  return out;
}
