/** One broken rule: which field, which rule, and a message that says how to fix it. */
export interface Violation {
  /** Path of the field in the input, e.g. `messages[0].attachments[1].contentType`. */
  field: string;
  /** Machine-readable rule name, e.g. `required`, `maxLength`, `luhn`, `contentType`, `maxSize`. */
  rule: string;
  message: string;
}

/** Base class of every error this library throws. */
export class MinaMeddelandenError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input cannot become a valid v3 delivery. Lists every violation, not just the first. */
export class DeliveryValidationError extends MinaMeddelandenError {
  constructor(readonly violations: Violation[]) {
    super(
      `Invalid delivery: ${violations.map((v) => `${v.field}: ${v.message} [${v.rule}]`).join('; ')}`,
      'VALIDATION_FAILED',
    );
  }
}

/** A signature layer did not verify. `layer` says which; `reason` is machine-readable. */
export class SignatureVerificationError extends MinaMeddelandenError {
  constructor(
    readonly layer: 'document' | 'sender' | 'seal',
    readonly reason: string,
    detail: string,
  ) {
    super(`${layer} signature refused (${reason}): ${detail}`, 'SIGNATURE_INVALID');
  }
}

/** A key, certificate or PKCS#12 file could not be loaded. */
export class CredentialError extends MinaMeddelandenError {
  constructor(message: string) {
    super(message, 'CREDENTIAL_INVALID');
  }
}

export type FailureKind = 'retryable' | 'permanent';

/**
 * A call to FaR or a mailbox operator failed. `kind` says whether the same call may succeed later
 * (network, timeout, 5xx, unknown operator error) or never will (invalid input, access denied, …).
 */
export class TransportFailure extends MinaMeddelandenError {
  constructor(
    message: string,
    readonly kind: FailureKind,
    code: string,
    readonly details: {
      httpStatus?: number;
      faultCode?: number;
      faultString?: string;
      description?: string;
      callId?: string;
      endpoint?: string;
    } = {},
  ) {
    super(message, code);
  }
  get retryable(): boolean {
    return this.kind === 'retryable';
  }
}
