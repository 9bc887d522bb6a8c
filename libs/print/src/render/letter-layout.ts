import { A4, EnvelopeProfile, PrintLetter, PrintProblem, PT_PER_MM, RectMm } from '../print.types';
import { AddressLine } from './address';
import { contains, describeRect, fmtMm, intersects, printableRect } from './envelope-profiles';
import { LetterFonts } from './letter-fonts';
import { cleanText, paragraphs, wrap } from './text-layout';
import { TrueTypeFont } from './truetype-font';

/*
 * The letter's layout, computed before anything is drawn: every line and image with its page and
 * position, and the box it covers. Drawing (pdfkit) only replays this, so the checks below see exactly
 * what ends up on paper. Positions are points from the top-left corner (pdfkit's convention); boxes are
 * millimetres (the profile's).
 */

export type FontName = 'regular' | 'bold';

export interface TextRun {
  /** 1-based page of the letter. */
  page: number;
  font: FontName;
  sizePt: number;
  x: number;
  /** Top of the line box (pdfkit places text by its top). */
  y: number;
  text: string;
  width: number;
}

export interface ImageRun {
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
  data: Buffer;
}

export type BoxKind = 'sender' | 'logo' | 'address' | 'meta' | 'subject' | 'body' | 'footer' | 'attachment';

export interface LayoutBox {
  page: number;
  kind: BoxKind;
  field: string;
  rect: RectMm;
}

export interface LetterLayout {
  pages: number;
  texts: TextRun[];
  images: ImageRun[];
  boxes: LayoutBox[];
}

interface Style {
  font: FontName;
  sizePt: number;
  leadPt: number;
}

export const STYLES = {
  senderName: { font: 'bold', sizePt: 9, leadPt: 11 },
  senderLine: { font: 'regular', sizePt: 8, leadPt: 10 },
  /** 10 pt: PostNord asks for 10–12 pt in the address. */
  address: { font: 'regular', sizePt: 10, leadPt: 12 },
  meta: { font: 'regular', sizePt: 9, leadPt: 11.5 },
  subject: { font: 'bold', sizePt: 12, leadPt: 15 },
  body: { font: 'regular', sizePt: 10, leadPt: 13.5 },
  footer: { font: 'regular', sizePt: 8, leadPt: 10 },
} as const satisfies Record<string, Style>;

const MM = PT_PER_MM;
const LOGO_MAX_HEIGHT_MM = 15;
const LOGO_MIN_HEIGHT_MM = 6;
const LOGO_GAP_MM = 2;
const META_GAP_MM = 6;
const META_MIN_WIDTH_MM = 45;
const SUBJECT_GAP_MM = 10;
const BODY_GAP_MM = 4;
const PARAGRAPH_GAP_PT = 6;
const FOOTER_GAP_MM = 4;

const dateFormat = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The letter's date as printed: YYYY-MM-DD, the calendar date in Sweden. */
export function formatLetterDate(date: Date): string {
  return dateFormat.format(date);
}

/** Height of a line's box (ascender to descender) at `sizePt`, as text extraction tools report it. */
export function lineBoxPt(font: TrueTypeFont, sizePt: number): number {
  return ((font.ascent - font.descent) * sizePt) / font.unitsPerEm;
}

export interface AddressFit {
  problems: PrintProblem[];
  /** The lines in the window, with their width in points. */
  lines: { text: string; width: number; field: string }[];
}

/** Whether the address fits the window inside its padding at the address size; says what does not. */
export function fitAddress(lines: AddressLine[], profile: EnvelopeProfile, fonts: LetterFonts): AddressFit {
  const style = STYLES.address;
  const font = fonts[style.font];
  const innerW = (profile.window.width - 2 * profile.windowPaddingMm) * MM;
  const innerH = (profile.window.height - 2 * profile.windowPaddingMm) * MM;
  const box = lineBoxPt(font, style.sizePt);
  const maxLines = innerH < box ? 0 : Math.floor((innerH - box) / style.leadPt + 1e-9) + 1;
  const problems: PrintProblem[] = [];
  if (lines.length > maxLines) {
    problems.push({
      code: 'ADDRESS_TOO_LONG',
      field: 'recipient.lines',
      message:
        `the address has ${lines.length} lines but the ${profile.id} window fits ${maxLines} at ${style.sizePt} pt ` +
        '(name, address lines, postal code and city, country when abroad): combine or drop address lines',
    });
  }
  const measured = lines.map((l) => ({ text: l.text, width: font.widthOf(l.text, style.sizePt), field: l.field }));
  measured.forEach((m, i) => {
    if (m.width > innerW + 1e-6) {
      problems.push({
        code: 'ADDRESS_TOO_LONG',
        field: lines[i].field,
        message:
          `${lines[i].field} is ${fmtMm(m.width / MM)} mm wide at ${style.sizePt} pt but the ${profile.id} window leaves ` +
          `${fmtMm(innerW / MM)} mm inside its padding: shorten or abbreviate it`,
      });
    }
  });
  return { problems, lines: measured };
}

