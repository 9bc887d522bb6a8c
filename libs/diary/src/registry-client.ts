import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { maskPersonalIds } from '@hub/observability';
import { hookUrlProblem } from './hook-url';

/** Longest registration number the hub stores (the registry's own format, e.g. "KS 2026/123"). */
export const MAX_REGISTRATION_NUMBER_LENGTH = 100;
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface RegistryClientOptions {
  /** Time for the whole exchange (connect, send, answer). */
  timeoutMs: number;
  allowHttpLocalhost: boolean;
  /** Trusted CAs for https (default: Node's bundled roots); give the public roots too when you add a private CA. */
  ca?: string | Buffer | (string | Buffer)[];
}

/** What one request to a registry came to. */
export type RegistryOutcome =
  | { kind: 'registered'; registrationNumber: string; status: number }
  /** Worth another try later (network, timeout, 5xx, 408/425/429, an answer without a number). */
  | { kind: 'retryable'; error: string; status?: number }
  /** Trying again will not help until someone changes something (4xx, a URL the hub may not call). */
  | { kind: 'permanent'; error: string; status?: number };

/**
 * Posts one signed JSON document to a municipality's registry and reads its answer: 2xx with
 * `{ "registrationNumber": "…" }` is a registration; everything else is an error that says what
 * came back (status and the start of the body, with personnummer masked).
 */
export async function postToRegistry(url: string, body: string, headers: Record<string, string>, options: RegistryClientOptions): Promise<RegistryOutcome> {
  const problem = hookUrlProblem(url, options.allowHttpLocalhost);
  if (problem) return { kind: 'permanent', error: `the hook's URL ${problem.message}` };
  let response: { status: number; text: string };
  try {
    response = await send(new URL(url), body, headers, options);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { kind: 'retryable', error: `no answer from the registry: ${err.code ? `${err.code} ` : ''}${maskPersonalIds(err.message)}`.slice(0, 500) };
  }
  const { status, text } = response;
  const excerpt = maskPersonalIds(text.replace(/\s+/g, ' ').trim().slice(0, 300));
  if (status >= 200 && status < 300) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { kind: 'retryable', status, error: `the registry answered ${status} but not with JSON: ${excerpt || '(empty body)'}` };
    }
    const number = (parsed as { registrationNumber?: unknown } | null)?.registrationNumber;
    if (typeof number !== 'string' || number.trim() === '') {
      return { kind: 'retryable', status, error: `the registry answered ${status} without a registrationNumber (expected {"registrationNumber": "…"}): ${excerpt}` };
    }
    if (number.trim().length > MAX_REGISTRATION_NUMBER_LENGTH) {
      return { kind: 'permanent', status, error: `the registry's registrationNumber is ${number.trim().length} characters; at most ${MAX_REGISTRATION_NUMBER_LENGTH} are kept` };
    }
    return { kind: 'registered', registrationNumber: number.trim(), status };
  }
  const error = `the registry answered ${status}${excerpt ? `: ${excerpt}` : ''}`;
  if (status >= 500 || status === 408 || status === 425 || status === 429) return { kind: 'retryable', status, error };
  return { kind: 'permanent', status, error };
}

function send(url: URL, body: string, headers: Record<string, string>, options: RegistryClientOptions): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(body, 'utf8');
    const requestOptions = {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(payload.length), accept: 'application/json' },
      ...(url.protocol === 'https:' && options.ca ? { ca: options.ca } : {}),
    };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, requestOptions, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_RESPONSE_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8') });
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no complete answer within ${options.timeoutMs} ms`), { code: 'TIMEOUT' })), options.timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(payload);
  });
}
