import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AssembledBatch, BatchEntry, BatchFile, ManifestLetter, PostageClass } from '../print.types';
import { BatchManifest } from '../vendor-api.types';
import { BatchAssemblyError } from './batch.errors';
import { BatchPdfWriter } from './batch-pdf.writer';
import { HashingFileWriter } from './hashing-file.writer';
import { manifestCsvHeader, manifestCsvRow } from './manifest-csv';

/** What the manifest says of the batch as a whole. */
export interface BatchHeader {
  tenant: { id: string; name: string };
  vendorId: string;
  postageClass: PostageClass;
  createdAt: Date;
}

export interface AssembleBatchOptions {
  /** Names the files: `<dir>/<batchId>.pdf`, `.manifest.json`, `.manifest.csv`. Letters, digits, `.`, `_`, `-`. */
  batchId: string;
  dir: string;
  /** The letters in print order; read one at a time. */
  entries: AsyncIterable<BatchEntry> | Iterable<BatchEntry>;
  header: BatchHeader;
  /** Called after each letter is written (e.g. to report job progress). */
  onProgress?: (done: { letters: number; pages: number; sheets: number }) => void;
}

const SAFE_BATCH_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

/**
 * Writes a batch's PDF, JSON manifest and CSV manifest by streaming: entries are read one at a time,
 * each letter's pages are appended to the PDF and its line to both manifests, and nothing of an
 * entry is kept once it is written (see `BatchPdfWriter`). Files are written as `*.part` and renamed
 * when all three are complete (the JSON manifest last, as it names the PDF's checksum); on any error
 * the part files are deleted and no file appears under a final name.
 *
 * Each entry is checked: its PDF must parse, have `entry.pages` pages, `entry.sheets` must match
 * (pages ÷ 2 rounded up when duplex, else pages), its postage class must be the batch's, and a
 * letter id may appear once. Failures throw `BatchAssemblyError` naming the letter.
 */
export async function assembleBatch(options: AssembleBatchOptions): Promise<AssembledBatch> {
  const { batchId, dir, header, onProgress } = options;
  if (!SAFE_BATCH_ID.test(batchId)) {
    throw new BatchAssemblyError(
      'INVALID_BATCH_ID',
      `batch id "${batchId}" cannot name a file; use letters, digits, ".", "_" and "-" (at most 200, not starting with ".")`,
    );
  }
  const finalPaths = {
    pdf: join(dir, `${batchId}.pdf`),
    json: join(dir, `${batchId}.manifest.json`),
    csv: join(dir, `${batchId}.manifest.csv`),
  };
  const pdfOut = new HashingFileWriter(`${finalPaths.pdf}.part`, 'latin1');
  const jsonOut = new HashingFileWriter(`${finalPaths.json}.part`, 'utf8');
  const csvOut = new HashingFileWriter(`${finalPaths.csv}.part`, 'utf8');
  const outs = [pdfOut, jsonOut, csvOut];
  const renamed: string[] = [];
  const publish = async (out: HashingFileWriter, path: string) => {
    await rename(out.path, path);
    renamed.push(path);
  };

  try {
    const pdf = new BatchPdfWriter(pdfOut);
    jsonOut.writeText(manifestHead(batchId, header));
    csvOut.writeText(manifestCsvHeader());

    // Letter ids seen: the print job id must be unique within the batch.
    const seen = new Set<string>();
    let letters = 0;
    let sheets = 0;
    for await (const entry of options.entries) {
      checkEntry(entry, header.postageClass, seen);
      const placed = await pdf.addDocument(entry.pdf, entry.letterId, entry.pages);
      const letter: ManifestLetter = {
        letterId: entry.letterId,
        sequence: letters + 1,
        firstPage: placed.firstPage,
        lastPage: placed.lastPage,
        firstSheet: sheets + 1,
        lastSheet: sheets + entry.sheets,
        pages: entry.pages,
        sheets: entry.sheets,
        duplex: entry.duplex,
        colour: entry.colour,
        postageClass: entry.postageClass,
        addressLines: entry.addressLines,
        returnAddress: entry.returnAddress,
      };
      csvOut.writeText(manifestCsvRow(letter));
      jsonOut.writeText(`${letters === 0 ? '\n' : ',\n'}${JSON.stringify(letter)}`);
      letters++;
      sheets += entry.sheets;
      await Promise.all([jsonOut.ready(), csvOut.ready()]);
      onProgress?.({ letters, pages: pdf.pages, sheets });
    }
    if (letters === 0) throw new BatchAssemblyError('EMPTY_BATCH', `batch ${batchId} has no letters; a batch needs at least one`);

    await pdf.finish();
    const pdfDone = await pdfOut.close();
    const totals: BatchManifest['totals'] = { letters, pages: pdf.pages, sheets };
    jsonOut.writeText(`\n],\n"totals":${JSON.stringify(totals)},\n"pdfSha256":${JSON.stringify(pdfDone.sha256)}\n}\n`);
    const [jsonDone, csvDone] = await Promise.all([jsonOut.close(), csvOut.close()]);

    await publish(pdfOut, finalPaths.pdf);
    await publish(csvOut, finalPaths.csv);
    await publish(jsonOut, finalPaths.json);
    const file = (path: string, done: { bytes: number; sha256: string }): BatchFile => ({ path, ...done });
    return {
      pdf: { ...file(finalPaths.pdf, pdfDone), pages: pdf.pages, sheets },
      manifestJson: file(finalPaths.json, jsonDone),
      manifestCsv: file(finalPaths.csv, csvDone),
      letters,
    };
  } catch (e) {
    await Promise.all(outs.map((out) => out.destroy()));
    // Files this run already renamed are removed too: either all three appear, or none does.
    const paths = [...outs.map((o) => o.path), ...renamed];
    await Promise.all(paths.map((p) => rm(p, { force: true }).catch(() => undefined)));
    throw e;
  }
}

