import { ManifestLetter } from '../print.types';
import { BatchAssemblyError } from './batch.errors';

/** Address lines the CSV has room for (the renderer prints at most six in the window). */
export const CSV_ADDRESS_LINES = 6;
/** Return-address lines the CSV has room for. */
export const CSV_RETURN_ADDRESS_LINES = 4;

/**
 * The manifest CSV's columns, in order (the header row spells them exactly so):
 *
 * | column | content |
 * |---|---|
 * | letter_id | the letter id, which is the print job id |
 * | sequence | 1-based position of the letter in the batch |
 * | first_page, last_page | the letter's pages in the batch PDF, 1-based, inclusive |
 * | first_sheet, last_sheet | the letter's physical sheets counted through the batch, 1-based, inclusive |
 * | pages, sheets | the letter's page and sheet counts (blank back pages included) |
 * | duplex, colour | `true` or `false` |
 * | postage_class | `FIRST_CLASS` or `ECONOMY` |
 * | address_line_1 … address_line_6 | the lines printed in the envelope window, top to bottom; empty when fewer |
 * | return_address_1 … return_address_4 | the return address lines; empty when fewer |
 *
 * Format: RFC 4180 — a header row, CRLF after every row, a field in double quotes when it holds a
 * comma, a double quote, CR or LF, with inner quotes doubled; UTF-8 without a byte order mark.
 *
 * Spreadsheet formula injection: a text field (letter id, address and return-address lines) that
 * starts with `=`, `+`, `-`, `@`, TAB or CR gets a leading apostrophe (`'`), so that Excel,
 * LibreOffice and Google Sheets show it as text instead of evaluating it (OWASP "CSV Injection").
 * Machines that read the file see the apostrophe as part of the value; numeric and boolean columns
 * are never prefixed (they are never negative).
 */
export const MANIFEST_CSV_COLUMNS = [
  'letter_id',
  'sequence',
  'first_page',
  'last_page',
  'first_sheet',
  'last_sheet',
  'pages',
  'sheets',
  'duplex',
  'colour',
  'postage_class',
  ...Array.from({ length: CSV_ADDRESS_LINES }, (_, i) => `address_line_${i + 1}`),
  ...Array.from({ length: CSV_RETURN_ADDRESS_LINES }, (_, i) => `return_address_${i + 1}`),
] as const;

const CRLF = '\r\n';
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One RFC 4180 field. */
function field(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A text field, protected against formula injection (see `MANIFEST_CSV_COLUMNS`). */
function textField(value: string): string {
  return field(FORMULA_START.test(value) ? `'${value}` : value);
}

function padded(lines: string[], width: number, what: string, letterId: string): string[] {
  if (lines.length > width) {
    throw new BatchAssemblyError(
      'TOO_MANY_ADDRESS_LINES',
      `letter ${letterId}: ${lines.length} ${what} lines, the manifest has room for ${width}; shorten the ${what}`,
      letterId,
    );
  }
  return [...lines, ...Array<string>(width - lines.length).fill('')];
}

/** The header row, CRLF-terminated. */
export function manifestCsvHeader(): string {
  return MANIFEST_CSV_COLUMNS.join(',') + CRLF;
}

/**
 * One letter's row, CRLF-terminated. Throws `BatchAssemblyError` (`TOO_MANY_ADDRESS_LINES`) when the
 * letter has more address or return-address lines than there are columns.
 */
export function manifestCsvRow(letter: ManifestLetter): string {
  const cells = [
    textField(letter.letterId),
    String(letter.sequence),
    String(letter.firstPage),
    String(letter.lastPage),
    String(letter.firstSheet),
    String(letter.lastSheet),
    String(letter.pages),
    String(letter.sheets),
    String(letter.duplex),
    String(letter.colour),
    field(letter.postageClass),
    ...padded(letter.addressLines, CSV_ADDRESS_LINES, 'address', letter.letterId).map(textField),
    ...padded(letter.returnAddress, CSV_RETURN_ADDRESS_LINES, 'return address', letter.letterId).map(textField),
  ];
  return cells.join(',') + CRLF;
}

/**
 * The manifest CSV as a stream of text chunks (the header row, then one row per letter), for
 * serving a manifest from stored letters: `Readable.from(manifestCsvChunks(letters))`.
 */
export async function* manifestCsvChunks(letters: AsyncIterable<ManifestLetter> | Iterable<ManifestLetter>): AsyncGenerator<string> {
  yield manifestCsvHeader();
  for await (const letter of letters) yield manifestCsvRow(letter);
}
