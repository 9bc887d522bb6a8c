import type { KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import * as https from 'node:https';
import { isIP, Socket } from 'node:net';
import * as tlsLib from 'node:tls';
import { TransportFailure } from '../errors';
import { failureFromError, isTlsErrorCode } from './failure-classification';

/** Mutual-TLS material: the organisation's function certificate and key, and the CAs to trust. */
export interface TlsClientOptions {
  /** Client certificate (PEM, may include the chain). Omit only against servers that do not ask for one. */
  certPem?: string;
  /** Private key of `certPem`: PEM text or a KeyObject. */
  key?: string | KeyObject;
  /** Passphrase of an encrypted PEM key. */
  passphrase?: string;
  /** CA certificates (PEM) trusted for the server; the system roots are never used. */
  caPems: string[];
}

/** Options of {@link HttpsTransport}. */
export interface HttpsTransportOptions {
  tls: TlsClientOptions;
  /** Deadline for connect + request + complete response, in ms. Default 30 000. */
  timeoutMs?: number;
  /** Largest response body accepted, in bytes. Default 16 MiB. */
  maxResponseBytes?: number;
  /** Concurrent connections per host. Default 8. */
  maxSockets?: number;
}

/** An HTTP answer, whatever its status. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

// Long enough for a server to answer our silent probe with an alert or a session ticket.
const PROBE_MS = 1500;

/**
 * POSTs SOAP 1.1 requests over HTTPS with mutual TLS, reusing connections through one keep-alive
 * agent. Transport problems (network, timeout, TLS, oversized answer) reject with a classified
 * {@link TransportFailure}; any HTTP status resolves, the caller interprets it.
 */
export class HttpsTransport {
  private readonly agent: https.Agent;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly tlsOptions: tlsLib.ConnectionOptions;
  // Sockets that have carried a complete response: a reset on them is not about our certificate.
  private readonly provenSockets = new WeakSet<Socket>();

  constructor(options: HttpsTransportOptions) {
    const { tls } = options;
    if (!tls || !Array.isArray(tls.caPems) || tls.caPems.length === 0) {
      // Falling back to the system roots would trust any public CA for FaR and the operators.
      throw new TypeError('tls.caPems must list at least one trusted CA certificate');
    }
    if ((tls.certPem === undefined) !== (tls.key === undefined)) {
      throw new TypeError('tls.certPem and tls.key go together: give both or neither');
    }
    this.timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs');
    this.maxResponseBytes = positive(options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 'maxResponseBytes');
    const key =
      tls.key === undefined || typeof tls.key === 'string'
        ? tls.key
        : // tls.connect takes PEM/DER, not a KeyObject.
          tls.key.export({ type: 'pkcs8', format: 'pem' }).toString();
    this.tlsOptions = {
      cert: tls.certPem,
      key,
      passphrase: tls.passphrase,
      ca: tls.caPems,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    };
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: positive(options.maxSockets, 8, 'maxSockets'),
      scheduling: 'lifo',
      ...this.tlsOptions,
    });
  }

  /** POSTs `body` as `text/xml; charset=utf-8` with `SOAPAction: ""`. */
  post(url: string, body: string): Promise<HttpResponse> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return Promise.reject(new TransportFailure(`not a URL: ${url}`, 'permanent', 'BAD_ENDPOINT', { endpoint: url }));
    }
    if (target.protocol !== 'https:') {
      return Promise.reject(
        new TransportFailure(`refusing to send over ${target.protocol} to ${url}: only https is allowed`, 'permanent', 'BAD_ENDPOINT', {
          endpoint: url,
        }),
      );
    }
    const payload = Buffer.from(body, 'utf8');
    const endpoint = url;

    return new Promise<HttpResponse>((resolve, reject) => {
      let done = false;
      const finish = (err: TransportFailure | undefined, res?: HttpResponse): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(res!);
      };

      const req = https.request(target, {
        method: 'POST',
        agent: this.agent,
        headers: {
          'Content-Type': 'text/xml; charset=utf-8',
          SOAPAction: '""',
          'Content-Length': payload.length,
          Accept: 'text/xml',
        },
      });

      const timer = setTimeout(() => {
        finish(
          new TransportFailure(`${endpoint}: no complete response within ${this.timeoutMs} ms`, 'retryable', 'TIMEOUT', { endpoint }),
        );
        req.destroy();
      }, this.timeoutMs);

      let socket: Socket | undefined;
      let responded = false;
      req.on('socket', (s) => (socket = s));
      req.on('error', (err: NodeJS.ErrnoException) => {
        // With TLS 1.3 the server checks our certificate after the client has finished the
        // handshake and sent the request, so a refusal often arrives as a bare reset.
        const reset = err.code === 'ECONNRESET' || err.code === 'EPIPE';
        if (done || !reset || responded || !socket || this.provenSockets.has(socket)) {
          finish(failureFromError(err, endpoint));
          return;
        }
        clearTimeout(timer);
        void this.probeCertificateRefusal(target).then((refusal) =>
          finish(
            refusal
              ? new TransportFailure(`${endpoint}: TLS failure: ${refusal}`, 'permanent', 'TLS', { endpoint })
              : failureFromError(err, endpoint),
          ),
        );
      });
      req.on('response', (res) => {
        responded = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxResponseBytes) {
            finish(
              new TransportFailure(
                `${endpoint}: response larger than ${this.maxResponseBytes} bytes (HTTP ${res.statusCode})`,
                'permanent',
                'BAD_RESPONSE',
                { endpoint, httpStatus: res.statusCode },
              ),
            );
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err) => finish(failureFromError(err, endpoint)));
        res.on('close', () => {
          if (!res.complete) {
            finish(failureFromError(Object.assign(new Error('connection closed before the response was complete'), { code: 'ECONNRESET' }), endpoint));
          }
        });
        res.on('end', () => {
          if (socket) this.provenSockets.add(socket);
          finish(undefined, {
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: decode(Buffer.concat(chunks), res.headers['content-type']),
          });
        });
      });
      req.end(payload);
    });
  }

  /** Closes every connection of this transport, including ones in use; call it when the client is done. */
  close(): void {
    this.agent.destroy();
  }

  /**
   * Opens a TLS connection that sends nothing and watches what the server does: an alert
   * (certificate required / unknown CA …) or hanging up without a session ticket means it refused
   * our client certificate. A session ticket or silence means it accepted us. Resolves to a
   * description of the refusal, or undefined.
   */
  private probeCertificateRefusal(target: URL): Promise<string | undefined> {
    return new Promise((resolve) => {
      const host = target.hostname.replace(/^\[|\]$/g, '');
      let settled = false;
      let handshaken = false;
      const settle = (verdict: string | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(verdict);
      };
      const socket = tlsLib.connect({
        ...this.tlsOptions,
        host,
        port: Number(target.port || 443),
        servername: isIP(host) ? undefined : host,
      });
      const timer = setTimeout(() => settle(undefined), Math.min(PROBE_MS, this.timeoutMs));
      socket.on('secureConnect', () => (handshaken = true));
      socket.on('session', () => settle(undefined));
      socket.on('error', (err: NodeJS.ErrnoException) =>
        settle(err.code && isTlsErrorCode(err.code) ? `the server refused the connection (${err.code}): ${err.message}` : undefined),
      );
      socket.on('close', () =>
        settle(
          handshaken
            ? 'the server closed the connection right after the TLS handshake, before any request: it refused the client certificate'
            : undefined,
        ),
      );
    });
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number, got ${value}`);
  return value;
}

function decode(bytes: Buffer, contentType: string | undefined): string {
  const charset = /;\s*charset="?([^";\s]+)"?/i.exec(contentType ?? '')?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) {
    try {
      return new TextDecoder(charset).decode(bytes);
    } catch {
      // An unknown charset label: UTF-8 is what SOAP 1.1 stacks send in practice.
    }
  }
  return bytes.toString('utf8');
}
