import type { KeyObject } from 'node:crypto';
import * as https from 'node:https';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { rfc4514Subject } from '@hub/mina-meddelanden';

/** The hub's side of a mutual-TLS connection: the förmedlare certificate and key, and the CAs trusted for servers. */
export interface ProbeTls {
  certPem: string;
  key: KeyObject;
  caPems: string[];
}

/** What one connection attempt showed. */
export interface ProbeResult {
  ok: boolean;
  /** From the start of the connection to the first byte of the answer (or to the failure). */
  latencyMs: number;
  /** The HTTP status the server answered the probe with (any status proves the connection). */
  httpStatus: number | null;
  /** The server's certificate as it presented it (when the TLS handshake got that far). */
  serverCertificate: { subject: string; notAfter: Date } | null;
  /** A machine-readable reason: Node's error code (e.g. `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `ECONNREFUSED`), `TIMEOUT` or `BAD_URL`. */
  errorCode: string | null;
  /** What went wrong, in words an operator can act on. */
  message: string | null;
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
]);

const CLIENT_CERT_REFUSED = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
]);

/**
 * A connection failure in words: which side is wrong and what to check. `code` is Node's error code
 * (OpenSSL's verification result for certificate problems), `TIMEOUT` or `BAD_URL`.
 */
export function connectionErrorInWords(code: string, timeoutMs: number, fallback: string): string {
  if (UNTRUSTED.has(code)) return `The server's TLS certificate is not issued by a CA in MM_CA_FILE, so the hub does not trust it (${code}). Check the URL, or add the right CA to MM_CA_FILE.`;
  if (code === 'CERT_HAS_EXPIRED') return 'The server\'s TLS certificate has expired (CERT_HAS_EXPIRED): the server\'s operator must renew it.';
  if (code === 'CERT_NOT_YET_VALID') return 'The server\'s TLS certificate is not valid yet (CERT_NOT_YET_VALID): check this machine\'s clock.';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    return `The server's TLS certificate is issued for another host name than the one in the URL (${code}): check the URL.`;
  }
  if (CLIENT_CERT_REFUSED.has(code)) {
    return `The server refused the hub's client certificate, the förmedlare certificate (${code}): it is not registered there, has expired, or is issued by a CA the server does not trust.`;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO') return `The server does not answer with TLS at this address (${code}): is it an http:// port, or the wrong port?`;
  if (code === 'ECONNREFUSED') return 'Nothing answers at this address and port (connection refused): the service is down, or the URL is wrong.';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `The host name cannot be resolved (${code}): check the URL and the DNS.`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `The host cannot be reached (${code}): check the network route and firewalls.`;
  if (code === 'ECONNRESET') return 'The server cut the connection (ECONNRESET): often a firewall, or a server that refused the client certificate without saying why.';
  if (code === 'TIMEOUT' || code === 'ETIMEDOUT') return `No answer within ${timeoutMs} ms (MM_TIMEOUT_MS): the server is slow or a firewall drops the traffic.`;
  if (code === 'BAD_URL') return fallback;
  return `${fallback} (${code})`;
}

/**
 * Opens a mutual-TLS connection to `url` with the förmedlare certificate, as a delivery would, and
 * sends a GET for the same path. Any HTTP answer proves the network route, the server's certificate
 * (trusted through MM_CA_FILE) and the acceptance of the hub's client certificate; nothing is
 * delivered or asked (SOAP services answer a GET with 404, 405 or a WSDL).
 */
export function probeEndpoint(url: string, tls: ProbeTls, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let target: URL;
  try {
    target = new URL(url);
    if (target.protocol !== 'https:') throw new Error(`only https:// is used for Mina meddelanden, not ${target.protocol}`);
  } catch (e) {
    return Promise.resolve(failure(0, 'BAD_URL', `${JSON.stringify(url)} is not an https:// URL: ${(e as Error).message}`, null));
  }
  const host = target.hostname.replace(/^\[|\]$/g, '');
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    let serverCertificate: ProbeResult['serverCertificate'] = null;
    const settle = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const req = https.request(target, {
      method: 'GET',
      agent: false,
      cert: tls.certPem,
      key: tls.key.export({ type: 'pkcs8', format: 'pem' }).toString(),
      ca: tls.caPems,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      servername: isIP(host) ? undefined : host,
      headers: { accept: 'text/xml' },
    });
    const timer = setTimeout(() => settle(failure(elapsed(), 'TIMEOUT', connectionErrorInWords('TIMEOUT', timeoutMs, ''), serverCertificate)), timeoutMs);
    req.on('socket', (socket) => {
      socket.once('secureConnect', () => {
        const peer = (socket as TLSSocket).getPeerX509Certificate?.();
        if (peer) serverCertificate = { subject: rfc4514Subject(peer), notAfter: new Date(peer.validTo) };
      });
    });
    req.on('response', (res) => {
      res.resume();
      settle({ ok: true, latencyMs: elapsed(), httpStatus: res.statusCode ?? null, serverCertificate, errorCode: null, message: null });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'UNKNOWN';
      settle(failure(elapsed(), code, connectionErrorInWords(code, timeoutMs, err.message), serverCertificate));
    });
    req.end();
  });
}

function failure(latencyMs: number, errorCode: string, message: string, serverCertificate: ProbeResult['serverCertificate']): ProbeResult {
  return { ok: false, latencyMs, httpStatus: null, serverCertificate, errorCode, message };
}
