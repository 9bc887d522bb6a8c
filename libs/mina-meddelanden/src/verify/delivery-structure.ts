import type { Element } from '@xmldom/xmldom';
import { SignatureVerificationError } from '../errors';
import { NS } from '../namespaces';
import { childElements, hasOwnText, MalformedXmlError, parseXml } from '../xml/dom';

/**
 * A delivery parsed once and checked for shape, before any signature is looked at: the element to
 * verify and its layers, as elements of the one parsed document (prefixes as on the wire).
 */
export interface DeliveryStructure {
  kind: 'sealed' | 'signed';
  /** The SealedDelivery (or the inner deliverSecure standing for it), or the standalone SignedDelivery. */
  element: Element;
  signedEl: Element;
  /** The Delivery inside SignedDelivery. */
  deliveryEl: Element;
  /** The sender's Signature, last child of SignedDelivery. */
  senderSigEl: Element;
  sealEl?: Element;
  /** The seal's Signature, last child of SealedDelivery. */
  sealSigEl?: Element;
}

export function documentError(reason: string, detail: string): SignatureVerificationError {
  return new SignatureVerificationError('document', reason, detail);
}

interface Located {
  kind: 'sealed' | 'signed';
  element: Element;
}

/**
 * Finds what to verify in a standalone SignedDelivery/SealedDelivery or a whole SOAP deliverSecure
 * envelope (any prefixes).
 */
function locate(root: Element): Located {
  const ns = root.namespaceURI;
  const name = root.localName;
  if (ns === NS.messageV3 && name === 'SealedDelivery') return { kind: 'sealed', element: root };
  if (ns === NS.messageV3 && name === 'SignedDelivery') return { kind: 'signed', element: root };
  if (ns === NS.soap11 && name === 'Envelope') {
    const bodies = childElements(root, NS.soap11, 'Body');
    if (bodies.length !== 1) throw documentError('envelope', `the SOAP envelope has ${bodies.length} Body elements; one is required`);
    const payload = childElements(bodies[0]);
    if (payload.length !== 1) throw documentError('envelope', `the SOAP Body has ${payload.length} elements; one deliverSecure is required`);
    return locate(payload[0]);
  }
  if (ns === NS.serviceV3 && name === 'deliverSecure') {
    const inner = childElements(root);
    if (inner.length !== 1 || inner[0].namespaceURI !== NS.serviceV3 || inner[0].localName !== 'deliverSecure') {
      throw documentError('envelope', 'deliverSecure must hold exactly one deliverSecure element (the SealedDelivery)');
    }
    return { kind: 'sealed', element: inner[0] };
  }
  throw documentError('root', `expected SealedDelivery, SignedDelivery or a SOAP deliverSecure envelope, found {${ns}}${name}`);
}

/** Checks that `el` has exactly the expected element children, in order, and no other text. */
function expectChildren(el: Element, expected: [string, string][], what: string): Element[] {
  const kids = childElements(el);
  const names = kids.map((k) => `{${k.namespaceURI}}${k.localName}`);
  const want = expected.map(([ns, n]) => `{${ns}}${n}`);
  if (names.length !== want.length || names.some((n, i) => n !== want[i])) {
    throw documentError(
      'structure',
      `${what} must contain exactly ${expected.map(([, n]) => n).join(', ')} in that order; found ${kids.map((k) => k.localName).join(', ') || 'nothing'}`,
    );
  }
  if (hasOwnText(el)) throw documentError('structure', `${what} contains text between its elements`);
  return kids;
}

function countSignatures(el: Element): number {
  return el.getElementsByTagNameNS(NS.dsig, 'Signature').length;
}

/**
 * Parses `xml` (strictly, no DOCTYPE) and checks the layers' shape: exactly one Signature per layer,
 * as the last child of the element it signs; a Delivery of one Header and Messages. Throws
 * {@link SignatureVerificationError}.
 */
export function readDeliveryStructure(xml: string | Buffer, requireSeal: boolean): DeliveryStructure {
  let parsed;
  try {
    // No node positions: nothing here reports them, and the parse is cheaper without.
    parsed = parseXml(xml, { positions: false });
  } catch (e) {
    throw documentError('malformed', (e as MalformedXmlError).message);
  }
  const located = locate(parsed.documentElement!);

  let signedEl: Element;
  let sealEl: Element | undefined;
  let sealSigEl: Element | undefined;
  if (located.kind === 'sealed') {
    const kids = childElements(located.element);
    const withSig = kids.length === 3;
    const kinds: [string, string][] = [
      [NS.messageV3, 'SignedDelivery'],
      [NS.messageV3, 'Seal'],
    ];
    if (withSig || requireSeal) kinds.push([NS.dsig, 'Signature']);
    const checked = expectChildren(located.element, kinds, 'SealedDelivery');
    [signedEl, sealEl, sealSigEl] = checked;
  } else {
    if (requireSeal) throw new SignatureVerificationError('seal', 'missing', 'a SealedDelivery with the förmedlare seal is required; got a SignedDelivery');
    signedEl = located.element;
  }
  const [deliveryEl, senderSigEl] = expectChildren(
    signedEl,
    [
      [NS.messageV3, 'Delivery'],
      [NS.dsig, 'Signature'],
    ],
    'SignedDelivery',
  );
  const expectedSignatures = sealSigEl ? 2 : 1;
  const total = countSignatures(located.element);
  if (total !== expectedSignatures) {
    throw documentError('extra-signature', `found ${total} Signature elements; exactly ${expectedSignatures} are allowed (one per layer, as last child)`);
  }
  const deliveryKids = childElements(deliveryEl);
  if (deliveryKids.length < 2 || deliveryKids[0].localName !== 'Header' || deliveryKids.slice(1).some((k) => k.localName !== 'Message' || k.namespaceURI !== NS.messageV3)) {
    throw documentError('structure', 'Delivery must contain one Header followed by Message elements');
  }
  return { kind: located.kind, element: located.element, signedEl, deliveryEl, senderSigEl, sealEl, sealSigEl };
}
