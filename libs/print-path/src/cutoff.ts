/**
 * The latest cut-off instant at or before `now`: cut-off times are local clock times (HH:MM) in
 * `timeZone` (print vendors give them as "orders in by 15:00"), today's or yesterday's.
 */
export function latestCutoff(times: readonly string[], now: Date, timeZone: string): Date | undefined {
  let latest: Date | undefined;
  for (const dayOffset of [0, -1]) {
    const day = localDate(new Date(now.getTime() + dayOffset * 86_400_000), timeZone);
    for (const t of times) {
      const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(t);
      if (!m) continue;
      const at = zonedTime(day.year, day.month, day.day, Number(m[1]), Number(m[2]), timeZone);
      if (at.getTime() <= now.getTime() && (!latest || at > latest)) latest = at;
    }
  }
  return latest;
}

/** Whether a cut-off time string is valid (HH:MM, 24-hour). */
export function isCutoffTime(t: string): boolean {
  return /^([01]\d|2[0-3]):([0-5]\d)$/.test(t);
}

function localDate(d: Date, timeZone: string): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(d);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { year: get('year'), month: get('month'), day: get('day') };
}

/** The instant at which the clock in `timeZone` shows the given local time. */
function zonedTime(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): Date {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  // The zone's offset at (about) that instant; applied twice to settle across a DST change.
  let instant = asUtc - offsetMs(new Date(asUtc), timeZone);
  instant = asUtc - offsetMs(new Date(instant), timeZone);
  return new Date(instant);
}

function offsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return local - Math.floor(at.getTime() / 1000) * 1000;
}
