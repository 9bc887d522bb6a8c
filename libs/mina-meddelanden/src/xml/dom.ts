import { DOMParser, Document, Element } from '@xmldom/xmldom';
import { MinaMeddelandenError } from '../errors';

/** Thrown for input that is not well-formed XML, or that carries a DOCTYPE. */
export class MalformedXmlError extends MinaMeddelandenError {
  constructor(detail: string) {
    super(`not well-formed XML: ${detail}`, 'MALFORMED_XML');
  }
}

/**
 * Parses XML strictly: any parser error or warning is fatal, and a DOCTYPE is refused (no entity
 * expansion tricks in documents from other parties). With `positions: false` the nodes carry no
 * lineNumber/columnNumber, which makes parsing about a third cheaper; what is accepted and the error
 * messages are the same.
 */
export function parseXml(xml: string | Buffer, options: { positions?: boolean } = {}): Document {
  const text = Buffer.isBuffer(xml) ? xml.toString('utf8') : xml;
  if (/<!DOCTYPE/i.test(text)) throw new MalformedXmlError('a DOCTYPE is not accepted');
  let doc: Document;
  try {
    doc = new DOMParser({
      locator: options.positions ?? true,
      onError: (level, msg) => {
        throw new MalformedXmlError(`${level}: ${msg}`);
      },
    }).parseFromString(text, 'text/xml');
  } catch (e) {
    if (e instanceof MalformedXmlError) throw e;
    throw new MalformedXmlError((e as Error).message);
  }
  if (!doc.documentElement) throw new MalformedXmlError('no root element');
  return doc;
}

/** Element children of `el`, optionally only those with the given namespace and local name. */
export function childElements(el: Element, ns?: string, localName?: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    const e = n as Element;
    if (ns !== undefined && e.namespaceURI !== ns) continue;
    if (localName !== undefined && e.localName !== localName) continue;
    out.push(e);
  }
  return out;
}

/** The one child element with this name, or undefined; throws a clear error when there are several. */
export function child(el: Element, ns: string, localName: string): Element | undefined {
  const found = childElements(el, ns, localName);
  if (found.length > 1) throw new MalformedXmlError(`${el.localName} has ${found.length} ${localName} elements; one is allowed`);
  return found[0];
}

/** Text of the named child, or undefined. */
export function childText(el: Element, ns: string, localName: string): string | undefined {
  const c = child(el, ns, localName);
  return c ? (c.textContent ?? '') : undefined;
}

/** Whether an element has any non-whitespace text directly inside it (mixed content). */
export function hasOwnText(el: Element): boolean {
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if ((n.nodeType === 3 || n.nodeType === 4) && (n.nodeValue ?? '').trim() !== '') return true;
  }
  return false;
}
