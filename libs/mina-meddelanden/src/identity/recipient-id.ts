/** What kind of identity a 12-digit Mina meddelanden id is. */
export type RecipientIdKind = 'personnummer' | 'samordningsnummer' | 'organisationsnummer';

export type RecipientIdCheck =
  | { ok: true; kind: RecipientIdKind; id: string }
  | { ok: false; rule: 'format' | 'date' | 'luhn'; message: string };

/** Luhn check over the last ten digits (as Skatteverket defines it for all three kinds). */
export function luhnValid(tenDigits: string): boolean {
  let sum = 0;
  for (let i = 0; i < tenDigits.length; i++) {
    let d = tenDigits.charCodeAt(i) - 48;
    if (i % 2 === 0) {
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
 * Checks a recipient id as Mina meddelanden expects it: 12 digits, either a personnummer or
 * samordningsnummer (YYYYMMDDNNNN, samordningsnummer with day + 60) with a real date and a valid
 * Luhn digit, or "16" + organisationsnummer (third digit of the organisationsnummer ≥ 2, Luhn).
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
  let day = Number(id.slice(6, 8));
  let kind: RecipientIdKind = 'personnummer';
  if (day > 60) {
    kind = 'samordningsnummer';
    day -= 60;
  }
  if (!validDate(year, month, day)) {
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
  if (id.startsWith('16')) return id; // organisation numbers are public
  return `${id.slice(0, 8)}****`;
}
