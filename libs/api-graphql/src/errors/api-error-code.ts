/**
 * Every `extensions.code` the API answers with. Clients branch on these, never on messages.
 * `VALIDATION_FAILED` carries `extensions.fields: [{ path, rule, message }]`; `INTERNAL` carries an
 * `errorId` that also appears in the server log.
 */
export enum ApiErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  NotFound = 'NOT_FOUND',
  Forbidden = 'FORBIDDEN',
  Unauthenticated = 'UNAUTHENTICATED',
  IdempotencyConflict = 'IDEMPOTENCY_CONFLICT',
  NotCancellable = 'NOT_CANCELLABLE',
  QueryTooComplex = 'QUERY_TOO_COMPLEX',
  PageSizeExceeded = 'PAGE_SIZE_EXCEEDED',
  BadUserInput = 'BAD_USER_INPUT',
  /** A service the operation depends on (FaR) did not answer; retrying later may succeed. */
  UpstreamUnavailable = 'UPSTREAM_UNAVAILABLE',
  Internal = 'INTERNAL',
}

/** An error the API layer itself raises (caller resolution, request limits, upstream failures). */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
