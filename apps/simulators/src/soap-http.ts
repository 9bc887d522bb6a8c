import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { escapeText, NS } from '@hub/mina-meddelanden';

/** Reads a request body up to `limit` bytes; null when it is larger. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function soapEnvelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${NS.soap11}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

export function sendSoap(res: ServerResponse, status: number, body: string): void {
  const payload = soapEnvelope(body);
  res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

/** A SOAP 1.1 Fault with the Mina meddelanden applicationFault detail. */
export function sendFault(res: ServerResponse, code: number, description: string, client = true): string {
  const callId = `SIM-${randomUUID()}`;
  sendSoap(
    res,
    500,
    `<soap:Fault><faultcode>soap:${client ? 'Client' : 'Server'}</faultcode><faultstring>${escapeText(description)}</faultstring>` +
      `<detail><applicationFault xmlns="${NS.commonV3}"><ErrorCode>${code}</ErrorCode>` +
      `<Description>${escapeText(description)}</Description><CallId>${callId}</CallId></applicationFault></detail></soap:Fault>`,
  );
  return callId;
}

/** The subject serialNumber ("16"+orgnr) of the TLS client certificate, if any. */
export function clientSerialNumber(req: IncomingMessage): string | undefined {
  const cert = (req.socket as TLSSocket).getPeerCertificate?.();
  if (!cert || !cert.subject) return undefined;
  const sn = (cert.subject as unknown as Record<string, string | string[]>).serialNumber;
  return Array.isArray(sn) ? sn[0] : sn;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const payload = JSON.stringify(value, null, 2);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

/** Starts `server` on host:port (0 = any free port) and resolves with the port it got. */
export async function listen(server: import('node:net').Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as { port: number }).port;
}

/** Closes a server and drops its keep-alive connections, so shutdown does not wait for clients. */
export function closeServer(server: import('node:http').Server | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!server) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Mutual-TLS options for a simulated party: only clients with a certificate from `ca` get in. */
export function mutualTls(tls: { key: string; cert: string; ca: string }) {
  return { key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: true, rejectUnauthorized: true, keepAliveTimeout: 30_000 };
}
