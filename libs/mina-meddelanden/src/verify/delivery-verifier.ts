import { createHash, X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { SignatureVerificationError } from '../errors';
import { parseDeliveryElement } from '../model/delivery-parser';
import { ParsedDelivery } from '../model/delivery.model';
import { ALG, NS } from '../namespaces';
import { subjectSerialNumber, rfc4514Subject } from '../signing/credential';
import { childElements, childText, hasOwnText, MalformedXmlError, parseXml } from '../xml/dom';
import { rebuildPrefixFree } from './normalize';
import { TrustStore } from './trust-store';

export interface VerifyOptions {
  /** Certificates/CAs trusted for the sender's signature. */
  senderTrust: TrustStore;
  /** Certificates/CAs trusted for the förmedlare's seal (required when a seal is required). */
  sealTrust?: TrustStore;
  /** Refuse a delivery without a verified seal. Default true. */
  requireSeal?: boolean;
  /** Accept rsa-sha1/sha1 as well as rsa-sha256/sha256 (older senders). Default false. */
  allowSha1?: boolean;
  /** Time at which certificates must be valid. Default now. */
  at?: Date;
  /** Require the sender certificate's serialNumber to equal the delivery's Sender/Id. Default true. */
  requireSenderIdMatch?: boolean;
}

/** Who signed a layer, from the trusted certificate. */
export interface SignerInfo {
  subject: string;
  serialNumber?: string;
  /** SHA-256 fingerprint of the certificate. */
  fingerprint: string;
  signatureAlgorithm: string;
  certificate: X509Certificate;
}

export interface VerifiedDelivery {
  /** What was signed by the sender, read from the signed bytes only. */
  delivery: ParsedDelivery;
  sender: SignerInfo;
  /** Present when the seal verified. */
  seal?: SignerInfo & { receivedTime: string; signaturesOk: boolean };
  /** The canonical standalone SignedDelivery (prefix-free), e.g. to store or to seal. */
  signedDeliveryXml: string;
  /** The canonical standalone SealedDelivery (prefix-free), when the input had a SealedDelivery. */
  sealedDeliveryXml?: string;
  /** SHA-256 (hex) of the signed content, to recognise a redelivery of the same document. */
  contentHash: string;
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
    if (bodies.length !== 1) throw doc('envelope', `the SOAP envelope has ${bodies.length} Body elements; one is required`);
    const payload = childElements(bodies[0]);
    if (payload.length !== 1) throw doc('envelope', `the SOAP Body has ${payload.length} elements; one deliverSecure is required`);
    return locate(payload[0]);
  }
  if (ns === NS.serviceV3 && name === 'deliverSecure') {
    const inner = childElements(root);
    if (inner.length !== 1 || inner[0].namespaceURI !== NS.serviceV3 || inner[0].localName !== 'deliverSecure') {
      throw doc('envelope', 'deliverSecure must hold exactly one deliverSecure element (the SealedDelivery)');
    }
    return { kind: 'sealed', element: inner[0] };
  }
  throw doc('root', `expected SealedDelivery, SignedDelivery or a SOAP deliverSecure envelope, found {${ns}}${name}`);
}

function doc(reason: string, detail: string): SignatureVerificationError {
  return new SignatureVerificationError('document', reason, detail);
}

/** Checks that `el` has exactly the expected element children, in order, and no other text. */
function expectChildren(el: Element, expected: [string, string][], what: string): Element[] {
  const kids = childElements(el);
  const names = kids.map((k) => `{${k.namespaceURI}}${k.localName}`);
  const want = expected.map(([ns, n]) => `{${ns}}${n}`);
  if (names.length !== want.length || names.some((n, i) => n !== want[i])) {
    throw doc(
      'structure',
      `${what} must contain exactly ${expected.map(([, n]) => n).join(', ')} in that order; found ${kids.map((k) => k.localName).join(', ') || 'nothing'}`,
    );
  }
  if (hasOwnText(el)) throw doc('structure', `${what} contains text between its elements`);
  return kids;
}

function countSignatures(el: Element): number {
  return el.getElementsByTagNameNS(NS.dsig, 'Signature').length;
}

/**
 * Verifies a delivery as a mailbox operator does. Accepts a standalone SignedDelivery or
 * SealedDelivery, or a whole SOAP `deliverSecure` envelope (prefixed or not); normalises it
 * (renamed, prefix-free) and verifies the sender signature and the seal with xml-crypto against
 * configured trust only. Returns only what was signed; throws {@link SignatureVerificationError}.
 */
