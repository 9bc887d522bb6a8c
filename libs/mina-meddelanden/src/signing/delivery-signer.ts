import { createHash, sign } from 'node:crypto';
import { DeliveryValidationError } from '../errors';
import { buildDelivery, BuiltDelivery, partsBytes } from '../model/delivery-builder';
import { DEFAULT_LIMITS, DeliveryInput, DeliveryLimits } from '../model/delivery.model';
import { ALG, NS } from '../namespaces';
import { element, textElement } from '../xml/canonical-xml';
import { SigningCredential } from './credential';

const SIGNED_INFO_HEAD =
  `<CanonicalizationMethod Algorithm="${ALG.excC14n}"></CanonicalizationMethod>` +
  `<SignatureMethod Algorithm="${ALG.rsaSha256}"></SignatureMethod>` +
  `<Reference URI=""><Transforms><Transform Algorithm="${ALG.enveloped}"></Transform></Transforms>` +
  `<DigestMethod Algorithm="${ALG.sha256}"></DigestMethod><DigestValue>`;
const SIGNED_INFO_TAIL = '</DigestValue></Reference>';

/**
 * An enveloped RSA-SHA256 signature over `parts` (the canonical bytes of the signed element without
 * its Signature), as a `<Signature xmlns="…xmldsig#">` element to insert as the element's last child.
 * The SignedInfo is signed in the form exc-c14n gives it standalone (with its xmlns declared).
 */
function envelopedSignature(parts: string[], credential: SigningCredential): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p, 'utf8');
  const digest = hash.digest('base64');
  const signedInfoBody = SIGNED_INFO_HEAD + digest + SIGNED_INFO_TAIL;
  const signatureValue = sign('sha256', Buffer.from(`<SignedInfo xmlns="${NS.dsig}">${signedInfoBody}</SignedInfo>`, 'utf8'), credential.privateKey).toString('base64');
  return element(
    'Signature',
    element('SignedInfo', signedInfoBody) +
      element('SignatureValue', signatureValue) +
      element(
        'KeyInfo',
        element('X509Data', textElement('X509SubjectName', credential.subjectName) + element('X509Certificate', credential.certificateBase64)),
      ),
    NS.dsig,
  );
}

const SIGNED_OPEN = `<SignedDelivery xmlns="${NS.messageV3}">`;
const SIGNED_CLOSE = '</SignedDelivery>';
const SEALED_OPEN = `<SealedDelivery xmlns="${NS.messageV3}">`;
const SEALED_CLOSE = '</SealedDelivery>';

/**
 * The sender-signed delivery as pieces: the canonical standalone `SignedDelivery` is
 * `SIGNED_OPEN + inner.join('') + SIGNED_CLOSE`. Kept in pieces so that sealing can hash and write
 * it without creating one large string first.
 */
export interface SignedDeliveryParts {
  inner: string[];
}

/** Signs a built delivery as the sender, returning the pieces (see {@link SignedDeliveryParts}). */
export function signBuiltDeliveryParts(built: BuiltDelivery, sender: SigningCredential): SignedDeliveryParts {
  const signature = envelopedSignature([SIGNED_OPEN, ...built.parts, SIGNED_CLOSE], sender);
  return { inner: [...built.parts, signature] };
}

/**
 * Signs a built delivery as the sender: returns the standalone, prefix-free
 * `<SignedDelivery xmlns="…/Message/v3">` with the Signature as its last child.
 */
export function signBuiltDelivery(built: BuiltDelivery, sender: SigningCredential): string {
  return SIGNED_OPEN + signBuiltDeliveryParts(built, sender).inner.join('') + SIGNED_CLOSE;
}

/** Builds and signs a delivery in one step (see {@link buildDelivery} for the rules checked). */
export function signDelivery(input: DeliveryInput, sender: SigningCredential, limits: DeliveryLimits = DEFAULT_LIMITS): string {
  return signBuiltDelivery(buildDelivery(input, limits), sender);
}

// Creating a DateTimeFormat costs tens of microseconds: once per process, not per seal.
const STOCKHOLM_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Stockholm',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  timeZoneName: 'longOffset',
});

/** xs:date with the Swedish offset, e.g. "2026-11-26+01:00", as Seal/ReceivedTime carries it. */
export function swedishDate(at: Date): string {
  const parts = STOCKHOLM_DATE.formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const offset = get('timeZoneName').replace('GMT', '') || '+00:00';
  return `${get('year')}-${get('month')}-${get('day')}${offset}`;
}

export interface SealOptions {
  /** Time the förmedlare received the delivery (default now). */
  receivedAt?: Date;
  /** Whether the förmedlare checked the sender's signature (it must have, before sealing). Default true. */
  signaturesOk?: boolean;
  /** Limit on the sealed delivery's size in bytes (default 2 MB). */
  maxDeliveryBytes?: number;
}

function sealParts(signed: SignedDeliveryParts, intermediary: SigningCredential, options: SealOptions): string {
  // Inside SealedDelivery the SignedDelivery inherits the default namespace: exc-c14n drops its declaration.
  const seal = element(
    'Seal',
    textElement('ReceivedTime', swedishDate(options.receivedAt ?? new Date()), NS.message) +
      element('SignaturesOK', options.signaturesOk === false ? 'false' : 'true', NS.message),
  );
  const body = [SEALED_OPEN + '<SignedDelivery>', ...signed.inner, SIGNED_CLOSE + seal];
  const signature = envelopedSignature([...body, SEALED_CLOSE], intermediary);
  const max = options.maxDeliveryBytes ?? DEFAULT_LIMITS.maxDeliveryBytes;
  const size = partsBytes(body) + Buffer.byteLength(signature) + SEALED_CLOSE.length;
  if (size > max) {
    throw new DeliveryValidationError([
      { field: 'messages', rule: 'maxSize', message: `the sealed delivery is ${size} bytes; at most ${max} bytes are allowed` },
    ]);
  }
  return body.join('') + signature + SEALED_CLOSE;
}

/**
 * Seals a signed delivery as förmedlare: wraps the canonical `SignedDelivery` (as produced by
 * {@link signDelivery} or returned by the verifier) and a Seal in a standalone `SealedDelivery`,
 * and signs the whole (the seal covers the sender's signature too).
 */
export function sealDelivery(signedDeliveryXml: string, intermediary: SigningCredential, options: SealOptions = {}): string {
  if (!signedDeliveryXml.startsWith(SIGNED_OPEN) || !signedDeliveryXml.endsWith(SIGNED_CLOSE)) {
    throw new DeliveryValidationError([
      { field: 'signedDelivery', rule: 'format', message: 'must be a canonical standalone SignedDelivery (from signDelivery or the verifier)' },
    ]);
  }
  return sealParts({ inner: [signedDeliveryXml.slice(SIGNED_OPEN.length, -SIGNED_CLOSE.length)] }, intermediary, options);
}

/**
 * Builds, signs as the sender and seals as förmedlare in one pass: the hub's path, where it is both.
 * Same result as `sealDelivery(signDelivery(input, sender), intermediary, options)`, but the
 * document is written out once instead of three times.
 */
export function signAndSealDelivery(
  input: DeliveryInput,
  sender: SigningCredential,
  intermediary: SigningCredential,
  options: SealOptions & { limits?: DeliveryLimits } = {},
): string {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const signed = signBuiltDeliveryParts(buildDelivery(input, limits), sender);
  return sealParts(signed, intermediary, { maxDeliveryBytes: limits.maxDeliveryBytes, ...options });
}
