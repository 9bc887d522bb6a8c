import { createHash } from 'node:crypto';
import { DeliveryValidationError, Violation } from '../errors';
import { checkRecipientId, toOrganisationId } from '../identity/recipient-id';
import { NS } from '../namespaces';
import { element, hasInvalidXmlChars, textElement } from '../xml/canonical-xml';
import { AttachmentInput, DEFAULT_LIMITS, DeliveryInput, DeliveryLimits, MessageInput } from './delivery.model';

/**
 * Bytes reserved in the size check for what signing and sealing add (two Signature elements with
 * their certificates, the Seal, the SOAP envelope), so that a delivery the builder accepts still
 * fits the limit on the wire.
 */
export const SIGNATURE_RESERVE_BYTES = 12 * 1024;

const BODY_TYPES = ['text/plain', 'text/html'];
const MATTER_STATUSES = ['senderinitiative', 'recipientinitiative', 'closed'];
const XS_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(Z|[+-]\d{2}:\d{2})?$/;
const EMAIL = /^.+@.+\..+$/;

/** The built `<Delivery>` element (canonical, inheriting the Message/v3 namespace) and what it is. */
export interface BuiltDelivery {
  /**
   * `<Delivery>…</Delivery>` in canonical form as consecutive pieces, none longer than 64 Ki
   * characters: large strings are costly to create and to hash, so base64 content stays in slices
   * until the document is written out once.
   */
  parts: string[];
  senderId: string;
  recipientId: string;
  /** Size in bytes of the Delivery as UTF-8. */
  bytes: number;
}

/** The Delivery of a {@link BuiltDelivery} as one string. */
export function deliveryXml(built: BuiltDelivery): string {
  return built.parts.join('');
}

/** Input bytes per base64 slice: 48 KiB of input gives 64 Ki characters of base64. */
const BASE64_SLICE = 48 * 1024;

/** base64 of `buf` in slices of at most 64 Ki characters (concatenated, they are the base64 of the whole). */
export function base64Slices(buf: Buffer): string[] {
  if (buf.length <= BASE64_SLICE) return [buf.toString('base64')];
  const out: string[] = [];
  for (let o = 0; o < buf.length; o += BASE64_SLICE) out.push(buf.toString('base64', o, Math.min(o + BASE64_SLICE, buf.length)));
  return out;
}

/** Total UTF-8 size of parts. */
export function partsBytes(parts: string[]): number {
  let n = 0;
  for (const p of parts) n += Buffer.byteLength(p, 'utf8');
  return n;
}

class Checker {
  readonly violations: Violation[] = [];
  add(field: string, rule: string, message: string): void {
    this.violations.push({ field, rule, message });
  }
  /** Returns the value when it is a usable string, recording what is wrong otherwise. */
  text(field: string, value: unknown, opts: { required?: boolean; max?: number; min?: number } = {}): string | undefined {
    if (value === undefined || value === null || value === '') {
      if (opts.required) this.add(field, 'required', 'is required');
      return undefined;
    }
    if (typeof value !== 'string') {
      this.add(field, 'type', 'must be a string');
      return undefined;
    }
    if (opts.required && value.trim() === '') {
      this.add(field, 'required', 'must not be blank');
      return undefined;
    }
    if (opts.max !== undefined && value.length > opts.max) {
      this.add(field, 'maxLength', `is ${value.length} characters; at most ${opts.max} are allowed`);
    }
    if (opts.min !== undefined && value.length < opts.min) {
      this.add(field, 'minLength', `is ${value.length} characters; at least ${opts.min} are required`);
    }
    if (hasInvalidXmlChars(value)) {
      this.add(field, 'characters', 'contains control characters that XML cannot carry');
    }
    return value;
  }
}

/**
 * Builds the `Delivery` of a v3 `SignedDelivery` from typed input, checking every rule of the XSDs
 * and of Mina meddelanden (recipient id with date and Luhn check, field lengths, content types,
 * the size limit). Throws {@link DeliveryValidationError} listing every violation.
 */
