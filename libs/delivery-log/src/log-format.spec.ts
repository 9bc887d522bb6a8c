/** The CSV and JSON Lines writers, field by field. */
import { DELIVERY_LOG_COLUMNS, LogRecord } from './log-columns';
import { csvField, csvHeader, csvRow, exportPreamble, jsonlRow } from './log-format';
import { toLogRecord } from './log-query';
import { parseCsv } from './log-test-data.spec-helper';

const record: LogRecord = toLogRecord(
  {
    id: '019cb0fe-af58-703e-b308-303a0074b740',
    created_at: '2026-03-02T08:00:00.000Z',
    dispatched_at: null,
    recipient_id: '198101032384',
    recipient_kind: 'personnummer',
    case_reference: '=1+1',
    case_type_code: null,
    sending_unit_id: 'u1',
    subject: 'Beslut, "viktigt"\r\nrad två: åäö ÅÄÖ',
    protection_class: 2,
    channel: null,
    channel_decision: null,
    status: 'ACCEPTED',
    status_reason: null,
    operator_id: null,
    operator_name: null,
    trans_id: null,
    print_vendor: null,
    print_batch_id: null,
  },
  new Map([['u1', { code: 'bygg', name: 'Bygg- och miljönämnden' }]]),
);

describe('csvField', () => {
  it.each([
    [null, ''],
    [3, '3'],
    [false, 'false'],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hej"', '"say ""hej"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rlf', '"cr\rlf"'],
    ['åäö ÅÄÖ', 'åäö ÅÄÖ'],
    ['=SUM(A1:A2)', "'=SUM(A1:A2)"],
    ['+46701234567', "'+46701234567"],
    ['-12', "'-12"],
    ['@import', "'@import"],
    ['\tindented', "'\tindented"],
    ['\rstart', `"'\rstart"`],
    ['=HYPERLINK("x","y")', `"'=HYPERLINK(""x"",""y"")"`],
    ['a=b', 'a=b'],
  ])('%j → %j', (value, expected) => {
    expect(csvField(value as string | number | boolean | null)).toBe(expected);
  });
});

describe('a CSV row', () => {
  it('has every column in order, ends with CRLF, and parses back', () => {
    const line = csvRow(record);
    expect(line.endsWith('\r\n')).toBe(true);
    const [header, row] = parseCsv(csvHeader() + line);
    expect(header).toEqual(DELIVERY_LOG_COLUMNS.map((c) => c.name));
    expect(row).toHaveLength(DELIVERY_LOG_COLUMNS.length);
    const back = Object.fromEntries(header.map((h, i) => [h, row[i]]));
    expect(back).toMatchObject({ subject: 'Beslut, "viktigt"\r\nrad två: åäö ÅÄÖ', caseReference: "'=1+1", dispatchedAt: '', protectionClass: '2', subjectWithheld: 'false', sendingUnitName: 'Bygg- och miljönämnden' });
  });

  it('starts the file with a byte order mark only when asked', () => {
    expect(exportPreamble('CSV', false)).toBe(csvHeader());
    expect(exportPreamble('CSV', true)).toBe('\uFEFF' + csvHeader());
    expect(exportPreamble('JSONL', true)).toBe('');
  });
});

describe('a JSON Lines row', () => {
  it('is one line: the record with the columns as keys, in order, values as they are', () => {
    const line = jsonlRow(record);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/\n/);
    const back = JSON.parse(line) as LogRecord;
    expect(Object.keys(back)).toEqual(DELIVERY_LOG_COLUMNS.map((c) => c.name));
    expect(back).toEqual(record);
    expect(back.caseReference).toBe('=1+1');
  });
});

it('documents every column once', () => {
  const names = DELIVERY_LOG_COLUMNS.map((c) => c.name);
  expect(new Set(names).size).toBe(names.length);
  expect(names).toEqual(Object.keys(record));
  for (const c of DELIVERY_LOG_COLUMNS) expect(c.description.length).toBeGreaterThan(10);
});
