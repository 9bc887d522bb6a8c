import type { Element, Node } from '@xmldom/xmldom';
import { SignatureVerificationError } from '../errors';
import { escapeAttr, escapeText } from '../xml/canonical-xml';

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/**
 * Rebuilds an element as mailbox operators do before verifying: renamed (optionally), every prefix
 * removed, each element declaring its namespace as the default where it changes. The output is the
 * element's exclusive-c14n form in that prefix-free shape. Comments and processing instructions are
 * refused: nothing may hide inside signed content.
 */
export function rebuildPrefixFree(el: Element, rootName?: { localName: string; namespace: string }): string {
  const out: string[] = [];
  write(el, undefined, out, rootName);
  return out.join('');
}

function write(el: Element, parentNs: string | undefined, out: string[], rename?: { localName: string; namespace: string }): void {
  const name = rename?.localName ?? el.localName!;
  const ns = rename?.namespace ?? el.namespaceURI ?? '';
  let open = `<${name}`;
  if (ns !== parentNs && !(parentNs === undefined && ns === '')) open += ` xmlns="${escapeAttr(ns)}"`;
  const attrs: [string, string][] = [];
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i)!;
    if (a.namespaceURI === XMLNS_NS || a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
    if (a.namespaceURI) {
      throw new SignatureVerificationError('document', 'namespaced-attribute', `attribute ${a.name} on ${name} cannot be made prefix-free`);
    }
    attrs.push([a.localName ?? a.name, a.value]);
  }
  attrs.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  for (const [k, v] of attrs) open += ` ${k}="${escapeAttr(v)}"`;
  out.push(open, '>');
  for (let child: Node | null = el.firstChild; child; child = child.nextSibling) {
    switch (child.nodeType) {
      case 1:
        write(child as Element, ns, out);
        break;
      case 3:
      case 4:
        out.push(escapeText(child.nodeValue ?? ''));
        break;
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
  out.push(`</${name}>`);
}