export function verifyDelivery(xml: string | Buffer, options: VerifyOptions): VerifiedDelivery {
  const requireSeal = options.requireSeal ?? true;
  let parsed;
  try {
    parsed = parseXml(xml);
  } catch (e) {
    throw doc('malformed', (e as MalformedXmlError).message);
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
  const [deliveryEl] = expectChildren(
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
    throw doc('extra-signature', `found ${total} Signature elements; exactly ${expectedSignatures} are allowed (one per layer, as last child)`);
  }
  const deliveryKids = childElements(deliveryEl);
  if (deliveryKids.length < 2 || deliveryKids[0].localName !== 'Header' || deliveryKids.slice(1).some((k) => k.localName !== 'Message' || k.namespaceURI !== NS.messageV3)) {
    throw doc('structure', 'Delivery must contain one Header followed by Message elements');
  }

  // Normalise: each layer standalone, renamed, prefix-free (this is also its exc-c14n form).
  const signedXml = rebuildPrefixFree(signedEl, { localName: 'SignedDelivery', namespace: NS.messageV3 });
  const senderResult = verifyLayer('sender', signedXml, options.senderTrust, options);

  const senderDoc = parseXml(senderResult.signedReference);
  const delivery = parseDeliveryElement(childElements(senderDoc.documentElement!, NS.messageV3, 'Delivery')[0]);
  if ((options.requireSenderIdMatch ?? true) && senderResult.info.serialNumber !== delivery.sender.id) {
    throw new SignatureVerificationError(
      'sender',
      'sender-mismatch',
      `Sender/Id ${delivery.sender.id} does not match the signing certificate's serialNumber ${senderResult.info.serialNumber ?? '(none)'}`,
    );
  }

  let seal: VerifiedDelivery['seal'];
  let sealedXml: string | undefined;
  if (sealEl && sealSigEl) {
    sealedXml = rebuildPrefixFree(located.element, { localName: 'SealedDelivery', namespace: NS.messageV3 });
    if (!options.sealTrust) throw new SignatureVerificationError('seal', 'no-trust', 'no trusted certificates configured for the seal');
    const sealResult = verifyLayer('seal', sealedXml, options.sealTrust, options);
    const sealedDoc = parseXml(sealResult.signedReference);
    const signedSeal = childElements(sealedDoc.documentElement!, NS.messageV3, 'Seal')[0];
    seal = {
      ...sealResult.info,
      receivedTime: childText(signedSeal, NS.message, 'ReceivedTime') ?? '',
      signaturesOk: childText(signedSeal, NS.message, 'SignaturesOK') === 'true',
    };
  } else if (requireSeal) {
    throw new SignatureVerificationError('seal', 'missing', 'the SealedDelivery carries no seal signature');
  }

  return {
    delivery,
    sender: senderResult.info,
    seal,
    signedDeliveryXml: signedXml,
    sealedDeliveryXml: sealedXml,
    contentHash: createHash('sha256').update(senderResult.signedReference).digest('hex'),
  };
}

function verifyLayer(
  layer: 'sender' | 'seal',
  standaloneXml: string,
  trust: TrustStore,
  options: VerifyOptions,
): { info: SignerInfo; signedReference: string } {
  const docEl = parseXml(standaloneXml).documentElement!;
  const sigs = childElements(docEl, NS.dsig, 'Signature');
  const last = childElements(docEl).at(-1);
  if (sigs.length !== 1 || last !== sigs[0]) {
    throw new SignatureVerificationError(layer, 'signature-position', 'exactly one Signature must be the last child of the signed element');
  }
  const sig = sigs[0];
  const algorithm = checkSignatureShape(layer, sig, options.allowSha1 ?? false);

  const certB64 = sig.getElementsByTagNameNS(NS.dsig, 'X509Certificate');
  if (certB64.length !== 1) throw new SignatureVerificationError(layer, 'key-info', 'KeyInfo must carry exactly one X509Certificate');
  let cert: X509Certificate;
  try {
    const b64 = (certB64[0].textContent ?? '').replace(/\s+/g, '');
    cert = new X509Certificate(Buffer.from(b64, 'base64'));
  } catch (e) {
    throw new SignatureVerificationError(layer, 'key-info', `the X509Certificate cannot be read: ${(e as Error).message}`);
  }
  const decision = trust.check(cert, options.at ?? new Date());
  if (!decision.trusted) throw new SignatureVerificationError(layer, 'untrusted-certificate', decision.reason);

  const verifier = new SignedXml({ publicCert: cert.toString(), getCertFromKeyInfo: () => null });
  verifier.loadSignature(sig as unknown as Parameters<SignedXml["loadSignature"]>[0]);
  let ok = false;
  try {
    ok = verifier.checkSignature(standaloneXml);
  } catch (e) {
    throw new SignatureVerificationError(layer, 'invalid-signature', (e as Error).message);
  }
  if (!ok) throw new SignatureVerificationError(layer, 'invalid-signature', 'the signature value or digest does not match the content');
  const refs = verifier.getSignedReferences();
  if (refs.length !== 1) throw new SignatureVerificationError(layer, 'references', 'exactly one signed reference is required');
  return {
    info: {
      subject: rfc4514Subject(cert),
      serialNumber: subjectSerialNumber(cert),
      fingerprint: cert.fingerprint256,
      signatureAlgorithm: algorithm,
      certificate: cert,
    },
    signedReference: refs[0],
  };
}

/** The hardened checks on SignedInfo before any cryptography: one Reference to "", known algorithms. */
function checkSignatureShape(layer: 'sender' | 'seal', sig: Element, allowSha1: boolean): string {
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

function expectShape(sig: Element, layer: 'sender' | 'seal'): Element[] {
  const kids = childElements(sig);
  const names = kids.map((k) => k.localName).join(',');
  if (!/^SignedInfo,SignatureValue(,KeyInfo)?$/.test(names) || kids.some((k) => k.namespaceURI !== NS.dsig)) {
    throw new SignatureVerificationError(layer, 'structure', `Signature must hold SignedInfo, SignatureValue, KeyInfo; found ${names}`);
  }
  return kids;
}
