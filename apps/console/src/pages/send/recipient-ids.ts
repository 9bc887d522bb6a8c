/**
 * Recipient ids as a case officer types or pastes them: checked in the browser first, so that the
 * bad lines are named before anything is sent (the API checks them again).
 */

/** Why an id is not one Mina meddelanden can take. */
export type IdProblem = 'format' | 'century' | 'date' | 'luhn' | 'short';

export type IdCheck = { ok: true; id: string; kind: 'personnummer' | 'samordningsnummer' | 'organisationsnummer' } | { ok: false; problem: IdProblem };

/** At most this many recipients per check (the API's limit for checkReachability). */
export const MAX_CHECK_RECIPIENTS = 5000;

/** Luhn over the digits (Skatteverket's check digit: the last ten digits of a 12-digit id). */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * One id: 12 digits (a dash or plus before the last four and spaces are allowed), a personnummer
 * with a real date of birth, a samordningsnummer (day + 60; Skatteverket writes an unknown month or
 * day as 00) or 16 + organisationsnummer, with a valid check digit.
 */
export function checkRecipientId(raw: string): IdCheck {
  const text = raw.replace(/\s/g, '');
  const id = text.replace(/^(\d{8})[-+](\d{4})$/, '$1$2');
  if (/^\d{6}[-+]?\d{4}$/.test(text)) return { ok: false, problem: 'short' };
  if (!/^\d{12}$/.test(id)) return { ok: false, problem: 'format' };
  if (id.startsWith('16')) {
    if (Number(id[4]) < 2) return { ok: false, problem: 'format' };
    return luhnValid(id.slice(2)) ? { ok: true, id, kind: 'organisationsnummer' } : { ok: false, problem: 'luhn' };
  }
  if (!['18', '19', '20'].includes(id.slice(0, 2))) return { ok: false, problem: 'century' };
  const year = Number(id.slice(0, 4));
  const month = Number(id.slice(4, 6));
  const day = Number(id.slice(6, 8));
  const coordination = day >= 60;
  const dateOk = coordination ? month <= 12 && day - 60 <= 31 : month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (!dateOk) return { ok: false, problem: 'date' };
  if (!luhnValid(id.slice(2))) return { ok: false, problem: 'luhn' };
  return { ok: true, id, kind: coordination ? 'samordningsnummer' : 'personnummer' };
}

/** A line that is not an id: where it is (1-based), what it says, what is wrong. */
export interface BadLine {
  line: number;
  text: string;
  problem: IdProblem;
}

export interface ParsedIds {
  /** Valid ids, normalised to 12 digits, each once, in the order first given. */
  ids: string[];
  bad: BadLine[];
  /** Ids given more than once (counted once in `ids`). */
  duplicates: number;
  /** Header-like lines skipped (a CSV's first line without digits). */
  skipped: number;
}

const CELL_SEPARATOR = /[;,\t]/;

/**
 * Reads a list as pasted: one id per line, or CSV / semicolon-separated rows. In a row with several
 * cells only the cells that hold digits are ids (names and other columns are left out); a first line
 * without any digit is taken as a header.
 */
export function parseRecipientIds(text: string): ParsedIds {
  const ids: string[] = [];
  const seen = new Set<string>();
  const bad: BadLine[] = [];
  let duplicates = 0;
  let skipped = 0;
  let first = true;
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const cells = raw
      .split(CELL_SEPARATOR)
      .map((c) => c.trim().replace(/^"(.*)"$/, '$1').trim())
      .filter((c) => c !== '');
    if (cells.length === 0) return;
    const header = first && !cells.some((c) => /\d/.test(c));
    first = false;
    if (header) {
      skipped++;
      return;
    }
    const candidates = cells.length > 1 ? cells.filter((c) => /\d/.test(c)) : cells;
    if (candidates.length === 0) {
      bad.push({ line: index + 1, text: raw.trim(), problem: 'format' });
      return;
    }
    for (const cell of candidates) {
      const check = checkRecipientId(cell);
      if (!check.ok) bad.push({ line: index + 1, text: cell, problem: check.problem });
      else if (seen.has(check.id)) duplicates++;
      else {
        seen.add(check.id);
        ids.push(check.id);
      }
    }
  });
  return { ids, bad, duplicates, skipped };
}

/** 198101032384 → 19810103-2384 (how people read personnummer); organisation ids as they are. */
export function formatRecipientId(id: string): string {
  return /^\d{12}$/.test(id) && !id.startsWith('16') ? `${id.slice(0, 8)}-${id.slice(8)}` : id;
}