export function buildDelivery(input: DeliveryInput, limits: DeliveryLimits = DEFAULT_LIMITS): BuiltDelivery {
  const c = new Checker();
  if (!input || typeof input !== 'object') throw new DeliveryValidationError([{ field: '', rule: 'required', message: 'a delivery is required' }]);

  const sender = input.sender ?? ({} as DeliveryInput['sender']);
  let senderId = '';
  if (typeof sender.id !== 'string' || sender.id === '') c.add('sender.id', 'required', 'is required (16 + organisationsnummer)');
  else {
    const org = toOrganisationId(sender.id);
    if (org.ok) senderId = org.id;
    else c.add('sender.id', org.rule, org.message);
  }
  const senderName = c.text('sender.name', sender.name, { required: true, min: 2, max: 256 });
  const senderAttention = c.text('sender.attention', sender.attention);

  let recipientId = '';
  if (typeof input.recipient !== 'string' || input.recipient === '') c.add('recipient', 'required', 'is required');
  else {
    const r = checkRecipientId(input.recipient);
    if (r.ok) recipientId = r.id;
    else c.add('recipient', r.rule, r.message);
  }
  const reference = c.text('reference', input.reference);
  const correlationId = c.text('correlationId', input.correlationId);
  const attention = c.text('attention', input.attention);

  const messages: string[][] = [];
  let contentBytes = 0;
  if (!Array.isArray(input.messages) || input.messages.length === 0) {
    c.add('messages', 'required', 'at least one message is required');
  } else {
    input.messages.forEach((m, i) => {
      const built = buildMessage(c, `messages[${i}]`, m, limits);
      messages.push(built.parts);
      contentBytes += built.bytes;
    });
  }

  if (c.violations.length > 0) throw new DeliveryValidationError(c.violations);

  const header =
    element(
      'Sender',
      textElement('Id', senderId, NS.sender) +
        textElement('Name', senderName!, NS.sender) +
        (senderAttention !== undefined ? textElement('Attention', senderAttention, NS.sender) : ''),
      NS.messageV2,
    ) +
    textElement('Recipient', recipientId, NS.messageV2) +
    (reference !== undefined ? textElement('Reference', reference, NS.messageV2) : '') +
    (correlationId !== undefined ? textElement('CorrelationId', correlationId, NS.messageV2) : '') +
    (attention !== undefined ? textElement('Attention', attention, NS.messageV2) : '');

  const parts = ['<Delivery>' + element('Header', header), ...messages.flat(), '</Delivery>'];
  const bytes = partsBytes(parts);
  if (bytes + SIGNATURE_RESERVE_BYTES > limits.maxDeliveryBytes) {
    throw new DeliveryValidationError([
      {
        field: 'messages',
        rule: 'maxSize',
        message:
          `the delivery would be ${bytes + SIGNATURE_RESERVE_BYTES} bytes on the wire (content ${contentBytes} bytes, ` +
          `grown by a third by base64); at most ${limits.maxDeliveryBytes} bytes are allowed: send fewer or smaller attachments`,
      },
    ]);
  }
  return { parts, senderId, recipientId, bytes };
}

function buildMessage(c: Checker, path: string, m: MessageInput, limits: DeliveryLimits): { parts: string[]; bytes: number } {
  if (!m || typeof m !== 'object') {
    c.add(path, 'required', 'must be a message object');
    return { parts: [], bytes: 0 };
  }
  const id = c.text(`${path}.id`, m.id, { required: true });
  const subject = c.text(`${path}.subject`, m.subject, { required: true, max: 255 });
  const si = m.supportInfo ?? ({} as MessageInput['supportInfo']);
  const siText = c.text(`${path}.supportInfo.text`, si.text, { required: true, max: 1024 });
  const siUrl = c.text(`${path}.supportInfo.url`, si.url, { max: 255 });
  if (siUrl !== undefined && !/^https?:\/\/\S+$/.test(siUrl)) c.add(`${path}.supportInfo.url`, 'format', 'must be an http(s) URL');
  const siPhone = c.text(`${path}.supportInfo.phoneNumber`, si.phoneNumber, { max: 255 });
  const siEmail = c.text(`${path}.supportInfo.emailAddress`, si.emailAddress, { min: 5, max: 256 });
  if (siEmail !== undefined && !EMAIL.test(siEmail)) c.add(`${path}.supportInfo.emailAddress`, 'format', 'must be an e-mail address');

  let officialMatter = '';
  if (m.officialMatter !== undefined) officialMatter = buildOfficialMatter(c, `${path}.officialMatter`, m.officialMatter);

  let metadata = '';
  (m.metadata ?? []).forEach((md, i) => {
    const tag = c.text(`${path}.metadata[${i}].tag`, md?.tag, { required: true });
    const value = c.text(`${path}.metadata[${i}].value`, md?.value, { required: true });
    metadata += element('Metadata', textElement('Tag', tag ?? '', NS.message) + textElement('Value', value ?? '', NS.message));
  });
  const language = m.language ?? 'svSE';
  if (language !== 'svSE') c.add(`${path}.language`, 'enum', 'must be "svSE"');

  const body = m.body ?? ({} as MessageInput['body']);
  if (!BODY_TYPES.includes(body.contentType)) {
    c.add(`${path}.body.contentType`, 'contentType', `must be one of ${BODY_TYPES.join(', ')}`);
  }
  const bodyText = c.text(`${path}.body.text`, body.text, { required: true });
  const bodyBuf = Buffer.from(bodyText ?? '', 'utf8');
  let bytes = bodyBuf.length;

  const attachments: string[] = [];
  if (m.attachments !== undefined && !Array.isArray(m.attachments)) c.add(`${path}.attachments`, 'type', 'must be a list');
  (m.attachments ?? []).forEach((a, i) => {
    const built = buildAttachment(c, `${path}.attachments[${i}]`, a, limits);
    attachments.push(...built.parts);
    bytes += built.bytes;
  });

  const header =
    textElement('Id', id ?? '') +
    textElement('Subject', subject ?? '') +
    element(
      'Supportinfo',
      textElement('Text', siText ?? '') +
        (siUrl !== undefined ? textElement('URL', siUrl) : '') +
        (siPhone !== undefined ? textElement('PhoneNumber', siPhone) : '') +
        (siEmail !== undefined ? textElement('EmailAdress', siEmail) : ''),
    ) +
    officialMatter +
    metadata +
    textElement('Language', language);
  const parts = [
    '<Message>' + element('Header', header) + '<Body>' + textElement('ContentType', body.contentType ?? '', NS.message) + `<Body xmlns="${NS.message}">`,
    ...base64Slices(bodyBuf),
    '</Body></Body>',
    ...attachments,
    '</Message>',
  ];
  return { parts, bytes };
}

