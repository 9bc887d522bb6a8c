import { FieldViolation, IntakeError, IntakeErrorCode, LetterValidationError } from '@hub/letters';

/*
 * The notification module's domain errors. They extend the hub's domain error base (IntakeError),
 * which the API maps to `extensions.code` in one place: VALIDATION_FAILED (with fields), NOT_FOUND,
 * BAD_USER_INPUT, PAGE_SIZE_EXCEEDED.
 */

/**
 * A webhook input breaks one or more rules; every violation is listed with its field path. It is a
 * LetterValidationError only because that is the validation error the API maps with its fields.
 */
export class WebhookValidationError extends LetterValidationError {
  constructor(fields: FieldViolation[], what = 'The webhook was refused') {
    super(fields, what);
  }
}

/** No such webhook subscription or delivery for the caller's municipality (another one's is, to the caller, absent). */
export class NotificationNotFoundError extends IntakeError {
  constructor(what: 'webhook' | 'delivery', id: string) {
    super(
      IntakeErrorCode.NotFound,
      what === 'webhook'
        ? `No webhook ${JSON.stringify(id)} exists for your organisation; list them with the webhooks query.`
        : `No webhook delivery ${JSON.stringify(id)} exists for your organisation; list them with webhookDeliveries or deadLetters.`,
    );
  }
}

/** A request-level mistake (a bad cursor, replaying a delivery that is not dead…). */
export class NotificationBadInputError extends IntakeError {
  constructor(message: string) {
    super(IntakeErrorCode.BadInput, message);
  }
}

/** A page larger than allowed. */
export class NotificationPageSizeError extends IntakeError {
  constructor(requested: number, max: number) {
    super(IntakeErrorCode.PageSizeExceeded, `first is ${requested}; at most ${max} fit in one page. Ask for ${max} or fewer and follow pageInfo.endCursor with after.`);
  }
}

/** `first` checked and defaulted: an integer from 1 to `max` (default min(50, max)). */
export function pageSize(first: number | null | undefined, max: number): number {
  const n = first ?? Math.min(50, max);
  if (!Number.isInteger(n) || n < 1) throw new NotificationBadInputError(`first is ${n}; ask for at least 1.`);
  if (n > max) throw new NotificationPageSizeError(n, max);
  return n;
}

/** An opaque cursor over a bigint id (`kind` keeps a feed cursor from being used on a delivery list). */
export function encodeIdCursor(kind: string, id: string): string {
  return Buffer.from(`${kind}:${id}`, 'utf8').toString('base64url');
}

export function decodeIdCursor(kind: string, cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^([a-z]+):(\d{1,19})$/.exec(text);
  if (!m || m[1] !== kind) throw new NotificationBadInputError('after is not a cursor this API returned: pass pageInfo.endCursor (or an edge cursor) from the previous page unchanged.');
  return m[2];
}
