/** What kind of identity a 12-digit Mina meddelanden id is. */
export type RecipientIdKind = 'personnummer' | 'samordningsnummer' | 'organisationsnummer';

export type RecipientIdCheck =
  | { ok: true; kind: RecipientIdKind; id: string }
  | { ok: false; rule: 'format' | 'date' | 'luhn'; message: string };

/**
 * Luhn check over the last ten digits (as Skatteverket defines it for all three kinds).
 * False for anything that is not a non-empty string of ASCII digits.
 */
export function luhnValid(tenDigits: string): boolean {
  if (!/^\d+$/.test(tenDigits)) return false;
  let sum = 0;
  // Counted from the right, so that the check digit is never doubled whatever the length.
  for (let i = tenDigits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = tenDigits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

/**
 * Skatteverket writes an unknown birth month or day of a samordningsnummer as 00 (so day 60), and its
 * own published test samordningsnummer include days past the end of their month (31 April, 29 February
 * 1951): FaR is the authority on whether such a number exists, so only the ranges are checked here.
 */
function validCoordinationDate(month: number, day: number): boolean {
  return month >= 0 && month <= 12 && day >= 0 && day <= 31;
}

/**
 * Checks a recipient id as Mina meddelanden expects it: 12 digits, either a personnummer
 * (YYYYMMDDNNNN with a real date) or a samordningsnummer (day + 60; month 00–12 and day 60–91, since
 * Skatteverket writes an unknown month or day as 00) with a valid Luhn digit, or "16" +
 * organisationsnummer (third digit of the organisationsnummer ≥ 2, Luhn).
 */
export function checkRecipientId(raw: string): RecipientIdCheck {
  const id = typeof raw === 'string' ? raw.trim() : '';
  if (!/^\d{12}$/.test(id)) {
    return {
      ok: false,
      rule: 'format',
      message: 'must be 12 digits: YYYYMMDDNNNN (personnummer/samordningsnummer) or 16 + organisationsnummer',
    };
  }
  if (id.startsWith('16')) {
    const org = id.slice(2);
    if (Number(org[2]) < 2) {
      return { ok: false, rule: 'format', message: 'organisationsnummer must have a third digit of 2 or more' };
    }
    if (!luhnValid(org)) return { ok: false, rule: 'luhn', message: 'organisationsnummer check digit is wrong' };
    return { ok: true, kind: 'organisationsnummer', id };
  }
  const century = id.slice(0, 2);
  if (century !== '18' && century !== '19' && century !== '20') {
    return { ok: false, rule: 'format', message: 'must start with 18, 19 or 20 (birth century) or 16 (organisation)' };
  }
  const year = Number(id.slice(0, 4));
  const month = Number(id.slice(4, 6));
  const day = Number(id.slice(6, 8));
  const kind: RecipientIdKind = day >= 60 ? 'samordningsnummer' : 'personnummer';
  const dateOk =
    kind === 'samordningsnummer' ? validCoordinationDate(month, day - 60) : validDate(year, month, day);
  if (!dateOk) {
    return { ok: false, rule: 'date', message: `${id.slice(0, 8)} is not a valid date of birth` };
  }
  if (!luhnValid(id.slice(2))) return { ok: false, rule: 'luhn', message: 'check digit is wrong' };
  return { ok: true, kind, id };
}

/** Normalises a sender/organisation id: accepts "NNNNNN-NNNN", 10 or 12 digits; returns "16" + 10 digits. */
export function toOrganisationId(raw: string): RecipientIdCheck {
  const digits = typeof raw === 'string' ? raw.replace(/-/g, '').trim() : '';
  const id = /^\d{10}$/.test(digits) ? `16${digits}` : digits;
  if (!/^16\d{10}$/.test(id)) {
    return { ok: false, rule: 'format', message: 'must be an organisationsnummer: 10 digits, or 16 + 10 digits' };
  }
  const check = checkRecipientId(id);
  return check;
}

/** Masks an id for logs: keeps the birth date or organisation prefix, hides the rest. */
export function maskId(id: string): string {
  if (!/^\d{12}$/.test(id)) return '***';
  // Legal persons' numbers (third digit ≥ 2) are public; "16" + a sole trader's number is a personnummer.
  if (id.startsWith('16') && Number(id[4]) >= 2) return id;
  return `${id.slice(0, 8)}****`;
}
