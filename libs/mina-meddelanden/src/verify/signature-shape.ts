import type { Element } from '@xmldom/xmldom';
import { SignatureVerificationError } from '../errors';
import { ALG, NS } from '../namespaces';
import { childElements } from '../xml/dom';

export type Layer = 'sender' | 'seal';

/** The hardened checks on SignedInfo before any cryptography: one Reference to "", known algorithms. */
export function checkSignatureShape(layer: Layer, sig: Element, allowSha1: boolean): string {
  const fail = (reason: string, detail: string) => new SignatureVerificationError(layer, reason, detail);
  const [signedInfo] = expectShape(sig, layer);
  const si = childElements(signedInfo);
  const [c14n, sigMethod, ...refs] = si;
  if (!c14n || c14n.localName !== 'CanonicalizationMethod' || c14n.getAttribute('Algorithm') !== ALG.excC14n) {
    throw fail('algorithm', `CanonicalizationMethod must be ${ALG.excC14n}`);
  }
  if (childElements(c14n).length > 0) throw fail('algorithm', 'CanonicalizationMethod must not carry InclusiveNamespaces');
  const sigAlg = sigMethod?.localName === 'SignatureMethod' ? sigMethod.getAttribute('Algorithm') : null;
  const okSig = sigAlg === ALG.rsaSha256 || (allowSha1 && sigAlg === ALG.rsaSha1);
  if (!okSig) throw fail('algorithm', `SignatureMethod ${sigAlg ?? '(none)'} is not accepted${allowSha1 ? '' : ' (SHA-1 is not enabled)'}`);
  if (refs.length !== 1 || refs[0].localName !== 'Reference') throw fail('references', `SignedInfo must hold exactly one Reference, found ${refs.length}`);
  const ref = refs[0];
  if (!ref.hasAttribute('URI') || ref.getAttribute('URI') !== '') throw fail('references', 'the Reference URI must be "" (the whole signed element)');
  const [transforms, digestMethod, digestValue, ...rest] = childElements(ref);
  if (rest.length > 0 || transforms?.localName !== 'Transforms') throw fail('references', 'Reference must hold Transforms, DigestMethod, DigestValue');
  const tf = childElements(transforms).map((t) => t.getAttribute('Algorithm'));
  const tfOk = tf.length >= 1 && tf[0] === ALG.enveloped && (tf.length === 1 || (tf.length === 2 && tf[1] === ALG.excC14n));
  if (!tfOk) throw fail('algorithm', `Transforms must be the enveloped-signature transform (optionally then exc-c14n); found ${tf.join(', ')}`);
  const dAlg = digestMethod?.localName === 'DigestMethod' ? digestMethod.getAttribute('Algorithm') : null;
  if (!(dAlg === ALG.sha256 || (allowSha1 && dAlg === ALG.sha1))) throw fail('algorithm', `DigestMethod ${dAlg ?? '(none)'} is not accepted`);
  if (digestValue?.localName !== 'DigestValue' || childElements(digestValue).length > 0) throw fail('references', 'DigestValue is malformed');
  return sigAlg!;
}

function expectShape(sig: Element, layer: Layer): Element[] {
  const kids = childElements(sig);
  const names = kids.map((k) => k.localName).join(',');
  if (!/^SignedInfo,SignatureValue(,KeyInfo)?$/.test(names) || kids.some((k) => k.namespaceURI !== NS.dsig)) {
    throw new SignatureVerificationError(layer, 'structure', `Signature must hold SignedInfo, SignatureValue, KeyInfo; found ${names}`);
  }
  return kids;
}

/** Exactly one Signature, as the last element child of `signed`. */
export function checkSignaturePosition(layer: Layer, signed: Element): Element {
  const sigs = childElements(signed, NS.dsig, 'Signature');
  const last = childElements(signed).at(-1);
  if (sigs.length !== 1 || last !== sigs[0]) {
    throw new SignatureVerificationError(layer, 'signature-position', 'exactly one Signature must be the last child of the signed element');
  }
  return sigs[0];
}
