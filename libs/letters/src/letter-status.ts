/**
 * The letter's state machine. Digital path: ACCEPTED → ROUTING → SIGNED → SEALED → DELIVERED.
 * A letter that cannot or may not go digitally ends in PRINT_PENDING (the print path takes it from
 * there); one that can do neither ends in FAILED; CANCELLED only before dispatch.
 */
export const LETTER_STATUSES = ['ACCEPTED', 'ROUTING', 'SIGNED', 'SEALED', 'DELIVERED', 'PRINT_PENDING', 'FAILED', 'CANCELLED'] as const;
export type LetterStatus = (typeof LETTER_STATUSES)[number];

export const TERMINAL_STATUSES: readonly LetterStatus[] = ['DELIVERED', 'PRINT_PENDING', 'FAILED', 'CANCELLED'];

const TRANSITIONS: Record<LetterStatus, readonly LetterStatus[]> = {
  ACCEPTED: ['ROUTING', 'CANCELLED', 'PRINT_PENDING', 'FAILED'],
  ROUTING: ['ROUTING', 'SIGNED', 'PRINT_PENDING', 'FAILED', 'CANCELLED'],
  SIGNED: ['SEALED', 'ROUTING', 'PRINT_PENDING', 'FAILED'],
  SEALED: ['SEALED', 'DELIVERED', 'ROUTING', 'PRINT_PENDING', 'FAILED'],
  DELIVERED: [],
  PRINT_PENDING: [],
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

/** Cancellation is possible until the letter is signed for dispatch. */
export function isCancellable(status: LetterStatus): boolean {
  return status === 'ACCEPTED' || status === 'ROUTING';
}

export const CHANNEL_PREFERENCES = ['AUTO', 'DIGITAL_ONLY', 'PRINT_ONLY'] as const;
export type ChannelPreference = (typeof CHANNEL_PREFERENCES)[number];
