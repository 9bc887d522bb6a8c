import { createHash } from 'node:crypto';
import { checkRecipientId, OfficialMatterInput } from '@hub/mina-meddelanden';
import { CHANNEL_PREFERENCES, ChannelPreference, LETTER_CATEGORIES, LetterCategory, POSTAGE_CLASSES, PostageClassName } from '../letter-status';
import { LetterPostalAddress } from '../letter.entities';
import { isBlankHtml, sanitizeLetterHtml } from './html-body';
import { FieldViolation } from './intake.errors';
import { CaseTypeRef, IntakeContext, LetterInput, OfficialMatterFields } from './intake.types';
import { expandTemplate, stockholmDate, TemplatePlaceholder } from './templates';
import { ALLOWED_ATTACHMENT_TYPES, base64Length, estimateDeliveryBytes, MAX_DELIVERY_BYTES } from './wire-size';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
export const MAX_SUBJECT_LENGTH = 255;
export const MAX_CASE_REFERENCE_LENGTH = 255;
export const MAX_ATTACHMENTS = 20;
/** OfficialMatter limits of the v3 schema: ids 255, MatterSubject and EventType 2,000 characters. */
const MAX_MATTER_ID_LENGTH = 255;
const MAX_MATTER_TEXT_LENGTH = 2000;
const MATTER_STATUSES = ['senderinitiative', 'recipientinitiative', 'closed'] as const;
const XS_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
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
  /** The case type's code, when the letter named one. */
  caseTypeCode: string | null;
  category: LetterCategory;
  /** EVENT only: the OfficialMatter data; `eventId` is filled with the letter's id when the caller gave none. */
  officialMatter: OfficialMatterInput | null;
  /** What policy did to the letter (for its ACCEPTED event): template used, class or channel from the case type. */
  policyNotes: Record<string, unknown>;
  attachments: { position: number; filename: string; contentType: string; content: Buffer; sizeBytes: number; sha256: string }[];
  /** SHA-256 over the normalised content: an idempotent retry must match it. */
  contentHash: string;
}

export type ValidationOutcome = { ok: true; letter: ValidatedLetter } | { ok: false; fields: FieldViolation[] };

