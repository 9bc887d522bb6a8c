import { createHash } from 'node:crypto';
import { checkRecipientId } from '@hub/mina-meddelanden';
import { CHANNEL_PREFERENCES, ChannelPreference, POSTAGE_CLASSES, PostageClassName } from '../letter-status';
import { LetterPostalAddress } from '../letter.entities';
import { isBlankHtml, sanitizeLetterHtml } from './html-body';
import { FieldViolation } from './intake.errors';
import { IntakeContext, LetterInput } from './intake.types';
import { ALLOWED_ATTACHMENT_TYPES, base64Length, estimateDeliveryBytes, MAX_DELIVERY_BYTES } from './wire-size';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
export const MAX_SUBJECT_LENGTH = 255;
export const MAX_CASE_REFERENCE_LENGTH = 255;
export const MAX_ATTACHMENTS = 20;
const BODY_TYPES = ['text/plain', 'text/html'];

// Characters XML 1.0 cannot carry (the builder refuses them): C0 controls other than tab/LF/CR,
// U+FFFE/U+FFFF and lone surrogates.
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// A one-line field (subject, reference, names) carries no control characters at all, tab and newline included.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001F\u007F-\u009F]/;
// Candidates for a personnummer/samordningsnummer in free text: 10 or 12 digits, optionally with - or +.
const PERSONAL_ID_CANDIDATE = /(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)/g;
const POSTAL_CODE = /^\d{3} ?\d{2}$/;

/** True when a one-line text holds control characters (tab and newline included). */
export function hasControlChars(text: string): boolean {
  return CONTROL_CHARS.test(text);
}

/** A sending unit of the tenant, as the validator needs it. */
export interface SendingUnitRef {
  id: string;
  code: string;
  name: string;
  orgNumber: string;
}

/** A letter that passed every rule, normalised and ready to store. */
export interface ValidatedLetter {
  recipientId: string;
  recipientKind: string;
  sendingUnit: SendingUnitRef;
  caseReference: string | null;
  subject: string;
  bodyType: string;
  bodyText: string;
  /** The HTML sanitiser removed something. */
  htmlSanitized: boolean;
  protectionClass: number;
  channelPreference: ChannelPreference;
  postalAddress: LetterPostalAddress | null;
  protectedIdentity: boolean;
  postageClass: PostageClassName | null;
  idempotencyKey: string | null;
  attachments: { position: number; filename: string; contentType: string; content: Buffer; sizeBytes: number; sha256: string }[];
  /** SHA-256 over the normalised content: an idempotent retry must match it. */
  contentHash: string;
}

export type ValidationOutcome = { ok: true; letter: ValidatedLetter } | { ok: false; fields: FieldViolation[] };

class Violations {
  readonly list: FieldViolation[] = [];
  add(path: string, rule: string, message: string): void {
    this.list.push({ path, rule, message });
  }

  /** A one-line text field: trimmed; refused when required and missing, too long, or with control characters. */
  line(path: string, value: unknown, opts: { required?: boolean; max: number; what: string }): string | null {
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
      if (opts.required) this.add(path, 'required', `is required: give the ${opts.what}`);
      return null;
    }
    if (typeof value !== 'string') {
      this.add(path, 'type', 'must be a string');
      return null;
    }
    const v = value.trim();
    if (v.length > opts.max) this.add(path, 'maxLength', `is ${v.length} characters; at most ${opts.max} are allowed: shorten the ${opts.what}`);
    if (CONTROL_CHARS.test(v)) this.add(path, 'characters', `contains control characters (tab, newline or others): write the ${opts.what} on one line`);
    return v;
  }
}

/**
 * Checks one letter against every rule the hub and Mina meddelanden impose, mirroring `buildDelivery`
 * (recipient id, lengths, characters XML cannot carry, PDF only, the 2 MB wire limit) so that a
 * letter accepted here is never refused later by the builder. Paths are relative to the letter.
 */
