import { EncryptedPDFError, ParseSpeeds, PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFPage, PDFRef } from 'pdf-lib';
import { A4, PrintLetter, PrintProblem, PT_PER_MM, RectMm } from '../print.types';
import { fmtMm } from './envelope-profiles';
import { A4_PT, LayoutBox } from './letter-layout';
import { pagesRef, readPdfkitStructure, setParent, updateDocument, writeUpdate } from './pdf-update';

/*
 * pdf-lib yields to the event loop every few dozen objects (a setTimeout per yield, ≥ 1 ms each), which
 * would dominate the time of a small letter. Rendering runs in a worker (sandboxed processor or worker
 * thread, see CONVENTIONS.md), so it parses and writes in one go.
 */
const LOAD = { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest } as const;

/** ± this much on each side still counts as A4 (scanners and converters round). */
const A4_TOLERANCE_MM = 2;

export interface InspectedAttachment {
  index: number;
  filename: string;
  doc: PDFDocument;
  pages: number;
}

/**
 * Parses every attachment once (the parsed document is what gets merged later) and says what is wrong
 * with it: encrypted, not a PDF or unreadable or without pages, pages that are not A4 portrait.
 */
export async function inspectAttachments(
  attachments: PrintLetter['attachments'],
): Promise<{ attachments: InspectedAttachment[]; problems: PrintProblem[] }> {
  const inspected: InspectedAttachment[] = [];
  const problems: PrintProblem[] = [];
  for (const [index, attachment] of attachments.entries()) {
    const field = `attachments[${index}]`;
    const name = `${field} (${attachment.filename})`;
    const bytes = attachment.content;
    if (!looksLikePdf(bytes)) {
      problems.push({ code: 'ATTACHMENT_CORRUPT', field, message: `${name} is not a PDF (it does not start with "%PDF-"): attach the document as PDF` });
      continue;
    }
    let doc: PDFDocument;
    try {
      doc = await PDFDocument.load(bytes, LOAD);
    } catch (e) {
      if (e instanceof EncryptedPDFError || hasEncryptDictionary(bytes)) {
        problems.push(encrypted(field, name));
      } else {
        problems.push({
          code: 'ATTACHMENT_CORRUPT',
          field,
          message: `${name} cannot be read as a PDF (${(e as Error).message}): export or scan it again`,
        });
      }
      continue;
    }
    if (doc.isEncrypted) {
      problems.push(encrypted(field, name));
      continue;
    }
    let pages: PDFPage[];
    try {
      pages = doc.getPages();
    } catch (e) {
      problems.push({ code: 'ATTACHMENT_CORRUPT', field, message: `${name} has a broken page tree (${(e as Error).message}): export or scan it again` });
      continue;
    }
    if (pages.length === 0) {
      problems.push({ code: 'ATTACHMENT_CORRUPT', field, message: `${name} has no pages: export or scan it again` });
      continue;
    }
    const wrong = new Map<string, number[]>();
    for (const [i, page] of pages.entries()) {
      let size: { width: number; height: number };
      try {
        size = displayedSizeMm(page);
      } catch (e) {
        problems.push({ code: 'ATTACHMENT_CORRUPT', field, page: i + 1, message: `${name} page ${i + 1} has no usable page box (${(e as Error).message})` });
        continue;
      }
      if (Math.abs(size.width - A4.widthMm) > A4_TOLERANCE_MM || Math.abs(size.height - A4.heightMm) > A4_TOLERANCE_MM) {
        const key = describeSize(size);
        wrong.set(key, [...(wrong.get(key) ?? []), i + 1]);
      }
    }
    for (const [size, pageNumbers] of wrong) {
      problems.push({
        code: 'ATTACHMENT_NOT_A4',
        field,
        page: pageNumbers[0],
        message:
          `${name} ${pageNumbers.length === 1 ? 'page' : 'pages'} ${listPages(pageNumbers)} ${pageNumbers.length === 1 ? 'is' : 'are'} ${size}; ` +
          `attachments must be A4 portrait (210 × 297 mm ± ${A4_TOLERANCE_MM} mm): export or scan them as A4`,
      });
    }
    inspected.push({ index, filename: attachment.filename, doc, pages: pages.length });
  }
  return { attachments: inspected, problems };
}

/**
 * Appends the attachments to the letter. Each attachment page is fitted into the printable area: scaled
 * uniformly (never enlarged) so that its whole page box fits, centred, clipped to its own page box, its
 * rotation folded into the transformation; the page itself becomes an exact A4 page. The page's content
 * streams are reused as they are (no decoding or re-compression); only a short stream before ("q, cm,
 * clip") and after ("Q") is added. Annotation rectangles follow the same transformation.
 *
 * When duplex, a blank page goes before an attachment that would otherwise start on a back side, and
 * after the last page when it is a front side (the next letter of a batch starts on a sheet of its own).
 *
 * The letter as pdfkit wrote it is kept byte for byte and the attachment pages follow as an incremental
 * update (see pdf-update.ts); any other PDF is loaded, extended and written again by pdf-lib.
 */
