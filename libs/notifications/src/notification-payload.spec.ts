/** What a notification may carry: the subject by policy, never a personnummer; the published log entries. */
import { DispatchEvent } from '@hub/dispatch';
import { PrintEvent } from '@hub/print-path';
import { LOG_TO_NOTIFICATION, NOTIFICATION_EVENT_TYPES } from './notification-events';
import { maskPersonalIdentifiers, NotificationRow, subjectAllowed, toNotification } from './notification-payload';

describe('subjectAllowed (the protection-class policy of @hub/policies)', () => {
  it('shows the subject of class 1 by default, not class 2, never class 3', () => {
    expect([1, 2, 3].map((c) => subjectAllowed({}, c))).toEqual([true, false, false]);
    expect([1, 2, 3].map((c) => subjectAllowed(null, c))).toEqual([true, false, false]);
  });

  it('follows the municipality’s policy for classes 1 and 2, and never shows class 3', () => {
    const policy = (notificationSubject: Record<string, unknown>) => [1, 2, 3].map((c) => subjectAllowed({ protectionClassPolicy: { notificationSubject } }, c));
    expect(policy({ '1': false })).toEqual([false, false, false]);
    expect(policy({ '2': true })).toEqual([true, true, false]);
    expect(policy({ '3': true })).toEqual([true, false, false]);
    expect([0, 4, NaN].map((c) => subjectAllowed({}, c))).toEqual([false, false, false]);
  });
});

describe('maskPersonalIdentifiers', () => {
  it('masks personnummer and samordningsnummer in any common form, leaves organisation numbers and case references', () => {
    expect(maskPersonalIdentifiers('Beslut 198101032384, 19810103-2384 och 810103-2384 / 8101032384')).toBe(
      'Beslut [personnummer], [personnummer] och [personnummer] / [personnummer]',
    );
    // A samordningsnummer (day + 60) from Skatteverket's test list.
    expect(maskPersonalIdentifiers('sam 191401682396')).toBe('sam [personnummer]');
    expect(maskPersonalIdentifiers('Org 162120002411, BN 2026-123, 2026-001234')).toBe('Org 162120002411, BN 2026-123, 2026-001234');
  });
});

describe('the published events', () => {
  it('names log entry types the dispatch and the print path really write', () => {
    const written = new Set<string>([...Object.values(DispatchEvent), ...Object.values(PrintEvent), 'CANCELLED']);
    expect(Object.keys(LOG_TO_NOTIFICATION).filter((t) => !written.has(t))).toEqual([]);
    expect(new Set(Object.values(LOG_TO_NOTIFICATION))).toEqual(new Set(NOTIFICATION_EVENT_TYPES));
  });

  const row = (over: Partial<NotificationRow>): NotificationRow => ({
    event_id: '7',
    event_type: 'DELIVERED',
    to_status: 'DELIVERED',
    detail: {},
    event_at: new Date('2026-11-26T08:00:00.123Z'),
    letter_id: '00000000-0000-4000-8000-000000000001',
    case_reference: 'BN 2026-123',
    case_type_code: null,
    subject: 'Beslut om bygglov',
    protection_class: 1,
    unit_code: 'bygg',
    ...over,
  });
  const tenant = { alias: 'demo-kommun', settings: {} };

  it('publishes only the chosen detail fields, and never an internal step', () => {
    const n = toNotification(row({ detail: { transId: 'T1', operatorId: 'kivra', operatorName: 'Kivra', resent: true, serviceAddress: 'https://x' } }), tenant)!;
    expect(n).toEqual({
      id: '7',
      type: 'letter.delivered',
      occurredAt: '2026-11-26T08:00:00.123Z',
      recordedAt: '2026-11-26T08:00:00.123Z',
      tenant: 'demo-kommun',
      letterId: '00000000-0000-4000-8000-000000000001',
      caseReference: 'BN 2026-123',
      caseType: null,
      sendingUnit: 'bygg',
      protectionClass: 1,
      status: 'DELIVERED',
      channel: 'DIGITAL',
      reason: null,
      subject: 'Beslut om bygglov',
      details: { transId: 'T1', operatorId: 'kivra', operatorName: 'Kivra' },
    });
    expect(toNotification(row({ event_type: 'SIGNED' }), tenant)).toBeUndefined();
    const held = toNotification(row({ event_type: 'HELD', to_status: 'HELD', detail: { holdReason: 'PRINT_REFUSED', problems: [{ code: 'X', message: 'y' }] } }), tenant)!;
    expect(held).toMatchObject({ type: 'letter.held', reason: 'PRINT_REFUSED', details: { holdReason: 'PRINT_REFUSED' }, channel: null });
    const failed = toNotification(row({ event_type: 'PRINT_FAILED', to_status: 'PRINT_FAILED', detail: { vendorId: 'demo-print', batchId: 'b', reason: 'JAM', occurredAt: '2026-11-26T07:00:00Z' } }), tenant)!;
    expect(failed).toMatchObject({ type: 'letter.failed', channel: 'PRINT', reason: 'JAM', occurredAt: '2026-11-26T07:00:00.000Z', details: { stage: 'print', vendorId: 'demo-print' } });
  });
});
