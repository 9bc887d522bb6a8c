import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkRecipientId, formatRecipientId, parseRecipientIds } from './recipient-ids';

const TESTDATA = join(__dirname, '..', '..', '..', '..', '..', 'testdata');

/** Skatteverket's published test numbers, one file per range (header line first). */
function officialTestNumbers(prefix: string): string[] {
  return readdirSync(TESTDATA)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.csv'))
    .flatMap((f) => readFileSync(join(TESTDATA, f), 'utf8').split(/\r?\n/).slice(1))
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

describe('checkRecipientId', () => {
  it('accepts every one of Skatteverket’s test personnummer and samordningsnummer', () => {
    const personal = officialTestNumbers('testpersonnummer');
    const coordination = officialTestNumbers('testsamordningsnummer');
    expect(personal.length).toBeGreaterThan(10_000);
    expect(coordination.length).toBeGreaterThan(1_000);
    expect(personal.filter((id) => checkRecipientId(id).ok === false)).toEqual([]);
    expect(coordination.filter((id) => checkRecipientId(id).ok === false)).toEqual([]);
    expect(checkRecipientId(coordination[0])).toMatchObject({ ok: true, kind: 'samordningsnummer' });
  });

  it('takes the ways people write a number, and organisation ids', () => {
    expect(checkRecipientId('19810103-2384')).toEqual({ ok: true, id: '198101032384', kind: 'personnummer' });
    expect(checkRecipientId(' 19810103 2384 ')).toMatchObject({ ok: true, id: '198101032384' });
    expect(checkRecipientId('202001612395')).toEqual({ ok: true, id: '202001612395', kind: 'samordningsnummer' });
    expect(checkRecipientId('165591234561')).toEqual({ ok: true, id: '165591234561', kind: 'organisationsnummer' });
  });

  it('names what is wrong: length, century, date, check digit', () => {
    expect(checkRecipientId('8101032384')).toEqual({ ok: false, problem: 'short' });
    expect(checkRecipientId('810103-2384')).toEqual({ ok: false, problem: 'short' });
    expect(checkRecipientId('19810103238')).toEqual({ ok: false, problem: 'format' });
    expect(checkRecipientId('abc')).toEqual({ ok: false, problem: 'format' });
    expect(checkRecipientId('218101032384')).toEqual({ ok: false, problem: 'century' });
    expect(checkRecipientId('200002302384')).toEqual({ ok: false, problem: 'date' });
    expect(checkRecipientId('199013012385')).toEqual({ ok: false, problem: 'date' });
    // Samordningsnummer: day + 60, so day 92 (= 32) does not exist.
    expect(checkRecipientId('202001922390')).toEqual({ ok: false, problem: 'date' });
    expect(checkRecipientId('198101032385')).toEqual({ ok: false, problem: 'luhn' });
    expect(checkRecipientId('165591234562')).toEqual({ ok: false, problem: 'luhn' });
    expect(checkRecipientId('165512345678')).toEqual({ ok: false, problem: 'format' });
  });
});

describe('parseRecipientIds', () => {
  it('reads one id per line, skipping blank lines and counting repeats once', () => {
    expect(parseRecipientIds('198101032384\n\n  201001012382\r\n19810103-2384\n')).toEqual({ ids: ['198101032384', '201001012382'], bad: [], duplicates: 1, skipped: 0 });
  });

  it('reads pasted CSV and semicolon lists: only cells with digits are ids, a first line without digits is a header', () => {
    const csv = 'personnummer;namn\n"198101032384";"Anna Andersson"\n201001012382;Bo Berg\n';
    expect(parseRecipientIds(csv)).toEqual({ ids: ['198101032384', '201001012382'], bad: [], duplicates: 0, skipped: 1 });
    expect(parseRecipientIds('198101032384, 201001012382,202001612395').ids).toEqual(['198101032384', '201001012382', '202001612395']);
    expect(parseRecipientIds('Personnummer\n198101032384').skipped).toBe(1);
  });

  it('names each bad line with its number and what is wrong', () => {
    const parsed = parseRecipientIds('198101032384\n198101032385\nAnna\n20000230-2384;Bo');
    expect(parsed.ids).toEqual(['198101032384']);
    expect(parsed.bad).toEqual([
      { line: 2, text: '198101032385', problem: 'luhn' },
      { line: 3, text: 'Anna', problem: 'format' },
      { line: 4, text: '20000230-2384', problem: 'date' },
    ]);
  });

  it('formats personnummer with a dash for reading', () => {
    expect(formatRecipientId('198101032384')).toBe('19810103-2384');
    expect(formatRecipientId('165591234561')).toBe('165591234561');
  });
});
