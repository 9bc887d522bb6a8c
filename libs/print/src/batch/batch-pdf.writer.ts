import {
  ParseSpeeds,
  PDFArray,
  PDFBool,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNull,
  PDFNumber,
  PDFObject,
  PDFRef,
  PDFStream,
  PDFString,
} from 'pdf-lib';
import { BatchAssemblyError } from './batch.errors';
import { HashingFileWriter } from './hashing-file.writer';

/** The batch's own objects get fixed numbers; every copied object comes after them. */
const CATALOG_NUMBER = 1;
const PAGES_NUMBER = 2;
const FIRST_COPIED_NUMBER = 3;
/** A reference that must not be followed (the input's catalog, Info, xref or object streams). */
const NULL_NUMBER = 0;

/** ISO 32000-1 §7.7.3.4: attributes a page inherits from its ancestor Pages nodes. */
const INHERITABLE = [PDFName.of('Resources'), PDFName.of('MediaBox'), PDFName.of('CropBox'), PDFName.of('Rotate')];
const TYPE = PDFName.of('Type');
const PAGES = PDFName.of('Pages');
const KIDS = PDFName.of('Kids');
const PARENT = PDFName.of('Parent');
const LENGTH = PDFName.of('Length');
const XREF = PDFName.of('XRef');
const OBJSTM = PDFName.of('ObjStm');

/** Xref entries and Kids references per chunk written at the end (keeps each string small). */
const TAIL_CHUNK = 2048;

/** Where one input document landed in the batch PDF. */
export interface PdfPlacement {
  /** 1-based, inclusive. */
  firstPage: number;
  lastPage: number;
  /** Indirect objects copied from the input. */
  objects: number;
}

interface PageLeaf {
  ref: PDFRef;
  dict: PDFDict;
  /** Attributes found on ancestors that the page does not set itself. */
  inherited: [PDFName, PDFObject][];
}

/**
 * Writes one PDF from many input PDFs, one input at a time, without holding earlier inputs or the
 * output in memory.
 *
 * Each input is parsed with pdf-lib (which expands object streams and reads xref streams into plain
 * indirect objects), and only the objects reachable from its pages are copied: the input's catalog,
 * Info, page-tree nodes, xref streams and object streams never are. Copied objects are renumbered
 * into the batch's number space in the order they are written (pages first, then breadth-first), so
 * what grows with the batch is one byte offset per object and one number per page. Inheritable page
 * attributes (Resources, MediaBox, CropBox, Rotate) are pushed down from ancestor Pages nodes into
 * each page, whose /Parent becomes the batch's single Pages node (object 2; the Catalog is 1); any
 * other reference to an input page-tree node points there too. References to the input's catalog,
 * Info, xref or object streams, and dangling references, become `null` (as the PDF spec reads them).
 * `finish()` writes the Pages node, the Catalog, a classic xref table and the trailer.
 */
export class BatchPdfWriter {
  /** Byte offset of each object by object number (0, 1 and 2 are set in `finish`). */
  private readonly offsets: number[] = new Array<number>(FIRST_COPIED_NUMBER).fill(0);
  /** Object number of each page of the batch, in order. */
  private readonly pageNumbers: number[] = [];
  private finished = false;
  /** Set when an input failed halfway through being written: the output is no longer whole. */
  private broken = false;

  constructor(private readonly out: HashingFileWriter) {
    // The binary comment tells transfer tools the file is binary (ISO 32000-1 §7.5.2).
    out.writeText('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n');
  }

  /** Pages written so far. */
  get pages(): number {
    return this.pageNumbers.length;
  }

  /** What this writer keeps per batch: one offset per object and one object number per page. */
  bookkeeping(): { objectOffsets: number; pageNumbers: number } {
    return { objectOffsets: this.offsets.length, pageNumbers: this.pageNumbers.length };
  }

