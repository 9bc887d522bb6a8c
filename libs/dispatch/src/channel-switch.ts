import type { ChannelPreference } from '@hub/letters';
import type { MailboxOperator, Reachability, ReachabilityReason } from '@hub/mina-meddelanden';
import type { TenantSettings } from '@hub/tenancy';

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

/** Why a letter that would go to print waits for a person instead (manual handling). */
export type HoldReason =
  /** Skyddade personuppgifter: the tenant's rule holds such letters (P4). */
  | 'PROTECTED_IDENTITY'
  /** Print, but the case system gave no postal address (the hub never makes one up). */
  | 'NO_POSTAL_ADDRESS'
  /** The tenant's protection-class policy holds printed letters of this class. */
  | 'PROTECTION_CLASS_POLICY'
  /**
   * The delivery was sealed and sent, and the attempts ended without an answer (timeouts, 5xx): the
   * operator may have it. Printing it could give the recipient the letter twice.
   */
  | 'DIGITAL_OUTCOME_UNKNOWN';

/** Why print is not possible either, when the decision is UNDELIVERABLE. */
export type PrintBlockedBy = 'DIGITAL_ONLY' | 'PRINT_NOT_ALLOWED' | 'FALLBACK_NOT_ALLOWED' | 'PROTECTED_IDENTITY' | 'NO_POSTAL_ADDRESS' | 'PROTECTION_CLASS_POLICY';

export type ChannelDecision =
  | { channel: 'DIGITAL'; operator: MailboxOperator }
  | { channel: 'PRINT'; reason: ChannelReason }
  | { channel: 'HOLD'; reason: ChannelReason; holdReason: HoldReason }
  | { channel: 'UNDELIVERABLE'; reason: ChannelReason; printBlockedBy: PrintBlockedBy };

/** What the channel switch (kanalväxel) decides on. */
export interface ChannelSwitchInput {
  letter: {
    channelPreference: ChannelPreference;
    protectionClass: number;
    /** Whether the case system gave a postal address. */
    hasPostalAddress?: boolean;
    /** The recipient has protected personal data (said by the case system, or by FaR's fault 6006). */
    protectedIdentity?: boolean;
  };
  /** FaR's answer for the recipient; absent when FaR was not asked (PRINT_ONLY) or could not answer. */
  reachability?: Reachability;
  /** Set when digital delivery was tried (or prepared) and cannot succeed: the channel is print or none. */
  digitalFailure?: DigitalFailureReason;
  /** The digital attempt may have reached the operator (see HoldReason DIGITAL_OUTCOME_UNKNOWN). */
  digitalOutcomeUnknown?: boolean;
  /** The tenant's policy (defaults apply where absent; see TenantSettings). */
  tenant: TenantSettings;
}

/**
 * The channel switch: one decision per letter, DIGITAL, PRINT, HOLD (manual handling) or
 * UNDELIVERABLE, from the letter's channel preference, FaR's answer or how a digital attempt ended,
 * the tenant's print and protection-class policy, whether there is a postal address, and whether the
 * recipient has a protected identity.
 *
 * - Digital whenever the letter may go digitally and FaR says the recipient can take it from this
 *   sender (Mina meddelanden delivers only to secure mailboxes, which every class may use).
 * - Otherwise print, unless something stops it, checked in this order: the letter is DIGITAL_ONLY;
 *   the tenant allows no print; the digital attempt failed and the tenant does not fall back to print;
 *   the tenant's rule for this protection class (ALLOW, HOLD or DENY); a protected identity (the
 *   tenant's rule, HOLD by default: such letters are never printed with an address the hub made up,
 *   and the hub makes up none, so PRINT_GIVEN_ADDRESS prints only to the address the case system
 *   gave); no postal address (HOLD by default).
 * - A letter is never both delivered digitally and printed: a sealed letter whose attempts ended
 *   without an answer is held (DIGITAL_OUTCOME_UNKNOWN), not printed.
 */
export function decideChannel(input: ChannelSwitchInput): ChannelDecision {
  const { letter, reachability, digitalFailure, tenant } = input;
  if (letter.channelPreference === 'PRINT_ONLY') return toPrint(input, 'PRINT_ONLY');
  if (digitalFailure) {
    if (input.digitalOutcomeUnknown) return { channel: 'HOLD', reason: digitalFailure, holdReason: 'DIGITAL_OUTCOME_UNKNOWN' };
    if (tenant.fallbackToPrint === false && letter.channelPreference !== 'DIGITAL_ONLY') {
      return { channel: 'UNDELIVERABLE', reason: digitalFailure, printBlockedBy: 'FALLBACK_NOT_ALLOWED' };
    }
    return toPrint(input, digitalFailure);
  }
  if (!reachability) {
    // Asking FaR is the caller's job; deciding without an answer would send a reachable person paper.
    throw new TypeError('decideChannel: give FaR’s answer (reachability) or the digital failure');
  }
  if (reachability.deliverable && reachability.operator) return { channel: 'DIGITAL', operator: reachability.operator };
  return toPrint(input, reachability.reason ?? 'NO_SUPPLIER');
}

function toPrint(input: ChannelSwitchInput, reason: ChannelReason): ChannelDecision {
  const { letter, tenant } = input;
  const undeliverable = (printBlockedBy: PrintBlockedBy): ChannelDecision => ({ channel: 'UNDELIVERABLE', reason, printBlockedBy });
  const hold = (holdReason: HoldReason): ChannelDecision => ({ channel: 'HOLD', reason, holdReason });

  if (letter.channelPreference === 'DIGITAL_ONLY') return undeliverable('DIGITAL_ONLY');
  if (tenant.printAllowed === false) return undeliverable('PRINT_NOT_ALLOWED');
  const classRule = tenant.printByProtectionClass?.[String(letter.protectionClass) as '1' | '2' | '3'] ?? 'ALLOW';
  if (classRule === 'DENY') return undeliverable('PROTECTION_CLASS_POLICY');
  if (classRule === 'HOLD') return hold('PROTECTION_CLASS_POLICY');
  if (letter.protectedIdentity) {
    const rule = tenant.protectedIdentityRule ?? 'HOLD';
    if (rule === 'UNDELIVERABLE') return undeliverable('PROTECTED_IDENTITY');
    if (rule === 'HOLD' || !letter.hasPostalAddress) return hold('PROTECTED_IDENTITY');
  }
  if (!letter.hasPostalAddress) return (tenant.missingAddressRule ?? 'HOLD') === 'HOLD' ? hold('NO_POSTAL_ADDRESS') : undeliverable('NO_POSTAL_ADDRESS');
  return { channel: 'PRINT', reason };
}