/** Pixel size of a PNG or JPEG, or undefined when the data is neither. */
export function imageSize(data: Buffer): { width: number; height: number } | undefined {
  if (data.length >= 24 && data.readUInt32BE(0) === 0x89504e47 && data.toString('latin1', 12, 16) === 'IHDR') {
    return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  }
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8) {
    let at = 2;
    while (at + 9 < data.length) {
      if (data[at] !== 0xff) return undefined;
      const marker = data[at + 1];
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        at += 2;
        continue;
      }
      const length = data.readUInt16BE(at + 2);
      // Start-of-frame markers (baseline, progressive, …) carry the size; C4, C8 and CC are not frames.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: data.readUInt16BE(at + 7), height: data.readUInt16BE(at + 5) };
      }
      at += 2 + length;
    }
  }
  return undefined;
}

/**
 * Lays the letter out: sender block (logo, name, postal address) in the profile's sender block, the
 * address in the window inside its padding, date and reference next to (or above) the window, subject,
 * then the body across as many pages as it needs, and "Sida i av n" at the foot of every page.
 */
export function layoutLetter(letter: PrintLetter, address: AddressFit, profile: EnvelopeProfile, fonts: LetterFonts): LetterLayout {
  const area = printableRect(profile);
  const texts: TextRun[] = [];
  const images: ImageRun[] = [];
  const boxes: LayoutBox[] = [];
  const leftPt = area.x * MM;
  const rightPt = (area.x + area.width) * MM;
  const areaWidthPt = rightPt - leftPt;

  const put = (page: number, style: Style, x: number, y: number, text: string, width: number, kind: BoxKind, field: string) => {
    texts.push({ page, font: style.font, sizePt: style.sizePt, x, y, text, width });
    const h = lineBoxPt(fonts[style.font], style.sizePt);
    boxes.push({ page, kind, field, rect: { x: x / MM, y: y / MM, width: width / MM, height: h / MM } });
  };

  // Sender block: logo scaled into the block, then name and postal address, wrapped to its width.
  const sb = profile.senderBlock;
  const sbWidthPt = sb.width * MM;
  const senderName = wrap(fonts.bold, STYLES.senderName.sizePt, oneLine(letter.sender.name), sbWidthPt).map((l) => ({
    ...l,
    style: STYLES.senderName as Style,
    field: 'sender.name',
  }));
  const senderLines = letter.sender.postalAddress.flatMap((line, i) =>
    wrap(fonts.regular, STYLES.senderLine.sizePt, oneLine(line), sbWidthPt).map((l) => ({
      ...l,
      style: STYLES.senderLine as Style,
      field: `sender.postalAddress[${i}]`,
    })),
  );
  const senderRuns = [...senderName, ...senderLines].filter((l) => l.text !== '');
  const senderTextPt = senderRuns.reduce((sum, l) => sum + l.style.leadPt, 0);
  let y = sb.y * MM;
  const logo = letter.sender.logo;
  if (logo) {
    const px = imageSize(logo);
    if (!px || px.width === 0 || px.height === 0) throw new TypeError('sender.logo must be a PNG or JPEG image');
    const room = sb.height - LOGO_GAP_MM - senderTextPt / MM;
    const maxH = Math.max(LOGO_MIN_HEIGHT_MM, Math.min(LOGO_MAX_HEIGHT_MM, room)) * MM;
    const scale = Math.min(sbWidthPt / px.width, maxH / px.height);
    const w = px.width * scale;
    const h = px.height * scale;
    images.push({ page: 1, x: sb.x * MM, y, width: w, height: h, data: logo });
    boxes.push({ page: 1, kind: 'logo', field: 'sender.logo', rect: { x: sb.x, y: y / MM, width: w / MM, height: h / MM } });
    y += h + LOGO_GAP_MM * MM;
  }
  for (const l of senderRuns) {
    put(1, l.style, sb.x * MM, y, l.text, l.width, 'sender', l.field);
    y += l.style.leadPt;
  }
  const senderBottom = y;

  // The address, inside the window's padding.
  const win = profile.window;
  const pad = profile.windowPaddingMm;
  y = (win.y + pad) * MM;
  for (const l of address.lines) {
    put(1, STYLES.address, (win.x + pad) * MM, y, l.text, l.width, 'address', l.field);
    y += STYLES.address.leadPt;
  }

  // Date and reference: right of the window when there is room, else above it, clear of the sender block.
  const meta = [`Datum: ${formatLetterDate(letter.date)}`];
  const reference = letter.caseReference ? oneLine(letter.caseReference) : '';
  if (reference !== '') meta.push(`Vår referens: ${reference}`);
  const metaFields = ['date', 'caseReference'];
  const roomRight = (area.x + area.width - (win.x + win.width) - META_GAP_MM) * MM;
  let metaX: number;
  let metaY: number;
  let metaWidth: number;
  if (roomRight >= META_MIN_WIDTH_MM * MM) {
    metaX = (win.x + win.width + META_GAP_MM) * MM;
    metaY = (win.y + pad) * MM;
    metaWidth = roomRight;
  } else {
    metaX = Math.max(win.x + pad, sb.x + sb.width + META_GAP_MM) * MM;
    metaY = Math.max(area.y, sb.y) * MM;
    metaWidth = Math.max(rightPt - metaX, META_MIN_WIDTH_MM * MM);
  }
  y = metaY;
  meta.forEach((text, i) => {
    for (const l of wrap(fonts.regular, STYLES.meta.sizePt, text, metaWidth)) {
      put(1, STYLES.meta, metaX, y, l.text, l.width, 'meta', metaFields[i]);
      y += STYLES.meta.leadPt;
    }
  });
  const metaBottom = y;

  // Subject and body, paginated within the printable area above the footer.
  const footerBox = lineBoxPt(fonts[STYLES.footer.font], STYLES.footer.sizePt);
  const footerY = (area.y + area.height) * MM - footerBox;
  const bodyBottom = footerY - FOOTER_GAP_MM * MM;
  let page = 1;
  y = Math.max((win.y + win.height) * MM, senderBottom, metaBottom) + SUBJECT_GAP_MM * MM;
  const place = (style: Style, text: string, width: number, kind: BoxKind, field: string) => {
    const h = lineBoxPt(fonts[style.font], style.sizePt);
    if (y + h > bodyBottom && !(page > 1 && y === area.y * MM)) {
      page++;
      y = area.y * MM;
    }
    put(page, style, leftPt, y, text, width, kind, field);
    y += style.leadPt;
  };
  for (const l of wrap(fonts.bold, STYLES.subject.sizePt, oneLine(letter.subject), areaWidthPt)) {
    if (l.text !== '') place(STYLES.subject, l.text, l.width, 'subject', 'subject');
  }
  y += BODY_GAP_MM * MM;
  const body = letter.bodyText ? paragraphs(letter.bodyText) : [];
  body.forEach((para, p) => {
    if (p > 0) y += PARAGRAPH_GAP_PT;
    for (const line of para) {
      for (const l of wrap(fonts.regular, STYLES.body.sizePt, line, areaWidthPt)) {
        place(STYLES.body, l.text, l.width, 'body', `bodyText (paragraph ${p + 1})`);
      }
    }
  });
  const pages = page;

  for (let p = 1; p <= pages; p++) {
    const text = `Sida ${p} av ${pages}`;
    const width = fonts[STYLES.footer.font].widthOf(text, STYLES.footer.sizePt);
    put(p, STYLES.footer, rightPt - width, footerY, text, width, 'footer', 'page number');
  }
  return { pages, texts, images, boxes };
}

