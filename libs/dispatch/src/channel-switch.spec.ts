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
const auto = { channelPreference: 'AUTO' as const, protectionClass: 2 };

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
      channel: 'NONE',
      reason: 'PENDING',
      printBlockedBy: 'DIGITAL_ONLY',
    });
    expect(decideChannel({ letter: auto, reachability: notReachable('NOT_REGISTERED'), tenant: { printAllowed: false } })).toEqual({
      channel: 'NONE',
      reason: 'NOT_REGISTERED',
      printBlockedBy: 'PRINT_NOT_ALLOWED',
    });
  });

  it('prints PRINT_ONLY letters without FaR, unless the tenant does not allow print', () => {
    expect(decideChannel({ letter: { ...auto, channelPreference: 'PRINT_ONLY' }, tenant: {} })).toEqual({ channel: 'PRINT', reason: 'PRINT_ONLY' });
    expect(decideChannel({ letter: { ...auto, channelPreference: 'PRINT_ONLY' }, reachability: reachable, tenant: {} })).toEqual({ channel: 'PRINT', reason: 'PRINT_ONLY' });
    expect(decideChannel({ letter: { ...auto, channelPreference: 'PRINT_ONLY' }, tenant: { printAllowed: false } })).toEqual({
      channel: 'NONE',
      reason: 'PRINT_ONLY',
      printBlockedBy: 'PRINT_NOT_ALLOWED',
    });
  });

  it('falls back after a digital failure by the same rule', () => {
    expect(decideChannel({ letter: auto, reachability: reachable, digitalFailure: 'RETRIES_EXHAUSTED', tenant: {} })).toEqual({ channel: 'PRINT', reason: 'RETRIES_EXHAUSTED' });
    expect(decideChannel({ letter: { ...auto, channelPreference: 'DIGITAL_ONLY' }, digitalFailure: 'OPERATOR_REFUSED', tenant: {} })).toEqual({
      channel: 'NONE',
      reason: 'OPERATOR_REFUSED',
      printBlockedBy: 'DIGITAL_ONLY',
    });
  });

  it('refuses to decide a digital-capable letter without FaR’s answer', () => {
    expect(() => decideChannel({ letter: auto, tenant: {} })).toThrow(/reachability/);
  });
});