  /**
   * Parses `pdf`, checks that it has `expectedPages` pages and appends them. Throws
   * `BatchAssemblyError` naming `letterId` when the PDF cannot be read or its page count differs;
   * nothing of that input is written then.
   */
  async addDocument(pdf: Uint8Array, letterId: string, expectedPages: number): Promise<PdfPlacement> {
    if (this.finished) throw new Error('BatchPdfWriter: addDocument after finish');
    if (this.broken) throw new Error('BatchPdfWriter: an earlier document failed while being written; start a new batch');
    const doc = await loadPdf(pdf, letterId);
    const leaves = collectPageLeaves(doc, letterId);
    if (leaves.length !== expectedPages) {
      throw new BatchAssemblyError(
        'PAGE_COUNT_MISMATCH',
        `letter ${letterId}: its PDF has ${leaves.length} page(s) but the entry says ${expectedPages}; ` +
          're-render the letter or correct the entry\'s page count',
        letterId,
      );
    }
    try {
      return await this.copyPages(doc, leaves, letterId);
    } catch (e) {
      this.broken = true;
      throw e;
    }
  }

  /** Writes the page tree, the catalog, the xref table and the trailer. The caller closes the file. */
  async finish(): Promise<void> {
    if (this.finished) throw new Error('BatchPdfWriter: finish called twice');
    if (this.broken) throw new Error('BatchPdfWriter: an earlier document failed while being written; start a new batch');
    this.finished = true;
    const out = this.out;

    this.offsets[PAGES_NUMBER] = out.position;
    out.writeText(`${PAGES_NUMBER} 0 obj\n<< /Type /Pages /Count ${this.pageNumbers.length} /Kids [`);
    for (let i = 0; i < this.pageNumbers.length; i += TAIL_CHUNK) {
      const refs = this.pageNumbers.slice(i, i + TAIL_CHUNK).map((n) => `${n} 0 R`);
      out.writeText(`${refs.join(' ')}\n`);
      await out.ready();
    }
    out.writeText('] >>\nendobj\n');

    this.offsets[CATALOG_NUMBER] = out.position;
    out.writeText(`${CATALOG_NUMBER} 0 obj\n<< /Type /Catalog /Pages ${PAGES_NUMBER} 0 R >>\nendobj\n`);

    const xrefOffset = out.position;
    const size = this.offsets.length;
    // Classic xref table: each entry exactly 20 bytes, "oooooooooo ggggg n\r\n" (ISO 32000-1 §7.5.4).
    out.writeText(`xref\n0 ${size}\n0000000000 65535 f\r\n`);
    for (let start = 1; start < size; start += TAIL_CHUNK) {
      let chunk = '';
      for (let n = start; n < Math.min(size, start + TAIL_CHUNK); n++) {
        chunk += `${String(this.offsets[n]).padStart(10, '0')} 00000 n\r\n`;
      }
      out.writeText(chunk);
      await out.ready();
    }
    // The file identifier: derived from everything written before it, so equal batches get equal ids.
    const id = out.digestSoFar().subarray(0, 16).toString('hex');
    out.writeText(
      `trailer\n<< /Size ${size} /Root ${CATALOG_NUMBER} 0 R /ID [<${id}> <${id}>] >>\nstartxref\n${xrefOffset}\n%%EOF\n`,
    );
    await out.ready();
  }