/**
 * Every box inside the printable area, and nothing but the address in the window on page 1. One problem
 * per field, code and page (a body that runs wild is one problem, not three hundred).
 */
export function checkBoxes(boxes: LayoutBox[], profile: EnvelopeProfile): PrintProblem[] {
  const area = printableRect(profile);
  const win: RectMm = profile.window;
  const problems: PrintProblem[] = [];
  const seen = new Set<string>();
  const report = (problem: PrintProblem) => {
    const key = `${problem.code}|${problem.field}|${problem.page}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  };
  for (const box of boxes) {
    if (!contains(area, box.rect)) {
      report({
        code: 'CONTENT_OUTSIDE_PRINTABLE_AREA',
        field: box.field,
        page: box.page,
        message:
          `${what(box)} on page ${box.page} covers ${describeRect(box.rect)}, outside the printable area ${describeRect(area)} ` +
          `of profile ${profile.id}: ${FIX[box.kind]}`,
      });
    }
    if (box.page === 1 && box.kind !== 'address' && intersects(box.rect, win)) {
      report({
        code: 'CONTENT_IN_WINDOW',
        field: box.field,
        page: 1,
        message: `${what(box)} covers ${describeRect(box.rect)} and would show in the envelope window ${describeRect(win)}: ${FIX[box.kind]}`,
      });
    }
  }
  return problems;
}

const FIX: Record<BoxKind, string> = {
  sender: 'shorten the sender name or postal address, or use a profile with a larger sender block',
  logo: 'use a wider, less tall logo or a profile with a larger sender block',
  address: 'use an envelope profile whose window lies inside the printable area',
  meta: 'shorten the case reference',
  subject: 'shorten the subject',
  body: 'check the envelope profile: the body must fit between the window and the bottom margin',
  footer: 'check the envelope profile\'s bottom margin',
  attachment: 'check the envelope profile\'s printable area',
};

function what(box: LayoutBox): string {
  switch (box.kind) {
    case 'address':
      return `the address (${box.field})`;
    case 'logo':
      return 'the sender logo';
    case 'footer':
      return 'the page number';
    default:
      return `the text of ${box.field}`;
  }
}

function oneLine(s: string): string {
  return cleanText(s).replace(/\s+/g, ' ').trim();
}

/** A4 in points, as pdfkit and pdf-lib take it. */
export const A4_PT = { width: A4.widthMm * MM, height: A4.heightMm * MM } as const;
