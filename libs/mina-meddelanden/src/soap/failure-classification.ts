import { FailureKind, TransportFailure } from '../errors';

/** One known `applicationFault/ErrorCode` and whether repeating the same call can ever succeed. */
export interface FaultCodeInfo {
  name: string;
  kind: FailureKind;
  meaning: string;
}

/**
 * Application fault codes of Mina meddelanden (as seen in the reference implementations).
 * All are permanent: the same request will be refused again until someone changes the input,
 * the sender's registration or the recipient's account. Whether mailbox operators use the same
 * codes is not documented; they are assumed to.
 */
export const APPLICATION_FAULT_CODES: Readonly<Record<number, FaultCodeInfo>> = Object.freeze({
  5001: { name: 'INVALID_INPUT', kind: 'permanent', meaning: 'the request does not follow the contract' },
  5002: { name: 'ACCESS_DENIED', kind: 'permanent', meaning: 'access denied (also returned for a signature that does not verify)' },
  5003: { name: 'NOT_FOUND', kind: 'permanent', meaning: 'the referenced object does not exist' },
  5005: { name: 'MAX_EXCEEDED', kind: 'permanent', meaning: 'a size or count limit was exceeded' },
  5012: { name: 'SIGNATURE_ERROR', kind: 'permanent', meaning: 'the signature is missing or invalid' },
  5014: { name: 'UNKNOWN_SENDER', kind: 'permanent', meaning: 'the sender is not registered in Mina meddelanden' },
  5019: { name: 'UNSUPPORTED_MIME_TYPE', kind: 'permanent', meaning: 'an attachment has a content type that is not allowed' },
  6005: { name: 'DISPATCHER_NOT_APPROVED', kind: 'permanent', meaning: 'the förmedlare is not approved for this sender' },
  6006: { name: 'PROTECTED_IDENTITY', kind: 'permanent', meaning: 'the recipient has a protected identity' },
  6007: { name: 'IDENTITY_DOES_NOT_EXIST', kind: 'permanent', meaning: 'the recipient identity does not exist' },
});

/**
 * Kind of an application fault whose code is not in {@link APPLICATION_FAULT_CODES}. Retryable,
 * because an unknown code is more likely a new server-side condition than a broken request, and
 * the retry budget bounds the cost of being wrong. Override per code with {@link FaultKindOverrides}.
 */
export const DEFAULT_UNKNOWN_FAULT_KIND: FailureKind = 'retryable';

/** Per-code decisions that replace the table and the default, e.g. `{ 9001: 'permanent' }`. */
export type FaultKindOverrides = Readonly<Record<number, FailureKind>>;

/** Codes on {@link TransportFailure}, with the kind each gets and when. */
export const FAILURE_CODES: Readonly<Record<string, { kind: FailureKind | 'depends'; when: string }>> = Object.freeze({
  FAR_FAULT: { kind: 'depends', when: 'FaR answered with a SOAP fault; kind from classifyFault' },
  OPERATOR_FAULT: { kind: 'depends', when: 'a mailbox operator answered with a SOAP fault; kind from classifyFault' },
  NETWORK: { kind: 'retryable', when: 'connection refused/reset, DNS failure, socket closed early (ECONNREFUSED, ECONNRESET, EAI_AGAIN, …)' },
  TIMEOUT: { kind: 'retryable', when: 'no complete response within the timeout (connect + response)' },
  HTTP_5XX: { kind: 'retryable', when: 'HTTP 5xx without a parseable SOAP fault' },
  HTTP_4XX: { kind: 'depends', when: 'HTTP 4xx without a SOAP fault: 408 and 429 retryable, the rest permanent' },
  HTTP_STATUS: { kind: 'permanent', when: 'any other unexpected HTTP status (1xx/3xx): the endpoint is misconfigured' },
  TLS: { kind: 'permanent', when: 'TLS handshake or certificate failure: untrusted or expired certificate, wrong host, client certificate refused' },
  BAD_RESPONSE: {
    kind: 'depends',
    when: 'a 2xx answer that is not the expected SOAP response: retryable (outcome unknown); larger than the response limit: permanent',
  },
  BAD_ENDPOINT: { kind: 'permanent', when: 'the endpoint is not an https:// URL' },
  INVALID_REQUEST: { kind: 'permanent', when: 'the request was refused before sending (invalid recipient id, malformed sealed delivery)' },
  REQUEST_TOO_LARGE: { kind: 'permanent', when: 'the SOAP envelope exceeds the request size limit' },
});

/**
 * Whether a failed call may succeed later. With an application fault `errorCode`: the override,
 * else the table, else {@link DEFAULT_UNKNOWN_FAULT_KIND}. Without one, by HTTP status: 408, 429 and
 * 5xx retryable, other 4xx permanent. With neither (network failure): retryable.
 */
