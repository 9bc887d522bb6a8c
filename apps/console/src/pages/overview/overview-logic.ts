/**
 * The overview's numbers shaped for the page: letters per channel stacked by groups of states (for
 * the bar chart and its table), states in one table for two periods, and waiting times in words.
 */

/** Groups of states a person reads at a glance; colours have at least 3:1 contrast against white. */
export const STATE_GROUPS = [
  { key: 'done', statuses: ['DELIVERED', 'POSTED'], colour: '#0b6b2f' },
  { key: 'moving', statuses: ['ACCEPTED', 'ROUTING', 'SIGNED', 'SEALED', 'PRINT_PENDING', 'BATCHED', 'PRINTED'], colour: '#0a4d9c' },
  { key: 'held', statuses: ['HELD'], colour: '#8a5300' },
  { key: 'failed', statuses: ['FAILED', 'PRINT_FAILED', 'RETURNED'], colour: '#a3161a' },
  { key: 'cancelled', statuses: ['CANCELLED'], colour: '#5c5c5c' },
] as const;

export type StateGroup = (typeof STATE_GROUPS)[number]['key'];

export const OVERVIEW_CHANNELS = ['DIGITAL', 'PRINT', 'NONE'] as const;

export interface ChannelStatusCount {
  channel: string;
  status: string;
  count: number;
}

/** The state group of a state (an unknown state counts as on its way). */
export function groupOf(status: string): StateGroup {
  return STATE_GROUPS.find((g) => (g.statuses as readonly string[]).includes(status))?.key ?? 'moving';
}

/** One bar per channel, its letters stacked by state group (every channel and group present, 0 when none). */
export function channelBars(counts: readonly ChannelStatusCount[]): { channel: string; values: Record<StateGroup, number> }[] {
  return OVERVIEW_CHANNELS.map((channel) => {
    const values = Object.fromEntries(STATE_GROUPS.map((g) => [g.key, 0])) as Record<StateGroup, number>;
    for (const c of counts) if (c.channel === channel) values[groupOf(c.status)] += c.count;
    return { channel, values };
  });
}

/** Today's and the week's count of each state that occurs in either, in the order of `order`. */
export function statusRows(order: readonly string[], today: readonly { key: string; count: number }[], week: readonly { key: string; count: number }[]): { status: string; today: number; week: number }[] {
  const t = new Map(today.map((x) => [x.key, x.count]));
  const w = new Map(week.map((x) => [x.key, x.count]));
  return order.filter((s) => t.has(s) || w.has(s)).map((status) => ({ status, today: t.get(status) ?? 0, week: w.get(status) ?? 0 }));
}

/** A waiting time in minutes as days, hours and minutes (the two largest units that are not zero). */
export function ageParts(minutes: number): { unit: 'd' | 'h' | 'min'; value: number }[] {
  const m = Math.max(0, Math.floor(minutes));
  const parts = [
    { unit: 'd' as const, value: Math.floor(m / 1440) },
    { unit: 'h' as const, value: Math.floor((m % 1440) / 60) },
    { unit: 'min' as const, value: m % 60 },
  ];
  const first = parts.findIndex((p) => p.value > 0);
  if (first < 0) return [{ unit: 'min', value: 0 }];
  return parts.slice(first, first + 2).filter((p) => p.value > 0);
}

/** The letters page's URL for letters in these states created from a day (YYYY-MM-DD, Swedish time). */
export function lettersLink(statuses: readonly string[], fromDay?: string): string {
  const q = new URLSearchParams();
  for (const s of statuses) q.append('status', s);
  if (fromDay) q.set('from', fromDay);
  return `/letters?${q.toString()}`;
}

/** The Swedish calendar day (YYYY-MM-DD) of an instant. */
export function stockholmDay(iso: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}
