// Test-only support for the soap/*.spec.ts files: real mutual-TLS HTTPS servers and a test PKI.
import * as fs from 'node:fs';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { ensureTestPki, TestPki } from '@hub/testing';
import { luhnValid } from '../identity/recipient-id';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  peerCert: PeerCertificate;
}

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  /** TLS connections accepted so far (keep-alive reuse keeps this low). */
  connections: () => number;
  /** TLS handshakes the server refused, with the reason. */
  tlsErrors: string[];
  close(): Promise<void>;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void;

/** Starts an HTTPS server on 127.0.0.1 with a random port that requires a client certificate from `ca`. */
export async function startServer(tls: { keyPem: string; certPem: string; caPem: string }, handler: Handler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const tlsErrors: string[] = [];
  let connections = 0;
  const server = https.createServer(
    { key: tls.keyPem, cert: tls.certPem, ca: [tls.caPem], requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          peerCert: (req.socket as TLSSocket).getPeerCertificate(),
        };
        requests.push(recorded);
        handler(recorded, res);
      });
    },
  );
  server.on('secureConnection', () => connections++);
  server.on('tlsClientError', (err) => tlsErrors.push((err as NodeJS.ErrnoException).code ?? err.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/Recipient/v3`,
    requests,
    connections: () => connections,
    tlsErrors,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function soapResponse(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8' });
  res.end(xml);
}

export function faultXml(errorCode: number, description: string, faultCode = 'soap:Server'): string {
  return (
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>` +
    `<faultcode>${faultCode}</faultcode><faultstring>${description}</faultstring><detail>` +
    `<ns2:applicationFault xmlns:ns2="http://minameddelanden.gov.se/schema/Common/v3">` +
    `<ns2:ErrorCode>${errorCode}</ns2:ErrorCode><ns2:Description>${description}</ns2:Description>` +
    `<ns2:CallId>b6a3f0c2-1d4e-4f7a-9c1b-2e5d8a7f6c30</ns2:CallId></ns2:applicationFault></detail></soap:Fault></soap:Body></soap:Envelope>`
  );
}

export interface Pkis {
  trusted: TestPki;
  /** A second, unrelated CA: its certificates must be refused. */
  rogue: TestPki;
  cleanup(): void;
}

/** Two test PKIs in a fresh temp directory. */
export async function makePkis(): Promise<Pkis> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pki-'));
  const spec = {
    intermediary: { orgnr: '5590026042', name: 'Dispatch Hub AB' },
    municipalities: [{ orgnr: '2120001124', name: 'Malmö stad' }],
    servers: [
      { name: 'far', commonName: 'FaR test' },
      { name: 'operator-kivra', orgnr: '5568402266', commonName: 'Kivra' },
    ],
  };
  const [trusted, rogue] = await Promise.all([ensureTestPki(path.join(dir, 'trusted'), spec), ensureTestPki(path.join(dir, 'rogue'), spec)]);
  return { trusted, rogue, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** `count` distinct valid personnummer (born 1990-01-01 onwards, one per day and serial). */
export function personnummer(count: number): string[] {
  const out: string[] = [];
  const day = new Date(Date.UTC(1990, 0, 1));
  for (let serial = 0; out.length < count; serial++) {
    if (serial % 100 === 0 && serial > 0) day.setUTCDate(day.getUTCDate() + 1);
    const date = day.toISOString().slice(0, 10).replace(/-/g, '');
    const base = `${date}${String(serial % 100).padStart(3, '0')}`;
    for (let d = 0; d <= 9; d++) {
      if (luhnValid(`${base.slice(2)}${d}`)) {
        out.push(`${base}${d}`);
        break;
      }
    }
  }
  return out;
}
