import { PostalAddressLines } from '../print.types';
import { cleanText } from './text-layout';

/** One line of the window with the letter field it comes from (for problem reports). */
export interface AddressLine {
  text: string;
  field: string;
}

/**
 * A personnummer or samordningsnummer: 10 or 12 digits (YYMMDD or YYYYMMDD, then 4), optionally with
 * "-" or "+" (or a space) before the last four, not part of a longer run of digits. Any such number is
 * refused, valid checksum or not: a mistyped number is still somebody's identity.
 */
const PERSONAL_ID = /(?<!\d)(?:\d{8}|\d{6})[-+\s]?\d{4}(?!\d)/u;

export function containsPersonalId(text: string): boolean {
  return PERSONAL_ID.test(text);
}

const countryNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/**
 * The lines printed in the window, in order: name, address lines, "postal code city", and the country
 * in English capitals (as PostNord and the UPU ask) only when a country other than Sweden is given.
 */
export function addressLines(recipient: PostalAddressLines): AddressLine[] {
  const lines: AddressLine[] = [{ text: cleanLine(recipient.name), field: 'recipient.name' }];
  recipient.lines.forEach((line, i) => {
    const text = cleanLine(line);
    if (text !== '') lines.push({ text, field: `recipient.lines[${i}]` });
  });
  lines.push({
    text: [cleanLine(recipient.postalCode), cleanLine(recipient.city)].filter((s) => s !== '').join(' '),
    field: 'recipient.city',
  });
  const country = recipient.country?.trim().toUpperCase();
  if (country && country !== 'SE') {
    let name = country;
    if (/^[A-Z]{2}$/.test(country)) {
      try {
        name = countryNames.of(country)?.toUpperCase() ?? country;
      } catch {
        name = country;
      }
    }
    lines.push({ text: name, field: 'recipient.country' });
  }
  return lines;
}

/** The address fields as given, for the personal-id check (before any cleaning could hide a number). */
export function addressFields(recipient: PostalAddressLines): AddressLine[] {
  return [
    { text: recipient.name ?? '', field: 'recipient.name' },
    ...(recipient.lines ?? []).map((text, i) => ({ text: text ?? '', field: `recipient.lines[${i}]` })),
    { text: recipient.postalCode ?? '', field: 'recipient.postalCode' },
    { text: recipient.city ?? '', field: 'recipient.city' },
    { text: recipient.country ?? '', field: 'recipient.country' },
  ];
}

function cleanLine(s: string | undefined): string {
  return cleanText(s ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}
