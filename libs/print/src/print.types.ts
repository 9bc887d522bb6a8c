/**
 * The print library's vocabulary. `libs/print` knows nothing of tenants, GraphQL or the database:
 * it turns a letter into a print-ready PDF (render/) and a stream of rendered letters into a batch
 * PDF and its manifest (batch/). Lengths are millimetres on an A4 sheet, origin at the top-left corner
 * of the page, x to the right, y downwards (how envelope makers and print vendors give them).
 */

export const A4 = { widthMm: 210, heightMm: 297 } as const;
/** PDF points per millimetre (1 pt = 1/72 inch). */
export const PT_PER_MM = 72 / 25.4;

/** A rectangle on the page, in millimetres from the top-left corner. */
export interface RectMm {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where the recipient's address must sit so that it shows through the envelope's window once the
 * sheet is folded and inserted, and what else the vendor's machines need kept clear.
 */
export interface EnvelopeProfile {
  /** e.g. `C5-H2` */
  id: string;
  name: string;
  /** Envelope format (C5: A4 folded once across; C4: A4 unfolded; C5/6 (DL): folded twice). */
  envelope: 'C4' | 'C5' | 'C5/6';
  /** The window as it lies over the first page (millimetres from the page's top-left corner). */
  window: RectMm;
  /** Space kept clear inside the window's edges, so the address never touches them when the sheet shifts. */
  windowPaddingMm: number;
  /** Where the sender block (return address) goes; must not overlap the window. */
  senderBlock: RectMm;
  /** Where the text body may go on every page (within the printable area, clear of the window on page 1). */
  printableArea: { topMm: number; rightMm: number; bottomMm: number; leftMm: number };
  /** Where the numbers and sources of this profile come from (shown in the README). */
  source: string;
}

export interface PostalAddressLines {
  name: string;
  lines: string[];
  postalCode: string;
  city: string;
  /** ISO 3166 alpha-2; 'SE' (default) is not printed. */
  country?: string;
}

/** Everything that goes on paper for one letter. */
export interface PrintLetter {
  /** The letter id: also the print job id in batches and manifests. */
  id: string;
  sender: { name: string; postalAddress: string[]; /** PNG or JPEG, optional */ logo?: Buffer };
  recipient: PostalAddressLines;
  /** The letter's date, printed as YYYY-MM-DD. */
  date: Date;
  caseReference?: string;
  subject: string;
  /** Plain text; blank lines separate paragraphs. */
  bodyText?: string;
  /** PDF attachments appended after the letter, each starting on a front side when duplex. */
  attachments: { filename: string; content: Buffer }[];
}

export interface RenderOptions {
  profile: EnvelopeProfile;
  /** Printed on both sides: each document (letter, each attachment) starts on a front side. */
  duplex: boolean;
  colour: boolean;
  /** The vendor's limit on pages per letter (after blank pages are inserted). */
  maxPages?: number;
}

export interface RenderedLetter {
  pdf: Buffer;
  /** Pages in `pdf`, blank back pages included. */
  pages: number;
  /** Physical sheets: pages / 2 rounded up when duplex, else pages. */
  sheets: number;
  duplex: boolean;
  colour: boolean;
  /** 1-based page numbers of inserted blank pages. */
  blankPages: number[];
  /** The lines printed in the window (what the manifest lists as the address). */
  addressLines: string[];
}

/** Why a letter cannot be printed as it is; each problem has a code and says what to fix. */
export interface PrintProblem {
  code:
    | 'ATTACHMENT_ENCRYPTED'
    | 'ATTACHMENT_CORRUPT'
    | 'ATTACHMENT_NOT_A4'
    | 'TOO_MANY_PAGES'
    | 'ADDRESS_TOO_LONG'
    | 'ADDRESS_HAS_PERSONAL_ID'
    | 'CONTENT_OUTSIDE_PRINTABLE_AREA'
    | 'CONTENT_IN_WINDOW'
    | 'INVALID_PROFILE';
  message: string;
  /** e.g. `attachments[1]` or `recipient.lines[0]` */
  field?: string;
  page?: number;
}

export class PrintValidationError extends Error {
  constructor(readonly problems: PrintProblem[]) {
    super(`the letter cannot be printed: ${problems.map((p) => `${p.code}: ${p.message}`).join('; ')}`);
  }
}

export type PostageClass = 'FIRST_CLASS' | 'ECONOMY';

/** One letter as a batch takes it: the rendered PDF and what the manifest says of it. */
export interface BatchEntry {
  letterId: string;
  pdf: Buffer;
  pages: number;
  sheets: number;
  duplex: boolean;
  colour: boolean;
  postageClass: PostageClass;
  addressLines: string[];
  returnAddress: string[];
}

/** One letter's line in the manifest. */
export interface ManifestLetter {
  /** The letter id, which is the print job id. */
  letterId: string;
  sequence: number;
  /** 1-based, inclusive, in the batch PDF. */
  firstPage: number;
  lastPage: number;
  /** 1-based, inclusive, counting physical sheets through the batch. */
  firstSheet: number;
  lastSheet: number;
  pages: number;
  sheets: number;
  duplex: boolean;
  colour: boolean;
  postageClass: PostageClass;
  addressLines: string[];
  returnAddress: string[];
}

/** A batch file written to disk, with its checksum. */
export interface BatchFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface AssembledBatch {
  pdf: BatchFile & { pages: number; sheets: number };
  manifestJson: BatchFile;
  manifestCsv: BatchFile;
  letters: number;
}
