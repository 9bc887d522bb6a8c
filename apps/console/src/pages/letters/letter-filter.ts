/**
 * The letter search's filter as the form holds it, as the address bar keeps it, and as the API takes
 * it. Everything but the recipient goes into the URL query, so a search can be bookmarked and Back
 * returns to it. A personnummer never goes into the address bar (it would land in the browser history
 * and in proxy and server logs): the URL carries a random key (`rk`) and the number itself stays in
 * this tab's sessionStorage under that key, so Back and reload within the session find it again.
 */

export const LETTER_STATUSES = [
  'ACCEPTED',
  'ROUTING',
  'SIGNED',
  'SEALED',
  'DELIVERED',
  'PRINT_PENDING',
  'HELD',
  'BATCHED',
  'PRINTED',
  'POSTED',
  'RETURNED',
  'PRINT_FAILED',
  'FAILED',
  'CANCELLED',
] as const;

export const CHANNELS = ['DIGITAL', 'PRINT'] as const;
export const DATE_FIELDS = ['CREATED', 'DISPATCHED'] as const;

export interface LetterSearch {
  status: string[];
  channel: '' | (typeof CHANNELS)[number];
  dateField: (typeof DATE_FIELDS)[number];
  /** YYYY-MM-DD, from the start of the day (Swedish time). */
  from: string;
  /** YYYY-MM-DD, to the end of the day (inclusive). */
  to: string;
  recipient: string;
  caseReference: string;
  caseType: string;
  sendingUnit: string;
  operator: string;
}

export const EMPTY_SEARCH: LetterSearch = { status: [], channel: '', dateField: 'CREATED', from: '', to: '', recipient: '', caseReference: '', caseType: '', sendingUnit: '', operator: '' };

/** Where the recipient of a search is kept (sessionStorage in the browser). */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

const RECIPIENT_KEY = 'hub.console.letters.recipient.';
const TEXT_PARAMS = ['caseReference', 'caseType', 'sendingUnit', 'operator'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The search the URL query describes (unknown values are dropped: a hand-edited URL cannot break the page). */
export function searchFromQuery(query: URLSearchParams, store: KeyValueStore | null): LetterSearch {
  const s: LetterSearch = { ...EMPTY_SEARCH, status: query.getAll('status').filter((x) => (LETTER_STATUSES as readonly string[]).includes(x)) };
  const channel = query.get('channel');
  if (channel && (CHANNELS as readonly string[]).includes(channel)) s.channel = channel as LetterSearch['channel'];
  if (query.get('dateField') === 'DISPATCHED') s.dateField = 'DISPATCHED';
  for (const d of ['from', 'to'] as const) {
    const v = query.get(d);
    if (v && DATE.test(v)) s[d] = v;
  }
  for (const p of TEXT_PARAMS) s[p] = query.get(p)?.trim() ?? '';
  const rk = query.get('rk');
  if (rk && /^[a-z0-9]{1,32}$/.test(rk)) s.recipient = store?.getItem(RECIPIENT_KEY + rk) ?? '';
  return s;
}

/**
 * The URL query of a search (in a fixed order, empty fields left out). The recipient is stored under
 * a new random key (`newKey`), never written into the query itself.
 */
export function queryFromSearch(s: LetterSearch, store: KeyValueStore | null, newKey: () => string = randomKey): URLSearchParams {
  const q = new URLSearchParams();
  for (const status of LETTER_STATUSES) if (s.status.includes(status)) q.append('status', status);
  if (s.channel) q.set('channel', s.channel);
  if (s.dateField === 'DISPATCHED') q.set('dateField', 'DISPATCHED');
  if (s.from) q.set('from', s.from);
  if (s.to) q.set('to', s.to);
  for (const p of TEXT_PARAMS) if (s[p].trim()) q.set(p, s[p].trim());
  const recipient = s.recipient.trim();
  if (recipient && store) {
    const key = newKey();
    store.setItem(RECIPIENT_KEY + key, recipient);
    q.set('rk', key);
  }
  return q;
}

function randomKey(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The instant midnight starts day `yyyy-mm-dd` in Sweden (23:00 or 22:00 UTC the day before). */
export function stockholmMidnight(day: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  const offsetAt = (t: number) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Stockholm', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
        .formatToParts(new Date(t))
        .map((p) => [p.type, p.value]),
    );
    return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) - t;
  };
  let t = guess - offsetAt(guess);
  t = guess - offsetAt(t);
  return new Date(t);
}

/** The day after `yyyy-mm-dd`. */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** Problems the form can see before asking the API (keys are the fields). */
export function searchProblems(s: LetterSearch): Partial<Record<keyof LetterSearch, 'recipient' | 'range'>> {
  const out: Partial<Record<keyof LetterSearch, 'recipient' | 'range'>> = {};
  const id = s.recipient.replace(/[-+\s]/g, '');
  if (s.recipient.trim() && !/^\d{12}$/.test(id)) out.recipient = 'recipient';
  if (s.from && s.to && s.to < s.from) out.to = 'range';
  return out;
}

/** The API's DeliveryLogFilter: dates as instants (a day from Swedish midnight; `to` inclusive of its day). */
export function apiFilter(s: LetterSearch): Record<string, unknown> {
  const f: Record<string, unknown> = {};
  if (s.status.length) f.status = LETTER_STATUSES.filter((x) => s.status.includes(x));
  if (s.channel) f.channel = s.channel;
  if (s.dateField !== 'CREATED') f.dateField = s.dateField;
  if (s.from) f.from = stockholmMidnight(s.from).toISOString();
  if (s.to) f.to = stockholmMidnight(nextDay(s.to)).toISOString();
  const recipient = s.recipient.replace(/[-+\s]/g, '');
  if (recipient) f.recipient = recipient;
  for (const p of TEXT_PARAMS) if (s[p].trim()) f[p] = s[p].trim();
  return f;
}

/** Whether the search filters on anything at all. */
export function isFiltered(s: LetterSearch): boolean {
  return Object.keys(apiFilter(s)).length > 0;
}

/**
 * A recipient id as the result list shows it until the row is opened: the birth date of a personnummer
 * or samordningsnummer with the last four digits hidden (YYYYMMDD-XXXX). An organisationsnummer
 * (16…) is not personal data and is shown; a pseudonym or a removed id (retention) as it is.
 */
export function maskRecipient(id: string): string {
  if (/^\d{12}$/.test(id) && !id.startsWith('16')) return `${id.slice(0, 8)}-XXXX`;
  return id;
}

/** A recipient id written the usual way: YYYYMMDD-NNNN (organisationsnummer: 16NNNNNN-NNNN). */
export function formatRecipient(id: string): string {
  return /^\d{12}$/.test(id) ? `${id.slice(0, 8)}-${id.slice(8)}` : id;
}
