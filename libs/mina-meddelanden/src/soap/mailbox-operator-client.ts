import type { Element } from '@xmldom/xmldom';
import { MinaMeddelandenError, TransportFailure } from '../errors';
import { NS } from '../namespaces';
import { childElements, MalformedXmlError, parseXml } from '../xml/dom';
import { FaultKindOverrides } from './failure-classification';
import { HttpsTransport, TlsClientOptions } from './https-transport';
import { badResponse, localChild, localChildren, soapPayload, soapPayloadOrThrow, SoapResponseError, toSoapEnvelope } from './soap-envelope';

/** Outcome for one recipient of a delivery. */
export interface DeliveryStatus {
  recipientId: string;
  delivered: boolean;
}

/** A mailbox operator's answer to deliverSecure. `delivered` is true only when every status is. */
export interface DeliveryResult {
  transId: string;
  statuses: DeliveryStatus[];
  delivered: boolean;
}

/** Options of {@link MailboxOperatorClient}. */
export interface MailboxOperatorClientOptions {
  tls: TlsClientOptions;
  /** Per request (connect + response). Default 30 000 ms. */
  timeoutMs?: number;
  /** Largest SOAP envelope sent, in bytes. Default 2 097 152 (the 2 MB limit of Mina meddelanden). */
  maxRequestBytes?: number;
  maxResponseBytes?: number;
  /** Fault codes whose retryable/permanent decision differs from the built-in table. */
  faultKinds?: FaultKindOverrides;
}

export const DEFAULT_MAX_REQUEST_BYTES = 2_097_152;

/** The sealed delivery given to {@link toDeliverSecureEnvelope} is not usable. */
export class SealedDeliveryFormatError extends MinaMeddelandenError {
  constructor(detail: string) {
    super(`cannot wrap the sealed delivery: ${detail}`, 'INVALID_SEALED_DELIVERY');
  }
}

/**
 * Client of a mailbox operator's Service v3 endpoint. One client serves every operator: the
 * endpoint comes per recipient from FaR, and connections are pooled per host.
 */
export class MailboxOperatorClient {
  private readonly transport: HttpsTransport;
  private readonly maxRequestBytes: number;

  constructor(private readonly options: MailboxOperatorClientOptions) {
    this.transport = new HttpsTransport({ tls: options.tls, timeoutMs: options.timeoutMs, maxResponseBytes: options.maxResponseBytes });
    this.maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  }

  /**
   * Sends a signed and sealed delivery (a standalone `SealedDelivery` document) to `serviceAddress`.
   * `Delivered=false` is returned, not thrown; failures throw a classified `TransportFailure`.
   */
  async deliverSecure(serviceAddress: string, sealedDeliveryXml: string): Promise<DeliveryResult> {
    const ctx = { endpoint: serviceAddress, service: 'operator' as const, faultKinds: this.options.faultKinds };
    let envelope: string;
    try {
      envelope = toDeliverSecureEnvelope(sealedDeliveryXml);
    } catch (e) {
      if (e instanceof SealedDeliveryFormatError) {
        throw new TransportFailure(e.message, 'permanent', 'INVALID_REQUEST', { endpoint: serviceAddress });
      }
      throw e;
    }
    const size = Buffer.byteLength(envelope, 'utf8');
    if (size > this.maxRequestBytes) {
      throw new TransportFailure(
        `deliverSecure envelope is ${size} bytes, more than the ${this.maxRequestBytes} allowed`,
        'permanent',
        'REQUEST_TOO_LARGE',
        { endpoint: serviceAddress },
      );
    }
    const res = await this.transport.post(serviceAddress, envelope);
    const payload = soapPayloadOrThrow(res.status, res.body, ctx);
    try {
      return parseDeliverSecurePayload(payload);
    } catch (e) {
      if (e instanceof SoapResponseError) throw badResponse(ctx, e.message, res.status);
      throw e;
    }
  }

  /** Closes the pooled connections. */
  close(): void {
    this.transport.close();
  }
}

/**
 * Wraps a standalone `<SealedDelivery xmlns="…/Message/v3">` document in the deliverSecure SOAP
 * envelope. The children of SealedDelivery are copied byte for byte (signatures cover their exact
 * form); only namespace declarations they inherited from the SealedDelivery element are added to
 * their start tags, so they keep their namespaces under the Service/v3 wrapper.
 */
export function toDeliverSecureEnvelope(sealedXml: string): string {
  return canonicalToDeliverSecureEnvelope(sealedXml) ?? toDeliverSecureEnvelopeChecked(sealedXml);
}

const SEALED_HEAD = `<SealedDelivery xmlns="${NS.messageV3}"><SignedDelivery>`;
const SEAL_BOUNDARY = '</SignedDelivery><Seal>';
const SEALED_TAIL = '</Signature></SealedDelivery>';