export async function appendAttachments(letterPdf: Buffer, attachments: InspectedAttachment[], printable: RectMm, duplex: boolean): Promise<Buffer> {
  const structure = readPdfkitStructure(letterPdf);
  if (!structure) return rewriteWithAttachments(letterPdf, attachments, printable, duplex);
  const doc = await updateDocument(structure);
  const context = doc.context;
  const parent = pagesRef(structure);
  const appended: PDFRef[] = [];
  for (const attachment of attachments) {
    if (duplex && (structure.pageRefs.length + appended.length) % 2 === 1) {
      appended.push(context.register(context.obj({ Type: 'Page', Parent: parent, MediaBox: [0, 0, A4_PT.width, A4_PT.height], Resources: {} })));
    }
    const pages = attachment.doc.getPages();
    const copied = await doc.copyPages(attachment.doc, attachment.doc.getPageIndices());
    copied.forEach((page, i) => {
      applyFit(doc, page, fitTransform(pages[i], printable));
      setParent(page.node, parent);
      appended.push(page.ref);
    });
  }
  if (duplex && (structure.pageRefs.length + appended.length) % 2 === 1) {
    appended.push(context.register(context.obj({ Type: 'Page', Parent: parent, MediaBox: [0, 0, A4_PT.width, A4_PT.height], Resources: {} })));
  }
  return writeUpdate(letterPdf, structure, context, appended);
}

