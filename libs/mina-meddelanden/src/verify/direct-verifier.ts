import { createHash, createVerify, Hash, KeyObject } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { SignatureVerificationError } from '../errors';
import { parseDeliveryElement } from '../model/delivery-parser';
import { ALG, NS } from '../namespaces';
import { childElements, childText } from '../xml/dom';
import { CanonicalWriter } from './canonical-writer';
import { knownCertificate } from './certificate-cache';
import { DeliveryStructure } from './delivery-structure';
import { checkSignaturePosition, checkSignatureShape, Layer } from './signature-shape';
import { TrustStore } from './trust-store';
import { SignerInfo, VerifiedDelivery, VerifyOptions } from './verification.types';

/*
 * The direct path. The reference path (reference-verifier.ts) writes each layer out as a string,
 * parses it again, lets xml-crypto parse it once more and canonicalise it, and parses what was signed a
 * third time to read it; the seal layer repeats all of it over the sender layer's content. Here the
 * document parsed once is used throughout:
 *
 * - The prefix-free form written from the parsed elements IS the canonical form (it is what the
 *   reference path writes, and its canonicalisation by xml-crypto gives the same bytes back: the
 *   equivalence tests check this on every sample). So the digest is taken over those bytes directly,
 *   leaving out the Signature element as the enveloped-signature transform does, and SignedInfo is
 *   verified in its own prefix-free form, as exc-c14n gives it standalone.
 * - The SignedDelivery content is written once and hashed as part of both layers.
 * - What was signed is read from the same elements the hashed bytes were written from (the writer
 *   writes every text and element node and refuses every other kind), not from a re-parse.
 * - Certificates are parsed once per certificate, and trust chains verified once (certificate-cache.ts,
 *   TrustStore).
 *
 * Every check of the reference path is made, in the same order, with the same outcome and error. Where
 * the reference path's outcome could depend on a quirk of xml-crypto or of re-parsing (see
 * CanonicalWriter and `supported` below), the direct path gives up before deciding anything, and the
 * caller runs the reference path on the same parsed document.
 */

const SIGNED = { localName: 'SignedDelivery', namespace: NS.messageV3 };
const SEALED = { localName: 'SealedDelivery', namespace: NS.messageV3 };

/** Pieces of written XML, and the range of the enveloped Signature among them. */
interface LayerBytes {
  open: string;
  pieces: string[];
  sigStart: number;
  sigEnd: number;
  close: string;
}

/**
 * Verifies on the direct path. Returns undefined, having decided nothing, for a document this path
 * leaves to the reference path; otherwise returns or throws exactly what the reference path would.
 */
