export * from './intake.errors';
export * from './intake.types';
export { LetterIntakeService, DEFAULT_PAGE_SIZE } from './letter-intake.service';
export type { LetterIntakeOptions } from './letter-intake.service';
export { validateLetter, chooseSendingUnit, containsPersonalId, MAX_IDEMPOTENCY_KEY_LENGTH, MAX_SUBJECT_LENGTH, MAX_ATTACHMENTS } from './letter-input.validator';
export type { SendingUnitRef, ValidatedLetter, ValidationOutcome } from './letter-input.validator';
export { sanitizeLetterHtml } from './html-body';
export { estimateDeliveryBytes, base64Length, MAX_DELIVERY_BYTES, ENVELOPE_BUDGET_BYTES } from './wire-size';
export { encodeCursor, decodeCursor, isUuid, uuidv7 } from './letter-cursor';