/** What else the validator needs besides the letter and the sending units. */
export interface ValidationOptions {
  /** The tenant's case types the letters name, by code (archived ones too, so that they are refused as archived). */
  caseTypes?: ReadonlyMap<string, CaseTypeRef>;
  /** When the letter is submitted: the template's {date}, an event message's default timestamp. */
  now?: Date;
  /** Category EVENT (with its officialMatter) is accepted only from `submitEvent`. */
  allowEvent?: boolean;
}

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
export function validateLetter(input: LetterInput | null | undefined, ctx: IntakeContext, units: ReadonlyMap<string, SendingUnitRef>, options: ValidationOptions = {}): ValidationOutcome {
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

  // Category (M1–M3): EVENT comes with its official-matter data, only through submitEvent.
  let category: LetterCategory = 'CASE';
  if (input.category !== undefined && input.category !== null) {
    if (!LETTER_CATEGORIES.includes(input.category)) v.add('category', 'enum', `must be one of ${LETTER_CATEGORIES.join(', ')}`);
    else if (input.category === 'EVENT' && !options.allowEvent) {
      v.add('category', 'eventMessage', 'is EVENT: event messages (händelsemeddelanden) are sent with submitEventMessage, which takes their official-matter data');
    } else category = input.category;
  }
  if (input.category !== 'EVENT' && input.officialMatter !== undefined && input.officialMatter !== null) {
    v.add('officialMatter', 'category', 'is only for event messages: send them with submitEventMessage');
  }

  // Case type (ärendetyp): unknown and archived ones are refused.
  let caseType: CaseTypeRef | null = null;
  if (input.caseType !== undefined && input.caseType !== null && input.caseType !== '') {
    if (typeof input.caseType !== 'string') v.add('caseType', 'type', 'must be a case type code');
    else {
      const found = options.caseTypes?.get(input.caseType.trim());
      if (!found) v.add('caseType', 'unknown', `${JSON.stringify(input.caseType)} is not a case type of your organisation: use the code of one listed by the caseTypes query`);
      else if (found.archived) v.add('caseType', 'archived', `${JSON.stringify(found.code)} (${found.name}) is archived and takes no new letters: use an active case type, or ask a tenant admin to restore it`);
      else caseType = found;
    }
  }
  const caseTypeNamed = typeof input.caseType === 'string' && input.caseType.trim() !== '';
  const ctLabel = caseType ? `case type ${JSON.stringify(caseType.code)}` : '';

  const caseReference = v.line('caseReference', input.caseReference, { max: MAX_CASE_REFERENCE_LENGTH, what: 'case reference (diarienummer)' });
  // A letter under a case type may leave the subject to the case type's template (K3).
  const givenSubject = v.line('subject', input.subject, { required: !caseTypeNamed, max: MAX_SUBJECT_LENGTH, what: 'subject (ledtext)' });

  // Protection class (skyddsklass, SK1–SK3): the letter's or its case type's, and never below the case type's.
  let protectionClass = 0;
  let givenClass: number | null = null;
  if (input.protectionClass === undefined || input.protectionClass === null) {
    if (caseType) protectionClass = caseType.defaultProtectionClass;
    else if (!caseTypeNamed) v.add('protectionClass', 'required', 'is required: 1, 2 or 3 (skyddsklass; higher is more sensitive), or name a caseType that gives it');
  } else if (!Number.isInteger(input.protectionClass) || input.protectionClass < 1 || input.protectionClass > 3) {
    v.add('protectionClass', 'range', `is ${String(input.protectionClass)}; it must be 1, 2 or 3`);
  } else {
    givenClass = input.protectionClass;
    protectionClass = input.protectionClass;
    if (caseType && givenClass < caseType.defaultProtectionClass) {
      v.add(
        'protectionClass',
        'caseType',
        `is ${givenClass}, below ${ctLabel}'s protection class ${caseType.defaultProtectionClass}: a letter may not be sent at a lower class than its case type requires ` +
          `(give ${caseType.defaultProtectionClass} or higher, or leave it out)`,
      );
    }
  }

  const now = options.now ?? new Date();
  const templateValues: Record<TemplatePlaceholder, string | null> = {
    caseReference,
    caseType: caseType?.name ?? null,
    sendingUnit: sendingUnit?.name ?? null,
    date: stockholmDate(now),
  };
  const missingForTemplate = new Set<TemplatePlaceholder>();
  const fromTemplate = (template: string, what: string): string | null => {
    const out = expandTemplate(template, templateValues);
    if (out.ok) return out.text;
    for (const m of out.missing) {
      if (m === 'caseReference' && !missingForTemplate.has(m)) {
        v.add('caseReference', 'required', `is required: ${ctLabel}'s ${what} template uses {caseReference} (or give the ${what} yourself)`);
      }
      missingForTemplate.add(m);
    }
    if (out.problems) v.add('caseType', 'template', `${ctLabel}'s ${what} template cannot be used (${out.problems.join('; ')}): ask a tenant admin to fix it`);
    return null;
  };

  let subject = givenSubject;
  if (!givenSubject && caseType && !missingForTemplate.has('caseReference')) {
    subject = fromTemplate(caseType.subjectTemplate, 'subject');
    if (subject !== null && subject.length > MAX_SUBJECT_LENGTH) {
      v.add('subject', 'maxLength', `made from ${ctLabel}'s template is ${subject.length} characters; at most ${MAX_SUBJECT_LENGTH} are allowed: give a subject yourself`);
    }
  }
  // SK3: the subject line shows in mailbox lists and notifications: it never names the person, whatever the class.
  if (subject && containsPersonalId(subject)) {
    v.add(
      'subject',
      'personalData',
      givenSubject
        ? 'contains a personnummer or samordningsnummer; a subject line may never name the person (it shows in mailbox lists and notifications): remove it'
        : `made from ${ctLabel}'s template contains a personnummer or samordningsnummer (from the case reference): give a subject yourself that does not name the person`,
    );
  }

  // Channels: the letter's preference within what its case type allows; an event message is digital only.
  const requestedPreference = (input.channelPreference ?? 'AUTO') as ChannelPreference;
  let channelPreference = requestedPreference;
  let printRequiredBy: string | null = null;
  if (!CHANNEL_PREFERENCES.includes(requestedPreference)) {
    v.add('channelPreference', 'enum', `must be one of ${CHANNEL_PREFERENCES.join(', ')}`);
  } else if (category === 'EVENT') {
    if (requestedPreference === 'PRINT_ONLY') v.add('channelPreference', 'category', 'is PRINT_ONLY, but event messages are digital only');
    else if (caseType && !caseType.allowedChannels.includes('DIGITAL')) v.add('caseType', 'channel', `${ctLabel} allows only print, but event messages are digital only`);
    channelPreference = 'DIGITAL_ONLY';
  } else if (caseType) {
    const digital = caseType.allowedChannels.includes('DIGITAL');
    const print = caseType.allowedChannels.includes('PRINT');
    if (!print) {
      if (requestedPreference === 'PRINT_ONLY') v.add('channelPreference', 'caseType', `is PRINT_ONLY, but ${ctLabel} allows only digital delivery`);
      else channelPreference = 'DIGITAL_ONLY';
    } else if (!digital) {
      if (requestedPreference === 'DIGITAL_ONLY') v.add('channelPreference', 'caseType', `is DIGITAL_ONLY, but ${ctLabel} allows only print`);
      else {
        channelPreference = 'PRINT_ONLY';
        if (requestedPreference !== 'PRINT_ONLY') printRequiredBy = `${ctLabel} sends on paper only`;
      }
    }
  }

  // Body: the letter's own, or the case type's body template.
  let bodyType = 'text/plain';
  let bodyText = '';
  let htmlSanitized = false;
  let bodyFromTemplate = false;
  const body = input.body;
  if (!body || typeof body !== 'object') {
    if (caseType?.bodyTemplate) {
      if (!missingForTemplate.has('caseReference')) {
        const text = fromTemplate(caseType.bodyTemplate, 'body');
        if (text !== null) {
          bodyText = text;
          bodyFromTemplate = true;
        }
      }
    } else {
      v.add('body', 'required', `is required: { contentType: "text/plain" | "text/html", text }${caseType ? ` (${ctLabel} has no body template)` : ''}`);
    }
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

  // Event message (M2): the OfficialMatter extension.
  const officialMatter = category === 'EVENT' ? validateOfficialMatter(v, input.officialMatter, caseReference, now) : null;

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

  let postalAddress: LetterPostalAddress | null = null;
  if (category === 'EVENT') {
    if (input.postalAddress !== undefined && input.postalAddress !== null) v.add('postalAddress', 'category', 'is not used: event messages are digital only and never printed');
    if (input.postageClass !== undefined && input.postageClass !== null) v.add('postageClass', 'category', 'is not used: event messages are digital only and never printed');
  } else {
    postalAddress = validatePostalAddress(v, input.postalAddress, channelPreference, printRequiredBy);
  }
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

  if (v.list.length > 0 || !sendingUnit || !subject || protectionClass === 0) return { ok: false, fields: v.list };

  const policyNotes: Record<string, unknown> = {};
  if (caseType) policyNotes.caseType = caseType.code;
  if (category !== 'CASE') policyNotes.category = category;
  if (!givenSubject) policyNotes.subjectFromTemplate = true;
  if (bodyFromTemplate) policyNotes.bodyFromTemplate = true;
  if (givenClass === null) policyNotes.protectionClassFromCaseType = protectionClass;
  if (channelPreference !== requestedPreference) policyNotes.channelPreferenceRequested = requestedPreference;

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
    caseTypeCode: caseType?.code ?? null,
    category,
    officialMatter,
    policyNotes,
    attachments,
  };
  // The hash covers what the caller sent (not what templates, dates or the case type made of it), so
  // that a retry on another day, or after the case type changed, is still recognised as the same letter.
  const basis = {
    ...letter,
    subject: givenSubject,
    bodyText: bodyFromTemplate ? null : bodyText,
    protectionClass: givenClass,
    channelPreference: requestedPreference,
  };
  const policyBasis = caseType || category !== 'CASE' ? [caseType?.code ?? null, category, officialMatterBasis(input.officialMatter)] : null;
  return { ok: true, letter: { ...letter, contentHash: contentHash(basis, policyBasis) } };
}

