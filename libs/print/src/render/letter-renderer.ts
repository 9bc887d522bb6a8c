import PDFDocument from 'pdfkit';
import { EnvelopeProfile, PrintLetter, PrintProblem, PrintValidationError, RectMm, RenderedLetter, RenderOptions } from '../print.types';
import { addressFields, addressLines, containsPersonalId } from './address';
import { appendAttachments, attachmentBoxes, inspectAttachments, planPages } from './attachments';
import { checkEnvelopeProfile, printableRect } from './envelope-profiles';
import { letterFonts, LetterFonts } from './letter-fonts';
import { A4_PT, checkBoxes, fitAddress, layoutLetter, LetterLayout } from './letter-layout';

/**
 * Renders one letter as a print-ready A4 PDF: sender block, the recipient's address in the envelope
 * profile's window, date, case reference, subject, body over as many pages as needed with "Sida i av n",
 * then the attachments, each fitted into the printable area and, when duplex, starting on a front side.
 *
 * Everything is checked before a byte is written; when anything is wrong the promise rejects with a
 * `PrintValidationError` listing every problem (what, where, how to fix). A personnummer or
 * samordningsnummer in the address stops the letter before any PDF exists, and no message repeats it.
 */
export async function renderLetter(letter: PrintLetter, options: RenderOptions): Promise<RenderedLetter> {
  const { profile, duplex } = options;
  const fonts = letterFonts();
  const problems: PrintProblem[] = [...checkEnvelopeProfile(profile)];

  // Reported like every other problem (nothing is drawn once there is one); the messages name the
  // field, never the number.
  problems.push(...personalIdProblems(letter));

  const lines = addressLines(letter.recipient);
  const address = fitAddress(lines, profile, fonts);
  problems.push(...address.problems);

  const inspected = await inspectAttachments(letter.attachments ?? []);
  problems.push(...inspected.problems);

  // An impossible profile is reported as such, and also through what it does to the content.
  const layout = isMeasurable(profile) ? layoutLetter(letter, address, profile, fonts) : undefined;
  if (layout) {
    const printable = printableRect(profile);
    // An address already reported as too long is not reported again for where its overlong line ends.
    const boxes = address.problems.length > 0 ? layout.boxes.filter((b) => b.kind !== 'address') : layout.boxes;
    problems.push(...checkBoxes([...boxes, ...attachmentBoxes(inspected.attachments, layout.pages, printable, duplex)], profile));
  }
  const plan = layout && planPages(layout.pages, inspected.attachments.map((a) => a.pages), duplex);
  if (layout && plan && inspected.problems.length === 0 && options.maxPages !== undefined && plan.pages > options.maxPages) {
    const blanks = plan.blankPages.length;
    problems.push({
      code: 'TOO_MANY_PAGES',
      field: 'attachments',
      message:
        `the letter has ${plan.pages} pages (${layout.pages} letter ${layout.pages === 1 ? 'page' : 'pages'}` +
        `${blanks ? `, ${blanks} blank` : ''}, ${plan.pages - layout.pages - blanks} attachment pages) but the vendor takes at most ` +
        `${options.maxPages}: shorten the letter or send fewer attachments`,
    });
  }
  if (problems.length > 0 || !layout || !plan) throw new PrintValidationError(problems);

  // Without attachments the trailing blank back page (duplex, odd page count) is pdfkit's to draw.
  const letterPdf = await drawLetter(letter, layout, fonts, inspected.attachments.length === 0 && plan.blankPages.includes(layout.pages + 1));
  // A letter without attachments is pdfkit's output as it is; only attachments go through pdf-lib.
  const pdf =
    inspected.attachments.length === 0
      ? letterPdf
      : await appendAttachments(letterPdf, inspected.attachments, printableRect(profile), duplex);
  return {
    pdf,
    pages: plan.pages,
    sheets: duplex ? Math.ceil(plan.pages / 2) : plan.pages,
    duplex,
    colour: options.colour,
    blankPages: plan.blankPages,
    addressLines: address.lines.map((l) => l.text),
  };
}

/** Whether the profile's rectangles are numbers, so that a layout (and its checks) can be computed. */
function isMeasurable(profile: EnvelopeProfile): boolean {
  const finite = (...values: unknown[]) => values.every((v) => typeof v === 'number' && Number.isFinite(v));
  const rect = (r: RectMm | undefined) => !!r && finite(r.x, r.y, r.width, r.height);
  const a = profile?.printableArea;
  return rect(profile?.window) && rect(profile?.senderBlock) && !!a && finite(profile.windowPaddingMm, a.topMm, a.rightMm, a.bottomMm, a.leftMm);
}

function personalIdProblems(letter: PrintLetter): PrintProblem[] {
  const problems: PrintProblem[] = [];
  const seen = new Set<string>();
  for (const { text, field } of [...addressFields(letter.recipient), ...addressLines(letter.recipient)]) {
    if (!seen.has(field) && containsPersonalId(text)) {
      seen.add(field);
      problems.push({
        code: 'ADDRESS_HAS_PERSONAL_ID',
        field,
        message:
          `${field} contains what looks like a personnummer or samordningsnummer (10 or 12 digits); it must never be printed ` +
          'in the address window: remove it from the address',
      });
    }
  }
  return problems;
}

function drawLetter(letter: PrintLetter, layout: LetterLayout, fonts: LetterFonts, blankBackPage: boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      autoFirstPage: false,
      // No default font: pdfkit would otherwise parse Helvetica's metrics for every document.
      font: null as unknown as string,
      pdfVersion: '1.7',
      compress: true,
      // A fixed date keeps the output (and its /ID) the same when the same letter is rendered again.
      info: { Producer: 'dispatch-hub print renderer', Creator: 'dispatch-hub', CreationDate: letter.date },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      // pdfkit takes an already-parsed font object (anything with `layout`); see truetype-font.ts.
      doc.registerFont('regular', fonts.regular as unknown as Buffer);
      doc.registerFont('bold', fonts.bold as unknown as Buffer);
      let t = 0;
      let i = 0;
      const texts = layout.texts.slice().sort((a, b) => a.page - b.page);
      for (let page = 1; page <= layout.pages; page++) {
        doc.addPage({ size: [A4_PT.width, A4_PT.height], margin: 0 });
        doc.fillColor('black');
        for (; i < layout.images.length && layout.images[i].page === page; i++) {
          const img = layout.images[i];
          doc.image(img.data, img.x, img.y, { width: img.width, height: img.height });
        }
        let font = '';
        let size = 0;
        for (; t < texts.length && texts[t].page === page; t++) {
          const run = texts[t];
          if (run.font !== font) doc.font((font = run.font));
          if (run.sizePt !== size) doc.fontSize((size = run.sizePt));
          doc.text(run.text, run.x, run.y, lineOptions(run.width));
        }
      }
      if (blankBackPage) doc.addPage({ size: [A4_PT.width, A4_PT.height], margin: 0 });
      doc.end();
    } catch (e) {
      reject(e);
    }
  });
}

/**
 * Drawing options for one pre-laid-out line: no wrapping (the layout did it) and the width we measured
 * (so pdfkit does not measure it again).
 */
function lineOptions(width: number): PDFKit.Mixins.TextOptions {
  return { lineBreak: false, textWidth: width } as PDFKit.Mixins.TextOptions;
}