export function validateLetter(input: LetterInput | null | undefined, ctx: IntakeContext, units: ReadonlyMap<string, SendingUnitRef>): ValidationOutcome {
  const v = new Violations();
  if (!input || typeof input !== 'object') {
    v.add('', 'required', 'a letter object is required');
    return { ok: false, fields: v.list };
  }

  // Recipient
  let recipientId = '';
  let recipientKind = '';
  if (typeof input.recipient !== 'string' || input.recipient.trim() === '') {
    v.add('recipient', 'required', 'is required: a personnummer, samordningsnummer or 16 + organisationsnummer (12 digits)');
  } else {
    const r = checkRecipientId(input.recipient.replace(/[-+]/, ''));
    if (r.ok) {
      recipientId = r.id;
      recipientKind = r.kind;
    } else {
      v.add('recipient', r.rule, `${r.message} (write it as 12 digits, e.g. 198101032384)`);
    }
  }

  // Sending unit: a bound client may omit it but may not choose another one.
  const sendingUnit = resolveSendingUnit(v, input.sendingUnit, ctx, units);

  const caseReference = v.line('caseReference', input.caseReference, { max: MAX_CASE_REFERENCE_LENGTH, what: 'case reference (diarienummer)' });
  const subject = v.line('subject', input.subject, { required: true, max: MAX_SUBJECT_LENGTH, what: 'subject (ledtext)' });

  // Protection class (skyddsklass)
  let protectionClass = 0;
  if (input.protectionClass === undefined || input.protectionClass === null) {
    v.add('protectionClass', 'required', 'is required: 1, 2 or 3 (skyddsklass; higher is more sensitive)');
  } else if (!Number.isInteger(input.protectionClass) || input.protectionClass < 1 || input.protectionClass > 3) {
    v.add('protectionClass', 'range', `is ${String(input.protectionClass)}; it must be 1, 2 or 3`);
  } else {
    protectionClass = input.protectionClass;
  }
  // SK3: the subject of a sensitive letter is shown in notifications, so it must not name the person.
  if (subject && protectionClass >= 2 && containsPersonalId(subject)) {
    v.add('subject', 'personalData', `contains a personnummer; a letter of protection class ${protectionClass} may not name the person in its subject`);
  }

  const channelPreference = (input.channelPreference ?? 'AUTO') as ChannelPreference;
  if (!CHANNEL_PREFERENCES.includes(channelPreference)) {
    v.add('channelPreference', 'enum', `must be one of ${CHANNEL_PREFERENCES.join(', ')}`);
  }

  // Body
  let bodyType = 'text/plain';
  let bodyText = '';
  let htmlSanitized = false;
  const body = input.body;
  if (!body || typeof body !== 'object') {
    v.add('body', 'required', 'is required: { contentType: "text/plain" | "text/html", text }');
  } else {
    bodyType = body.contentType ?? 'text/plain';
    if (!BODY_TYPES.includes(bodyType)) v.add('body.contentType', 'contentType', `is ${JSON.stringify(bodyType)}; it must be text/plain or text/html`);
    if (typeof body.text !== 'string' || body.text.trim() === '') {
      v.add('body.text', 'required', 'is required and must not be blank');
    } else if (INVALID_XML_CHARS.test(body.text)) {
      v.add('body.text', 'characters', 'contains control characters that XML cannot carry (only tab, newline and carriage return are allowed)');
    } else if (bodyType === 'text/html') {
      bodyText = sanitizeLetterHtml(body.text);
      htmlSanitized = bodyText !== body.text.trim();
      if (isBlankHtml(bodyText)) v.add('body.text', 'required', 'has no text left once reduced to the allowed HTML (p, br, strong, em, ul, ol, li, a, h1–h3)');
    } else {
      bodyText = body.text;
    }
  }

  // Attachments: PDF only, named, within the wire limit in total.
  const attachments: ValidatedLetter['attachments'] = [];
  if (input.attachments !== undefined && input.attachments !== null && !Array.isArray(input.attachments)) {
    v.add('attachments', 'type', 'must be a list');
  } else if (input.attachments && input.attachments.length > MAX_ATTACHMENTS) {
    v.add('attachments', 'maxItems', `has ${input.attachments.length} attachments; at most ${MAX_ATTACHMENTS} are allowed: merge them into fewer PDFs`);
  } else {
    (input.attachments ?? []).forEach((a, i) => {
      const path = `attachments[${i}]`;
      if (!a || typeof a !== 'object') {
        v.add(path, 'required', 'must be an attachment { filename, contentBase64 or file }');
        return;
      }
      const filename = v.line(`${path}.filename`, a.filename, { required: true, max: 255, what: 'file name' });
      if (filename && /[/\\]/.test(filename)) v.add(`${path}.filename`, 'format', 'must be a file name, not a path (no / or \\)');
      const contentType = a.contentType ?? 'application/pdf';
      if (!ALLOWED_ATTACHMENT_TYPES.includes(contentType)) {
        v.add(`${path}.contentType`, 'contentType', `is ${JSON.stringify(contentType)}; only ${ALLOWED_ATTACHMENT_TYPES.join(', ')} can be sent: convert the document to PDF`);
      }
      if (a.contentError) {
        v.add(`${path}.content`, 'format', a.contentError);
        return;
      }
      if (!Buffer.isBuffer(a.content) || a.content.length === 0) {
        v.add(`${path}.content`, 'required', 'is required: the file as contentBase64 or as a multipart upload (file), not empty');
        return;
      }
      if (contentType === 'application/pdf' && a.content.subarray(0, 5).toString('latin1') !== '%PDF-') {
        v.add(`${path}.content`, 'contentType', 'is not a PDF (it does not start with %PDF-): attach the PDF file itself');
        return;
      }
      attachments.push({
        position: i,
        filename: filename ?? '',
        contentType,
        content: a.content,
        sizeBytes: a.content.length,
        sha256: createHash('sha256').update(a.content).digest('hex'),
      });
    });
  }
  const wireBytes = estimateDeliveryBytes(Buffer.byteLength(bodyText, 'utf8'), attachments);
  if (wireBytes > MAX_DELIVERY_BYTES) {
    const content = attachments.reduce((n, a) => n + a.sizeBytes, 0);
    v.add(
      attachments.length ? 'attachments' : 'body.text',
      'maxSize',
      `make the letter about ${wireBytes} bytes on the wire (content ${content + Buffer.byteLength(bodyText, 'utf8')} bytes, ` +
        `${base64Length(content)} once base64-encoded, plus envelope and signatures); at most ${MAX_DELIVERY_BYTES} bytes are allowed, ` +
        `in practice about 1.5 MB of PDF: send fewer or smaller attachments`,
    );
  }

  const postalAddress = validatePostalAddress(v, input.postalAddress, channelPreference);
  let protectedIdentity = false;
  if (input.protectedIdentity !== undefined && input.protectedIdentity !== null) {
    if (typeof input.protectedIdentity !== 'boolean') v.add('protectedIdentity', 'type', 'must be true or false');
    else protectedIdentity = input.protectedIdentity;
  }
  let postageClass: PostageClassName | null = null;
  if (input.postageClass !== undefined && input.postageClass !== null) {
    if (!POSTAGE_CLASSES.includes(input.postageClass)) v.add('postageClass', 'enum', `must be one of ${POSTAGE_CLASSES.join(', ')}`);
    else postageClass = input.postageClass;
  }

  let idempotencyKey: string | null = null;
  if (input.idempotencyKey !== undefined && input.idempotencyKey !== null) {
    if (typeof input.idempotencyKey !== 'string' || input.idempotencyKey === '') v.add('idempotencyKey', 'required', 'must be a non-empty string when given');
    else if (input.idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      v.add('idempotencyKey', 'maxLength', `is ${input.idempotencyKey.length} characters; at most ${MAX_IDEMPOTENCY_KEY_LENGTH} are allowed (a UUID is a good key)`);
    } else if (CONTROL_CHARS.test(input.idempotencyKey)) v.add('idempotencyKey', 'characters', 'must not contain control characters');
    else idempotencyKey = input.idempotencyKey;
  }

  if (v.list.length > 0 || !sendingUnit || !subject) return { ok: false, fields: v.list };

  const letter: Omit<ValidatedLetter, 'contentHash'> = {
    recipientId,
    recipientKind,
    sendingUnit,
    caseReference,
    subject,
    bodyType,
    bodyText,
    htmlSanitized,
    protectionClass,
    channelPreference,
    postalAddress,
    protectedIdentity,
    postageClass,
    idempotencyKey,
    attachments,
  };
  return { ok: true, letter: { ...letter, contentHash: contentHash(letter) } };
}

