import { TransportFailure } from '../errors';
import {
  APPLICATION_FAULT_CODES,
  classifyFault,
  classifyHttpStatus,
  DEFAULT_UNKNOWN_FAULT_KIND,
  failureFromError,
  failureFromFault,
} from './failure-classification';

const endpoint = 'https://mm.example/service/v3';

describe('classifyFault', () => {
  it.each([5001, 5002, 5003, 5005, 5012, 5014, 5019, 6005, 6006, 6007])('fault %i is permanent', (code) => {
    expect(classifyFault(code)).toBe('permanent');
    expect(classifyFault(code, 500)).toBe('permanent');
    expect(APPLICATION_FAULT_CODES[code].meaning).toBeTruthy();
  });

  it('treats unknown codes by the documented default, unless overridden', () => {
    expect(DEFAULT_UNKNOWN_FAULT_KIND).toBe('retryable');
    expect(classifyFault(9999, 500)).toBe('retryable');
    expect(classifyFault(9999, 500, { 9999: 'permanent' })).toBe('permanent');
    expect(classifyFault(5002, 500, { 5002: 'retryable' })).toBe('retryable');
  });

  it('falls back to the HTTP status, then to retryable', () => {
    expect(classifyFault(undefined, 503)).toBe('retryable');
    expect(classifyFault(undefined, 500)).toBe('retryable');
    expect(classifyFault(undefined, 429)).toBe('retryable');
    expect(classifyFault(undefined, 408)).toBe('retryable');
    expect(classifyFault(undefined, 400)).toBe('permanent');
    expect(classifyFault(undefined, 404)).toBe('permanent');
    expect(classifyFault()).toBe('retryable');
    expect(classifyHttpStatus(401)).toBe('permanent');
  });
});

describe('failureFromError', () => {
  const err = (code: string, message = 'boom'): Error => Object.assign(new Error(message), { code });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'EAI_AGAIN', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH'])('%s is a retryable NETWORK failure', (code) => {
    const f = failureFromError(err(code), endpoint);
    expect(f).toBeInstanceOf(TransportFailure);
    expect(f).toMatchObject({ code: 'NETWORK', kind: 'retryable', details: { endpoint } });
    expect(f.message).toContain(code);
    expect(f.message).toContain(endpoint);
  });

  it.each([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'CERT_HAS_EXPIRED',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
    'ERR_SSL_WRONG_VERSION_NUMBER',
    'EPROTO',
  ])('%s is a permanent TLS failure', (code) => {
    expect(failureFromError(err(code), endpoint)).toMatchObject({ code: 'TLS', kind: 'permanent' });
  });

  it('keeps a TLS handshake timeout retryable, an unknown error retryable, and passes TransportFailures through', () => {
    expect(failureFromError(err('ERR_TLS_HANDSHAKE_TIMEOUT'), endpoint)).toMatchObject({ code: 'TIMEOUT', kind: 'retryable' });
    expect(failureFromError(new Error('weird'), endpoint)).toMatchObject({ code: 'NETWORK', kind: 'retryable' });
    const original = new TransportFailure('x', 'permanent', 'TLS');
    expect(failureFromError(original, endpoint)).toBe(original);
  });
});

describe('failureFromFault', () => {
  it('says who answered, with code, name, description and call id', () => {
    const f = failureFromFault(
      { faultCode: 'soap:Server', faultString: 'fault', errorCode: 6006, description: 'Skyddad identitet', callId: 'abc-123-def-456-ghi-789' },
      500,
      endpoint,
      'operator',
    );
    expect(f).toMatchObject({ code: 'OPERATOR_FAULT', kind: 'permanent' });
    expect(f.message).toBe(
      `mailbox operator fault from ${endpoint} (HTTP 500): error 6006 PROTECTED_IDENTITY: Skyddad identitet: callId abc-123-def-456-ghi-789: permanent`,
    );
  });
});