  private async copyPages(doc: PDFDocument, leaves: PageLeaf[], letterId: string): Promise<PdfPlacement> {
    const context = doc.context;
    // Old reference → batch object number; dropped with the input when this method returns.
    const numbers = new Map<PDFRef, number>();
    const root = context.trailerInfo.Root;
    const info = context.trailerInfo.Info;
    if (root instanceof PDFRef) numbers.set(root, NULL_NUMBER);
    if (info instanceof PDFRef) numbers.set(info, NULL_NUMBER);
    for (const ref of collectTreeNodes(doc)) numbers.set(ref, PAGES_NUMBER);

    let next = this.offsets.length;
    const queue: PDFRef[] = [];
    const firstPage = this.pageNumbers.length + 1;
    for (const leaf of leaves) {
      numbers.set(leaf.ref, next);
      this.pageNumbers.push(next);
      queue.push(leaf.ref);
      next++;
    }
    const leafByRef = new Map(leaves.map((l) => [l.ref, l]));

    const refText = (ref: PDFRef): string => {
      let n = numbers.get(ref);
      if (n === undefined) {
        const target = context.lookup(ref);
        if (target === undefined || target === PDFNull || isXrefOrObjectStream(target)) {
          n = NULL_NUMBER;
        } else {
          n = next++;
          queue.push(ref);
        }
        numbers.set(ref, n);
      }
      return n === NULL_NUMBER ? 'null' : `${n} 0 R`;
    };

    // Objects are written in the order their numbers were handed out, so offsets are appended in order.
    for (let i = 0; i < queue.length; i++) {
      const ref = queue[i];
      const number = numbers.get(ref) as number;
      if (number !== this.offsets.length) throw new Error(`BatchPdfWriter: object ${number} out of order`);
      const object = context.lookup(ref) as PDFObject;
      this.offsets.push(this.out.position);
      const leaf = leafByRef.get(ref);
      if (leaf) {
        const entries = leaf.dict.entries().filter(([key]) => key !== PARENT);
        entries.push(...leaf.inherited);
        const parent = ` /Parent ${PAGES_NUMBER} 0 R`;
        this.out.writeText(`${number} 0 obj\n${dictText(entries, refText, letterId, parent)}\nendobj\n`);
      } else if (object instanceof PDFStream) {
        const contents = object.getContents();
        const entries = object.dict.entries().filter(([key]) => key !== LENGTH);
        entries.push([LENGTH, PDFNumber.of(contents.length)]);
        this.out.writeText(`${number} 0 obj\n${dictText(entries, refText, letterId)}\nstream\n`);
        this.out.writeBytes(contents);
        this.out.writeText('\nendstream\nendobj\n');
      } else {
        this.out.writeText(`${number} 0 obj\n${valueText(object, refText, letterId)}\nendobj\n`);
      }
      await this.out.ready();
    }
    return { firstPage, lastPage: this.pageNumbers.length, objects: queue.length };
  }
}

async function loadPdf(pdf: Uint8Array, letterId: string): Promise<PDFDocument> {
  let doc: PDFDocument;
  try {
    // Fastest: parse in one go (the default yields to the event loop every 100 objects, which for
    // small letters costs more than the parse); updateMetadata: false leaves Info alone (not copied
    // anyway); encryption is checked below (pdf-lib's own error class fails `instanceof`).
    doc = await PDFDocument.load(pdf, {
      parseSpeed: ParseSpeeds.Fastest,
      throwOnInvalidObject: true,
      updateMetadata: false,
      ignoreEncryption: true,
    });
  } catch (e) {
    throw new BatchAssemblyError(
      'UNREADABLE_PDF',
      `letter ${letterId}: its PDF cannot be parsed (${(e as Error).message}); re-render the letter`,
      letterId,
      { cause: e },
    );
  }
  if (doc.isEncrypted) {
    throw new BatchAssemblyError('ENCRYPTED_PDF', `letter ${letterId}: its PDF is encrypted; render it from an unencrypted source`, letterId);
  }
  // pdf-lib reads whatever objects it finds; a file without a catalog is not a PDF we can print.
  if (!(doc.catalog instanceof PDFDict)) throw unreadable(letterId, 'its PDF has no document catalog (trailer /Root)');
  return doc;
}

function unreadable(letterId: string, what: string): BatchAssemblyError {
  return new BatchAssemblyError('UNREADABLE_PDF', `letter ${letterId}: ${what}; re-render the letter`, letterId);
}

function isPagesNode(dict: PDFDict): boolean {
  return dict.get(TYPE) === PAGES || dict.get(KIDS) !== undefined;
}

