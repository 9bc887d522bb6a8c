import { randomUUID } from 'node:crypto';
import { unwrapResolverError } from '@apollo/server/errors';
import { HttpException } from '@nestjs/common';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { AuthenticationError, ForbiddenError } from '@hub/auth';
import { IntakeError, IntakeErrorCode, LetterValidationError } from '@hub/letters';
import { TransportFailure } from '@hub/mina-meddelanden';
import type { Logger } from '@hub/observability';
import { ApiError, ApiErrorCode } from './api-error-code';

interface Mapped {
  code: ApiErrorCode;
  message: string;
  extensions?: Record<string, unknown>;
}

const HTTP_CODES: Record<number, ApiErrorCode> = {
  400: ApiErrorCode.BadUserInput,
  401: ApiErrorCode.Unauthenticated,
  403: ApiErrorCode.Forbidden,
  404: ApiErrorCode.NotFound,
  413: ApiErrorCode.BadUserInput,
};

const INTAKE_CODES: Record<IntakeErrorCode, ApiErrorCode> = {
  [IntakeErrorCode.ValidationFailed]: ApiErrorCode.ValidationFailed,
  [IntakeErrorCode.NotFound]: ApiErrorCode.NotFound,
  [IntakeErrorCode.IdempotencyConflict]: ApiErrorCode.IdempotencyConflict,
  [IntakeErrorCode.NotCancellable]: ApiErrorCode.NotCancellable,
  [IntakeErrorCode.PageSizeExceeded]: ApiErrorCode.PageSizeExceeded,
  [IntakeErrorCode.BadInput]: ApiErrorCode.BadUserInput,
  [IntakeErrorCode.Forbidden]: ApiErrorCode.Forbidden,
};

// Codes Apollo Server itself uses for requests that never reached a resolver.
const APOLLO_REQUEST_ERRORS = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_SUPPORTED', 'PERSISTED_QUERY_NOT_FOUND']);

/**
 * The one place where errors become `extensions.code`: domain errors of the intake, the auth
 * library's errors, the API's own, GraphQL's request errors. Anything else is `INTERNAL`.
 */
export function mapError(error: unknown, formatted: GraphQLFormattedError): Mapped | undefined {
  if (error instanceof ApiError) return { code: error.code, message: error.message, extensions: error.extensions };
  if (error instanceof LetterValidationError) return { code: ApiErrorCode.ValidationFailed, message: error.message, extensions: { fields: error.fields } };
  if (error instanceof IntakeError) return { code: INTAKE_CODES[error.code], message: error.message };
  if (error instanceof AuthenticationError) return { code: ApiErrorCode.Unauthenticated, message: error.message, extensions: { reason: error.reason } };
  if (error instanceof ForbiddenError) return { code: ApiErrorCode.Forbidden, message: error.message };
  if (error instanceof TransportFailure && error.kind === 'retryable') {
    return { code: ApiErrorCode.UpstreamUnavailable, message: `The address register (FaR) did not answer (${error.code}); try again in a moment.` };
  }
  if (error instanceof HttpException && HTTP_CODES[error.getStatus()]) return { code: HTTP_CODES[error.getStatus()], message: error.message };
  if (error instanceof GraphQLError) {
    // Our own request-level errors (query limits) keep their code, also when Apollo wrapped them.
    const own = (error.originalError instanceof GraphQLError ? error.originalError : error).extensions?.code;
    if (typeof own === 'string' && (Object.values(ApiErrorCode) as string[]).includes(own)) return { code: own as ApiErrorCode, message: error.message };
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && APOLLO_REQUEST_ERRORS.has(code)) return { code: ApiErrorCode.BadUserInput, message: error.message };
  }
  return undefined;
}

export interface ErrorContext {
  requestId?: string;
  tenantId?: string;
}

/**
 * Apollo's `formatError`: maps every error with {@link mapError}; an unexpected one becomes `INTERNAL`
 * with a fresh `errorId`, logged with its stack, the request id and the tenant id. The client sees
 * neither the stack nor the original message.
 */
export function createFormatError(logger: Logger, context: () => ErrorContext) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const mapped = mapError(original, formatted);
    const base = { ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
    if (mapped) return { message: mapped.message, ...base, extensions: { code: mapped.code, ...mapped.extensions } };
    const errorId = randomUUID();
    logger.error({ err: original, errorId, path: formatted.path?.join('.'), ...context() }, 'internal error in a GraphQL request');
    return {
      message: `Internal error. Nothing was changed unless the response says so; quote errorId ${errorId} when you report it.`,
      ...base,
      extensions: { code: ApiErrorCode.Internal, errorId },
    };
  };
}