export function classifyFault(errorCode?: number, httpStatus?: number, overrides?: FaultKindOverrides): FailureKind {
  if (errorCode !== undefined && Number.isFinite(errorCode)) {
    return overrides?.[errorCode] ?? APPLICATION_FAULT_CODES[errorCode]?.kind ?? DEFAULT_UNKNOWN_FAULT_KIND;
  }
  if (httpStatus !== undefined) return classifyHttpStatus(httpStatus);
  return 'retryable';
}

/** Kind of an HTTP status that came without a SOAP fault. */
export function classifyHttpStatus(status: number): FailureKind {
  if (status === 408 || status === 429 || status >= 500) return 'retryable';
  return 'permanent';
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  // An unknown host name is usually a DNS hiccup or a record being changed, seldom a typo in FaR.
  'ENOTFOUND',
  'EADDRNOTAVAIL',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

// OpenSSL's verification results as Node reports them (err.code), plus Node's own TLS checks.
const TLS_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_CHAIN_TOO_LONG',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'EPROTO',
]);

/** Whether a Node error code means a TLS handshake or certificate failure. */
export function isTlsErrorCode(code: string): boolean {
  return code !== 'ERR_TLS_HANDSHAKE_TIMEOUT' && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'));
}

/**
 * Turns an error from the socket/TLS layer into a classified {@link TransportFailure}: TLS
 * (certificate or handshake) permanent, everything else network-level and retryable.
 */
export function failureFromError(err: unknown, endpoint: string): TransportFailure {
  if (err instanceof TransportFailure) return err;
  const e = err as NodeJS.ErrnoException & { library?: string; reason?: string };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = e instanceof Error ? e.message : String(err);
  if (code === 'ERR_TLS_HANDSHAKE_TIMEOUT') {
    return new TransportFailure(`${endpoint}: TLS handshake timed out`, 'retryable', 'TIMEOUT', { endpoint });
  }
  const tls = (code !== undefined && isTlsErrorCode(code)) || e?.library === 'SSL routines';
  if (tls) {
    return new TransportFailure(`${endpoint}: TLS failure (${code ?? 'unknown'}): ${message}`, 'permanent', 'TLS', { endpoint });
  }
  const known = code !== undefined && NETWORK_CODES.has(code);
  return new TransportFailure(
    `${endpoint}: network failure (${code ?? 'no code'}): ${message}${known ? '' : ' [unrecognised, treated as retryable]'}`,
    'retryable',
    'NETWORK',
    { endpoint },
  );
}

/** Which party answered: decides the failure code (`FAR_FAULT` / `OPERATOR_FAULT`) and the wording. */
export type SoapService = 'FaR' | 'operator';

/** A parsed SOAP 1.1 fault, see `parseSoapFault`. */
export interface FaultInfo {
  faultCode: string;
  faultString: string;
  errorCode?: number;
  description?: string;
  callId?: string;
}

/**
 * The failure for a SOAP fault. With an application fault the code decides; without one a
 * `Client` fault (our request is wrong) is permanent and anything else is judged by the HTTP status.
 */
export function failureFromFault(
  fault: FaultInfo,
  httpStatus: number,
  endpoint: string,
  service: SoapService,
  overrides?: FaultKindOverrides,
): TransportFailure {
  let kind: FailureKind;
  if (fault.errorCode !== undefined) kind = classifyFault(fault.errorCode, httpStatus, overrides);
  else if (/(^|:)Client(\.|$)/.test(fault.faultCode)) kind = 'permanent';
  else kind = httpStatus >= 200 && httpStatus < 300 ? 'retryable' : classifyFault(undefined, httpStatus);
  const known = fault.errorCode !== undefined ? APPLICATION_FAULT_CODES[fault.errorCode] : undefined;
  const parts = [
    `${service === 'FaR' ? 'FaR' : 'mailbox operator'} fault from ${endpoint} (HTTP ${httpStatus})`,
    fault.errorCode !== undefined ? `error ${fault.errorCode}${known ? ` ${known.name}` : ' (unknown code)'}` : `faultcode ${fault.faultCode}`,
    fault.description || fault.faultString,
    fault.callId ? `callId ${fault.callId}` : undefined,
    kind,
  ].filter((p): p is string => !!p);
  return new TransportFailure(parts.join(': '), kind, service === 'FaR' ? 'FAR_FAULT' : 'OPERATOR_FAULT', {
    httpStatus,
    faultCode: fault.errorCode,
    faultString: fault.faultString,
    description: fault.description,
    callId: fault.callId,
    endpoint,
  });
}

/** The failure for a non-2xx HTTP answer that carried no SOAP fault. */
export function failureFromHttpStatus(status: number, endpoint: string, bodySnippet: string): TransportFailure {
  const kind = classifyHttpStatus(status);
  const code = status >= 500 ? 'HTTP_5XX' : status >= 400 ? 'HTTP_4XX' : 'HTTP_STATUS';
  const effective: FailureKind = code === 'HTTP_STATUS' ? 'permanent' : kind;
  const detail = bodySnippet ? `: ${bodySnippet}` : '';
  return new TransportFailure(`${endpoint} answered HTTP ${status} without a SOAP fault${detail}`, effective, code, {
    httpStatus: status,
    endpoint,
  });
}
