import { createPrivateKey } from 'node:crypto';
import { TransportFailure } from '../errors';
import { HttpsTransport } from './https-transport';
import { makePkis, Pkis, startServer, TestServer } from './soap-test-server.spec-helper';
import type { ServerResponse } from 'node:http';

describe('HttpsTransport', () => {
  let pkis: Pkis;
  let server: TestServer;
  let handle: (res: ServerResponse, n: number) => void;
  let transport: HttpsTransport;

  beforeAll(async () => {
    pkis = await makePkis();
    const far = pkis.trusted.servers.far;
    server = await startServer({ keyPem: far.keyPem, certPem: far.certPem, caPem: pkis.trusted.caCertPem }, (_req, res) =>
      handle(res, server.requests.length),
    );
  });
  afterAll(async () => {
    await server.close();
    pkis.cleanup();
  });
  beforeEach(() => {
    server.requests.length = 0;
    transport = new HttpsTransport({
      tls: {
        certPem: pkis.trusted.intermediary.certPem,
        key: createPrivateKey(pkis.trusted.intermediary.keyPem),
        caPems: [pkis.trusted.caCertPem],
      },
      maxResponseBytes: 64 * 1024,
    });
  });
  afterEach(() => transport.close());

  it('POSTs UTF-8 SOAP and resolves any HTTP status with the body', async () => {
    handle = (res) => {
      res.writeHead(500, { 'Content-Type': 'text/xml; charset=utf-8' });
      res.end('<x>Förmedlare</x>');
    };
    const res = await transport.post(server.url, '<a>Malmö</a>');
    expect(res).toMatchObject({ status: 500, body: '<x>Förmedlare</x>' });
    const [req] = server.requests;
    expect(req.body).toBe('<a>Malmö</a>');
    expect(req.headers['content-length']).toBe(String(Buffer.byteLength('<a>Malmö</a>')));
    expect(req.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(req.headers.soapaction).toBe('""');
  });

  it('decodes a declared non-UTF-8 charset', async () => {
    handle = (res) => {
      res.writeHead(200, { 'Content-Type': 'text/xml; charset=ISO-8859-1' });
      res.end(Buffer.from('<x>Göteborg</x>', 'latin1'));
    };
    expect((await transport.post(server.url, '<a/>')).body).toBe('<x>Göteborg</x>');
  });

  it('refuses a response larger than the limit', async () => {
    handle = (res) => {
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end('x'.repeat(200 * 1024));
    };
    await expect(transport.post(server.url, '<a/>')).rejects.toMatchObject({ code: 'BAD_RESPONSE', kind: 'permanent' });
  });

  it('treats a reset by a server that accepted our certificate as a retryable network failure', async () => {
    // First on a fresh connection (the certificate probe must clear it), then on a reused one.
    handle = (res) => res.socket?.destroy();
    await expect(transport.post(server.url, '<a/>')).rejects.toMatchObject({ code: 'NETWORK', kind: 'retryable' });
    handle = (res, n) => (n === 1 ? res.end('ok') : res.socket?.destroy());
    server.requests.length = 0;
    await expect(transport.post(server.url, '<a/>')).resolves.toMatchObject({ status: 200 });
    await expect(transport.post(server.url, '<a/>')).rejects.toMatchObject({ code: 'NETWORK', kind: 'retryable' });
  });

  it('reuses one connection for sequential requests', async () => {
    handle = (res) => res.end('ok');
    const before = server.connections();
    for (let i = 0; i < 5; i++) await transport.post(server.url, '<a/>');
    expect(server.connections() - before).toBe(1);
  });

  it('checks its configuration and endpoint', async () => {
    expect(() => new HttpsTransport({ tls: { caPems: [] } })).toThrow(/caPems/);
    expect(() => new HttpsTransport({ tls: { caPems: [pkis.trusted.caCertPem], certPem: pkis.trusted.intermediary.certPem } })).toThrow(
      /give both or neither/,
    );
    expect(() => new HttpsTransport({ tls: { caPems: [pkis.trusted.caCertPem] }, timeoutMs: 0 })).toThrow(/timeoutMs/);
    const err = await transport.post('not a url', '<a/>').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportFailure);
    expect(err).toMatchObject({ code: 'BAD_ENDPOINT', kind: 'permanent' });
  });

  it('reports a server that answers plain HTTP as a TLS failure', async () => {
    const http = await import('node:http');
    const plain = http.createServer((_req, res) => res.end('hello'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const { port } = plain.address() as import('node:net').AddressInfo;
    try {
      await expect(transport.post(`https://127.0.0.1:${port}/`, '<a/>')).rejects.toMatchObject({ code: 'TLS', kind: 'permanent' });
    } finally {
      plain.closeAllConnections();
      await new Promise((resolve) => plain.close(resolve));
    }
  });
});
