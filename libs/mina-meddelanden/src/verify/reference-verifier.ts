import { createHash, X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { SignatureVerificationError } from '../errors';
import { parseDeliveryElement } from '../model/delivery-parser';
import { NS } from '../namespaces';
import { subjectSerialNumber, rfc4514Subject } from '../signing/credential';
import { childElements, childText, parseXml } from '../xml/dom';
import { DeliveryStructure, readDeliveryStructure } from './delivery-structure';
import { rebuildPrefixFree } from './normalize';
import { checkSignaturePosition, checkSignatureShape, Layer } from './signature-shape';
import { TrustStore } from './trust-store';
import { SignerInfo, VerifiedDelivery, VerifyOptions } from './verification.types';

/*
 * The reference path: each layer rebuilt standalone and prefix-free as a string, parsed again and
 * handed to xml-crypto, which parses it once more, canonicalises it and checks digest and signature;
 * what was signed is then parsed a third time to be read. Slow (each layer is parsed and canonicalised
 * several times over, and the seal layer repeats the sender layer's content), but it is the
 * straightforward use of a standards verifier, so it stays as the yardstick the direct path
 * (direct-verifier.ts) is tested against, and as the path for documents the direct path does not take on.
 */

/** The whole verification on the reference path, from the XML. Not exported from the library. */
export function verifyDeliveryReference(xml: string | Buffer, options: VerifyOptions): VerifiedDelivery {
  return verifyStructureReference(readDeliveryStructure(xml, options.requireSeal ?? true), options);
}

/** The reference path from an already parsed and shape-checked delivery. */
export function verifyStructureReference(structure: DeliveryStructure, options: VerifyOptions): VerifiedDelivery {
  const requireSeal = options.requireSeal ?? true;
  const { signedEl, sealEl, sealSigEl } = structure;

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
    sealedXml = rebuildPrefixFree(structure.element, { localName: 'SealedDelivery', namespace: NS.messageV3 });
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

function verifyLayer(layer: Layer, standaloneXml: string, trust: TrustStore, options: VerifyOptions): { info: SignerInfo; signedReference: string } {
  const docEl = parseXml(standaloneXml).documentElement!;
  const sig = checkSignaturePosition(layer, docEl);
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
  verifier.loadSignature(sig as unknown as Parameters<SignedXml['loadSignature']>[0]);
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
