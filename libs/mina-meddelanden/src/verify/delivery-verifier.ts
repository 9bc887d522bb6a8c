import { readDeliveryStructure } from './delivery-structure';
import { verifyStructureDirect } from './direct-verifier';
import { verifyStructureReference } from './reference-verifier';
import { VerifiedDelivery, VerifyOptions } from './verification.types';

export type { SignerInfo, VerifiedDelivery, VerifyOptions } from './verification.types';

/**
 * Verifies a delivery as a mailbox operator does. Accepts a standalone SignedDelivery or
 * SealedDelivery, or a whole SOAP `deliverSecure` envelope (prefixed or not); normalises it
 * (renamed, prefix-free) and verifies the sender signature and the seal against configured trust
 * only. Returns only what was signed; throws {@link SignatureVerificationError}.
 */
export function verifyDelivery(xml: string | Buffer, options: VerifyOptions): VerifiedDelivery {
  // Parsed once. The direct path verifies on that document; the odd documents it leaves alone (see
  // direct-verifier.ts: no signer produces them) go the reference path, through xml-crypto, as before.
  const structure = readDeliveryStructure(xml, options.requireSeal ?? true);
  return verifyStructureDirect(structure, options) ?? verifyStructureReference(structure, options);
}