/** The manifest up to the opening of `letters`; the rest is appended as letters come. */
function manifestHead(batchId: string, header: BatchHeader): string {
  const head: Omit<BatchManifest, 'letters' | 'totals' | 'pdfSha256'> = {
    batchId,
    tenant: { id: header.tenant.id, name: header.tenant.name },
    vendorId: header.vendorId,
    postageClass: header.postageClass,
    createdAt: header.createdAt.toISOString(),
  };
  const json = JSON.stringify(head);
  return `${json.slice(0, -1)},\n"letters":[`;
}

function checkEntry(entry: BatchEntry, postageClass: PostageClass, seen: Set<string>): void {
  const id = entry.letterId;
  if (typeof id !== 'string' || id.length === 0) {
    throw new BatchAssemblyError('INVALID_ENTRY', 'an entry has no letter id; every entry needs the letter id (the print job id)');
  }
  if (seen.has(id)) {
    throw new BatchAssemblyError('DUPLICATE_LETTER', `letter ${id} appears twice in the batch; a letter is printed once per batch`, id);
  }
  seen.add(id);
  if (entry.postageClass !== postageClass) {
    throw new BatchAssemblyError(
      'POSTAGE_CLASS_MISMATCH',
      `letter ${id} has postage class ${entry.postageClass} but the batch is ${postageClass}; batch it with its postage class`,
      id,
    );
  }
  if (!Number.isInteger(entry.pages) || entry.pages < 1) {
    throw new BatchAssemblyError('INVALID_ENTRY', `letter ${id}: pages must be a positive integer, got ${entry.pages}`, id);
  }
  const expectedSheets = entry.duplex ? Math.ceil(entry.pages / 2) : entry.pages;
  if (entry.sheets !== expectedSheets) {
    throw new BatchAssemblyError(
      'SHEET_COUNT_MISMATCH',
      `letter ${id}: ${entry.pages} pages ${entry.duplex ? 'duplex' : 'simplex'} make ${expectedSheets} sheet(s), the entry says ${entry.sheets}`,
      id,
    );
  }
}
