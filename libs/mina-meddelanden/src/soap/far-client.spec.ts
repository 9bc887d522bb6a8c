import * as fs from 'node:fs';
import * as path from 'node:path';
import { DOMParser, Element } from '@xmldom/xmldom';
import { TransportFailure } from '../errors';
import { NS } from '../namespaces';
import { buildIsReachableBody, FarClient, parseIsReachableResponse, Reachability } from './far-client';
import { faultXml, makePkis, personnummer, Pkis, soapResponse, startServer, TestServer } from './soap-test-server.spec-helper';

const fixtures = path.join(__dirname, '../../test-fixtures/soap');
const SENDER = '162120001124';

interface Account {
  type?: 'Secure' | 'Anonymous' | 'Not';
  pending?: boolean;
  accepted?: boolean;
  supplier?: boolean;
  serviceAddress?: string;
}

/** A FaR answer in the shape the real one has (ns2/ns3 prefixes), one return per requested id. */
function farAnswer(ids: string[], accounts: Record<string, Account>): string {
  const returns = ids.map((id) => {
    const a = { type: 'Secure', pending: false, accepted: true, supplier: true, serviceAddress: 'https://mm.kivra.com/service/v3', ...accounts[id] };
    const supplier = a.supplier
      ? `<ns2:ServiceSupplier><ns2:Id>165568402266</ns2:Id><ns2:Name>Kivra</ns2:Name><ns2:ServiceAdress>${a.serviceAddress}</ns2:ServiceAdress>` +
        `<ns2:UIAdress>https://www.kivra.com</ns2:UIAdress><ns2:InternalServiceAdress/></ns2:ServiceSupplier>`
      : '';
    return (
      `<ns3:return><ns2:AccountStatus><ns2:RecipientId>${id}</ns2:RecipientId><ns2:Type>${a.type}</ns2:Type>` +
      `<ns2:Pending>${a.pending}</ns2:Pending>${supplier}</ns2:AccountStatus><ns2:SenderAccepted>${a.accepted}</ns2:SenderAccepted></ns3:return>`
    );
  });
  return (
    `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Header/><SOAP-ENV:Body>` +
    `<ns3:isReachableResponse xmlns:ns2="${NS.recipient}" xmlns:ns3="${NS.recipientV3}">${returns.join('')}</ns3:isReachableResponse>` +
    `</SOAP-ENV:Body></SOAP-ENV:Envelope>`
  );
}

/** The request as FaR would read it: namespace-aware, in schema order. */
function readRequest(body: string): { sender: string; ids: string[] } {
  const doc = new DOMParser().parseFromString(body, 'text/xml');
  const req = doc.getElementsByTagNameNS(NS.recipientV3, 'isReachable')[0];
  const children: Element[] = [];
  for (let n = req.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) children.push(n as Element);
  expect(children[0].localName).toBe('senderOrgNr');
  expect(children.every((c) => c.namespaceURI === NS.recipientV3)).toBe(true);
  return { sender: children[0].textContent ?? '', ids: children.slice(1).map((c) => c.textContent ?? '') };
}