/**
 * The hub's own sealed deliveries (from the signer) have one exact shape: SignedDelivery and Seal
 * inherit the default namespace and the Signature declares its own. For that shape the wrap is two
 * insertions, without parsing 2 MB twice. The markup `</SignedDelivery><Seal>` cannot occur in
 * escaped text, and documents with CDATA, comments or processing instructions take the checked path.
 * Returns undefined when the document does not have that shape.
 */
function canonicalToDeliverSecureEnvelope(sealedXml: string): string | undefined {
  if (!sealedXml.startsWith(SEALED_HEAD) || !sealedXml.endsWith(SEALED_TAIL)) return undefined;
  const boundary = sealedXml.indexOf(SEAL_BOUNDARY);
  if (boundary < 0 || boundary !== sealedXml.lastIndexOf(SEAL_BOUNDARY)) return undefined;
  if (sealedXml.includes('<![CDATA[') || sealedXml.includes('<!--') || sealedXml.includes('<?')) return undefined;
  const v3 = ` xmlns="${NS.messageV3}"`;
  const content =
    `<SignedDelivery${v3}>` +
    sealedXml.slice(SEALED_HEAD.length, boundary) +
    `</SignedDelivery><Seal${v3}>` +
    sealedXml.slice(boundary + SEAL_BOUNDARY.length, sealedXml.length - '</SealedDelivery>'.length);
  return toSoapEnvelope(`<deliverSecure xmlns="${NS.serviceV3}"><deliverSecure>${content}</deliverSecure></deliverSecure>`);
}

/** {@link toDeliverSecureEnvelope} for any standalone SealedDelivery: parses, rewrites, and proves the result. */
export function toDeliverSecureEnvelopeChecked(sealedXml: string): string {
  const { standaloneChildren } = checkSealedDelivery(sealedXml);
  const scan = scanRoot(sealedXml);
  const inherited = namespaceDeclarations(scan.rootStartTag);

  let content = '';
  let from = scan.contentStart;
  for (const tag of scan.topLevelStartTags) {
    const own = new Set(namespaceDeclarations(sealedXml.slice(tag.start, tag.end)).map((d) => d.name));
    const added = inherited
      .filter((d) => !own.has(d.name))
      .map((d) => ` ${d.raw}`)
      .join('');
    content += sealedXml.slice(from, tag.nameEnd) + added;
    from = tag.nameEnd;
  }
  content += sealedXml.slice(from, scan.contentEnd);

  const envelope = toSoapEnvelope(`<deliverSecure xmlns="${NS.serviceV3}"><deliverSecure>${content}</deliverSecure></deliverSecure>`);

  // The rewrite is textual; prove it kept every top-level child in its namespace.
  let wrapped: Element[];
  try {
    const body = childElements(parseXml(envelope).documentElement as Element, NS.soap11, 'Body')[0];
    const outer = childElements(body, NS.serviceV3, 'deliverSecure')[0];
    wrapped = childElements(childElements(outer, NS.serviceV3, 'deliverSecure')[0]);
  } catch (e) {
    throw new SealedDeliveryFormatError(`the wrapped envelope is not well-formed: ${(e as Error).message}`);
  }
  const names = (els: Element[]): string => els.map((e) => `{${e.namespaceURI ?? ''}}${e.localName}`).join(' ');
  if (names(wrapped) !== names(standaloneChildren)) {
    throw new SealedDeliveryFormatError(`children changed namespace when wrapped: ${names(standaloneChildren)} became ${names(wrapped)}`);
  }
  return envelope;
}

function checkSealedDelivery(sealedXml: string): { standaloneChildren: Element[] } {
  let root: Element;
  try {
    root = parseXml(sealedXml).documentElement as Element;
  } catch (e) {
    if (e instanceof MalformedXmlError) throw new SealedDeliveryFormatError(e.message);
    throw e;
  }
  if (root.namespaceURI !== NS.messageV3 || root.localName !== 'SealedDelivery') {
    throw new SealedDeliveryFormatError(`root is {${root.namespaceURI ?? ''}}${root.localName}, expected {${NS.messageV3}}SealedDelivery`);
  }
  const children = childElements(root);
  if (children.length === 0) throw new SealedDeliveryFormatError('SealedDelivery has no children');
  const first = children[0];
  if (first.namespaceURI !== NS.messageV3 || first.localName !== 'SignedDelivery') {
    throw new SealedDeliveryFormatError(`the first child is ${first.localName}, expected SignedDelivery`);
  }
  return { standaloneChildren: children };
}

interface StartTag {
  start: number;
  /** Index just past the element name, where declarations can be inserted. */
  nameEnd: number;
  /** Index just past `>`. */
  end: number;
}

interface RootScan {
  rootStartTag: string;
  contentStart: number;
  contentEnd: number;
  topLevelStartTags: StartTag[];
}

/**
 * Finds the root's start tag, the extent of its content and the start tags of its element children,
 * by position in the original text. Runs only on documents that parseXml accepted, so it need not
 * diagnose malformed markup.
 */