function buildOfficialMatter(c: Checker, path: string, om: NonNullable<MessageInput['officialMatter']>): string {
  const ts = c.text(`${path}.timestamp`, om.timestamp, { required: true });
  if (ts !== undefined && !XS_DATE.test(ts)) c.add(`${path}.timestamp`, 'format', 'must be a date YYYY-MM-DD');
  const eventId = c.text(`${path}.eventId`, om.eventId, { max: 255 });
  const matterId = c.text(`${path}.officialMatterId`, om.officialMatterId, { max: 255 });
  const preceding = c.text(`${path}.precedingEventId`, om.precedingEventId, { max: 255 });
  const subject = c.text(`${path}.matterSubject`, om.matterSubject, { max: 2000 });
  const eventType = c.text(`${path}.eventType`, om.eventType, { max: 2000 });
  if (om.matterStatus !== undefined && !MATTER_STATUSES.includes(om.matterStatus)) {
    c.add(`${path}.matterStatus`, 'enum', `must be one of ${MATTER_STATUSES.join(', ')}`);
  }
  const hasIdentity = eventId !== undefined || matterId !== undefined || preceding !== undefined;
  const ns = NS.officialMatterV3;
  const content =
    textElement('Timestamp', ts ?? '', ns) +
    (hasIdentity
      ? element(
          'Identity',
          (eventId !== undefined ? textElement('EventId', eventId) : '') +
            (matterId !== undefined ? textElement('OfficialMatterId', matterId) : '') +
            (preceding !== undefined ? textElement('PrecedingEventId', preceding) : ''),
          ns,
        )
      : '') +
    (subject !== undefined ? textElement('MatterSubject', subject, ns) : '') +
    (eventType !== undefined ? textElement('EventType', eventType, ns) : '') +
    (om.matterStatus !== undefined ? textElement('MatterStatus', om.matterStatus, ns) : '');
  return element('OfficialMatter', element('OfficialMatterExtension', content));
}

function buildAttachment(c: Checker, path: string, a: AttachmentInput, limits: DeliveryLimits): { parts: string[]; bytes: number } {
  if (!a || typeof a !== 'object') {
    c.add(path, 'required', 'must be an attachment object');
    return { parts: [], bytes: 0 };
  }
  const contentType = c.text(`${path}.contentType`, a.contentType, { required: true });
  if (contentType !== undefined && !limits.allowedAttachmentTypes.includes(contentType)) {
    c.add(`${path}.contentType`, 'contentType', `"${contentType}" is not accepted; allowed: ${limits.allowedAttachmentTypes.join(', ')}`);
  }
  const filename = c.text(`${path}.filename`, a.filename, { required: true, max: 255 });
  if (filename !== undefined && /[/\\]/.test(filename)) c.add(`${path}.filename`, 'format', 'must be a file name, not a path');
  if (!Buffer.isBuffer(a.content) || a.content.length === 0) {
    c.add(`${path}.content`, 'required', 'must be non-empty bytes');
    return { parts: [], bytes: 0 };
  }
  if (contentType === 'application/pdf' && a.content.subarray(0, 5).toString('latin1') !== '%PDF-') {
    c.add(`${path}.content`, 'contentType', 'is declared application/pdf but is not a PDF (no %PDF- header)');
  }
  const checksum = createHash('md5').update(a.content).digest('hex').toUpperCase();
  const parts = [
    '<Attachment>' + textElement('ContentType', contentType ?? '', NS.message) + `<Body xmlns="${NS.message}">`,
    ...base64Slices(a.content),
    '</Body>' + textElement('Checksum', checksum, NS.message) + textElement('Filename', filename ?? '', NS.message) + '</Attachment>',
  ];
  return { parts, bytes: a.content.length };
}