/** The sending unit a caller acts as, by the same rules as a letter's `sendingUnit` field. */
export function chooseSendingUnit(raw: string | null | undefined, ctx: IntakeContext, units: ReadonlyMap<string, SendingUnitRef>): { ok: true; unit: SendingUnitRef } | { ok: false; fields: FieldViolation[] } {
  const v = new Violations();
  const unit = resolveSendingUnit(v, raw, ctx, units);
  return unit ? { ok: true, unit } : { ok: false, fields: v.list };
}

function resolveSendingUnit(v: Violations, raw: unknown, ctx: IntakeContext, units: ReadonlyMap<string, SendingUnitRef>): SendingUnitRef | null {
  const known = () => [...units.keys()].join(', ') || '(none)';
  const bound = ctx.boundSendingUnitId ? [...units.values()].find((u) => u.id === ctx.boundSendingUnitId) : undefined;
  if (ctx.boundSendingUnitId && !bound) {
    v.add('sendingUnit', 'unknown', 'the sending unit your API client is bound to no longer exists: ask the tenant admin to fix the client');
    return null;
  }
  if (raw === undefined || raw === null || raw === '') {
    if (bound) return bound;
    if (units.size === 1) return [...units.values()][0];
    v.add('sendingUnit', 'required', `is required: the code of the sending unit (one of ${known()})`);
    return null;
  }
  if (typeof raw !== 'string') {
    v.add('sendingUnit', 'type', 'must be a sending unit code');
    return null;
  }
  const unit = units.get(raw.trim());
  if (!unit) {
    v.add('sendingUnit', 'unknown', `${JSON.stringify(raw)} is not a sending unit of your organisation; use one of ${known()}`);
    return null;
  }
  if (bound && bound.id !== unit.id) {
    v.add('sendingUnit', 'bound', `your API client may only send as ${JSON.stringify(bound.code)}; omit sendingUnit or give ${JSON.stringify(bound.code)}`);
    return null;
  }
  return unit;
}