function scanRoot(xml: string): RootScan {
  let i = 0;
  let root: StartTag | undefined;
  while (!root) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) throw new SealedDeliveryFormatError('no root element');
    if (xml.startsWith('<?', lt)) i = after(xml, '?>', lt);
    else if (xml.startsWith('<!--', lt)) i = after(xml, '-->', lt);
    else root = startTag(xml, lt);
  }
  if (xml[root.end - 2] === '/') throw new SealedDeliveryFormatError('SealedDelivery is empty');

  const topLevel: StartTag[] = [];
  let depth = 0;
  i = root.end;
  for (;;) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) throw new SealedDeliveryFormatError('SealedDelivery is not closed');
    if (xml.startsWith('<!--', lt)) i = after(xml, '-->', lt);
    else if (xml.startsWith('<![CDATA[', lt)) i = after(xml, ']]>', lt);
    else if (xml.startsWith('<?', lt)) i = after(xml, '?>', lt);
    else if (xml.startsWith('</', lt)) {
      if (depth === 0) {
        return { rootStartTag: xml.slice(root.start, root.end), contentStart: root.end, contentEnd: lt, topLevelStartTags: topLevel };
      }
      depth--;
      i = after(xml, '>', lt);
    } else {
      const tag = startTag(xml, lt);
      if (depth === 0) topLevel.push(tag);
      if (xml[tag.end - 2] !== '/') depth++;
      i = tag.end;
    }
  }
}

function after(xml: string, token: string, from: number): number {
  const at = xml.indexOf(token, from);
  if (at < 0) throw new SealedDeliveryFormatError(`unterminated markup at offset ${from}`);
  return at + token.length;
}

function startTag(xml: string, lt: number): StartTag {
  let nameEnd = lt + 1;
  while (nameEnd < xml.length && !/[\s/>]/.test(xml[nameEnd])) nameEnd++;
  let quote: string | undefined;
  for (let j = nameEnd; j < xml.length; j++) {
    const c = xml[j];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return { start: lt, nameEnd, end: j + 1 };
  }
  throw new SealedDeliveryFormatError(`unterminated start tag at offset ${lt}`);
}

/** Namespace declarations (`xmlns` and `xmlns:p`) in a start tag, with their original text. */
function namespaceDeclarations(tag: string): { name: string; raw: string }[] {
  const out: { name: string; raw: string }[] = [];
  let j = 1;
  while (j < tag.length && !/[\s/>]/.test(tag[j])) j++;
  for (;;) {
    while (/\s/.test(tag[j] ?? '')) j++;
    if (j >= tag.length || tag[j] === '>' || tag[j] === '/') return out;
    const nameStart = j;
    while (j < tag.length && !/[\s=]/.test(tag[j])) j++;
    const name = tag.slice(nameStart, j);
    while (/[\s=]/.test(tag[j] ?? '')) j++;
    const quote = tag[j];
    const close = tag.indexOf(quote, j + 1);
    if ((quote !== '"' && quote !== "'") || close < 0) throw new SealedDeliveryFormatError(`cannot read attribute ${name}`);
    j = close + 1;
    if (name === 'xmlns' || name.startsWith('xmlns:')) out.push({ name, raw: tag.slice(nameStart, j) });
  }
}

/** Parses a whole `deliverSecureResponse` envelope (e.g. a stored sample). Throws `SoapResponseError`. */
export function parseDeliverSecureResponse(envelopeXml: string): DeliveryResult {
  return parseDeliverSecurePayload(soapPayload(envelopeXml));
}

/** Parses the `deliverSecureResponse` payload element (any prefixes). */
export function parseDeliverSecurePayload(payload: Element): DeliveryResult {
  if (payload.localName !== 'deliverSecureResponse') {
    throw new SoapResponseError(`expected deliverSecureResponse, got ${payload.localName}`);
  }
  const ret = localChild(payload, 'return');
  if (!ret) throw new SoapResponseError('deliverSecureResponse has no return');
  const transId = localChild(ret, 'TransId')?.textContent?.trim();
  if (!transId) throw new SoapResponseError('return has no TransId');
  const statuses = localChildren(ret, 'Status').map((s, i) => {
    const recipientId = localChild(s, 'RecipientId')?.textContent?.trim();
    const delivered = localChild(s, 'Delivered')?.textContent?.trim();
    if (!recipientId) throw new SoapResponseError(`Status[${i}] has no RecipientId`);
    if (delivered !== 'true' && delivered !== 'false' && delivered !== '1' && delivered !== '0') {
      throw new SoapResponseError(`Status[${i}]/Delivered is "${delivered ?? ''}", not an xs:boolean`);
    }
    return { recipientId, delivered: delivered === 'true' || delivered === '1' };
  });
  if (statuses.length === 0) throw new SoapResponseError('return has no Status');
  return { transId, statuses, delivered: statuses.every((s) => s.delivered) };
}
