import { randomUUID } from 'node:crypto';
import { Counter, Histogram, Registry } from 'prom-client';
import type { Logger } from '@hub/observability';
import type { HttpRequest, HttpResponse, NextFunction } from './http.types';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// Routes the API serves; anything else is counted as "other" so that scanners cannot blow up the label set.
const KNOWN_ROUTES = new Set(['/graphql', '/health', '/metrics']);

/** HTTP request metrics on the application's registry. */
export class HttpMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route'>;

  constructor(registry: Registry) {
    this.requests = new Counter({ name: 'hub_http_requests_total', help: 'HTTP requests by method, route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
    this.duration = new Histogram({
      name: 'hub_http_request_duration_seconds',
      help: 'HTTP request duration, from the first byte in to the last byte out',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  }
}

/**
 * First middleware of the API: takes the caller's `x-request-id` (if it is a sane token) or makes one,
 * echoes it on the response, and when the response is finished logs one line (request id, tenant id,
 * method, route, status, duration, GraphQL operation name, never the body) and counts the request.
 */
export function httpObservability(logger: Logger, metrics: HttpMetrics) {
  return (req: HttpRequest, res: HttpResponse, next: NextFunction): void => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const path = req.originalUrl.split('?')[0];
      const route = KNOWN_ROUTES.has(path) ? path : 'other';
      metrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.duration.observe({ method: req.method, route }, seconds);
      const body = req.body as { operationName?: unknown } | undefined;
      const operation = typeof body?.operationName === 'string' ? body.operationName.slice(0, 64) : undefined;
      const line = { requestId, ...(req.tenantId ? { tenantId: req.tenantId } : {}), method: req.method, path, status: res.statusCode, ms: Math.round(seconds * 1000), ...(operation ? { operation } : {}) };
      if (res.statusCode >= 500) logger.error(line, 'request failed');
      else if (route !== '/health' && route !== '/metrics') logger.info(line, 'request');
      else logger.debug(line, 'request');
    });
    next();
  };
}

/** Refusals before GraphQL runs (body too large, not JSON, bad multipart) in GraphQL's response shape. */
export function graphqlRequestErrorHandler() {
  return (err: Error & { status?: number; statusCode?: number; type?: string; expose?: boolean }, _req: HttpRequest, res: HttpResponse, next: NextFunction): void => {
    const status = err.status ?? err.statusCode;
    if (!status || status >= 500 || res.headersSent) return next(err);
    const message =
      err.type === 'entity.too.large' || status === 413
        ? `The request is larger than this API accepts (${err.message}). Send fewer letters per submitLetters call, or attach large PDFs as multipart uploads.`
        : err.type === 'entity.parse.failed'
          ? `The request body is not valid JSON: ${err.message}.`
          : err.message;
    res.status(status).json({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] });
  };
}

/**
 * Refuses a request whose declared length exceeds the limit before reading it (multipart is not read
 * by the JSON parser, which enforces the limit itself), and a multipart request that declares no
 * length (chunked): the upload middleware could otherwise take in up to maxFiles × 2 MB.
 */
export function contentLengthLimit(maxBytes: number) {
  return (req: HttpRequest, res: HttpResponse, next: NextFunction): void => {
    if (req.headers['content-length'] === undefined && /^multipart\//i.test(String(req.headers['content-type'] ?? ''))) {
      res.status(411).json({ errors: [{ message: 'A multipart request must declare its Content-Length (chunked uploads are not accepted).', extensions: { code: 'BAD_USER_INPUT' } }] });
      return;
    }
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > maxBytes) {
      res.status(413).json({
        errors: [{ message: `The request is ${length} bytes; this API accepts at most ${maxBytes} (REQUEST_MAX_BYTES). Split it into several requests.`, extensions: { code: 'BAD_USER_INPUT' } }],
      });
      return;
    }
    next();
  };
}
