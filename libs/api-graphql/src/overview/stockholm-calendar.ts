import { LOG_TIME_ZONE, zonedMidnight } from '@hub/delivery-log';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * The starts of "today" and "this week" (Monday, as Swedish calendars count) at `now`, as instants:
 * midnight in Europe/Stockholm, so a letter created at 00:30 Swedish summer time (22:30 UTC the day
 * before) counts as today's.
 */
export function periodStarts(now: Date, timeZone = LOG_TIME_ZONE): { today: Date; week: Date } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short' })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  const [y, m, d] = [Number(parts.year), Number(parts.month), Number(parts.day)];
  const sinceMonday = WEEKDAYS.indexOf(parts.weekday);
  if (sinceMonday < 0) throw new Error(`unexpected weekday ${parts.weekday}`);
  // Calendar arithmetic on the local date (a UTC date stands in for it: no time zone in between).
  const monday = new Date(Date.UTC(y, m - 1, d - sinceMonday));
  return {
    today: zonedMidnight(y, m, d, timeZone),
    week: zonedMidnight(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), timeZone),
  };
}