/** The OfficialMatter data of an event message: the schema's limits, the event's identity, no personal data in its texts. */
function validateOfficialMatter(v: Violations, raw: OfficialMatterFields | null | undefined, caseReference: string | null, now: Date): OfficialMatterInput | null {
  const path = 'officialMatter';
  if (raw === undefined || raw === null || typeof raw !== 'object') {
    v.add(path, 'required', 'is required for an event message: { officialMatterId (or caseReference), eventId?, precedingEventId?, matterStatus?, eventType?, matterSubject?, timestamp? }');
    return null;
  }
  const id = (field: 'eventId' | 'officialMatterId' | 'precedingEventId', what: string) =>
    v.line(`${path}.${field}`, raw[field], { max: MAX_MATTER_ID_LENGTH, what });
  const eventId = id('eventId', 'event id');
  const officialMatterId = id('officialMatterId', "case's id") ?? caseReference;
  if (!officialMatterId && (raw.officialMatterId === undefined || raw.officialMatterId === null || String(raw.officialMatterId).trim() === '')) {
    v.add(`${path}.officialMatterId`, 'required', "is required: the case's id (KundärendeID); or give caseReference, which is then used");
  }
  const precedingEventId = id('precedingEventId', 'preceding event id');
  if (eventId && precedingEventId && eventId === precedingEventId) v.add(`${path}.precedingEventId`, 'format', 'is the event id itself: name the event this one follows');

  const text = (field: 'matterSubject' | 'eventType', what: string): string | null => {
    const value = raw[field];
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return null;
    if (typeof value !== 'string') {
      v.add(`${path}.${field}`, 'type', 'must be a string');
      return null;
    }
    const t = value.trim();
    if (t.length > MAX_MATTER_TEXT_LENGTH) v.add(`${path}.${field}`, 'maxLength', `is ${t.length} characters; at most ${MAX_MATTER_TEXT_LENGTH} are allowed: shorten the ${what}`);
    if (INVALID_XML_CHARS.test(t)) v.add(`${path}.${field}`, 'characters', 'contains control characters that XML cannot carry');
    // Shown in the mailbox next to the subject: the same rule as the subject line.
    if (containsPersonalId(t)) v.add(`${path}.${field}`, 'personalData', `contains a personnummer or samordningsnummer; the ${what} shows like a subject line and may not name the person: remove it`);
    return t;
  };
  const matterSubject = text('matterSubject', 'matter subject');
  const eventType = text('eventType', 'event type');

  let matterStatus: OfficialMatterInput['matterStatus'];
  if (raw.matterStatus !== undefined && raw.matterStatus !== null) {
    if (!MATTER_STATUSES.includes(raw.matterStatus)) v.add(`${path}.matterStatus`, 'enum', `is ${JSON.stringify(raw.matterStatus)}; it must be one of ${MATTER_STATUSES.join(', ')}`);
    else matterStatus = raw.matterStatus;
  }

  let timestamp = stockholmDate(now);
  if (raw.timestamp !== undefined && raw.timestamp !== null && raw.timestamp !== '') {
    const m = typeof raw.timestamp === 'string' ? XS_DATE.exec(raw.timestamp.trim()) : null;
    const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
    if (!m || !d || d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) {
      v.add(`${path}.timestamp`, 'format', `is ${JSON.stringify(raw.timestamp)}; it must be a date YYYY-MM-DD (e.g. ${stockholmDate(now)}), or left out for today`);
    } else timestamp = m[0];
  }
  return {
    timestamp,
    ...(eventId ? { eventId } : {}),
    ...(officialMatterId ? { officialMatterId } : {}),
    ...(precedingEventId ? { precedingEventId } : {}),
    ...(matterSubject ? { matterSubject } : {}),
    ...(eventType ? { eventType } : {}),
    ...(matterStatus ? { matterStatus } : {}),
  };
}

