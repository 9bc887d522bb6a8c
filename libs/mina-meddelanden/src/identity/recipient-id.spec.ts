import { loadTestPersonnummer, loadTestSamordningsnummer, pickTestPersonnummer } from '@hub/testing';
import { checkRecipientId, luhnValid, maskId, toOrganisationId, type RecipientIdCheck } from './recipient-id';

/** Replaces the check digit (the last one) with the next wrong one. */
function withWrongCheckDigit(id: string): string {
  return id.slice(0, -1) + String((Number(id.at(-1)) + 1) % 10);
}

/** The Luhn check digit for nine digits, computed independently of the code under test. */
function checkDigitFor(nineDigits: string): string {
  let sum = 0;
  [...nineDigits].forEach((c, i) => {
    const d = Number(c) * (i % 2 === 0 ? 2 : 1);
    sum += Math.floor(d / 10) + (d % 10);
  });
  return String((10 - (sum % 10)) % 10);
}

function failure(check: RecipientIdCheck): { rule: string } {
  if (check.ok) throw new Error(`expected a failure, got ${JSON.stringify(check)}`);
  return check;
}

// Public registry data (Bolagsverket): Skatteverket and Sundsvalls kommun. Luhn worked by hand:
// 2021005448 → 4+0+4+1+0+0+1+4+8+8 = 30, 2120002411 → 4+1+4+0+0+0+4+4+2+1 = 20 (both ≡ 0 mod 10).
const SKATTEVERKET = '162021005448';
const SUNDSVALL = '162120002411';

describe('checkRecipientId', () => {
  describe("Skatteverket's official test numbers", () => {
    const personnummer = loadTestPersonnummer();
    const samordningsnummer = loadTestSamordningsnummer();

    it('loads all of them', () => {
      // Counts stated in testdata/SOURCES.txt.
      expect(personnummer).toHaveLength(41_129);
      expect(samordningsnummer).toHaveLength(4_088);
    });

    it('accepts every testpersonnummer as a personnummer', () => {
      const refused = personnummer.filter((id) => {
        const check = checkRecipientId(id);
        return !(check.ok && check.kind === 'personnummer' && check.id === id);
      });
      expect(refused).toEqual([]);
    });

    it('accepts every test samordningsnummer as a samordningsnummer', () => {
      const refused = samordningsnummer.filter((id) => {
        const check = checkRecipientId(id);
        return !(check.ok && check.kind === 'samordningsnummer' && check.id === id);
      });
      expect(refused).toEqual([]);
    });

    it('refuses every one of them with a wrong check digit', () => {
      const accepted = [...pickTestPersonnummer(500, 7), ...samordningsnummer.slice(0, 500)].filter(
        (id) => checkRecipientId(withWrongCheckDigit(id)).ok,
      );
      expect(accepted).toEqual([]);
    });
  });

  it('trims surrounding whitespace', () => {
    const [id] = pickTestPersonnummer(1);
    expect(checkRecipientId(` ${id}\r\n`)).toEqual({ ok: true, kind: 'personnummer', id });
  });

  it.each([
    ['wrong Luhn digit', withWrongCheckDigit('198101052382'), 'luhn'],
    ['31 February', `19810231000${checkDigitFor('810231000')}`, 'date'],
    ['29 February in a common year', `19010229000${checkDigitFor('010229000')}`, 'date'],
    ['month 13', `19811305000${checkDigitFor('811305000')}`, 'date'],
    ['day 00', `19810100000${checkDigitFor('810100000')}`, 'date'],
    ['day 32', `19810132000${checkDigitFor('810132000')}`, 'date'],
    ['samordningsnummer day 92 (31 + 61)', `19810192000${checkDigitFor('810192000')}`, 'date'],
    ['samordningsnummer month 13', `19811365000${checkDigitFor('811365000')}`, 'date'],
    ['personnummer month 00 (only a samordningsnummer may)', `19810005000${checkDigitFor('810005000')}`, 'date'],
    ['11 digits', '19810105238', 'format'],
    ['13 digits', '1981010523820', 'format'],
    ['10 digits (no century)', '8101052382', 'format'],
    ['a hyphen', '19810105-2382', 'format'],
    ['letters', '19810105238A', 'format'],
    ['letters only', 'abcdefghijkl', 'format'],
    ['non-ASCII digits', '١٩٨١٠١٠٥٢٣٨٢', 'format'],
    ['century 17', `17810105000${checkDigitFor('810105000')}`, 'format'],
    ['century 21', `21810105000${checkDigitFor('810105000')}`, 'format'],
    ['empty', '', 'format'],
    ['organisation id with a bad check digit', withWrongCheckDigit(SKATTEVERKET), 'luhn'],
    ['organisation id whose third digit is 1 (Luhn correct)', `16201000000${checkDigitFor('201000000')}`, 'format'],
    ['organisation id whose third digit is 0 (a personnummer)', '168101052382', 'format'],
  ])('refuses %s', (_what, id, rule) => {
    expect(failure(checkRecipientId(id)).rule).toBe(rule);
  });

  it('refuses what is not a string', () => {
    expect(failure(checkRecipientId(undefined as unknown as string)).rule).toBe('format');
    expect(failure(checkRecipientId(198101052382 as unknown as string)).rule).toBe('format');
  });

  it('accepts dates at the edges (all official test numbers)', () => {
    // 29 February 2000 and 1996, 1 January 1890, 31 December 2012.
    for (const id of ['200002292399', '199602292386', '189001019802', '201212312381']) {
      expect(checkRecipientId(id)).toEqual({ ok: true, kind: 'personnummer', id });
    }
  });

  it('accepts samordningsnummer with an unknown month or day, as Skatteverket issues them', () => {
    // Month 00 and day 60 (00 + 60) mean "not known"; all three are official test numbers.
    for (const id of ['191500722390', '191711602399', '193100602394']) {
      expect(checkRecipientId(id)).toEqual({ ok: true, kind: 'samordningsnummer', id });
    }
  });

  it('accepts samordningsnummer past the end of their month, because the official test data has them', () => {
    // 192004912388 is 31 April, 195102892386 29 February 1951.
    for (const id of ['192004912388', '195102892386']) {
      expect(loadTestSamordningsnummer()).toContain(id);
      expect(checkRecipientId(id)).toEqual({ ok: true, kind: 'samordningsnummer', id });
    }
  });

  it('accepts real organisation ids of public bodies', () => {
    expect(checkDigitFor('202100544')).toBe('8');
    expect(checkDigitFor('212000241')).toBe('1');
    for (const id of [SKATTEVERKET, SUNDSVALL]) {
      expect(checkRecipientId(id)).toEqual({ ok: true, kind: 'organisationsnummer', id });
    }
  });
});

