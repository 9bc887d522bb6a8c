import { latestCutoff } from './cutoff';

describe('latestCutoff', () => {
  const tz = 'Europe/Stockholm';

  it('finds today’s last cut-off in local time (winter: UTC+1)', () => {
    const now = new Date('2026-11-26T14:30:00Z'); // 15:30 in Stockholm
    expect(latestCutoff(['10:00', '15:00'], now, tz)?.toISOString()).toBe('2026-11-26T14:00:00.000Z');
    expect(latestCutoff(['10:00', '16:00'], now, tz)?.toISOString()).toBe('2026-11-26T09:00:00.000Z');
  });

  it('uses summer time (UTC+2) and yesterday’s cut-off before today’s first', () => {
    const now = new Date('2026-06-10T06:00:00Z'); // 08:00 in Stockholm
    expect(latestCutoff(['10:00', '15:00'], now, tz)?.toISOString()).toBe('2026-06-09T13:00:00.000Z');
  });

  it('is undefined without cut-off times and ignores malformed ones', () => {
    expect(latestCutoff([], new Date(), tz)).toBeUndefined();
    expect(latestCutoff(['25:00', 'x'], new Date(), tz)).toBeUndefined();
  });
});
