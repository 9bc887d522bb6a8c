import type { Reachability } from '@hub/mina-meddelanden';
import { decideChannel } from './channel-switch';

const OPERATOR = { id: '165599000014', name: 'Kivra-lik', serviceAddress: 'https://127.0.0.1:7444/service/v3' };
const reachable: Reachability = { recipientId: '198101032384', deliverable: true, accountType: 'Secure', pending: false, senderAccepted: true, operator: OPERATOR };
const notReachable = (reason: Reachability['reason']): Reachability => ({
  recipientId: '201001012382',
  deliverable: false,
  reason,
  accountType: reason === 'NOT_REGISTERED' ? 'Not' : 'Secure',
  pending: reason === 'PENDING',
  senderAccepted: reason !== 'SENDER_NOT_ACCEPTED',
});
const auto = { channelPreference: 'AUTO' as const, protectionClass: 2, hasPostalAddress: true };

describe('channel switch', () => {
  it('sends digitally when FaR says deliverable, whatever the protection class', () => {
    for (const protectionClass of [1, 2, 3]) {
      expect(decideChannel({ letter: { ...auto, protectionClass }, reachability: reachable, tenant: {} })).toEqual({ channel: 'DIGITAL', operator: OPERATOR });
      expect(decideChannel({ letter: { channelPreference: 'DIGITAL_ONLY', protectionClass }, reachability: reachable, tenant: { printAllowed: false } })).toEqual({
        channel: 'DIGITAL',
        operator: OPERATOR,
      });
    }
  });

  it.each(['NOT_REGISTERED', 'SENDER_NOT_ACCEPTED', 'PENDING', 'NO_SUPPLIER'] as const)('routes to print with FaR’s reason %s', (reason) => {
    expect(decideChannel({ letter: auto, reachability: notReachable(reason), tenant: {} })).toEqual({ channel: 'PRINT', reason });
    expect(decideChannel({ letter: auto, reachability: notReachable(reason), tenant: { printAllowed: true } })).toEqual({ channel: 'PRINT', reason });
  });

  it('fails with FaR’s reason when the letter is DIGITAL_ONLY or the tenant does not allow print', () => {
    expect(decideChannel({ letter: { ...auto, channelPreference: 'DIGITAL_ONLY' }, reachability: notReachable('PENDING'), tenant: {} })).toEqual({
      channel: 'UNDELIVERABLE',
      reason: 'PENDING',
      printBlockedBy: 'DIGITAL_ONLY',
    });
    expect(decideChannel({ letter: auto, reachability: notReachable('NOT_REGISTERED'), tenant: { printAllowed: false } })).toEqual({
      channel: 'UNDELIVERABLE',
      reason: 'NOT_REGISTERED',
      printBlockedBy: 'PRINT_NOT_ALLOWED',
    });
  });

  it('prints PRINT_ONLY letters without FaR, unless the tenant does not allow print', () => {
    expect(decideChannel({ letter: { ...auto, channelPreference: 'PRINT_ONLY' }, tenant: {} })).toEqual({ channel: 'PRINT', reason: 'PRINT_ONLY' });
    expect(decideChannel({ letter: { ...auto, channelPreference: 'PRINT_ONLY' }, reachability: reachable, tenant: {} })).toEqual({ channel: 'PRINT', reason: 'PRINT_ONLY' });
    expect(decideChannel({ letter: { ...auto, channelPreference: 'PRINT_ONLY' }, tenant: { printAllowed: false } })).toEqual({
      channel: 'UNDELIVERABLE',
      reason: 'PRINT_ONLY',
      printBlockedBy: 'PRINT_NOT_ALLOWED',
    });
  });

  it('falls back after a digital failure by the same rule', () => {
    expect(decideChannel({ letter: auto, reachability: reachable, digitalFailure: 'RETRIES_EXHAUSTED', tenant: {} })).toEqual({ channel: 'PRINT', reason: 'RETRIES_EXHAUSTED' });
    expect(decideChannel({ letter: { ...auto, channelPreference: 'DIGITAL_ONLY' }, digitalFailure: 'OPERATOR_REFUSED', tenant: {} })).toEqual({
      channel: 'UNDELIVERABLE',
      reason: 'OPERATOR_REFUSED',
      printBlockedBy: 'DIGITAL_ONLY',
    });
  });

  it('refuses to decide a digital-capable letter without FaR’s answer', () => {
    expect(() => decideChannel({ letter: auto, tenant: {} })).toThrow(/reachability/);
  });

  describe('print policy, address and protected identity (P1, P4)', () => {
    const nr = notReachable('NOT_REGISTERED');

    it('holds a letter for print without a postal address, or makes it undeliverable when the tenant says so', () => {
      expect(decideChannel({ letter: { ...auto, hasPostalAddress: false }, reachability: nr, tenant: {} })).toEqual({ channel: 'HOLD', reason: 'NOT_REGISTERED', holdReason: 'NO_POSTAL_ADDRESS' });
      expect(decideChannel({ letter: { ...auto, hasPostalAddress: false }, reachability: nr, tenant: { missingAddressRule: 'UNDELIVERABLE' } })).toEqual({
        channel: 'UNDELIVERABLE',
        reason: 'NOT_REGISTERED',
        printBlockedBy: 'NO_POSTAL_ADDRESS',
      });
    });

    it('follows the tenant’s rule for protected identities: HOLD by default, never an address the hub made up', () => {
      const letter = { ...auto, protectedIdentity: true };
      expect(decideChannel({ letter, reachability: nr, tenant: {} })).toEqual({ channel: 'HOLD', reason: 'NOT_REGISTERED', holdReason: 'PROTECTED_IDENTITY' });
      expect(decideChannel({ letter, reachability: nr, tenant: { protectedIdentityRule: 'UNDELIVERABLE' } })).toEqual({
        channel: 'UNDELIVERABLE',
        reason: 'NOT_REGISTERED',
        printBlockedBy: 'PROTECTED_IDENTITY',
      });
      // Print only to the address the case system gave; without one the letter waits for a person.
      expect(decideChannel({ letter, reachability: nr, tenant: { protectedIdentityRule: 'PRINT_GIVEN_ADDRESS' } })).toEqual({ channel: 'PRINT', reason: 'NOT_REGISTERED' });
      expect(decideChannel({ letter: { ...letter, hasPostalAddress: false }, reachability: nr, tenant: { protectedIdentityRule: 'PRINT_GIVEN_ADDRESS' } })).toEqual({
        channel: 'HOLD',
        reason: 'NOT_REGISTERED',
        holdReason: 'PROTECTED_IDENTITY',
      });
      // A protected person with a secure mailbox still gets it digitally.
      expect(decideChannel({ letter, reachability: reachable, tenant: {} })).toEqual({ channel: 'DIGITAL', operator: OPERATOR });
    });

    it('applies the protection-class policy to print', () => {
      const tenant = { printByProtectionClass: { '3': 'HOLD' as const, '2': 'DENY' as const } };
      expect(decideChannel({ letter: { ...auto, protectionClass: 3 }, reachability: nr, tenant })).toEqual({ channel: 'HOLD', reason: 'NOT_REGISTERED', holdReason: 'PROTECTION_CLASS_POLICY' });
      expect(decideChannel({ letter: { ...auto, protectionClass: 2 }, reachability: nr, tenant })).toEqual({
        channel: 'UNDELIVERABLE',
        reason: 'NOT_REGISTERED',
        printBlockedBy: 'PROTECTION_CLASS_POLICY',
      });
      expect(decideChannel({ letter: { ...auto, protectionClass: 1 }, reachability: nr, tenant })).toEqual({ channel: 'PRINT', reason: 'NOT_REGISTERED' });
    });

    it('never prints a letter whose digital outcome is unknown, and falls back only when the tenant allows it', () => {
      expect(decideChannel({ letter: auto, digitalFailure: 'RETRIES_EXHAUSTED', digitalOutcomeUnknown: true, tenant: {} })).toEqual({
        channel: 'HOLD',
        reason: 'RETRIES_EXHAUSTED',
        holdReason: 'DIGITAL_OUTCOME_UNKNOWN',
      });
      expect(decideChannel({ letter: auto, digitalFailure: 'OPERATOR_REFUSED', tenant: { fallbackToPrint: false } })).toEqual({
        channel: 'UNDELIVERABLE',
        reason: 'OPERATOR_REFUSED',
        printBlockedBy: 'FALLBACK_NOT_ALLOWED',
      });
      // PRINT_ONLY is not a fallback.
      expect(decideChannel({ letter: { ...auto, channelPreference: 'PRINT_ONLY' }, tenant: { fallbackToPrint: false } })).toEqual({ channel: 'PRINT', reason: 'PRINT_ONLY' });
    });
  });
});