export function verifyStructureDirect(structure: DeliveryStructure, options: VerifyOptions): VerifiedDelivery | undefined {
  const requireSeal = options.requireSeal ?? true;
  const { signedEl, senderSigEl, sealEl, sealSigEl } = structure;

  // The SignedDelivery's content, written once; the same bytes stand inside the SealedDelivery.
  const w = new CanonicalWriter();
  const signedOpen = w.startTag(signedEl, undefined, SIGNED).tag;
  let senderSigStart = -1;
  let senderSigEnd = -1;
  w.content(signedEl, SIGNED.localName, NS.messageV3, (child) => {
    if (child !== senderSigEl) return false;
    senderSigStart = w.out.length;
    w.element(child, NS.messageV3);
    senderSigEnd = w.out.length;
    return true;
  });
  if (w.unusual) return undefined;
  const signedContent = w.out.slice();
  const signedBytes: LayerBytes = { open: signedOpen, pieces: signedContent, sigStart: senderSigStart, sigEnd: senderSigEnd, close: '</SignedDelivery>' };

  const sender = verifyLayer('sender', signedEl, senderSigEl, signedBytes, options.senderTrust, options);
  if (!sender) return undefined;

  const delivery = parseDeliveryElement(structure.deliveryEl);
  if ((options.requireSenderIdMatch ?? true) && sender.info.serialNumber !== delivery.sender.id) {
    throw new SignatureVerificationError(
      'sender',
      'sender-mismatch',
      `Sender/Id ${delivery.sender.id} does not match the signing certificate's serialNumber ${sender.info.serialNumber ?? '(none)'}`,
    );
  }
  const signedDeliveryXml = concatenated(signedOpen, signedContent, '</SignedDelivery>');

  let seal: VerifiedDelivery['seal'];
  let sealedDeliveryXml: string | undefined;
  if (sealEl && sealSigEl) {
    const sw = new CanonicalWriter();
    const sealedOpen = sw.startTag(structure.element, undefined, SEALED).tag;
    let sealSigStart = -1;
    let sealSigEnd = -1;
    sw.content(structure.element, SEALED.localName, NS.messageV3, (child) => {
      if (child === signedEl) {
        // Inside SealedDelivery the SignedDelivery inherits its namespace: only the start tag differs.
        sw.out.push(sw.startTag(signedEl, NS.messageV3).tag);
        for (const piece of signedContent) sw.out.push(piece);
        sw.out.push('</SignedDelivery>');
        return true;
      }
      if (child !== sealSigEl) return false;
      sealSigStart = sw.out.length;
      sw.element(child, NS.messageV3);
      sealSigEnd = sw.out.length;
      return true;
    });
    if (sw.unusual) return undefined;
    if (!options.sealTrust) throw new SignatureVerificationError('seal', 'no-trust', 'no trusted certificates configured for the seal');
    // xml-crypto finds the Signature it checks by its SignatureValue and refuses a document where
    // another Signature carries the same value: leave that document to it.
    if (signatureValueText(senderSigEl) === signatureValueText(sealSigEl)) return undefined;
    const sealedBytes: LayerBytes = { open: sealedOpen, pieces: sw.out, sigStart: sealSigStart, sigEnd: sealSigEnd, close: '</SealedDelivery>' };
    const sealResult = verifyLayer('seal', structure.element, sealSigEl, sealedBytes, options.sealTrust, options);
    if (!sealResult) return undefined;
    seal = {
      ...sealResult.info,
      receivedTime: childText(sealEl, NS.message, 'ReceivedTime') ?? '',
      signaturesOk: childText(sealEl, NS.message, 'SignaturesOK') === 'true',
    };
    sealedDeliveryXml = concatenated(sealedOpen, sw.out, '</SealedDelivery>');
  } else if (requireSeal) {
    throw new SignatureVerificationError('seal', 'missing', 'the SealedDelivery carries no seal signature');
  }

  return { delivery, sender: sender.info, seal, signedDeliveryXml, sealedDeliveryXml, contentHash: sender.contentHash };
}

/**
 * The pieces as one string, concatenated the way V8 concatenates strings: a rope of references to the
 * pieces, copied into one flat string only when something reads it. A caller often never reads the
 * canonical XML (the mailbox operator does not), and a fresh string of a few hundred kilobytes, copied,
 * costs more than the rest of the verification on a machine where fresh memory is expensive.
 */
function concatenated(open: string, pieces: string[], close: string): string {
  let s = open;
  for (const p of pieces) s += p;
  return s + close;
}

/** Feeds the pieces to the hashes as UTF-8, the many small ones in batches (one update costs more than hashing a tag). */
function hashPieces(hashes: Hash[], pieces: string[]): void {
  const update = (s: string) => {
    for (const h of hashes) h.update(s, 'utf8');
  };
  let batch = '';
  for (const p of pieces) {
    if (p.length < 4096) {
      batch += p;
      continue;
    }
    if (batch) update(batch);
    batch = '';
    update(p);
  }
  if (batch) update(batch);
}

/** `findChildren(signature, 'SignatureValue')[0]?.textContent`, as xml-crypto compares signatures. */
function signatureValueText(sig: Element): string | undefined {
  for (let n = sig.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).localName === 'SignatureValue') return n.textContent ?? '';
  }
  return undefined;
}

/**
 * Whether xml-crypto reads this Signature (which passed checkSignatureShape) exactly as the direct
 * path does: the SignatureValue it finds (the first descendant so named, its first text node) is the
 * Signature's own, one text node without characters that are escaped when written (a re-parse might
 * split the text there); the Transforms are all `Transform` elements without content (no
 * InclusiveNamespaces); the DigestValue is not empty.
 */
