import { PDFContext, PDFDict, PDFDocument, PDFName, PDFObject, PDFRef } from 'pdf-lib';

/*
 * Appending pages to a PDF we wrote ourselves (pdfkit's output) as an incremental update (PDF 1.7,
 * 7.5.6): the new objects, a new version of the page tree, and a cross-reference section that points
 * back to the original one. The letter's own bytes are kept as they are, so they are neither parsed nor
 * written again; only the attachments go through pdf-lib. Readers (and pdf-lib, when a batch is put
 * together) see one document with all the pages.
 */

/** What the update needs to know about the original file, read from its trailer and page tree. */
export interface PdfStructure {
  /** /Size of the original cross-reference table: new objects are numbered from here. */
  size: number;
  root: number;
  info?: number;
  /** The trailer's /ID array as written. */
  id?: string;
  /** Byte offset of the original cross-reference section. */
  startxref: number;
  pagesObject: number;
  pageRefs: number[];
}

/**
 * Reads the structure of a PDF as pdfkit writes it (classic cross-reference table, one page tree node).
 * Returns undefined for anything else, so the caller can take the general path.
 */
export function readPdfkitStructure(pdf: Buffer): PdfStructure | undefined {
  const tail = pdf.toString('latin1', Math.max(0, pdf.length - 1024));
  const trailer = /trailer\s*<<([\s\S]*?)>>\s*startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
  if (!trailer) return undefined;
  const dict = trailer[1];
  const size = Number(/\/Size (\d+)/.exec(dict)?.[1]);
  const root = Number(/\/Root (\d+) 0 R/.exec(dict)?.[1]);
  const info = /\/Info (\d+) 0 R/.exec(dict)?.[1];
  const id = /\/ID (\[<[0-9a-fA-F]*> <[0-9a-fA-F]*>\])/.exec(dict)?.[1];
  if (!Number.isInteger(size) || !Number.isInteger(root) || /\/(Prev|Encrypt|XRefStm)\b/.test(dict)) return undefined;
  const text = pdf.toString('latin1');
  const catalog = new RegExp(`(?:^|\\n)${root} 0 obj\\s*<<([\\s\\S]*?)>>\\s*endobj`).exec(text);
  const pagesObject = Number(/\/Pages (\d+) 0 R/.exec(catalog?.[1] ?? '')?.[1]);
  if (!Number.isInteger(pagesObject)) return undefined;
  const pages = new RegExp(`(?:^|\\n)${pagesObject} 0 obj\\s*<<\\s*/Type /Pages\\s*/Count (\\d+)\\s*/Kids \\[([^\\]]*)\\]\\s*>>\\s*endobj`).exec(text);
  if (!pages) return undefined;
  const pageRefs = [...pages[2].matchAll(/(\d+) 0 R/g)].map((m) => Number(m[1]));
  if (pageRefs.length !== Number(pages[1])) return undefined;
  return { size, root, info: info === undefined ? undefined : Number(info), id, startxref: Number(trailer[2]), pagesObject, pageRefs };
}

/**
 * A pdf-lib document whose new objects are numbered after the original file's, for building the pages
 * to append (copy them in, then `writeUpdate`).
 */
export function updateDocument(original: PdfStructure): Promise<PDFDocument> {
  return PDFDocument.create({ updateMetadata: false }).then((doc) => {
    doc.context.largestObjectNumber = Math.max(doc.context.largestObjectNumber, original.size - 1);
    return doc;
  });
}

/** The page tree's parent reference for pages appended to the original. */
export function pagesRef(original: PdfStructure): PDFRef {
  return PDFRef.of(original.pagesObject);
}

/**
 * The original file followed by the update: every object of `update` numbered from `original.size` on,
 * and the page tree with the original pages followed by `appended`.
 */
export function writeUpdate(pdf: Buffer, original: PdfStructure, update: PDFContext, appended: PDFRef[]): Buffer {
  const parts: Uint8Array[] = [pdf, Buffer.from('\n')];
  let offset = pdf.length + 1;
  const entries: { num: number; offset: number }[] = [];
  const write = (num: number, object: PDFObject) => {
    const head = Buffer.from(`${num} 0 obj\n`, 'latin1');
    const body = new Uint8Array(object.sizeInBytes());
    object.copyBytesInto(body, 0);
    const tail = Buffer.from('\nendobj\n', 'latin1');
    entries.push({ num, offset });
    parts.push(head, body, tail);
    offset += head.length + body.length + tail.length;
  };
  let size = original.size;
  for (const [ref, object] of update.enumerateIndirectObjects()) {
    if (ref.objectNumber < original.size) continue;
    write(ref.objectNumber, object);
    size = Math.max(size, ref.objectNumber + 1);
  }
  const kids = [...original.pageRefs.map((n) => PDFRef.of(n)), ...appended];
  const tree = update.obj({ Type: 'Pages', Count: kids.length, Kids: kids }) as PDFDict;
  write(original.pagesObject, tree);

  // One subsection per run of consecutive object numbers.
  entries.sort((a, b) => a.num - b.num);
  let xref = 'xref\n';
  for (let i = 0; i < entries.length; ) {
    let j = i;
    while (j + 1 < entries.length && entries[j + 1].num === entries[j].num + 1) j++;
    xref += `${entries[i].num} ${j - i + 1}\n`;
    for (let k = i; k <= j; k++) xref += `${String(entries[k].offset).padStart(10, '0')} 00000 n \n`;
    i = j + 1;
  }
  const info = original.info === undefined ? '' : ` /Info ${original.info} 0 R`;
  const id = original.id ? ` /ID ${original.id}` : '';
  xref += `trailer\n<< /Size ${size} /Root ${original.root} 0 R${info}${id} /Prev ${original.startxref} >>\nstartxref\n${offset}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}

/** Sets a page's parent in the original page tree. */
export function setParent(page: PDFDict, parent: PDFRef): void {
  page.set(PDFName.of('Parent'), parent);
}
