import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { makeTestPdf } from '@hub/testing';
import { BatchEntry } from '../print.types';
import { BatchManifest } from '../vendor-api.types';
import { assembleBatch } from './assemble-batch';
import { BatchPdfWriter } from './batch-pdf.writer';
import { HashingFileWriter } from './hashing-file.writer';
import { entryFor, pdfkitPdf, pdfLibObjectStreamPdf, run } from './batch-test-pdfs.spec-helper';

const LETTERS = 2000;

/** A full collection on demand: jest does not run node with --expose-gc. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('streaming a large batch', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'batch-stream-spec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps one offset per object and one number per page, and nothing else that grows', async () => {
    const inputs = [await pdfkitPdf('pdfkit', 2), await pdfLibObjectStreamPdf('objstm', 3)];
    const out = new HashingFileWriter(join(dir, 'writer.pdf'), 'latin1');
    const writer = new BatchPdfWriter(out);
    const perDocument: number[][] = [[], []];
    let previous = writer.bookkeeping();
    for (let i = 0; i < LETTERS; i++) {
      const kind = i % 2;
      const placed = await writer.addDocument(inputs[kind], `letter-${i}`, kind === 0 ? 2 : 3);
      const now = writer.bookkeeping();
      // What the writer keeps grows by exactly the objects and pages this document brought.
      expect(now.objectOffsets - previous.objectOffsets).toBe(placed.objects);
      expect(now.pageNumbers - previous.pageNumbers).toBe(placed.lastPage - placed.firstPage + 1);
      perDocument[kind].push(placed.objects);
      previous = now;
    }
    // The same input always brings the same number of objects: nothing accumulates from earlier ones.
    expect(new Set(perDocument[0]).size).toBe(1);
    expect(new Set(perDocument[1]).size).toBe(1);
    expect(Object.keys(writer.bookkeeping())).toEqual(['objectOffsets', 'pageNumbers']);
    await writer.finish();
    await out.close();
    const info = run('pdfinfo', [join(dir, 'writer.pdf')]);
    expect(info.stderr).toBe('');
    expect(info.stdout).toMatch(new RegExp(`^Pages:\\s+${(LETTERS / 2) * 5}$`, 'm'));
  });

  it(`reads ${LETTERS} entries one at a time, lets each go once written, and writes to disk as it goes`, async () => {
    const gc = exposeGc();
    const template = await makeTestPdf('streamed letter');
    const alive: WeakRef<BatchEntry>[] = [];
    const retainedAt: number[] = [];
    const partSizes: { at: number; bytes: number }[] = [];
    const partPath = join(dir, 'big.pdf.part');

    async function* entries(): AsyncGenerator<BatchEntry> {
      for (let i = 0; i < LETTERS; i++) {
        if (i > 0 && i % 250 === 0) {
          // A WeakRef keeps its target alive until the current run of microtasks ends (the
          // assembly may not have left it since it took the entry), so yield to the event loop first.
          await new Promise((resolve) => setImmediate(resolve));
          gc();
          // Entries before the one just handed out must be collectable by now.
          retainedAt.push(alive.slice(0, i - 1).filter((w) => w.deref() !== undefined).length);
          partSizes.push({ at: i, bytes: statSync(partPath).size });
        }
        // A fresh buffer and entry each time, as a database-backed source would produce.
        const entry = entryFor(`letter-${String(i).padStart(5, '0')}`, Buffer.from(template), 1, false);
        alive.push(new WeakRef(entry));
        yield entry;
      }
    }

    const result = await assembleBatch({
      batchId: 'big',
      dir,
      entries: entries(),
      header: { tenant: { id: 't', name: 'T' }, vendorId: 'v', postageClass: 'ECONOMY', createdAt: new Date() },
    });
    expect(retainedAt).toHaveLength(LETTERS / 250 - 1);
    expect(retainedAt.every((n) => n === 0)).toBe(true);
    // The PDF reaches the disk while letters are still coming: about i / LETTERS of its body at entry i
    // (less what the writer coalesces, at most 64 KB, and the xref table written at the end).
    for (const { at, bytes } of partSizes) expect(bytes).toBeGreaterThan(result.pdf.bytes * (at / LETTERS) * 0.5);

    expect(result.pdf.pages).toBe(LETTERS);
    const manifest = JSON.parse(readFileSync(result.manifestJson.path, 'utf8')) as BatchManifest;
    expect(manifest.letters).toHaveLength(LETTERS);
    expect(manifest.letters[LETTERS - 1]).toMatchObject({ sequence: LETTERS, firstPage: LETTERS, lastSheet: LETTERS });
    expect(run('pdfinfo', [result.pdf.path]).stdout).toMatch(new RegExp(`^Pages:\\s+${LETTERS}$`, 'm'));
  });
});
