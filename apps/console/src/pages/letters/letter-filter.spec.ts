import { apiFilter, EMPTY_SEARCH, formatRecipient, isFiltered, KeyValueStore, LetterSearch, maskRecipient, nextDay, queryFromSearch, searchFromQuery, searchProblems, stockholmMidnight } from './letter-filter';

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

const search = (over: Partial<LetterSearch>): LetterSearch => ({ ...EMPTY_SEARCH, ...over });

describe('the letter search in the URL', () => {
  it('round-trips every field through the query, in a fixed order', () => {
    const store = memoryStore();
    const s = search({
      status: ['RETURNED', 'FAILED'],
      channel: 'PRINT',
      dateField: 'DISPATCHED',
      from: '2026-11-01',
      to: '2026-11-26',
      caseReference: ' BN 2026-1 ',
      caseType: 'bygglov',
      sendingUnit: 'bygg',
      operator: '165599000014',
    });
    const q = queryFromSearch(s, store);
    expect(q.toString()).toBe('status=RETURNED&status=FAILED&channel=PRINT&dateField=DISPATCHED&from=2026-11-01&to=2026-11-26&caseReference=BN+2026-1&caseType=bygglov&sendingUnit=bygg&operator=165599000014');
    expect(searchFromQuery(new URLSearchParams(q.toString()), store)).toEqual({ ...s, status: ['RETURNED', 'FAILED'], caseReference: 'BN 2026-1' });
  });

  it('keeps a personnummer out of the address bar, and finds it again by its key (Back, reload)', () => {
    const store = memoryStore();
    const q = queryFromSearch(search({ recipient: '19810103-2384', status: ['DELIVERED'] }), store, () => 'k1');
    expect(q.toString()).toBe('status=DELIVERED&rk=k1');
    expect(q.toString()).not.toContain('2384');
    expect(searchFromQuery(q, store).recipient).toBe('19810103-2384');
    // Another tab or a bookmark in a later session has no such key: the rest of the search still applies.
    expect(searchFromQuery(q, memoryStore())).toEqual(search({ status: ['DELIVERED'] }));
    // Each search gets its own key, so Back to an earlier search gets its own recipient.
    const later = queryFromSearch(search({ recipient: '199001012385' }), store, () => 'k2');
    expect([searchFromQuery(q, store).recipient, searchFromQuery(later, store).recipient]).toEqual(['19810103-2384', '199001012385']);
  });

  it('ignores what it does not know in a hand-edited URL', () => {
    const q = new URLSearchParams('status=NOPE&status=HELD&channel=FAX&dateField=X&from=yesterday&to=2026-13-01x&rk=../../x&extra=1');
    expect(searchFromQuery(q, memoryStore())).toEqual(search({ status: ['HELD'] }));
  });

  it('gives an empty query for an empty search', () => {
    expect(queryFromSearch(EMPTY_SEARCH, memoryStore()).toString()).toBe('');
    expect(isFiltered(EMPTY_SEARCH)).toBe(false);
  });
});

describe('the search as the API takes it', () => {
  it('turns days into Swedish midnights, the end day inclusive, and normalises the recipient', () => {
    expect(apiFilter(search({ from: '2026-03-01', to: '2026-03-31', recipient: '19810103-2384', status: ['FAILED', 'HELD'] }))).toEqual({
      status: ['HELD', 'FAILED'],
      from: '2026-02-28T23:00:00.000Z',
      // 31 March ends at midnight into 1 April, in summer time.
      to: '2026-03-31T22:00:00.000Z',
      recipient: '198101032384',
    });
    expect(apiFilter(search({ dateField: 'DISPATCHED', channel: 'DIGITAL' }))).toEqual({ dateField: 'DISPATCHED', channel: 'DIGITAL' });
  });

  it('knows Swedish midnight across the daylight saving changes', () => {
    expect(stockholmMidnight('2026-03-29').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(stockholmMidnight('2026-03-30').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(stockholmMidnight('2026-10-25').toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });

  it('names the fields the form can check itself', () => {
    expect(searchProblems(search({ recipient: '1981-01-03', from: '2026-03-02', to: '2026-03-01' }))).toEqual({ recipient: 'recipient', to: 'range' });
    expect(searchProblems(search({ recipient: '19810103-2384', from: '2026-03-01', to: '2026-03-01' }))).toEqual({});
  });
});

describe('recipients in the list', () => {
  it('hides the last four digits of a personnummer or samordningsnummer until the row is opened', () => {
    expect(maskRecipient('198101032384')).toBe('19810103-XXXX');
    expect(maskRecipient('202001612395')).toBe('20200161-XXXX');
    expect(formatRecipient('198101032384')).toBe('19810103-2384');
  });

  it('shows an organisationsnummer, a pseudonym and a removed id as they are', () => {
    expect(maskRecipient('165599000030')).toBe('165599000030');
    expect(maskRecipient('ps1:abc')).toBe('ps1:abc');
    expect(maskRecipient('(removed)')).toBe('(removed)');
  });
});