function supported(sig: Element): { signatureValue: string; digestValue: string } | undefined {
  const [signedInfo, signatureValueEl] = childElements(sig);
  const [, sigMethod, reference] = childElements(signedInfo);
  const [transforms, digestMethod, digestValueEl] = childElements(reference);
  if (childElements(sigMethod).length > 0 || childElements(digestMethod).length > 0) return undefined;
  for (const t of childElements(transforms)) {
    if (t.localName !== 'Transform' || childElements(t).length > 0) return undefined;
  }
  const digestValue = digestValueEl.textContent ?? '';
  const text = signatureValueEl.firstChild;
  if (!digestValue || !text || text.nodeType !== 3 || text.nextSibling) return undefined;
  const signatureValue = text.nodeValue ?? '';
  return signatureValue && !/[&<>\r]/.test(signatureValue) ? { signatureValue, digestValue } : undefined;
}

function verifyLayer(
  layer: Layer,
  signed: Element,
  sig: Element,
  bytes: LayerBytes,
  trust: TrustStore,
  options: VerifyOptions,
): { info: SignerInfo; contentHash: string } | undefined {
  checkSignaturePosition(layer, signed);
  const algorithm = checkSignatureShape(layer, sig, options.allowSha1 ?? false);
  const values = supported(sig);
  if (!values) return undefined;

  const certB64 = sig.getElementsByTagNameNS(NS.dsig, 'X509Certificate');
  if (certB64.length !== 1) throw new SignatureVerificationError(layer, 'key-info', 'KeyInfo must carry exactly one X509Certificate');
  let known;
  try {
    known = knownCertificate((certB64[0].textContent ?? '').replace(/\s+/g, ''));
  } catch (e) {
    throw new SignatureVerificationError(layer, 'key-info', `the X509Certificate cannot be read: ${(e as Error).message}`);
  }
  const decision = trust.check(known.certificate, options.at ?? new Date());
  if (!decision.trusted) throw new SignatureVerificationError(layer, 'untrusted-certificate', decision.reason);

  // xml-crypto verifies with the certificate's PEM; an RSA KeyObject made from it verifies alike.
  // Any other kind of key is left to xml-crypto.
  let publicKey: KeyObject;
  try {
    publicKey = known.publicKey ??= known.certificate.publicKey;
  } catch {
    return undefined;
  }
  if (publicKey.asymmetricKeyType !== 'rsa') return undefined;

  // The Reference: the enveloped-signature transform leaves the Signature out; the rest is canonical.
  const signedInfo = childElements(sig)[0];
  const digestAlgorithm = childElements(childElements(signedInfo)[2])[1].getAttribute('Algorithm') === ALG.sha1 ? 'sha1' : 'sha256';
  const digest = createHash(digestAlgorithm);
  const contentHash = digestAlgorithm === 'sha256' ? digest : createHash('sha256');
  const hashes = contentHash === digest ? [digest] : [digest, contentHash];
  hashPieces(hashes, [bytes.open, ...bytes.pieces.slice(0, bytes.sigStart), ...bytes.pieces.slice(bytes.sigEnd), bytes.close]);
  const computed = digest.digest();
  if (!computed.equals(Buffer.from(values.digestValue, 'base64'))) {
    throw new SignatureVerificationError(layer, 'invalid-signature', 'the signature value or digest does not match the content');
  }

  // SignedInfo, canonical as exc-c14n gives it standalone (its namespace declared on it).
  const si = new CanonicalWriter();
  si.element(signedInfo, undefined);
  const signatureValue = values.signatureValue.replace(/\r?\n/g, '');
  let ok: boolean;
  try {
    ok = createVerify(algorithm === ALG.rsaSha1 ? 'RSA-SHA1' : 'RSA-SHA256')
      .update(si.out.join(''))
      .verify(publicKey, signatureValue, 'base64');
  } catch (e) {
    throw new SignatureVerificationError(layer, 'invalid-signature', (e as Error).message);
  }
  if (!ok) throw new SignatureVerificationError(layer, 'invalid-signature', `invalid signature: the signature value ${signatureValue} is incorrect`);

  return {
    info: {
      subject: known.subject,
      serialNumber: known.serialNumber,
      fingerprint: known.fingerprint,
      signatureAlgorithm: algorithm,
      certificate: known.certificate,
    },
    contentHash: (contentHash === digest ? computed : contentHash.digest()).toString('hex'),
  };
}