describe('parseIsReachableResponse (real FaR samples)', () => {
  it('reads every return of the multi-recipient sample', () => {
    const result = parseIsReachableResponse(fs.readFileSync(path.join(fixtures, 'isReachableResponse-multi.xml'), 'utf8'));
    expect(result).toEqual<Reachability[]>([
      {
        recipientId: '200001102391',
        deliverable: true,
        accountType: 'Secure',
        pending: false,
        senderAccepted: true,
        operator: { id: '165568402266', name: 'Kivra', serviceAddress: 'https://mm.kivra.com/service/v3', uiAddress: 'https://www.kivra.com' },
      },
      {
        recipientId: '201001212388',
        deliverable: false,
        reason: 'SENDER_NOT_ACCEPTED',
        accountType: 'Secure',
        pending: false,
        senderAccepted: false,
        operator: { id: '165568402266', name: 'Kivra', serviceAddress: 'https://mm.kivra.com/service/v3', uiAddress: 'https://www.kivra.com' },
      },
      { recipientId: '201301172399', deliverable: false, reason: 'NOT_REGISTERED', accountType: 'Not', pending: false, senderAccepted: false },
    ]);
  });

  it('reads the Skatteverket sample with other prefixes', () => {
    const [r] = parseIsReachableResponse(fs.readFileSync(path.join(fixtures, 'skatteverket-kivra-recipient.xml'), 'utf8'));
    expect(r).toMatchObject({ recipientId: '192301010168', deliverable: true, operator: { serviceAddress: 'http://localhost:9090/deliversecure' } });
  });

  it('refuses an answer that is not isReachableResponse, with a clear error', () => {
    expect(() => parseIsReachableResponse(fs.readFileSync(path.join(fixtures, 'skatteverket-faulty-recipient.xml'), 'utf8'))).toThrow(
      /expected isReachableResponse, got isRegisteredResponse/,
    );
    expect(() => parseIsReachableResponse('<not xml')).toThrow(/not a SOAP 1.1 envelope/);
  });

  it('writes the request in schema order and namespace', () => {
    expect(buildIsReachableBody(SENDER, ['200001102391'])).toBe(
      `<isReachable xmlns="${NS.recipientV3}"><senderOrgNr>${SENDER}</senderOrgNr><recipientId>200001102391</recipientId></isReachable>`,
    );
  });
});

