import type { Element } from '@xmldom/xmldom';
import { MinaMeddelandenError, TransportFailure } from '../errors';
import { NS } from '../namespaces';
import { childElements, MalformedXmlError, parseXml } from '../xml/dom';
import { failureFromFault, failureFromHttpStatus, FaultKindOverrides, SoapService } from './failure-classification';

/** `applicationFault` detail of a Mina meddelanden SOAP fault ({Common/v3}). */
export interface ApplicationFault {
  errorCode?: number;
  description?: string;
  callId?: string;
}

/** A SOAP 1.1 Fault. */
export interface SoapFault {
  faultCode: string;
  faultString: string;
  faultActor?: string;
  applicationFault?: ApplicationFault;
}

/** A parsed SOAP 1.1 response: the Body, its first element (the payload) and the fault if it is one. */
export interface SoapResponse {
  body: Element;
  payload?: Element;
  fault?: SoapFault;
}

/** An answer that is not the SOAP 1.1 response expected (not XML, not an envelope, wrong payload). */
export class SoapResponseError extends MinaMeddelandenError {
  constructor(detail: string) {
    super(detail, 'BAD_RESPONSE');
  }
}

function notAnEnvelope(detail: string): SoapResponseError {
  return new SoapResponseError(`not a SOAP 1.1 envelope: ${detail}`);
}

/** Wraps a body (already serialised XML) in a SOAP 1.1 envelope, without an XML declaration or header. */
export function toSoapEnvelope(bodyXml: string): string {
  return `<soap:Envelope xmlns:soap="${NS.soap11}"><soap:Body>${bodyXml}</soap:Body></soap:Envelope>`;
}

/** Escapes text for element content. */
export function escapeXmlText(value: string): string {
  return value.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Parses a SOAP 1.1 response envelope, whatever prefixes it uses. Throws {@link SoapResponseError}. */
export function parseSoapEnvelope(xml: string): SoapResponse {
  let root: Element;
  try {
    root = parseXml(xml).documentElement as Element;
  } catch (e) {
    if (e instanceof MalformedXmlError) throw notAnEnvelope(e.message);
    throw e;
  }
  if (root.namespaceURI !== NS.soap11 || root.localName !== 'Envelope') {
    throw notAnEnvelope(`root element is {${root.namespaceURI ?? ''}}${root.localName}, expected a SOAP 1.1 Envelope`);
  }
  const bodies = childElements(root, NS.soap11, 'Body');
  if (bodies.length !== 1) throw notAnEnvelope(`the Envelope has ${bodies.length} Body elements`);
  const body = bodies[0];
  const payload = childElements(body)[0];
  const fault = payload && payload.namespaceURI === NS.soap11 && payload.localName === 'Fault' ? parseSoapFault(payload) : undefined;
  return { body, payload: fault ? undefined : payload, fault };
}

/**
 * Reads a SOAP 1.1 Fault. Its own children are unqualified in SOAP 1.1 but some stacks qualify them,
 * so they are matched by local name; the `applicationFault` is found anywhere in `detail`.
 */
export function parseSoapFault(fault: Element): SoapFault {
  const text = (name: string): string | undefined => {
    const el = localChild(fault, name);
    return el ? (el.textContent ?? '').trim() : undefined;
  };
  const result: SoapFault = { faultCode: text('faultcode') ?? '', faultString: text('faultstring') ?? '' };
  const actor = text('faultactor');
  if (actor) result.faultActor = actor;
  const detail = localChild(fault, 'detail');
  const app = detail ? detail.getElementsByTagNameNS(NS.commonV3, 'applicationFault')[0] : undefined;
  if (app) {
    const field = (name: string): string | undefined => {
      const el = localChild(app, name);
      return el ? (el.textContent ?? '').trim() : undefined;
    };
    const code = field('ErrorCode');
    const errorCode = code !== undefined && /^[+-]?\d+$/.test(code) ? Number(code) : undefined;
    result.applicationFault = { errorCode, description: field('Description'), callId: field('CallId') };
  }
  return result;
}

/**
 * The payload of a successful response envelope; a fault or an empty Body throws
 * {@link SoapResponseError}. For parsing stored answers; live calls use {@link soapPayloadOrThrow}.
 */
export function soapPayload(envelopeXml: string): Element {
  const { payload, fault } = parseSoapEnvelope(envelopeXml);
  if (fault) {
    const app = fault.applicationFault;
    throw new SoapResponseError(
      `the answer is a SOAP fault: ${fault.faultCode} ${app?.errorCode ?? ''} ${app?.description ?? fault.faultString}`.replace(/\s+/g, ' '),
    );
  }
  if (!payload) throw new SoapResponseError('the SOAP Body is empty');
  return payload;
}

/** First child element with this local name, in any namespace. */
export function localChild(el: Element, localName: string): Element | undefined {
  return childElements(el).find((c) => c.localName === localName);
}

/** All child elements with this local name, in any namespace. */
export function localChildren(el: Element, localName: string): Element[] {
  return childElements(el).filter((c) => c.localName === localName);
}

/** What a SOAP client needs to turn an HTTP answer into a payload or a classified failure. */
export interface SoapCallContext {
  endpoint: string;
  service: SoapService;
  faultKinds?: FaultKindOverrides;
}

/**
 * The payload element of a successful SOAP answer. Anything else becomes a {@link TransportFailure}:
 * a fault (any status) is classified by its code, a non-2xx answer without one by its status, and a
 * 2xx answer that is not a SOAP envelope with a payload is `BAD_RESPONSE`.
 */
export function soapPayloadOrThrow(status: number, body: string, ctx: SoapCallContext): Element {
  let parsed: SoapResponse | undefined;
  let parseError: string | undefined;
  try {
    parsed = parseSoapEnvelope(body);
  } catch (e) {
    if (!(e instanceof SoapResponseError)) throw e;
    parseError = e.message;
  }
  if (parsed?.fault) {
    const f = parsed.fault;
    throw failureFromFault(
      { faultCode: f.faultCode, faultString: f.faultString, ...f.applicationFault },
      status,
      ctx.endpoint,
      ctx.service,
      ctx.faultKinds,
    );
  }
  if (status < 200 || status >= 300) throw failureFromHttpStatus(status, ctx.endpoint, snippet(body));
  if (!parsed) throw badResponse(ctx, parseError ?? 'unparseable answer', status);
  if (!parsed.payload) throw badResponse(ctx, 'the SOAP Body is empty', status);
  return parsed.payload;
}

/** A `BAD_RESPONSE` failure: the answer arrived but cannot be understood, so the outcome is unknown. */
export function badResponse(ctx: SoapCallContext, detail: string, httpStatus?: number): TransportFailure {
  const who = ctx.service === 'FaR' ? 'FaR' : 'mailbox operator';
  return new TransportFailure(`unexpected answer from ${who} at ${ctx.endpoint}: ${detail}`, 'retryable', 'BAD_RESPONSE', {
    httpStatus,
    endpoint: ctx.endpoint,
  });
}

// Error pages (HTML from a proxy, plain text) help diagnosis; keep them short in messages.
function snippet(body: string): string {
  const s = body.replace(/\s+/g, ' ').trim();
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
