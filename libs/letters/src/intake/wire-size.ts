import { DEFAULT_LIMITS, SIGNATURE_RESERVE_BYTES } from '@hub/mina-meddelanden';

/**
 * Upper bound of what the delivery's header fields and element tags can add: sender (name ≤ 256),
 * recipient, reference, message id, subject (≤ 255), support info (text ≤ 1,024, URL, phone, e-mail),
 * metadata and the namespace declarations, with XML escaping and 4-byte UTF-8 counted in full.
 */
export const ENVELOPE_BUDGET_BYTES = 16 * 1024;

/** Tags, checksum and namespace declarations around one attachment, besides its file name and content. */
const PER_ATTACHMENT_BYTES = 512;

/** Length of the base64 text of `n` bytes. */
export function base64Length(n: number): number {
  return 4 * Math.ceil(n / 3);
}

/**
 * A safe estimate of the size of the signed and sealed delivery that will carry this content on the
 * wire: base64 grows the body and each attachment by a third, plus the envelope budget and the
 * builder's own {@link SIGNATURE_RESERVE_BYTES}. A letter whose estimate fits the limit is never refused
 * for size by `buildDelivery` later.
 */
export function estimateDeliveryBytes(bodyBytes: number, attachments: { filename: string; sizeBytes: number }[]): number {
  let total = ENVELOPE_BUDGET_BYTES + SIGNATURE_RESERVE_BYTES + base64Length(bodyBytes);
  for (const a of attachments) total += PER_ATTACHMENT_BYTES + Buffer.byteLength(a.filename, 'utf8') * 5 + base64Length(a.sizeBytes);
  return total;
}

/** The 2 MB wire limit of one delivery (attachments, base64 and signatures included). */
export const MAX_DELIVERY_BYTES = DEFAULT_LIMITS.maxDeliveryBytes;

/** Attachment types a delivery may carry (PDF only by default). */
export const ALLOWED_ATTACHMENT_TYPES = DEFAULT_LIMITS.allowedAttachmentTypes;