function validatePostalAddress(v: Violations, raw: LetterInput['postalAddress'], channelPreference: ChannelPreference): LetterPostalAddress | null {
  if (raw === undefined || raw === null) {
    if (channelPreference === 'PRINT_ONLY') v.add('postalAddress', 'required', 'is required for a PRINT_ONLY letter: { name, lines, postalCode, city }');
    return null;
  }
  if (typeof raw !== 'object') {
    v.add('postalAddress', 'type', 'must be an address object');
    return null;
  }
  const name = v.line('postalAddress.name', raw.name, { required: true, max: 100, what: "recipient's name" });
  const lines: string[] = [];
  if (!Array.isArray(raw.lines) || raw.lines.length === 0) v.add('postalAddress.lines', 'required', 'is required: one to three street address lines');
  else if (raw.lines.length > 3) v.add('postalAddress.lines', 'maxItems', `has ${raw.lines.length} lines; at most 3 fit the envelope window`);
  else {
    raw.lines.forEach((l, i) => {
      const line = v.line(`postalAddress.lines[${i}]`, l, { required: true, max: 100, what: 'address line' });
      if (line !== null) lines.push(line);
    });
  }
  const country = (raw.country ?? 'SE').trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) v.add('postalAddress.country', 'format', 'must be a two-letter country code (ISO 3166), e.g. SE');
  let postalCode = v.line('postalAddress.postalCode', raw.postalCode, { required: true, max: 20, what: 'postal code' });
  if (postalCode !== null && country === 'SE') {
    if (!POSTAL_CODE.test(postalCode)) v.add('postalAddress.postalCode', 'format', `is ${JSON.stringify(postalCode)}; a Swedish postal code is five digits, e.g. 123 45`);
    else postalCode = `${postalCode.replace(' ', '').slice(0, 3)} ${postalCode.replace(' ', '').slice(3)}`;
  }
  const city = v.line('postalAddress.city', raw.city, { required: true, max: 100, what: 'city (postort)' });
  // P2: a personnummer must never be printed in the envelope window.
  [name, ...lines, city].forEach((text, i) => {
    if (text && containsPersonalId(text)) {
      const path = i === 0 ? 'postalAddress.name' : i <= lines.length ? `postalAddress.lines[${i - 1}]` : 'postalAddress.city';
      v.add(path, 'personalData', 'contains a personnummer, which must never be printed in the address window: remove it');
    }
  });
  if (!name || !postalCode || !city || lines.length === 0) return null;
  return { name, lines, postalCode, city, country };
}

/** True when the text holds something that passes as a personnummer or samordningsnummer (date and check digit). */
export function containsPersonalId(text: string): boolean {
  for (const m of text.matchAll(PERSONAL_ID_CANDIDATE)) {
    const digits = m[0].replace(/[-+]/g, '');
    const candidates = digits.length === 12 ? [digits] : ['19' + digits, '20' + digits];
    if (candidates.some((c) => {
      const r = checkRecipientId(c);
      return r.ok && r.kind !== 'organisationsnummer';
    })) {
      return true;
    }
  }
  return false;
}

function contentHash(l: Omit<ValidatedLetter, 'contentHash'>): string {
  const canonical = JSON.stringify([
    l.recipientId,
    l.sendingUnit.id,
    l.caseReference,
    l.subject,
    l.bodyType,
    l.bodyText,
    l.protectionClass,
    l.channelPreference,
    l.postalAddress && [l.postalAddress.name, l.postalAddress.lines, l.postalAddress.postalCode, l.postalAddress.city, l.postalAddress.country],
    l.attachments.map((a) => [a.filename, a.contentType, a.sha256]),
    // Added with the print path; absent (default) values keep the hash of letters stored before.
    ...(l.protectedIdentity || l.postageClass ? [l.protectedIdentity, l.postageClass] : []),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Checks a postal address on its own (e.g. one given when a held letter is released to print). */
export function checkPostalAddress(raw: LetterInput['postalAddress']): { ok: true; address: LetterPostalAddress } | { ok: false; fields: FieldViolation[] } {
  const v = new Violations();
  const address = validatePostalAddress(v, raw, 'PRINT_ONLY');
  return v.list.length > 0 || !address ? { ok: false, fields: v.list } : { ok: true, address };
}
