import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRef } from 'pdf-lib';
import { makeTestPdf } from '@hub/testing';
import { AssembledBatch, BatchEntry } from '../print.types';
import { BatchManifest } from '../vendor-api.types';
import { assembleBatch, BatchHeader } from './assemble-batch';
import { BatchAssemblyError } from './batch.errors';
import { sha256File } from './hashing-file.writer';
import { MANIFEST_CSV_COLUMNS } from './manifest-csv';
import { entryFor, nestedTreePdf, parseCsv, pdfkitPdf, pdfLibObjectStreamPdf, rawPdf, run } from './batch-test-pdfs.spec-helper';

const HEADER: BatchHeader = {
  tenant: { id: 'tenant-1', name: 'Demo kommun' },
  vendorId: 'vendor-1',
  postageClass: 'ECONOMY',
  createdAt: new Date('2026-03-01T08:00:00.000Z'),
};

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function* asAsync<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

describe('assembleBatch', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'batch-spec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('a batch of PDFs of different makes', () => {
    // Shared by the tests of this block: built once.
    let built: { dir: string; entries: BatchEntry[]; result: AssembledBatch; objStmInput: Buffer };
    const markers = ['LETTER-AAA', 'LETTER-BBB', 'LETTER-CCC', 'LETTER-DDD', 'LETTER-EEE'];

    beforeAll(async () => {
      const buildDir = mkdtempSync(join(tmpdir(), 'batch-spec-shared-'));
      const objStmInput = await pdfLibObjectStreamPdf(markers[2], 3);
      const entries: BatchEntry[] = [
        entryFor('letter-a', await pdfkitPdf(markers[0], 2), 2, true),
        entryFor('letter-b', await makeTestPdf(`${markers[1]} page 1`), 1, false, {
          colour: true,
          addressLines: ['Örjan Åkesson, c/o "Ärlig" Öberg', 'Storgatan 1, lgh 1101', '=HYPERLINK("http://x")', '-1+1', '123 45 Småstad'],
          returnAddress: ['@Demo kommun', 'Box 1'],
        }),
        entryFor('letter-c', objStmInput, 3, true),
        entryFor('letter-d', nestedTreePdf(markers[3]), 3, false),
        entryFor('letter-e', await pdfkitPdf(markers[4], 5), 5, true),
      ];
      const result = await assembleBatch({ batchId: 'batch-2026-0001', dir: buildDir, entries: asAsync(entries), header: HEADER });
      built = { dir: buildDir, entries, result, objStmInput };
    });
    afterAll(() => rmSync(built.dir, { recursive: true, force: true }));

    const expectedRanges = [
      { firstPage: 1, lastPage: 2, firstSheet: 1, lastSheet: 1 }, // 2 pages duplex: 1 sheet
      { firstPage: 3, lastPage: 3, firstSheet: 2, lastSheet: 2 }, // 1 page simplex
      { firstPage: 4, lastPage: 6, firstSheet: 3, lastSheet: 4 }, // 3 pages duplex: 2 sheets
      { firstPage: 7, lastPage: 9, firstSheet: 5, lastSheet: 7 }, // 3 pages simplex: 3 sheets
      { firstPage: 10, lastPage: 14, firstSheet: 8, lastSheet: 10 }, // 5 pages duplex: 3 sheets
    ];

    it('writes the three files under their final names and no part files', () => {
      const { result } = built;
      expect(readdirSync(built.dir).sort()).toEqual(['batch-2026-0001.manifest.csv', 'batch-2026-0001.manifest.json', 'batch-2026-0001.pdf']);
      expect(result.letters).toBe(5);
      expect(result.pdf.pages).toBe(14);
      expect(result.pdf.sheets).toBe(10);
      expect(result.pdf.path).toBe(join(built.dir, 'batch-2026-0001.pdf'));
    });

    it('reports each file\'s byte count and SHA-256 as they are on disk', async () => {
      for (const file of [built.result.pdf, built.result.manifestJson, built.result.manifestCsv]) {
        expect(file.bytes).toBe(statSync(file.path).size);
        expect(file.sha256).toBe(sha256(file.path));
        expect(await sha256File(file.path)).toBe(file.sha256);
      }
    });

    it('writes a PDF that poppler opens without complaint, with every page', () => {
      const info = run('pdfinfo', [built.result.pdf.path]);
      expect(info.stderr).toBe('');
      expect(info.status).toBe(0);
      expect(info.stdout).toMatch(/^Pages:\s+14$/m);
      // Rendering every page finds fonts, resources and content streams, or poppler says so on stderr.
      const render = run('pdftoppm', ['-r', '10', '-png', built.result.pdf.path, join(built.dir, 'render')]);
      expect(render.stderr).toBe('');
      expect(render.status).toBe(0);
      for (const f of readdirSync(built.dir).filter((f) => f.startsWith('render'))) rmSync(join(built.dir, f));
    });

    it('puts each letter\'s own pages, and only them, in its page range', () => {
      const manifest = JSON.parse(readFileSync(built.result.manifestJson.path, 'utf8')) as BatchManifest;
      manifest.letters.forEach((letter, i) => {
        const text = run('pdftotext', ['-f', String(letter.firstPage), '-l', String(letter.lastPage), built.result.pdf.path, '-']);
        expect(text.stderr).toBe('');
        for (let p = 1; p <= letter.pages; p++) expect(text.stdout).toContain(`${markers[i]} page ${p}`);
        for (const other of markers.filter((_, j) => j !== i)) expect(text.stdout).not.toContain(other);
      });
    });

    it('writes a PDF that pdf-lib opens, with every page under the one Pages node', async () => {
      const doc = await PDFDocument.load(readFileSync(built.result.pdf.path));
      expect(doc.getPageCount()).toBe(14);
      const pagesRef = doc.catalog.get(PDFName.of('Pages'));
      for (const page of doc.getPages()) expect(page.node.get(PDFName.of('Parent'))).toBe(pagesRef);
      const pagesNode = doc.context.lookup(pagesRef, PDFDict);
      expect(pagesNode.lookup(PDFName.of('Count'), PDFNumber).asNumber()).toBe(14);
      expect(pagesNode.get(PDFName.of('Resources'))).toBeUndefined();
    });

    it('writes a classic xref table whose every entry points at its object', () => {
      const bytes = readFileSync(built.result.pdf.path);
      const text = bytes.toString('latin1');
      expect(text.startsWith('%PDF-1.7\n')).toBe(true);
      expect(text.endsWith('%%EOF\n')).toBe(true);
      const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
      expect(text.slice(startxref, startxref + 5)).toBe('xref\n');
      const [, first, count] = /^xref\n(\d+) (\d+)\n/.exec(text.slice(startxref)) ?? [];
      expect(Number(first)).toBe(0);
      const tableStart = startxref + `xref\n0 ${count}\n`.length;
      for (let n = 1; n < Number(count); n++) {
        const entry = text.slice(tableStart + 20 * n, tableStart + 20 * (n + 1));
        expect(entry).toMatch(/^\d{10} 00000 n\r\n$/);
        const offset = Number(entry.slice(0, 10));
        expect(text.slice(offset, offset + `${n} 0 obj`.length + 1)).toBe(`${n} 0 obj\n`);
      }
      const trailer = text.slice(tableStart + 20 * Number(count));
      expect(trailer).toMatch(new RegExp(`^trailer\\n<< /Size ${count} /Root 1 0 R /ID \\[<([0-9a-f]{32})> <\\1>\\] >>\\n`));
    });

    it('expands object streams and copies no xref stream, object stream, Info or catalog metadata', () => {
      const input = built.objStmInput.toString('latin1');
      expect(input).toContain('/ObjStm');
      expect(input).toContain('/XRef');
      const output = readFileSync(built.result.pdf.path).toString('latin1');
      expect(output).not.toContain('/ObjStm');
      expect(output).not.toContain('/XRef');
      expect(output).not.toContain('INFO-SHOULD-NOT-BE-COPIED');
      expect(output).not.toContain('METADATA-SHOULD-NOT-BE-COPIED');
      expect(output.match(/\/Type \/Catalog/g)).toHaveLength(1);
      expect(output.match(/\/Type \/Pages/g)).toHaveLength(1);
    });

    it('pushes inherited Resources, MediaBox, CropBox and Rotate down into each page of a nested page tree', async () => {
      const doc = await PDFDocument.load(readFileSync(built.result.pdf.path));
      const [p1, p2, p3] = doc.getPages().slice(6, 9); // letter-d: batch pages 7–9
      const own = (page: typeof p1, key: string) => page.node.get(PDFName.of(key));
      const numbers = (page: typeof p1, key: string) =>
        doc.context.lookup(own(page, key), PDFArray).asArray().map((n) => (n as PDFNumber).asNumber());

      expect(numbers(p1, 'MediaBox')).toEqual([0, 0, 595.28, 841.89]);
      expect(numbers(p1, 'CropBox')).toEqual([10, 10, 585, 831]);
      expect(p1.getRotation().angle).toBe(90);
      expect(doc.context.lookup(own(p1, 'Resources'), PDFDict).lookup(PDFName.of('Font'), PDFDict).has(PDFName.of('F1'))).toBe(true);

      expect(p2.getRotation().angle).toBe(0); // its own Rotate wins over the inherited 90
      expect(numbers(p2, 'CropBox')).toEqual([10, 10, 585, 831]);

      expect(numbers(p3, 'MediaBox')).toEqual([0, 0, 300, 400]); // its own MediaBox wins
      expect(own(p3, 'CropBox')).toBeUndefined(); // the CropBox was only on p1 and p2's branch
      expect(own(p3, 'Rotate')).toBeUndefined();
      expect(own(p3, 'Resources')).toBeDefined();

      // The link on p1 still leads to p3, renumbered.
      const annot = doc.context.lookup(doc.context.lookup(own(p1, 'Annots'), PDFArray).get(0), PDFDict);
      const dest = annot.lookup(PDFName.of('Dest'), PDFArray);
      expect(dest.get(0)).toBe(p3.ref);
      expect(annot.get(PDFName.of('P'))).toBe(p1.ref);
      expect(p1.ref).toBeInstanceOf(PDFRef);
    });

    it('writes the JSON manifest in the BatchManifest shape, with page and sheet ranges', () => {
      const manifest = JSON.parse(readFileSync(built.result.manifestJson.path, 'utf8')) as BatchManifest;
      const expected: BatchManifest = {
        batchId: 'batch-2026-0001',
        tenant: { id: 'tenant-1', name: 'Demo kommun' },
        vendorId: 'vendor-1',
        postageClass: 'ECONOMY',
        createdAt: '2026-03-01T08:00:00.000Z',
        letters: built.entries.map((e, i) => ({
          letterId: e.letterId,
          sequence: i + 1,
          ...expectedRanges[i],
          pages: e.pages,
          sheets: e.sheets,
          duplex: e.duplex,
          colour: e.colour,
          postageClass: e.postageClass,
          addressLines: e.addressLines,
          returnAddress: e.returnAddress,
        })),
        totals: { letters: 5, pages: 14, sheets: 10 },
        pdfSha256: built.result.pdf.sha256,
      };
      expect(manifest).toEqual(expected);
    });

    it('writes the CSV manifest as RFC 4180 UTF-8 that parses back, quoting and guarding fields', () => {
      const raw = readFileSync(built.result.manifestCsv.path);
      expect([...raw.subarray(0, 3)]).not.toEqual([0xef, 0xbb, 0xbf]);
      const text = raw.toString('utf8');
      expect(text.replace(/"[^"]*(?:""[^"]*)*"/g, '').replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      const rows = parseCsv(text);
      expect(rows[0]).toEqual([...MANIFEST_CSV_COLUMNS]);
      expect(rows).toHaveLength(6);
      for (const row of rows) expect(row).toHaveLength(MANIFEST_CSV_COLUMNS.length);
      const col = (row: string[], name: (typeof MANIFEST_CSV_COLUMNS)[number]) => row[MANIFEST_CSV_COLUMNS.indexOf(name)];

      rows.slice(1).forEach((row, i) => {
        const e = built.entries[i];
        expect(col(row, 'letter_id')).toBe(e.letterId);
        expect(col(row, 'sequence')).toBe(String(i + 1));
        expect(col(row, 'first_page')).toBe(String(expectedRanges[i].firstPage));
        expect(col(row, 'last_page')).toBe(String(expectedRanges[i].lastPage));
        expect(col(row, 'first_sheet')).toBe(String(expectedRanges[i].firstSheet));
        expect(col(row, 'last_sheet')).toBe(String(expectedRanges[i].lastSheet));
        expect(col(row, 'pages')).toBe(String(e.pages));
        expect(col(row, 'sheets')).toBe(String(e.sheets));
        expect(col(row, 'duplex')).toBe(String(e.duplex));
        expect(col(row, 'colour')).toBe(String(e.colour));
        expect(col(row, 'postage_class')).toBe('ECONOMY');
      });
      const b = rows[2];
      expect(col(b, 'address_line_1')).toBe('Örjan Åkesson, c/o "Ärlig" Öberg');
      expect(col(b, 'address_line_2')).toBe('Storgatan 1, lgh 1101');
      expect(col(b, 'address_line_3')).toBe('\'=HYPERLINK("http://x")');
      expect(col(b, 'address_line_4')).toBe("'-1+1");
      expect(col(b, 'address_line_5')).toBe('123 45 Småstad');
      expect(col(b, 'address_line_6')).toBe('');
      expect(col(b, 'return_address_1')).toBe("'@Demo kommun");
      expect(col(b, 'return_address_2')).toBe('Box 1');
      expect(col(b, 'return_address_3')).toBe('');
      expect(text).toContain('"Örjan Åkesson, c/o ""Ärlig"" Öberg"');
    });
  });

  it('counts sheets through the batch for simplex and duplex letters of odd and even page counts', async () => {
    const one = await makeTestPdf('one page');
    const three = await pdfkitPdf('three', 3);
    const four = await pdfkitPdf('four', 4);
    const entries = [
      entryFor('s3', three, 3, false), // sheets 1–3
      entryFor('d3', three, 3, true), // 4–5
      entryFor('d1', one, 1, true), // 6
      entryFor('d4', four, 4, true), // 7–8
      entryFor('s1', one, 1, false), // 9
    ];
    const result = await assembleBatch({ batchId: 'sheets', dir, entries, header: HEADER });
    const manifest = JSON.parse(readFileSync(result.manifestJson.path, 'utf8')) as BatchManifest;
    expect(manifest.letters.map((l) => [l.firstSheet, l.lastSheet])).toEqual([[1, 3], [4, 5], [6, 6], [7, 8], [9, 9]]);
    expect(manifest.letters.map((l) => [l.firstPage, l.lastPage])).toEqual([[1, 3], [4, 6], [7, 7], [8, 11], [12, 12]]);
    expect(manifest.totals).toEqual({ letters: 5, pages: 12, sheets: 9 });
    expect(result.pdf.sheets).toBe(9);
  });

  it('fails on a wrong page count, naming the letter, and leaves no file behind', async () => {
    const pdf = await makeTestPdf('only one page');
    const entries = [entryFor('good-1', pdf, 1, false), { ...entryFor('bad-letter-42', pdf, 1, false), pages: 2, sheets: 2 }, entryFor('good-2', pdf, 1, false)];
    const error = await assembleBatch({ batchId: 'b1', dir, entries: asAsync(entries), header: HEADER }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchAssemblyError);
    expect(error).toMatchObject({ code: 'PAGE_COUNT_MISMATCH', letterId: 'bad-letter-42' });
    expect((error as Error).message).toContain('bad-letter-42');
    expect((error as Error).message).toContain('1 page');
    expect(readdirSync(dir)).toEqual([]);
  });

  describe('refuses a bad entry, naming it, and leaves no file behind', () => {
    let pdf: Buffer;
    beforeAll(async () => {
      pdf = await makeTestPdf('x');
    });
    const cases: [string, () => BatchEntry[], string][] = [
      ['an unreadable PDF', () => [entryFor('junk', Buffer.from('%PDF-1.4 this is not a pdf'), 1, false)], 'UNREADABLE_PDF'],
      [
        'an encrypted PDF',
        () => [entryFor('locked', rawPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [] /Count 0 >>', '<< /Filter /Standard /V 1 /R 2 >>'], ' /Encrypt 3 0 R'), 1, false)],
        'ENCRYPTED_PDF',
      ],
      ['a sheet count that does not match', () => [{ ...entryFor('sheety', pdf, 1, true), sheets: 2 }], 'SHEET_COUNT_MISMATCH'],
      ['another postage class', () => [entryFor('first', pdf, 1, false, { postageClass: 'FIRST_CLASS' })], 'POSTAGE_CLASS_MISMATCH'],
      ['a letter twice', () => [entryFor('twice', pdf, 1, false), entryFor('twice', pdf, 1, false)], 'DUPLICATE_LETTER'],
      ['seven address lines', () => [entryFor('long', pdf, 1, false, { addressLines: ['1', '2', '3', '4', '5', '6', '7'] })], 'TOO_MANY_ADDRESS_LINES'],
      ['five return-address lines', () => [entryFor('ret', pdf, 1, false, { returnAddress: ['1', '2', '3', '4', '5'] })], 'TOO_MANY_ADDRESS_LINES'],
      ['no letters', () => [], 'EMPTY_BATCH'],
    ];
    it.each(cases)('%s', async (_name, entries, code) => {
      const error = await assembleBatch({ batchId: 'b2', dir, entries: asAsync(entries()), header: HEADER }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BatchAssemblyError);
      expect(error).toMatchObject({ code });
      const letterId = entries()[0]?.letterId;
      if (letterId) expect((error as Error).message).toContain(letterId);
      expect(readdirSync(dir)).toEqual([]);
    });
  });

  it('refuses a batch id that could escape the directory', async () => {
    const error = await assembleBatch({ batchId: '../evil', dir, entries: [], header: HEADER }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_BATCH_ID' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects cleanly when the directory does not exist', async () => {
    const pdf = await makeTestPdf('x');
    const missing = join(dir, 'no-such-dir');
    await expect(assembleBatch({ batchId: 'b4', dir: missing, entries: [entryFor('l', pdf, 1, false)], header: HEADER })).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves no file behind when the entry source fails midway', async () => {
    const pdf = await makeTestPdf('x');
    async function* failing(): AsyncGenerator<BatchEntry> {
      yield entryFor('ok', pdf, 1, false);
      throw new Error('database went away');
    }
    await expect(assembleBatch({ batchId: 'b3', dir, entries: failing(), header: HEADER })).rejects.toThrow('database went away');
    expect(readdirSync(dir)).toEqual([]);
  });
});