describe('FarClient against a mutual-TLS FaR', () => {
  let pkis: Pkis;
  let server: TestServer;
  let accounts: Record<string, Account> = {};
  let respond: ((ids: string[]) => { status: number; xml: string } | 'hang') | undefined;

  const client = (extra: Partial<ConstructorParameters<typeof FarClient>[0]> = {}): FarClient =>
    new FarClient({
      url: server.url,
      tls: { certPem: pkis.trusted.intermediary.certPem, key: pkis.trusted.intermediary.keyPem, caPems: [pkis.trusted.caCertPem] },
      ...extra,
    });

  beforeAll(async () => {
    pkis = await makePkis();
    const far = pkis.trusted.servers.far;
    server = await startServer({ keyPem: far.keyPem, certPem: far.certPem, caPem: pkis.trusted.caCertPem }, (req, res) => {
      const { ids } = readRequest(req.body);
      const custom = respond?.(ids);
      if (custom === 'hang') return;
      if (custom) return soapResponse(res, custom.status, custom.xml);
      soapResponse(res, 200, farAnswer(ids, accounts));
    });
  });
  afterAll(async () => {
    await server.close();
    pkis.cleanup();
  });
  beforeEach(() => {
    server.requests.length = 0;
    accounts = {};
    respond = undefined;
  });

  it('sends SOAP 1.1 with the förmedlare certificate and gives every reason', async () => {
    const [ok, notReg, anon, pending, refused, noSupplier, blankAddress] = personnummer(7);
    accounts = {
      [notReg]: { type: 'Not', supplier: false, accepted: false },
      [anon]: { type: 'Anonymous', pending: true },
      [pending]: { pending: true, accepted: false },
      [refused]: { accepted: false },
      [noSupplier]: { supplier: false },
      [blankAddress]: { serviceAddress: '  ' },
    };
    const far = client();
    try {
      const result = await far.isReachable(SENDER, [ok, notReg, anon, pending, refused, noSupplier, blankAddress]);
      expect(result.map((r) => [r.recipientId, r.deliverable, r.reason])).toEqual([
        [ok, true, undefined],
        [notReg, false, 'NOT_REGISTERED'],
        [anon, false, 'NOT_REGISTERED'],
        [pending, false, 'PENDING'],
        [refused, false, 'SENDER_NOT_ACCEPTED'],
        [noSupplier, false, 'NO_SUPPLIER'],
        [blankAddress, false, 'NO_SUPPLIER'],
      ]);
      expect(result[0].operator).toEqual({
        id: '165568402266',
        name: 'Kivra',
        serviceAddress: 'https://mm.kivra.com/service/v3',
        uiAddress: 'https://www.kivra.com',
      });
      expect(result[1].operator).toBeUndefined();

      expect(server.requests).toHaveLength(1);
      const [req] = server.requests;
      expect(req.method).toBe('POST');
      expect(req.headers['content-type']).toBe('text/xml; charset=utf-8');
      expect(req.headers.soapaction).toBe('""');
      expect(req.peerCert.subject.serialNumber).toBe('165590026042');
      expect(readRequest(req.body)).toEqual({ sender: SENDER, ids: [ok, notReg, anon, pending, refused, noSupplier, blankAddress] });
    } finally {
      far.close();
    }
  });

  it('splits 2,500 ids into three requests on one kept-alive connection and answers in input order', async () => {
    const ids = personnummer(2500);
    const input = [...ids].reverse();
    input.push(input[0]); // a duplicate is answered too, but asked only once
    const far = client();
    const connectionsBefore = server.connections();
    try {
      const result = await far.isReachable(SENDER, input);
      expect(result.map((r) => r.recipientId)).toEqual(input);
      expect(server.requests.map((r) => readRequest(r.body).ids.length)).toEqual([1000, 1000, 500]);
      expect(server.connections() - connectionsBefore).toBe(1);
    } finally {
      far.close();
    }
  });

  it('honours a smaller batch size', async () => {
    const far = client({ batchSize: 2 });
    try {
      await far.isReachable(SENDER, personnummer(5));
      expect(server.requests.map((r) => readRequest(r.body).ids.length)).toEqual([2, 2, 1]);
    } finally {
      far.close();
    }
    expect(() => client({ batchSize: 1001 })).toThrow(/batchSize/);
  });

  it('refuses an invalid recipient id before sending, naming it', async () => {
    const far = client();
    try {
      const [good] = personnummer(1);
      const err = await far.isReachable(SENDER, [good, '199001011234', 'abc']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransportFailure);
      expect(err).toMatchObject({ code: 'INVALID_REQUEST', kind: 'permanent' });
      expect((err as Error).message).toContain('recipientIds[1] "199001011234"');
      expect((err as Error).message).toContain('recipientIds[2] "abc"');
      await expect(far.isReachable('5590026042x', [good])).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
      expect(server.requests).toHaveLength(0);
    } finally {
      far.close();
    }
  });

  it('turns an access-denied fault into a permanent FAR_FAULT with code, description and call id', async () => {
    respond = () => ({ status: 500, xml: faultXml(5002, 'Access denied for sender') });
    const far = client();
    try {
      const err = (await far.isReachable(SENDER, personnummer(1)).catch((e: unknown) => e)) as TransportFailure;
      expect(err).toBeInstanceOf(TransportFailure);
      expect(err).toMatchObject({ code: 'FAR_FAULT', kind: 'permanent', retryable: false });
      expect(err.details).toMatchObject({
        httpStatus: 500,
        faultCode: 5002,
        description: 'Access denied for sender',
        callId: 'b6a3f0c2-1d4e-4f7a-9c1b-2e5d8a7f6c30',
        endpoint: server.url,
      });
      expect(err.message).toMatch(/5002 ACCESS_DENIED.*Access denied for sender.*b6a3f0c2/);
    } finally {
      far.close();
    }
  });

  it('treats an unknown fault code as retryable unless overridden', async () => {
    respond = () => ({ status: 500, xml: faultXml(9123, 'Internal error') });
    const far = client();
    const strict = client({ faultKinds: { 9123: 'permanent' } });
    try {
      await expect(far.isReachable(SENDER, personnummer(1))).rejects.toMatchObject({ code: 'FAR_FAULT', kind: 'retryable' });
      await expect(strict.isReachable(SENDER, personnummer(1))).rejects.toMatchObject({ code: 'FAR_FAULT', kind: 'permanent' });
    } finally {
      far.close();
      strict.close();
    }
  });

  it('treats 503 without a fault as retryable HTTP_5XX and a 2xx non-SOAP answer as BAD_RESPONSE', async () => {
    const far = client();
    try {
      respond = () => ({ status: 503, xml: '<!DOCTYPE html><html><body>Service Unavailable</body></html>' });
      const err = (await far.isReachable(SENDER, personnummer(1)).catch((e: unknown) => e)) as TransportFailure;
      expect(err).toMatchObject({ code: 'HTTP_5XX', kind: 'retryable' });
      expect(err.details.httpStatus).toBe(503);
      expect(err.message).toContain('Service Unavailable');

      respond = () => ({ status: 404, xml: 'Not Found' });
      await expect(far.isReachable(SENDER, personnummer(1))).rejects.toMatchObject({ code: 'HTTP_4XX', kind: 'permanent' });
      respond = () => ({ status: 429, xml: 'slow down' });
      await expect(far.isReachable(SENDER, personnummer(1))).rejects.toMatchObject({ code: 'HTTP_4XX', kind: 'retryable' });

      respond = () => ({ status: 200, xml: '<html>login</html>' });
      await expect(far.isReachable(SENDER, personnummer(1))).rejects.toMatchObject({ code: 'BAD_RESPONSE', kind: 'retryable' });

      // An answer that leaves out one of the asked ids is not silently completed.
      respond = (ids) => ({ status: 200, xml: farAnswer(ids.slice(1), {}) });
      await expect(far.isReachable(SENDER, personnummer(2))).rejects.toThrow(/no answer for 1 of 2 recipient ids/);
    } finally {
      far.close();
    }
  });

  it('gives up after the timeout with a retryable TIMEOUT', async () => {
    respond = () => 'hang';
    const far = client({ timeoutMs: 300 });
    try {
      const started = Date.now();
      await expect(far.isReachable(SENDER, personnummer(1))).rejects.toMatchObject({ code: 'TIMEOUT', kind: 'retryable' });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      far.close();
    }
  });

  it('is refused by the server without a client certificate, and with one from another CA', async () => {
    const anonymous = new FarClient({ url: server.url, tls: { caPems: [pkis.trusted.caCertPem] } });
    const stranger = new FarClient({
      url: server.url,
      tls: { certPem: pkis.rogue.intermediary.certPem, key: pkis.rogue.intermediary.keyPem, caPems: [pkis.trusted.caCertPem] },
    });
    try {
      for (const far of [anonymous, stranger]) {
        const err = await far.isReachable(SENDER, personnummer(1)).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(TransportFailure);
        expect(err).toMatchObject({ code: 'TLS', kind: 'permanent' });
      }
      expect(server.requests).toHaveLength(0);
    } finally {
      anonymous.close();
      stranger.close();
    }
  });

  it('refuses a server whose certificate is not from the trusted CA', async () => {
    const rogueFar = pkis.rogue.servers.far;
    const rogue = await startServer({ keyPem: rogueFar.keyPem, certPem: rogueFar.certPem, caPem: pkis.trusted.caCertPem }, (_req, res) =>
      soapResponse(res, 200, farAnswer([], {})),
    );
    const far = new FarClient({
      url: rogue.url,
      tls: { certPem: pkis.trusted.intermediary.certPem, key: pkis.trusted.intermediary.keyPem, caPems: [pkis.trusted.caCertPem] },
    });
    try {
      const err = (await far.isReachable(SENDER, personnummer(1)).catch((e: unknown) => e)) as TransportFailure;
      expect(err).toBeInstanceOf(TransportFailure);
      expect(err).toMatchObject({ code: 'TLS', kind: 'permanent' });
      expect(err.message).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/i);
      expect(rogue.requests).toHaveLength(0);
    } finally {
      far.close();
      await rogue.close();
    }
  });

  it('reports a closed port as a retryable NETWORK failure', async () => {
    const far = new FarClient({
      url: 'https://127.0.0.1:1/Recipient/v3',
      tls: { certPem: pkis.trusted.intermediary.certPem, key: pkis.trusted.intermediary.keyPem, caPems: [pkis.trusted.caCertPem] },
    });
    try {
      await expect(far.isReachable(SENDER, personnummer(1))).rejects.toMatchObject({ code: 'NETWORK', kind: 'retryable' });
    } finally {
      far.close();
    }
  });

  it('returns nothing for no ids without calling FaR', async () => {
    const far = client();
    try {
      await expect(far.isReachable(SENDER, [])).resolves.toEqual([]);
      expect(server.requests).toHaveLength(0);
    } finally {
      far.close();
    }
  });
});
