import { DELIVERY_LOG_COLUMNS, LogRecord } from './log-columns';

export const LOG_EXPORT_FORMATS = ['CSV', 'JSONL'] as const;
export type LogExportFormat = (typeof LOG_EXPORT_FORMATS)[number];

/** The byte order mark Excel needs to read a CSV file as UTF-8 (optional; RFC 4180 has none). */
export const UTF8_BOM = '\uFEFF';

const CRLF = '\r\n';
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;
const NAMES = DELIVERY_LOG_COLUMNS.map((c) => c.name);

/**
 * One CSV field (RFC 4180): in double quotes when it holds a comma, a double quote, CR or LF, with
 * inner quotes doubled; `null` is the empty field. A text that starts with `=`, `+`, `-`, `@`, TAB or
 * CR gets a leading apostrophe so that Excel, LibreOffice and Google Sheets show it as text instead
 * of evaluating it as a formula (OWASP "CSV injection"); numbers and booleans are written as they are.
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The header row (the column names of {@link DELIVERY_LOG_COLUMNS}), CRLF-terminated. */
export function csvHeader(): string {
  return NAMES.join(',') + CRLF;
}

/** One record as a CRLF-terminated CSV row. */
export function csvRow(record: LogRecord): string {
  let line = '';
  for (let i = 0; i < NAMES.length; i++) line += (i ? ',' : '') + csvField(record[NAMES[i]]);
  return line + CRLF;
}

/** One record as a JSON Lines line: an object with the columns' keys in order, LF-terminated. */
export function jsonlRow(record: LogRecord): string {
  return JSON.stringify(record) + '\n';
}

/** What comes before the first row. */
export function exportPreamble(format: LogExportFormat, bom: boolean): string {
  return format === 'CSV' ? (bom ? UTF8_BOM : '') + csvHeader() : '';
}

export function exportRow(format: LogExportFormat): (record: LogRecord) => string {
  return format === 'CSV' ? csvRow : jsonlRow;
}

export function exportContentType(format: LogExportFormat): string {
  return format === 'CSV' ? 'text/csv; charset=utf-8; header=present' : 'application/jsonl; charset=utf-8';
}

export function exportExtension(format: LogExportFormat): string {
  return format === 'CSV' ? 'csv' : 'jsonl';
}