function officialMatterBasis(raw: OfficialMatterFields | null | undefined): unknown {
  if (!raw || typeof raw !== 'object') return null;
  return (['eventId', 'officialMatterId', 'precedingEventId', 'matterSubject', 'eventType', 'matterStatus', 'timestamp'] as const).map((k) => raw[k] ?? null);
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

function validatePostalAddress(v: Violations, raw: LetterInput['postalAddress'], channelPreference: ChannelPreference, printRequiredBy: string | null = null): LetterPostalAddress | null {
  if (raw === undefined || raw === null) {
    if (channelPreference === 'PRINT_ONLY') v.add('postalAddress', 'required', `is required for a ${printRequiredBy ? `letter that goes to print (${printRequiredBy})` : 'PRINT_ONLY letter'}: { name, lines, postalCode, city }`);
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

type HashBasis = Omit<ValidatedLetter, 'contentHash' | 'subject' | 'bodyText' | 'protectionClass'> & { subject: string | null; bodyText: string | null; protectionClass: number | null };

function contentHash(l: HashBasis, policyBasis: unknown[] | null): string {
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
    ...(l.protectedIdentity || l.postageClass || policyBasis ? [l.protectedIdentity, l.postageClass] : []),
    // Added with case types and message categories, the same way.
    ...(policyBasis ? [policyBasis] : []),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Checks a postal address on its own (e.g. one given when a held letter is released to print). */
export function checkPostalAddress(raw: LetterInput['postalAddress']): { ok: true; address: LetterPostalAddress } | { ok: false; fields: FieldViolation[] } {
  const v = new Violations();
  const address = validatePostalAddress(v, raw, 'PRINT_ONLY');
  return v.list.length > 0 || !address ? { ok: false, fields: v.list } : { ok: true, address };
}
