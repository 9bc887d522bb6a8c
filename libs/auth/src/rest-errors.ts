import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { HttpException } from '@nestjs/common';
import { AuthenticationError, ForbiddenError } from './auth.errors';

/** A REST API's JSON error: `{ error: { code, message, … } }` with its HTTP status. */
export interface RestErrorAnswer {
  status: number;
  error: { code: string; message: string } & Record<string, unknown>;
  headers?: Record<string, string>;
}

/**
 * The answer to the failures every guarded REST API of the hub shares: no or a bad token (401 with
 * `WWW-Authenticate: Bearer`), a missing role (403), and Nest's own HTTP exceptions (e.g. an unknown
 * route). Undefined for anything else: the API maps its own errors, then {@link internalErrorAnswer}.
 */
export function commonRestError(e: unknown): RestErrorAnswer | undefined {
  if (e instanceof AuthenticationError) {
    return {
      status: 401,
      error: { code: 'UNAUTHENTICATED', message: e.message },
      headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${e.reason}"` },
    };
  }
  if (e instanceof ForbiddenError) return { status: 403, error: { code: 'FORBIDDEN', message: e.message } };
  if (e instanceof HttpException) {
    const status = e.getStatus();
    return { status, error: { code: status === 404 ? 'NOT_FOUND' : status === 400 ? 'BAD_REQUEST' : 'HTTP_ERROR', message: e.message } };
  }
  return undefined;
}

/** A 500 with an errorId the caller can quote; the same id goes to the log by the caller. */
export function internalErrorAnswer(): RestErrorAnswer & { errorId: string } {
  const errorId = randomUUID();
  return { status: 500, errorId, error: { code: 'INTERNAL', message: `Internal error; quote errorId ${errorId} when you report it.`, errorId } };
}

/**
 * Sends a JSON error; midway through a streamed download (headers already sent) it cuts the
 * transfer instead, so that the client sees it fail rather than a truncated file.
 */
export function sendRestError(res: ServerResponse, answer: RestErrorAnswer): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: answer.error });
  res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...answer.headers });
  res.end(body);
}
