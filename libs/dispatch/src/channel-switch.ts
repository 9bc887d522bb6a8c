import type { ChannelPreference } from '@hub/letters';
import type { MailboxOperator, Reachability, ReachabilityReason } from '@hub/mina-meddelanden';

/**
 * Why a letter does not go digitally: FaR's reason, the letter's own preference, or why a digital
 * attempt ended for good. The case officer sees it (`Letter.statusReason` and the events).
 */
export type ChannelReason =
  | ReachabilityReason
  | 'PRINT_ONLY'
  /** Digital delivery was tried and cannot succeed (the code of the failure, e.g. OPERATOR_FAULT). */
  | DigitalFailureReason;

/** Why digital delivery was given up after being tried (or could not be prepared). */
export type DigitalFailureReason =
  | 'RETRIES_EXHAUSTED'
  | 'DEADLINE_PASSED'
  | 'DELIVERED_FALSE'
  | 'INVALID_DELIVERY'
  | 'SENDER_CERTIFICATE_MISSING'
  | 'SENDER_CERTIFICATE_INVALID'
  | 'SENDER_CERTIFICATE_EXPIRED'
  | 'SENDER_CERTIFICATE_MISMATCH'
  /** FaR refused the question for good (e.g. 6006 protected identity); the event carries the code. */
  | 'FAR_REFUSED'
  /** The mailbox operator refused the delivery for good (a fault, TLS, 4xx); the event carries the code. */
  | 'OPERATOR_REFUSED';

/** Why print is not possible either, when the decision is NONE. */
export type PrintBlockedBy = 'DIGITAL_ONLY' | 'PRINT_NOT_ALLOWED';

export type ChannelDecision =
  | { channel: 'DIGITAL'; operator: MailboxOperator }
  | { channel: 'PRINT'; reason: ChannelReason }
  | { channel: 'NONE'; reason: ChannelReason; printBlockedBy: PrintBlockedBy };

/** What the channel switch (kanalväxel) decides on. */
export interface ChannelSwitchInput {
  letter: { channelPreference: ChannelPreference; protectionClass: number };
  /** FaR's answer for the recipient; absent when FaR was not asked (PRINT_ONLY) or could not answer. */
  reachability?: Reachability;
  /** Set when digital delivery was tried (or prepared) and cannot succeed: the channel is print or none. */
  digitalFailure?: DigitalFailureReason;
  /** The tenant's settings: `printAllowed` defaults to true. */
  tenant: { printAllowed?: boolean };
}

/**
 * The channel switch, first version: digital when the letter may go digitally and FaR says the
 * recipient can take it from this sender; otherwise print, with the reason, unless the letter is
 * DIGITAL_ONLY or the tenant does not allow print, then neither (the letter fails, with the reason).
 *
 * The protection class does not change the decision here: Mina meddelanden delivers only to secure
 * mailboxes (FaR's `Type == Secure` is part of "deliverable"), which every class may use, and print
 * is the path every class may take (SK3). Class-dependent rules (notification text, subject) apply
 * elsewhere.
 */
export function decideChannel(input: ChannelSwitchInput): ChannelDecision {
  const { letter, reachability, digitalFailure } = input;
  const printAllowed = input.tenant.printAllowed ?? true;
  const notDigital = (reason: ChannelReason): ChannelDecision => {
    if (letter.channelPreference === 'DIGITAL_ONLY') return { channel: 'NONE', reason, printBlockedBy: 'DIGITAL_ONLY' };
    if (!printAllowed) return { channel: 'NONE', reason, printBlockedBy: 'PRINT_NOT_ALLOWED' };
    return { channel: 'PRINT', reason };
  };

  if (letter.channelPreference === 'PRINT_ONLY') return notDigital('PRINT_ONLY');
  if (digitalFailure) return notDigital(digitalFailure);
  if (!reachability) {
    // Asking FaR is the caller's job; deciding without an answer would send a reachable person paper.
    throw new TypeError('decideChannel: give FaR’s answer (reachability) or the digital failure');
  }
  if (reachability.deliverable && reachability.operator) return { channel: 'DIGITAL', operator: reachability.operator };
  return notDigital(reachability.reason ?? 'NO_SUPPLIER');
}
