import { periodStarts } from './stockholm-calendar';

describe('periodStarts (Europe/Stockholm)', () => {
  it('starts today at local midnight and the week on Monday, in winter time', () => {
    // Wednesday 4 March 2026, 11:00 local (UTC+1).
    expect(periodStarts(new Date('2026-03-04T10:00:00Z'))).toEqual({ today: new Date('2026-03-03T23:00:00Z'), week: new Date('2026-03-01T23:00:00Z') });
  });

  it('counts 00:30 local time as the new day, which is the day before in UTC (summer time)', () => {
    // Wednesday 1 July 2026 00:30 local = 30 June 22:30 UTC.
    expect(periodStarts(new Date('2026-06-30T22:30:00Z'))).toEqual({ today: new Date('2026-06-30T22:00:00Z'), week: new Date('2026-06-28T22:00:00Z') });
  });

  it('makes a Monday its own week start, and Sunday evening the end of the week before', () => {
    const monday = periodStarts(new Date('2026-03-02T08:00:00Z'));
    expect(monday.week).toEqual(monday.today);
    expect(periodStarts(new Date('2026-03-01T22:59:00Z')).week).toEqual(new Date('2026-02-22T23:00:00Z'));
  });

  it('takes the week across a daylight saving change (the week of 29 March 2026 starts in winter time)', () => {
    // Tuesday 31 March 2026 (summer time); Monday 30 March began in summer time already (the change was Sunday 29 March).
    expect(periodStarts(new Date('2026-03-31T10:00:00Z'))).toEqual({ today: new Date('2026-03-30T22:00:00Z'), week: new Date('2026-03-29T22:00:00Z') });
    // Sunday 29 March 12:00: the week began Monday 23 March in winter time.
    expect(periodStarts(new Date('2026-03-29T10:00:00Z')).week).toEqual(new Date('2026-03-22T23:00:00Z'));
  });
});
