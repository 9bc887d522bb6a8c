import type { X509Certificate } from 'node:crypto';
import type { ParsedDelivery } from '../model/delivery.model';
import type { TrustStore } from './trust-store';

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
