/** Input PDFs of different makes for the batch tests; each page prints a marker the test looks for. */
import { spawnSync } from 'node:child_process';
import PDFKit from 'pdfkit';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { BatchEntry } from '../print.types';

/** A pdfkit PDF (what the renderer writes): Resources and MediaBox on every page, no object streams. */
export function pdfkitPdf(marker: string, pages: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFKit({ size: 'A4', autoFirstPage: false, info: { Title: 'INFO-SHOULD-NOT-BE-COPIED' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    for (let p = 1; p <= pages; p++) {
      doc.addPage();
      doc.fontSize(16).text(`${marker} page ${p}`);
    }
    doc.end();
  });
}

/** A PDF saved by pdf-lib with its defaults: object streams and an xref stream. */
export async function pdfLibObjectStreamPdf(marker: string, pages: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.setTitle('INFO-SHOULD-NOT-BE-COPIED');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let p = 1; p <= pages; p++) {
    doc.addPage([595.28, 841.89]).drawText(`${marker} page ${p}`, { x: 72, y: 760, size: 16, font });
  }
  return Buffer.from(await doc.save({ useObjectStreams: true }));
}

/** A PDF written object by object, with a classic xref table. `objects[i]` is object i + 1; 1 is the catalog. */
export function rawPdf(objects: string[], trailerExtra = ''): Buffer {
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f\r\n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n\r\n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${trailerExtra} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function contentStream(text: string, x = 72, y = 700): string {
  const ops = `BT /F1 18 Tf ${x} ${y} Td (${text}) Tj ET`;
  return `<< /Length ${ops.length} >>\nstream\n${ops}\nendstream`;
}

/**
 * Three pages under a nested page tree, with attributes only on ancestors:
 * root Pages (Resources, MediaBox A4) → [ Pages (Rotate 90, CropBox) → [page 1, page 2 (own Rotate 0)],
 * page 3 (own MediaBox 300×400) ]. Page 1 has a link to page 3. Info and catalog Metadata carry
 * text that must not reach the batch.
 */
export function nestedTreePdf(marker: string): Buffer {
  const xmp = 'METADATA-SHOULD-NOT-BE-COPIED';
  return rawPdf(
    [
      '<< /Type /Catalog /Pages 2 0 R /Metadata 12 0 R >>',
      '<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 3 /Resources << /Font << /F1 7 0 R >> >> /MediaBox [0 0 595.28 841.89] >>',
      '<< /Type /Pages /Parent 2 0 R /Kids [4 0 R 5 0 R] /Count 2 /Rotate 90 /CropBox [10 10 585 831] >>',
      '<< /Type /Page /Parent 3 0 R /Contents 8 0 R /Annots [13 0 R] >>',
      '<< /Type /Page /Parent 3 0 R /Contents 9 0 R /Rotate 0 >>',
      '<< /Type /Page /Parent 2 0 R /Contents 10 0 R /MediaBox [0 0 300 400] >>',
      '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
      contentStream(`${marker} page 1`),
      contentStream(`${marker} page 2`),
      contentStream(`${marker} page 3`, 20, 300),
      '<< /Title (INFO-SHOULD-NOT-BE-COPIED) >>',
      `<< /Type /Metadata /Subtype /XML /Length ${xmp.length} >>\nstream\n${xmp}\nendstream`,
      '<< /Type /Annot /Subtype /Link /Rect [72 600 300 640] /Border [0 0 0] /P 4 0 R /Dest [6 0 R /Fit] >>',
    ],
    ' /Info 11 0 R',
  );
}

/** A batch entry for a PDF, with sheets computed as the renderer does. */
export function entryFor(
  letterId: string,
  pdf: Buffer,
  pages: number,
  duplex: boolean,
  extra: Partial<BatchEntry> = {},
): BatchEntry {
  return {
    letterId,
    pdf,
    pages,
    sheets: duplex ? Math.ceil(pages / 2) : pages,
    duplex,
    colour: false,
    postageClass: 'ECONOMY',
    addressLines: ['Anna Andersson', 'Storgatan 1', '123 45 Småstad'],
    returnAddress: ['Demo kommun', 'Box 1', '111 11 Demostad'],
    ...extra,
  };
}

export function run(cmd: string, args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

export { parseCsv } from '@hub/testing';
