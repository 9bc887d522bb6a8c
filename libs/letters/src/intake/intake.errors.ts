/** One broken rule of a letter input: where (a path relative to the letter), which rule, how to fix it. */
export interface FieldViolation {
  /** e.g. `recipient`, `attachments[1].content`, `postalAddress.postalCode` */
  path: string;
  /** Machine-readable rule: `required`, `format`, `luhn`, `maxLength`, `maxSize`, `contentType`, … */
  rule: string;
  message: string;
}

/** Codes of the intake's domain errors; the API maps each to its `extensions.code` in one place. */
export enum IntakeErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  NotFound = 'NOT_FOUND',
  IdempotencyConflict = 'IDEMPOTENCY_CONFLICT',
  NotCancellable = 'NOT_CANCELLABLE',
  PageSizeExceeded = 'PAGE_SIZE_EXCEEDED',
  BadInput = 'BAD_USER_INPUT',
  Forbidden = 'FORBIDDEN',
}

/** Base class of the intake's domain errors: a code and a message that says how to fix the request. */
export class IntakeError extends Error {
  constructor(
    readonly code: IntakeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input breaks one or more rules; every violation is listed, not just the first. */
export class LetterValidationError extends IntakeError {
  constructor(
    readonly fields: FieldViolation[],
    what = 'The letter was refused',
  ) {
    super(IntakeErrorCode.ValidationFailed, `${what}: ${fields.map((f) => `${f.path || '(input)'} ${f.message}`).join('; ')}. Fix these fields and send it again.`);
  }
}

/** No letter with this id for the caller's tenant (another tenant's letter is, to the caller, absent). */
export class LetterNotFoundError extends IntakeError {
  constructor(readonly letterId: string) {
    super(IntakeErrorCode.NotFound, `No letter ${JSON.stringify(letterId)} exists for your organisation; check the id returned by submitLetter.`);
  }
}

/** The idempotency key was used before for a letter with other content. */
export class IdempotencyConflictError extends IntakeError {
  constructor(
    readonly idempotencyKey: string,
    readonly existingLetterId: string,
  ) {
    super(
      IntakeErrorCode.IdempotencyConflict,
      `The idempotency key ${JSON.stringify(idempotencyKey)} was already used for letter ${existingLetterId} with different content. ` +
        'Resend exactly the same letter to get that letter back, or use a new key for a new letter.',
    );
  }
}

/** The letter has gone too far to be cancelled. */
export class NotCancellableError extends IntakeError {
  constructor(
    readonly letterId: string,
    readonly status: string,
  ) {
    super(
      IntakeErrorCode.NotCancellable,
      `Letter ${letterId} is already in state ${status} and can no longer be cancelled (only ACCEPTED, ROUTING, PRINT_PENDING or HELD letters can be).`,
    );
  }
}

/** A page larger than the configured maximum was asked for. */
export class PageSizeExceededError extends IntakeError {
  constructor(
    readonly requested: number,
    readonly max: number,
  ) {
    super(IntakeErrorCode.PageSizeExceeded, `first is ${requested}; at most ${max} letters fit in one page. Ask for ${max} or fewer and follow pageInfo.endCursor with after.`);
  }
}

/** A request-level mistake that is not about one letter's fields (bad cursor, empty bulk, too many letters). */
export class IntakeBadInputError extends IntakeError {
  constructor(message: string) {
    super(IntakeErrorCode.BadInput, message);
  }
}
