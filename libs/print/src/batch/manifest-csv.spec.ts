import { ManifestLetter } from '../print.types';
import { BatchAssemblyError } from './batch.errors';
import { parseCsv } from './batch-test-pdfs.spec-helper';
import { MANIFEST_CSV_COLUMNS, manifestCsvChunks, manifestCsvHeader, manifestCsvRow } from './manifest-csv';

const letter = (over: Partial<ManifestLetter> = {}): ManifestLetter => ({
  letterId: 'l-1',
  sequence: 1,
  firstPage: 1,
  lastPage: 3,
  firstSheet: 1,
  lastSheet: 2,
  pages: 3,
  sheets: 2,
  duplex: true,
  colour: false,
  postageClass: 'FIRST_CLASS',
  addressLines: ['Anna Andersson', 'Storgatan 1', '123 45 Småstad'],
  returnAddress: ['Demo kommun'],
  ...over,
});

describe('manifest CSV', () => {
  it('has the documented fixed columns', () => {
    expect(MANIFEST_CSV_COLUMNS).toEqual([
      'letter_id', 'sequence', 'first_page', 'last_page', 'first_sheet', 'last_sheet', 'pages', 'sheets', 'duplex', 'colour', 'postage_class',
      'address_line_1', 'address_line_2', 'address_line_3', 'address_line_4', 'address_line_5', 'address_line_6',
      'return_address_1', 'return_address_2', 'return_address_3', 'return_address_4',
    ]);
    expect(manifestCsvHeader()).toBe(`${MANIFEST_CSV_COLUMNS.join(',')}\r\n`);
  });

  it('writes a row with every column, empty address cells when fewer lines', () => {
    expect(manifestCsvRow(letter())).toBe('l-1,1,1,3,1,2,3,2,true,false,FIRST_CLASS,Anna Andersson,Storgatan 1,123 45 Småstad,,,,Demo kommun,,,\r\n');
  });

  it('quotes fields with a comma, quote, CR or LF and doubles quotes, so they parse back', () => {
    const lines = ['a,b', 'say "hej"', 'line\nbreak', 'carriage\rreturn', 'crlf\r\ninside', 'Åsa Öström-Ähl'];
    const row = manifestCsvRow(letter({ addressLines: lines }));
    expect(row).toContain('"a,b","say ""hej""","line\nbreak","carriage\rreturn","crlf\r\ninside",Åsa Öström-Ähl,');
    const [parsed] = parseCsv(row);
    expect(parsed.slice(11, 17)).toEqual(lines);
  });

  it('puts an apostrophe before text that a spreadsheet would run as a formula', () => {
    const lines = ['=1+1', '+46 8 123', '-x', '@SUM(A1)', '\tTAB', 'ok = fine'];
    const [parsed] = parseCsv(manifestCsvRow(letter({ letterId: '=evil()', addressLines: lines, returnAddress: ['-1'] })));
    expect(parsed[0]).toBe("'=evil()");
    expect(parsed.slice(11, 17)).toEqual(["'=1+1", "'+46 8 123", "'-x", "'@SUM(A1)", "'\tTAB", 'ok = fine']);
    expect(parsed[17]).toBe("'-1");
  });

  it('refuses more lines than there are columns, naming the letter', () => {
    expect(() => manifestCsvRow(letter({ letterId: 'too-long', addressLines: Array(7).fill('x') }))).toThrow(BatchAssemblyError);
    expect(() => manifestCsvRow(letter({ letterId: 'too-long', returnAddress: Array(5).fill('x') }))).toThrow(/too-long/);
  });

  it('streams the header and one row per letter', async () => {
    let text = '';
    for await (const chunk of manifestCsvChunks([letter(), letter({ letterId: 'l-2', sequence: 2 })])) text += chunk;
    const rows = parseCsv(text);
    expect(rows.map((r) => r[0])).toEqual(['letter_id', 'l-1', 'l-2']);
  });
});
