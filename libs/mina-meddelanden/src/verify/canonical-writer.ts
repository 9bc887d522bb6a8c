import type { Element, Node } from '@xmldom/xmldom';
import { SignatureVerificationError } from '../errors';
import { escapeAttr, escapeText } from '../xml/canonical-xml';

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/**
 * Characters that a parse of the written bytes would not read back as they are: those xmldom turns
 * into a newline (0.9: CR, NEL, LS, PS; the 0.8 inside xml-crypto: CR, NEL, LS), and U+FFFD, which
 * makes the strict parser of the reference path refuse the document ("source encoding issues?").
 * CR is escaped as `&#xD;` and survives; a document holding any of the others (only possible through
 * a character reference: the first parse has already replaced or refused them as they are) is left
 * to the reference path.
 */
const REREAD_CHANGES = /[\u0085\u2028\u2029\uFFFD]/;
const TEXT_SPECIAL = /[&<>\r\u0085\u2028\u2029\uFFFD]/;
/** Names every xmldom version reads alike. Anything else is left to the reference path. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** A namespace that xml-crypto writes unescaped exactly as it is escaped here. */
const PLAIN_NAMESPACE = /^[^&<"\t\n\r\u0085\u2028\u2029\uFFFD]+$/;

/**
 * Writes elements in the prefix-free form mailbox operators verify (the same bytes, and the same
 * refusals in the same order, as `rebuildPrefixFree`), as pieces in `out`, so that one layer's content
 * can be written once and hashed as part of both layers.
 *
 * It also notes, in `unusual`, anything for which writing these bytes directly might not give exactly
 * what the reference path (parse the bytes again, xml-crypto's canonicalisation) would digest: an
 * element without namespace, a namespace or name outside the plain forms, an attribute whose name
 * starts with "xmlns", a character a parser would read differently. Deliveries as signers write them
 * hold none of these; a document with one is verified on the reference path instead.
 */
export class CanonicalWriter {
  readonly out: string[] = [];
  unusual: string | undefined;

  private note(what: string): void {
    this.unusual ??= what;
  }

  /** The start tag; `parentNs` undefined for a standalone root. */
  startTag(el: Element, parentNs: string | undefined, rename?: { localName: string; namespace: string }): { tag: string; name: string; ns: string } {
    const name = rename?.localName ?? el.localName!;
    const ns = rename?.namespace ?? el.namespaceURI ?? '';
    if (!PLAIN_NAME.test(name)) this.note(`element name ${name}`);
    if (ns === '') this.note(`element ${name} without namespace`);
    let tag = `<${name}`;
    if (ns !== parentNs && !(parentNs === undefined && ns === '')) {
      if (!PLAIN_NAMESPACE.test(ns)) this.note(`namespace of ${name}`);
      tag += ` xmlns="${escapeAttr(ns)}"`;
    }
    const attrs = el.attributes;
    if (attrs.length > 0) {
      const kept: [string, string][] = [];
      for (let i = 0; i < attrs.length; i++) {
        const a = attrs.item(i)!;
        if (a.namespaceURI === XMLNS_NS || a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
        if (a.namespaceURI) {
          throw new SignatureVerificationError('document', 'namespaced-attribute', `attribute ${a.name} on ${name} cannot be made prefix-free`);
        }
        const local = a.localName ?? a.name;
        if (!PLAIN_NAME.test(local) || local.startsWith('xmlns')) this.note(`attribute ${local} on ${name}`);
        if (REREAD_CHANGES.test(a.value)) this.note(`attribute ${local} on ${name} holds a character a parser would change`);
        kept.push([local, a.value]);
      }
      kept.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
      for (const [k, v] of kept) tag += ` ${k}="${escapeAttr(v)}"`;
    }
    return { tag: `${tag}>`, name, ns };
  }

  /** A whole element. */
  element(el: Element, parentNs: string | undefined, rename?: { localName: string; namespace: string }): void {
    const { tag, name, ns } = this.startTag(el, parentNs, rename);
    this.out.push(tag);
    this.content(el, name, ns);
    this.out.push(`</${name}>`);
  }

  /**
   * The children of `el` (written as `name` in namespace `ns`). `each`, when given, may write a child
   * element itself (returning true), e.g. to reuse pieces written before or to note where it lies.
   */
  content(el: Element, name: string, ns: string, each?: (child: Element) => boolean): void {
    for (let child: Node | null = el.firstChild; child; child = child.nextSibling) {
      switch (child.nodeType) {
        case 1:
          if (!each?.(child as Element)) this.element(child as Element, ns);
          break;
        case 3:
        case 4: {
          const value = child.nodeValue ?? '';
          if (TEXT_SPECIAL.test(value)) {
            if (REREAD_CHANGES.test(value)) this.note(`text inside ${name} holds a character a parser would change`);
            this.out.push(escapeText(value));
          } else {
            this.out.push(value);
          }
          break;
        }
        case 7:
        case 8:
          throw new SignatureVerificationError(
            'document',
            child.nodeType === 8 ? 'comment' : 'processing-instruction',
            `a ${child.nodeType === 8 ? 'comment' : 'processing instruction'} inside ${name} is not accepted in a delivery`,
          );
        default:
          throw new SignatureVerificationError('document', 'unexpected-node', `unexpected node type ${child.nodeType} inside ${name}`);
      }
    }
  }
}