describe('toOrganisationId', () => {
  it.each([
    ['202100-5448', SKATTEVERKET],
    ['2021005448', SKATTEVERKET],
    ['162021005448', SKATTEVERKET],
    ['16202100-5448', SKATTEVERKET],
    [' 212000-2411 ', SUNDSVALL],
  ])('normalises %j to %s', (raw, id) => {
    expect(toOrganisationId(raw)).toEqual({ ok: true, kind: 'organisationsnummer', id });
  });

  it.each([
    ['a bad check digit', '202100-5449', 'luhn'],
    ['a personnummer', '810105-2382', 'format'],
    ['a 12-digit personnummer', '198101052382', 'format'],
    ['9 digits', '202100544', 'format'],
    ['letters', '202100-544X', 'format'],
    ['empty', '', 'format'],
  ])('refuses %s', (_what, raw, rule) => {
    expect(failure(toOrganisationId(raw)).rule).toBe(rule);
  });
});

describe('maskId', () => {
  const people = [...pickTestPersonnummer(200, 42), ...loadTestSamordningsnummer().slice(0, 200)];

  it('never shows the last four digits of a personnummer or samordningsnummer', () => {
    for (const id of people) {
      // Only the birth date survives; the last four may still occur inside it by coincidence (…9802 02…).
      expect(maskId(id)).toBe(`${id.slice(0, 8)}****`);
    }
  });

  it('hides everything it cannot classify', () => {
    for (const raw of ['8101052382', '19810105-2382', ' 198101052382', '', 'x']) expect(maskId(raw)).toBe('***');
  });

  it('hides the personnummer in "16" + a personal number (a sole trader\'s organisationsnummer)', () => {
    for (const person of pickTestPersonnummer(50, 3)) {
      const id = `16${person.slice(2)}`;
      expect(maskId(id)).toBe(`${id.slice(0, 8)}****`);
    }
  });

  it('shows organisation ids of legal persons: they are public', () => {
    expect(maskId(SKATTEVERKET)).toBe(SKATTEVERKET);
    expect(maskId(SUNDSVALL)).toBe(SUNDSVALL);
  });
});

describe('luhnValid', () => {
  it('agrees with the check digits of the test data', () => {
    for (const id of pickTestPersonnummer(100, 9)) expect(luhnValid(id.slice(2))).toBe(true);
    expect(luhnValid('2021005448')).toBe(true);
    expect(luhnValid('2021005449')).toBe(false);
  });

  it('is false for input that is not digits', () => {
    for (const raw of ['', 'abcdefghij', '202100-5448', '20210054 8']) expect(luhnValid(raw)).toBe(false);
  });
});

describe('test identity loader (@hub/testing)', () => {
  it('picks distinct official numbers, the same ones for the same seed', () => {
    const picked = pickTestPersonnummer(25, 1234);
    expect(picked).toHaveLength(25);
    expect(new Set(picked).size).toBe(25);
    expect(pickTestPersonnummer(25, 1234)).toEqual(picked);
    expect(pickTestPersonnummer(25, 4321)).not.toEqual(picked);
    expect(pickTestPersonnummer(3)).toEqual(pickTestPersonnummer(3, 1));
    const all = new Set(loadTestPersonnummer());
    expect(picked.every((id) => all.has(id))).toBe(true);
  });

  it('hands out copies, so a test cannot spoil the list for the next one', () => {
    const first = loadTestPersonnummer();
    first.length = 0;
    expect(loadTestPersonnummer()).toHaveLength(41_129);
  });

  it('refuses impossible counts', () => {
    expect(pickTestPersonnummer(0)).toEqual([]);
    expect(() => pickTestPersonnummer(-1)).toThrow(RangeError);
    expect(() => pickTestPersonnummer(1.5)).toThrow(RangeError);
    expect(() => pickTestPersonnummer(41_130)).toThrow(RangeError);
  });
});
