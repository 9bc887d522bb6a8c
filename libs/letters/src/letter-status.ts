/**
 * The letter's state machine.
 * - Digital path: ACCEPTED → ROUTING → SIGNED → SEALED → DELIVERED.
 * - Print path: PRINT_PENDING (routed to print: rendered and waiting for a batch) → BATCHED (in a
 *   print batch for a vendor) → PRINTED → POSTED, and RETURNED when the post brings it back;
 *   PRINT_FAILED when the vendor reports it could not print it.
 * - HELD: manual handling (protected identity, no postal address, a letter that cannot be printed as
 *   it is, a digital outcome that is unknown); released to print by an administrator, or cancelled.
 * - FAILED: neither channel is possible (undeliverable); CANCELLED: by the sender before dispatch.
 */
export const LETTER_STATUSES = [
  'ACCEPTED',
  'ROUTING',
  'SIGNED',
  'SEALED',
  'DELIVERED',
  'PRINT_PENDING',
  'HELD',
  'BATCHED',
  'PRINTED',
  'POSTED',
  'RETURNED',
  'PRINT_FAILED',
  'FAILED',
  'CANCELLED',
] as const;
export type LetterStatus = (typeof LETTER_STATUSES)[number];

/** The states the digital dispatch works on; every other state is past it (or held for a person). */
export const DISPATCH_STATUSES: readonly LetterStatus[] = ['ACCEPTED', 'ROUTING', 'SIGNED', 'SEALED'];

/** States nothing happens in any more. */
export const TERMINAL_STATUSES: readonly LetterStatus[] = ['DELIVERED', 'RETURNED', 'PRINT_FAILED', 'FAILED', 'CANCELLED'];

/** The print path's states after a letter left the hub for a vendor, in the order they happen. */
export const PRINT_PROGRESS: readonly LetterStatus[] = ['BATCHED', 'PRINTED', 'POSTED', 'RETURNED'];

const TRANSITIONS: Record<LetterStatus, readonly LetterStatus[]> = {
  ACCEPTED: ['ROUTING', 'CANCELLED', 'PRINT_PENDING', 'HELD', 'FAILED'],
  ROUTING: ['ROUTING', 'SIGNED', 'PRINT_PENDING', 'HELD', 'FAILED', 'CANCELLED'],
  SIGNED: ['SEALED', 'ROUTING', 'PRINT_PENDING', 'HELD', 'FAILED'],
  SEALED: ['SEALED', 'DELIVERED', 'ROUTING', 'PRINT_PENDING', 'HELD', 'FAILED'],
  DELIVERED: [],
  PRINT_PENDING: ['BATCHED', 'HELD', 'CANCELLED'],
  HELD: ['PRINT_PENDING', 'CANCELLED'],
  BATCHED: ['PRINTED', 'POSTED', 'RETURNED', 'PRINT_FAILED'],
  PRINTED: ['POSTED', 'RETURNED', 'PRINT_FAILED'],
  POSTED: ['RETURNED'],
  RETURNED: [],
  PRINT_FAILED: [],
  FAILED: [],
  CANCELLED: [],
};

/** A transition the state machine does not allow (e.g. cancelling a delivered letter). */
export class IllegalTransitionError extends Error {
  constructor(
    readonly from: LetterStatus,
    readonly to: LetterStatus,
  ) {
    super(`a letter in state ${from} cannot become ${to}`);
  }
}

export function canTransition(from: LetterStatus, to: LetterStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: LetterStatus, to: LetterStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}

/**
 * Cancellation is possible until the letter is signed for digital dispatch or put into a print
 * batch (a held letter can always be cancelled).
 */
export function isCancellable(status: LetterStatus): boolean {
  return status === 'ACCEPTED' || status === 'ROUTING' || status === 'PRINT_PENDING' || status === 'HELD';
}

export const CHANNEL_PREFERENCES = ['AUTO', 'DIGITAL_ONLY', 'PRINT_ONLY'] as const;
export type ChannelPreference = (typeof CHANNEL_PREFERENCES)[number];

/** The channel switch's decision for a letter (kanalväxel). */
export const CHANNEL_DECISIONS = ['DIGITAL', 'PRINT', 'HOLD', 'UNDELIVERABLE'] as const;
export type ChannelDecisionKind = (typeof CHANNEL_DECISIONS)[number];

export const POSTAGE_CLASSES = ['FIRST_CLASS', 'ECONOMY'] as const;
export type PostageClassName = (typeof POSTAGE_CLASSES)[number];

/**
 * Message categories: CASE (ärendemeddelande: a letter in a case), EVENT (händelsemeddelande: a status
 * update in a case, sent with the v3 OfficialMatter extension, digital only) and SERVICE
 * (servicemeddelande: general information to many recipients).
 */
export const LETTER_CATEGORIES = ['CASE', 'EVENT', 'SERVICE'] as const;
export type LetterCategory = (typeof LETTER_CATEGORIES)[number];

/** The channels a case type may allow its letters. */
export const CASE_TYPE_CHANNELS = ['DIGITAL', 'PRINT'] as const;
export type CaseTypeChannel = (typeof CASE_TYPE_CHANNELS)[number];
