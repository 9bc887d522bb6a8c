import * as fs from 'node:fs';
import * as path from 'node:path';
import { TransportFailure } from '../errors';
import { NS } from '../namespaces';
import { parseSoapEnvelope, soapPayload, soapPayloadOrThrow, SoapResponseError, toSoapEnvelope } from './soap-envelope';

const fixture = (name: string): string => fs.readFileSync(path.join(__dirname, '../../test-fixtures/soap', name), 'utf8');
const ctx = { endpoint: 'https://far.example/Recipient/v3', service: 'FaR' as const };

const fault = (prefixes: { env: string; cmn: string }, detail = true): string =>
  `<${prefixes.env}:Envelope xmlns:${prefixes.env}="${NS.soap11}"><${prefixes.env}:Body><${prefixes.env}:Fault>` +
  `<faultcode>${prefixes.env}:Server</faultcode><faultstring>Mottagaren finns inte</faultstring><faultactor>FaR</faultactor>` +
  (detail
    ? `<detail><${prefixes.cmn}:applicationFault xmlns:${prefixes.cmn}="${NS.commonV3}"><${prefixes.cmn}:ErrorCode> 6007 </${prefixes.cmn}:ErrorCode>` +
      `<${prefixes.cmn}:Description>Identity does not exist</${prefixes.cmn}:Description>` +
      `<${prefixes.cmn}:CallId>1f0c9e2a-77aa-4a0e-9d6c-3b1e5f2a9c10</${prefixes.cmn}:CallId></${prefixes.cmn}:applicationFault></detail>`
    : '') +
  `</${prefixes.env}:Fault></${prefixes.env}:Body></${prefixes.env}:Envelope>`;

describe('SOAP 1.1 envelopes', () => {
  it('wraps a body', () => {
    expect(toSoapEnvelope('<a xmlns="urn:x"/>')).toBe(
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><a xmlns="urn:x"/></soap:Body></soap:Envelope>',
    );
  });

  it('finds the payload whatever the prefixes, ignoring a Header', () => {
    for (const name of ['isReachableResponse-multi.xml', 'skatteverket-kivra-recipient.xml']) {
      const parsed = parseSoapEnvelope(fixture(name));
      expect(parsed.fault).toBeUndefined();
      expect(parsed.payload?.localName).toBe('isReachableResponse');
      expect(parsed.payload?.namespaceURI).toBe(NS.recipientV3);
    }
    const withDecl = parseSoapEnvelope(fixture('skatteverket-faulty-recipient.xml'));
    expect(withDecl.payload?.localName).toBe('isRegisteredResponse');
  });

  it.each([
    { env: 'soap', cmn: 'cmn3' },
    { env: 'S', cmn: 'ns11' },
    { env: 'SOAP-ENV', cmn: 'a' },
  ])('reads a fault with applicationFault detail (prefixes %o)', (prefixes) => {
    const parsed = parseSoapEnvelope(fault(prefixes));
    expect(parsed.payload).toBeUndefined();
    expect(parsed.fault).toEqual({
      faultCode: `${prefixes.env}:Server`,
      faultString: 'Mottagaren finns inte',
      faultActor: 'FaR',
      applicationFault: { errorCode: 6007, description: 'Identity does not exist', callId: '1f0c9e2a-77aa-4a0e-9d6c-3b1e5f2a9c10' },
    });
  });

  it('reads a fault without detail', () => {
    expect(parseSoapEnvelope(fault({ env: 'S', cmn: 'x' }, false)).fault).toEqual({
      faultCode: 'S:Server',
      faultString: 'Mottagaren finns inte',
      faultActor: 'FaR',
    });
  });

  it('makes malformed input a clear error', () => {
    expect(() => parseSoapEnvelope('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>')).toThrow(
      SoapResponseError,
    );
    expect(() => parseSoapEnvelope('')).toThrow(/not a SOAP 1.1 envelope/);
    expect(() => parseSoapEnvelope('<html><body>Bad gateway</body></html>')).toThrow(/root element is \{\}html/);
    expect(() => parseSoapEnvelope(`<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>`)).toThrow(
      /expected a SOAP 1.1 Envelope/,
    );
    expect(() => parseSoapEnvelope(`<!DOCTYPE x [<!ENTITY a "b">]><x/>`)).toThrow(/DOCTYPE/);
    expect(() => soapPayload(`<s:Envelope xmlns:s="${NS.soap11}"><s:Body/></s:Envelope>`)).toThrow(/Body is empty/);
    expect(() => soapPayload(fault({ env: 's', cmn: 'c' }))).toThrow(/SOAP fault.*6007 Identity does not exist/);
  });
});

describe('soapPayloadOrThrow', () => {
  it('returns the payload of a 200 answer', () => {
    expect(soapPayloadOrThrow(200, fixture('deliverSecure-kivra.xml'), ctx).localName).toBe('deliverSecureResponse');
  });

  it('classifies a fault whatever the status', () => {
    for (const status of [500, 200, 400]) {
      let thrown: unknown;
      try {
        soapPayloadOrThrow(status, fault({ env: 'soap', cmn: 'c' }), ctx);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(TransportFailure);
      expect(thrown).toMatchObject({ code: 'FAR_FAULT', kind: 'permanent', details: { faultCode: 6007, httpStatus: status } });
    }
  });

  it('classifies answers without a fault by status', () => {
    const failure = (status: number, body: string): TransportFailure => {
      try {
        soapPayloadOrThrow(status, body, ctx);
      } catch (e) {
        return e as TransportFailure;
      }
      throw new Error('expected a failure');
    };
    expect(failure(502, '<html>Bad gateway</html>')).toMatchObject({ code: 'HTTP_5XX', kind: 'retryable' });
    expect(failure(503, '')).toMatchObject({ code: 'HTTP_5XX', kind: 'retryable' });
    expect(failure(408, '')).toMatchObject({ code: 'HTTP_4XX', kind: 'retryable' });
    expect(failure(403, 'Forbidden')).toMatchObject({ code: 'HTTP_4XX', kind: 'permanent' });
    expect(failure(301, '')).toMatchObject({ code: 'HTTP_STATUS', kind: 'permanent' });
    expect(failure(200, 'OK')).toMatchObject({ code: 'BAD_RESPONSE', kind: 'retryable' });
    expect(failure(200, `<s:Envelope xmlns:s="${NS.soap11}"><s:Body/></s:Envelope>`)).toMatchObject({ code: 'BAD_RESPONSE' });
    expect(failure(502, 'x'.repeat(1000)).message.length).toBeLessThan(400);
  });
});