/** The general path: pdf-lib loads the letter, appends the pages and writes the whole file again. */
export async function rewriteWithAttachments(
  letterPdf: Uint8Array,
  attachments: InspectedAttachment[],
  printable: RectMm,
  duplex: boolean,
): Promise<Buffer> {
  const out = await PDFDocument.load(letterPdf, LOAD);
  for (const attachment of attachments) {
    if (duplex && out.getPageCount() % 2 === 1) out.addPage([A4_PT.width, A4_PT.height]);
    const pages = attachment.doc.getPages();
    const copied = await out.copyPages(attachment.doc, attachment.doc.getPageIndices());
    copied.forEach((page, i) => {
      applyFit(out, page, fitTransform(pages[i], printable));
      out.addPage(page);
    });
  }
  if (duplex && out.getPageCount() % 2 === 1) out.addPage([A4_PT.width, A4_PT.height]);
  const bytes = await out.save({ useObjectStreams: false, addDefaultPage: false, objectsPerTick: Infinity });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Page numbers (1-based, in the final PDF) of the blank pages, and the total page count. When duplex,
 * every document starts on a front side and the letter ends on a back side: in a batch the next letter
 * must not be printed on the back of this one's last sheet.
 */
export function planPages(letterPages: number, attachmentPages: number[], duplex: boolean): { pages: number; blankPages: number[] } {
  let pages = letterPages;
  const blankPages: number[] = [];
  for (const n of attachmentPages) {
    if (duplex && pages % 2 === 1) blankPages.push(++pages);
    pages += n;
  }
  if (duplex && pages % 2 === 1) blankPages.push(++pages);
  return { pages, blankPages };
}

/** The boxes the attachment pages cover once fitted, for the same checks as the letter's own content. */
export function attachmentBoxes(attachments: InspectedAttachment[], letterPages: number, printable: RectMm, duplex: boolean): LayoutBox[] {
  const boxes: LayoutBox[] = [];
  let page = letterPages;
  for (const a of attachments) {
    if (duplex && page % 2 === 1) page++;
    for (const p of a.doc.getPages()) {
      const t = fitTransform(p, printable);
      page++;
      boxes.push({
        page,
        kind: 'attachment',
        field: `attachments[${a.index}]`,
        rect: {
          x: t.placed.x / PT_PER_MM,
          y: (A4_PT.height - t.placed.y - t.placed.height) / PT_PER_MM,
          width: t.placed.width / PT_PER_MM,
          height: t.placed.height / PT_PER_MM,
        },
      });
    }
  }
  return boxes;
}

interface Fit {
  /** The PDF matrix [a b c d e f] from the attachment page's user space to the new A4 page. */
  matrix: number[];
  /** The attachment's page box in its own user space (the clip). */
  box: { x: number; y: number; width: number; height: number };
  /** Where the page lands on the A4 page, in points from the bottom-left corner. */
  placed: { x: number; y: number; width: number; height: number };
}

function fitTransform(page: PDFPage, printable: RectMm): Fit {
  const box = page.getCropBox();
  const rotation = normalizedRotation(page);
  const sideways = rotation === 90 || rotation === 270;
  const w = sideways ? box.height : box.width;
  const h = sideways ? box.width : box.height;
  const areaX = printable.x * PT_PER_MM;
  const areaY = A4_PT.height - (printable.y + printable.height) * PT_PER_MM;
  const areaW = printable.width * PT_PER_MM;
  const areaH = printable.height * PT_PER_MM;
  const s = Math.min(1, areaW / w, areaH / h);
  const tx = areaX + (areaW - s * w) / 2;
  const ty = areaY + (areaH - s * h) / 2;
  // User space → the page as displayed (origin at its lower-left corner), per /Rotate (clockwise).
  const { x: bx, y: by, width: bw, height: bh } = box;
  const r: Record<number, number[]> = {
    0: [1, 0, 0, 1, -bx, -by],
    90: [0, -1, 1, 0, -by, bx + bw],
    180: [-1, 0, 0, -1, bx + bw, by + bh],
    270: [0, 1, -1, 0, by + bh, -bx],
  };
  const [a, b, c, d, e, f] = r[rotation];
  return {
    matrix: [a * s, b * s, c * s, d * s, e * s + tx, f * s + ty],
    box,
    placed: { x: tx, y: ty, width: s * w, height: s * h },
  };
}

function applyFit(doc: PDFDocument, page: PDFPage, fit: Fit): void {
  const context = doc.context;
  const node = page.node;
  const m = fit.matrix.map(num).join(' ');
  const { x, y, width, height } = fit.box;
  const before = context.register(context.stream(`q ${m} cm ${num(x)} ${num(y)} ${num(width)} ${num(height)} re W n\n`));
  const after = context.register(context.stream('\nQ\n'));
  const contents = node.get(PDFName.of('Contents'));
  if (contents instanceof PDFRef || contents instanceof PDFArray) {
    const old = contents instanceof PDFArray ? contents.asArray() : [contents];
    node.set(PDFName.of('Contents'), context.obj([before, ...old, after]));
  }
  const annots = node.lookupMaybe(PDFName.of('Annots'), PDFArray);
  if (annots) {
    for (let i = 0; i < annots.size(); i++) {
      const annot = annots.lookupMaybe(i, PDFDict);
      const rect = annot?.lookupMaybe(PDFName.of('Rect'), PDFArray);
      if (!annot || !rect || rect.size() !== 4) continue;
      const v = rect.asArray().map((o) => (o instanceof PDFNumber ? o.asNumber() : 0));
      const corners = [
        [v[0], v[1]],
        [v[2], v[1]],
        [v[0], v[3]],
        [v[2], v[3]],
      ].map(([px, py]) => apply(fit.matrix, px, py));
      const xs = corners.map((p) => p[0]);
      const ys = corners.map((p) => p[1]);
      annot.set(PDFName.of('Rect'), context.obj([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]));
    }
  }
  for (const key of ['CropBox', 'BleedBox', 'TrimBox', 'ArtBox', 'Rotate', 'UserUnit']) node.delete(PDFName.of(key));
  node.set(PDFName.of('MediaBox'), context.obj([0, 0, A4_PT.width, A4_PT.height]));
}

function apply(m: number[], x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(5).replace(/0+$/, '');
}

function normalizedRotation(page: PDFPage): 0 | 90 | 180 | 270 {
  const angle = (((Math.round(page.getRotation().angle / 90) * 90) % 360) + 360) % 360;
  return angle as 0 | 90 | 180 | 270;
}

function displayedSizeMm(page: PDFPage): { width: number; height: number } {
  const box = page.getCropBox();
  const sideways = normalizedRotation(page) % 180 === 90;
  const w = Math.abs(sideways ? box.height : box.width) / PT_PER_MM;
  const h = Math.abs(sideways ? box.width : box.height) / PT_PER_MM;
  if (!Number.isFinite(w) || !Number.isFinite(h) || w === 0 || h === 0) throw new Error('zero or invalid page size');
  return { width: w, height: h };
}

const NAMED_SIZES: [string, number, number][] = [
  ['A4', 210, 297],
  ['A3', 297, 420],
  ['A5', 148, 210],
  ['A6', 105, 148],
  ['US Letter', 215.9, 279.4],
  ['US Legal', 215.9, 355.6],
];

function describeSize(size: { width: number; height: number }): string {
  const dims = `${fmtMm(size.width)} × ${fmtMm(size.height)} mm`;
  for (const [name, w, h] of NAMED_SIZES) {
    if (Math.abs(size.width - w) <= A4_TOLERANCE_MM && Math.abs(size.height - h) <= A4_TOLERANCE_MM) return `${dims} (${name} portrait)`;
    if (Math.abs(size.width - h) <= A4_TOLERANCE_MM && Math.abs(size.height - w) <= A4_TOLERANCE_MM) return `${dims} (${name} landscape)`;
  }
  return dims;
}

function listPages(pages: number[]): string {
  if (pages.length <= 5) return pages.join(', ');
  return `${pages.slice(0, 5).join(', ')} and ${pages.length - 5} more`;
}

function encrypted(field: string, name: string): PrintProblem {
  return {
    code: 'ATTACHMENT_ENCRYPTED',
    field,
    message: `${name} is encrypted (password-protected or with permissions set) and cannot be printed: attach an unprotected copy`,
  };
}

function looksLikePdf(bytes: Buffer): boolean {
  // Readers accept the header within the first 1024 bytes.
  return bytes.subarray(0, 1024).includes('%PDF-', 0, 'latin1');
}

/** An /Encrypt entry in a trailer or cross-reference stream: how readers tell an encrypted file. */
function hasEncryptDictionary(bytes: Buffer): boolean {
  return /\/Encrypt\s*(?:\d+\s+\d+\s+R|<<)/.test(bytes.toString('latin1'));
}
