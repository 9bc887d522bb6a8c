import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TransportFailure } from '../errors';
import { NS } from '../namespaces';
import { SigningCredential } from '../signing/credential';
import { sealDelivery, signDelivery } from '../signing/delivery-signer';
import { verifyDelivery } from '../verify/delivery-verifier';
import { TrustStore } from '../verify/trust-store';
import { MailboxOperatorClient, parseDeliverSecureResponse, toDeliverSecureEnvelope, toDeliverSecureEnvelopeChecked } from './mailbox-operator-client';
import { faultXml, makePkis, Pkis, soapResponse, startServer, TestServer } from './soap-test-server.spec-helper';

const fx = (p: string): string => fs.readFileSync(path.join(__dirname, '../../test-fixtures', p), 'utf8');
const SEALED_SAMPLE = fx('signed-v3/SealedDeliveryWithSignature.xml');

function deliveredXml(statuses: [string, boolean][], transId = '3832352f-fa74-4c17-ab6a-a6e3ab8324f3'): string {
  return (
    `<soap:Envelope xmlns:soap="${NS.soap11}"><soap:Body><ns8:deliverSecureResponse xmlns:ns8="${NS.serviceV3}" xmlns:ns10="${NS.service}">` +
    `<ns8:return><ns10:TransId>${transId}</ns10:TransId>` +
    statuses.map(([id, ok]) => `<ns10:Status><ns10:RecipientId>${id}</ns10:RecipientId><ns10:Delivered>${ok}</ns10:Delivered></ns10:Status>`).join('') +
    `</ns8:return></ns8:deliverSecureResponse></soap:Body></soap:Envelope>`
  );
}

describe('toDeliverSecureEnvelope', () => {
  it('writes the same envelope on the fast path (canonical shape) as on the checked path', () => {
    expect(toDeliverSecureEnvelope(SEALED_SAMPLE)).toBe(toDeliverSecureEnvelopeChecked(SEALED_SAMPLE));
    const withComment = SEALED_SAMPLE.replace('<Seal>', '<!-- x --><Seal>');
    expect(toDeliverSecureEnvelope(withComment)).toBe(toDeliverSecureEnvelopeChecked(withComment));
  });

  it('copies the children byte for byte, adding only the inherited namespace to SignedDelivery and Seal', () => {
    const envelope = toDeliverSecureEnvelope(SEALED_SAMPLE);
    const open = `<SealedDelivery xmlns="${NS.messageV3}">`;
    expect(SEALED_SAMPLE.startsWith(open)).toBe(true);
    const children = SEALED_SAMPLE.slice(open.length, SEALED_SAMPLE.lastIndexOf('</SealedDelivery>'));
    const expectedChildren = children
      .replace(/^<SignedDelivery>/, `<SignedDelivery xmlns="${NS.messageV3}">`)
      .replace(/<\/SignedDelivery><Seal>/, `</SignedDelivery><Seal xmlns="${NS.messageV3}">`);
    expect(expectedChildren).not.toBe(children);
    expect(envelope).toBe(
      `<soap:Envelope xmlns:soap="${NS.soap11}"><soap:Body><deliverSecure xmlns="${NS.serviceV3}"><deliverSecure>` +
        expectedChildren +
        `</deliverSecure></deliverSecure></soap:Body></soap:Envelope>`,
    );
  });

  it('produces a wire envelope whose both signature layers still verify', () => {
    const pinned = new TrustStore({
      certificates: [new X509Certificate(Buffer.from(/X509Certificate>([^<]+)</.exec(SEALED_SAMPLE)![1], 'base64')).toString()],
    });
    const v = verifyDelivery(toDeliverSecureEnvelope(SEALED_SAMPLE), {
      senderTrust: pinned,
      sealTrust: pinned,
      at: new Date('2020-05-28T12:00:00Z'),
    });
    expect(v.seal?.signaturesOk).toBe(true);
    expect(v.delivery.recipient).toBe('198101052382');
  });

  it('keeps prefixed declarations, comments, whitespace and an XML declaration intact', () => {
    const sealed =
      `<?xml version="1.0" encoding="UTF-8"?>\n<!-- made by hand -->\n<m:SealedDelivery xmlns:m="${NS.messageV3}" xmlns:ds='${NS.dsig}'>\n` +
      `  <m:SignedDelivery a="x > y" ><m:Delivery/><ds:Signature><![CDATA[</m:SealedDelivery>]]></ds:Signature></m:SignedDelivery>\n` +
      `  <!-- <m:Seal> --><m:Seal xmlns:m="${NS.messageV3}"/>\n</m:SealedDelivery>\n`;
    const envelope = toDeliverSecureEnvelope(sealed);
    expect(envelope).toContain(
      `<deliverSecure>\n  <m:SignedDelivery xmlns:m="${NS.messageV3}" xmlns:ds='${NS.dsig}' a="x > y" ><m:Delivery/>` +
        `<ds:Signature><![CDATA[</m:SealedDelivery>]]></ds:Signature></m:SignedDelivery>\n  <!-- <m:Seal> -->` +
        `<m:Seal xmlns:ds='${NS.dsig}' xmlns:m="${NS.messageV3}"/>\n</deliverSecure>`,
    );
  });

  it('refuses what is not a standalone SealedDelivery', () => {
    expect(() => toDeliverSecureEnvelope('<SealedDelivery xmlns="x"><a/></SealedDelivery>')).toThrow(/expected \{.*Message\/v3\}SealedDelivery/);
    expect(() => toDeliverSecureEnvelope(`<SealedDelivery xmlns="${NS.messageV3}"><Seal/></SealedDelivery>`)).toThrow(/expected SignedDelivery/);
    expect(() => toDeliverSecureEnvelope(`<SealedDelivery xmlns="${NS.messageV3}"><SignedDelivery>`)).toThrow(/not well-formed/);
    expect(() => toDeliverSecureEnvelope(`<SealedDelivery xmlns="${NS.messageV3}"/>`)).toThrow(/no children/);
  });
});