/** The page leaves in order, each with the inheritable attributes it lacks and an ancestor has. */
function collectPageLeaves(doc: PDFDocument, letterId: string): PageLeaf[] {
  const context = doc.context;
  const rootRef = doc.catalog.get(PAGES);
  if (!(rootRef instanceof PDFRef)) throw unreadable(letterId, 'its catalog has no page tree');
  const leaves: PageLeaf[] = [];
  const seen = new Set<PDFRef>();

  const visit = (ref: PDFObject | undefined, inheritedFromAbove: Map<PDFName, PDFObject>): void => {
    if (!(ref instanceof PDFRef)) throw unreadable(letterId, 'its page tree has a kid that is not an indirect reference');
    if (seen.has(ref)) throw unreadable(letterId, `its page tree visits ${ref.toString()} twice`);
    seen.add(ref);
    const dict = context.lookup(ref);
    if (!(dict instanceof PDFDict)) throw unreadable(letterId, `its page tree node ${ref.toString()} is not a dictionary`);
    if (isPagesNode(dict)) {
      const here = new Map(inheritedFromAbove);
      for (const key of INHERITABLE) {
        const value = dict.get(key);
        if (value !== undefined) here.set(key, value);
      }
      const kids = dict.lookup(KIDS);
      if (!(kids instanceof PDFArray)) throw unreadable(letterId, `its page tree node ${ref.toString()} has no /Kids array`);
      for (let i = 0; i < kids.size(); i++) visit(kids.get(i), here);
    } else {
      const inherited: [PDFName, PDFObject][] = [];
      for (const [key, value] of inheritedFromAbove) if (!dict.has(key)) inherited.push([key, value]);
      leaves.push({ ref, dict, inherited });
    }
  };
  visit(rootRef, new Map());
  return leaves;
}

/** References of the input's page-tree nodes (not leaves). */
function collectTreeNodes(doc: PDFDocument): PDFRef[] {
  const context = doc.context;
  const nodes: PDFRef[] = [];
  const stack: PDFObject[] = [doc.catalog.get(PAGES) as PDFObject];
  const seen = new Set<PDFRef>();
  while (stack.length > 0) {
    const ref = stack.pop();
    if (!(ref instanceof PDFRef) || seen.has(ref)) continue;
    seen.add(ref);
    const dict = context.lookup(ref);
    if (dict instanceof PDFDict && isPagesNode(dict)) {
      nodes.push(ref);
      const kids = dict.lookup(KIDS);
      if (kids instanceof PDFArray) stack.push(...kids.asArray());
    }
  }
  return nodes;
}

function isXrefOrObjectStream(object: PDFObject): boolean {
  if (!(object instanceof PDFStream)) return false;
  const type = object.dict.get(TYPE);
  return type === XREF || type === OBJSTM;
}

type RefText = (ref: PDFRef) => string;

/** `extra`: entries already in PDF syntax, appended as they are. */
function dictText(entries: [PDFName, PDFObject][], refText: RefText, letterId: string, extra = ''): string {
  let text = '<<';
  for (const [key, value] of entries) text += ` ${key.asString()} ${valueText(value, refText, letterId)}`;
  return `${text}${extra} >>`;
}

/** PDF syntax of a direct object, with references renumbered. Strings stay as parsed (one char per byte). */
function valueText(value: PDFObject, refText: RefText, letterId: string): string {
  if (value instanceof PDFRef) return refText(value);
  if (value instanceof PDFDict) return dictText(value.entries(), refText, letterId);
  if (value instanceof PDFArray) {
    let text = '[';
    const items = value.asArray();
    for (let i = 0; i < items.length; i++) text += (i === 0 ? '' : ' ') + valueText(items[i], refText, letterId);
    return `${text}]`;
  }
  if (
    value instanceof PDFName ||
    value instanceof PDFNumber ||
    value instanceof PDFString ||
    value instanceof PDFHexString ||
    value instanceof PDFBool ||
    value === PDFNull
  ) {
    return value.toString();
  }
  // A stream can only be an indirect object; anything else is not something the parser produces.
  throw unreadable(letterId, `its PDF holds an object that cannot be copied (${value.constructor.name})`);
}