describe('parseDeliverSecureResponse', () => {
  it('reads the Kivra samples', () => {
    expect(parseDeliverSecureResponse(fx('soap/deliverSecure-kivra.xml'))).toEqual({
      transId: '3832352f-fa74-4c17-ab6a-a6e3ab8324f3',
      statuses: [{ recipientId: '192301010168', delivered: true }],
      delivered: true,
    });
    expect(parseDeliverSecureResponse(fx('soap/deliverSecureResponse.xml')).statuses[0].recipientId).toBe('190101010159');
  });

  it('is not delivered unless every status is', () => {
    const r = parseDeliverSecureResponse(deliveredXml([['198101052382', true], ['198101032384', false]]));
    expect(r.delivered).toBe(false);
    expect(() => parseDeliverSecureResponse(deliveredXml([]))).toThrow(/no Status/);
  });
});

describe('MailboxOperatorClient against a mutual-TLS operator', () => {
  let pkis: Pkis;
  let server: TestServer;
  let respond: (body: string) => { status: number; xml: string };
  let sender: SigningCredential;
  let intermediary: SigningCredential;
  let verifyOptions: Parameters<typeof verifyDelivery>[1];

  const client = (extra: Partial<ConstructorParameters<typeof MailboxOperatorClient>[0]> = {}): MailboxOperatorClient =>
    new MailboxOperatorClient({
      tls: { certPem: pkis.trusted.intermediary.certPem, key: intermediary.privateKey, caPems: [pkis.trusted.caCertPem] },
      ...extra,
    });
  const sealed = (): string =>
    sealDelivery(
      signDelivery(
        {
          sender: { id: '162120001124', name: 'Malmö stad' },
          recipient: '198101032384',
          messages: [
            {
              id: 'msg-1',
              subject: 'Beslut',
              supportInfo: { text: 'Ring oss' },
              body: { contentType: 'text/plain', text: 'Hej!' },
            },
          ],
        },
        sender,
      ),
      intermediary,
    );

  beforeAll(async () => {
    pkis = await makePkis();
    const m = pkis.trusted.municipalities['2120001124'];
    sender = SigningCredential.fromPem(m.keyPem, m.certPem);
    intermediary = SigningCredential.fromPem(pkis.trusted.intermediary.keyPem, pkis.trusted.intermediary.certPem);
    verifyOptions = {
      senderTrust: new TrustStore({ cas: [pkis.trusted.caCertPem] }),
      sealTrust: new TrustStore({ certificates: [pkis.trusted.intermediary.certPem] }),
    };
    const op = pkis.trusted.servers['operator-kivra'];
    server = await startServer({ keyPem: op.keyPem, certPem: op.certPem, caPem: pkis.trusted.caCertPem }, (req, res) => {
      const { status, xml } = respond(req.body);
      soapResponse(res, status, xml);
    });
  });
  afterAll(async () => {
    await server.close();
    pkis.cleanup();
  });
  beforeEach(() => {
    server.requests.length = 0;
    // Like a real operator: verify both layers of what arrived on the wire, then answer.
    respond = (body) => {
      const v = verifyDelivery(body, verifyOptions);
      return { status: 200, xml: deliveredXml([[v.delivery.recipient, true]]) };
    };
  });

  it('delivers a signed and sealed delivery that the operator verifies from the wire bytes', async () => {
    const operator = client();
    const xml = sealed();
    try {
      const result = await operator.deliverSecure(server.url.replace('/Recipient/v3', '/service/v3'), xml);
      expect(result).toEqual({
        transId: '3832352f-fa74-4c17-ab6a-a6e3ab8324f3',
        statuses: [{ recipientId: '198101032384', delivered: true }],
        delivered: true,
      });
      const [req] = server.requests;
      expect(req.url).toBe('/service/v3');
      expect(req.body).toBe(toDeliverSecureEnvelope(xml));
      expect(req.headers['content-type']).toBe('text/xml; charset=utf-8');
      expect(req.headers.soapaction).toBe('""');
      expect(req.peerCert.subject.serialNumber).toBe('165590026042');
    } finally {
      operator.close();
    }
  });

  it('returns Delivered=false as a result, not an exception', async () => {
    respond = () => ({ status: 200, xml: deliveredXml([['198101032384', false]]) });
    const operator = client();
    try {
      await expect(operator.deliverSecure(server.url, sealed())).resolves.toMatchObject({
        delivered: false,
        statuses: [{ recipientId: '198101032384', delivered: false }],
      });
    } finally {
      operator.close();
    }
  });

  it('classifies operator faults: signature error permanent, unknown code retryable', async () => {
    const operator = client();
    try {
      respond = () => ({ status: 500, xml: faultXml(5012, 'Signature could not be verified') });
      const err = (await operator.deliverSecure(server.url, sealed()).catch((e: unknown) => e)) as TransportFailure;
      expect(err).toBeInstanceOf(TransportFailure);
      expect(err).toMatchObject({ code: 'OPERATOR_FAULT', kind: 'permanent' });
      expect(err.details).toMatchObject({ faultCode: 5012, callId: 'b6a3f0c2-1d4e-4f7a-9c1b-2e5d8a7f6c30', endpoint: server.url });
      expect(err.message).toMatch(/mailbox operator fault .*5012 SIGNATURE_ERROR.*Signature could not be verified/);

      respond = () => ({ status: 500, xml: faultXml(7777, 'Temporarily unavailable') });
      await expect(operator.deliverSecure(server.url, sealed())).rejects.toMatchObject({ code: 'OPERATOR_FAULT', kind: 'retryable' });

      // A fault without application detail: soap:Client is our fault (permanent), soap:Server is not.
      respond = () => ({
        status: 500,
        xml: `<S:Envelope xmlns:S="${NS.soap11}"><S:Body><S:Fault><faultcode>S:Client</faultcode><faultstring>Unmarshalling Error</faultstring></S:Fault></S:Body></S:Envelope>`,
      });
      await expect(operator.deliverSecure(server.url, sealed())).rejects.toMatchObject({ code: 'OPERATOR_FAULT', kind: 'permanent' });
      respond = () => ({
        status: 500,
        xml: `<S:Envelope xmlns:S="${NS.soap11}"><S:Body><S:Fault><faultcode>S:Server</faultcode><faultstring>NPE</faultstring></S:Fault></S:Body></S:Envelope>`,
      });
      await expect(operator.deliverSecure(server.url, sealed())).rejects.toMatchObject({ code: 'OPERATOR_FAULT', kind: 'retryable' });
    } finally {
      operator.close();
    }
  });

  it('refuses plain HTTP endpoints, oversized envelopes and malformed input before sending', async () => {
    const operator = client();
    const small = client({ maxRequestBytes: 1000 });
    try {
      await expect(operator.deliverSecure('http://localhost:9090/deliversecure', sealed())).rejects.toMatchObject({
        code: 'BAD_ENDPOINT',
        kind: 'permanent',
      });
      await expect(small.deliverSecure(server.url, sealed())).rejects.toMatchObject({ code: 'REQUEST_TOO_LARGE', kind: 'permanent' });
      await expect(operator.deliverSecure(server.url, '<SealedDelivery')).rejects.toMatchObject({ code: 'INVALID_REQUEST', kind: 'permanent' });
      expect(server.requests).toHaveLength(0);
    } finally {
      operator.close();
      small.close();
    }
  });

  it('refuses an operator whose certificate is not from the trusted CA', async () => {
    const rogueOp = pkis.rogue.servers['operator-kivra'];
    const rogue = await startServer({ keyPem: rogueOp.keyPem, certPem: rogueOp.certPem, caPem: pkis.trusted.caCertPem }, (_req, res) =>
      soapResponse(res, 200, deliveredXml([['198101032384', true]])),
    );
    const operator = client();
    try {
      await expect(operator.deliverSecure(rogue.url, sealed())).rejects.toMatchObject({ code: 'TLS', kind: 'permanent' });
      expect(rogue.requests).toHaveLength(0);
    } finally {
      operator.close();
      await rogue.close();
    }
  });
});
