import { makeTestPdf } from '@hub/testing';
import { PDFDocument } from 'pdf-lib';
import { appendAttachments, inspectAttachments, planPages } from './attachments';
import { envelopeProfile, renderLetter } from './index';
import { printableRect } from './envelope-profiles';
import { allText, pdfInfo } from './pdf-inspect.spec-helper';
import { readPdfkitStructure } from './pdf-update';
import { pdfWithPages } from './test-fixtures.spec-helper';

const printable = printableRect(envelopeProfile('C5-H2'));

async function pdfkitLetter(): Promise<Buffer> {
  const r = await renderLetter(
    {
      id: 'l',
      sender: { name: 'Demo kommun', postalAddress: ['Box 123'] },
      recipient: { name: 'Åsa Öberg', lines: ['Storgatan 1'], postalCode: '123 45', city: 'Älvsjö' },
      date: new Date('2026-01-15T10:00:00Z'),
      subject: 'Beslut',
      bodyText: 'Hej!',
      attachments: [],
    },
    { profile: envelopeProfile('C5-H2'), duplex: false, colour: false },
  );
  return r.pdf;
}

/** Checks the last cross-reference section: each entry points at its object, startxref at the section. */
function checkLastXref(pdf: Buffer): { entries: number; prev: number } {
  const s = pdf.toString('latin1');
  const at = s.lastIndexOf('\nxref\n') + 1;
  const startxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(s)?.[1]);
  expect(startxref).toBe(at);
  const section = s.slice(at, s.indexOf('trailer', at)).split('\n').slice(1).filter(Boolean);
  let num = 0;
  let entries = 0;
  for (const line of section) {
    const parts = line.trim().split(/\s+/);
    if (parts.length === 2) {
      num = Number(parts[0]);
      continue;
    }
    expect(s.startsWith(`${num} 0 obj`, Number(parts[0]))).toBe(true);
    num++;
    entries++;
  }
  return { entries, prev: Number(/\/Prev (\d+)/.exec(s.slice(s.indexOf('trailer', at)))?.[1]) };
}

describe('appending attachments', () => {
  it('keeps the pdfkit letter byte for byte and appends the pages as a valid incremental update', async () => {
    const letter = await pdfkitLetter();
    const structure = readPdfkitStructure(letter);
    expect(structure).toMatchObject({ pageRefs: [expect.any(Number)] });
    const { attachments } = await inspectAttachments([
      { filename: 'a.pdf', content: await makeTestPdf('Bilaga A') },
      { filename: 'b.pdf', content: await pdfWithPages(['Bilaga B1', 'Bilaga B2']) },
    ]);
    const out = await appendAttachments(letter, attachments, printable, true);
    expect(out.subarray(0, letter.length).equals(letter)).toBe(true);
    const { entries, prev } = checkLastXref(out);
    expect(entries).toBeGreaterThan(5);
    expect(prev).toBe(structure!.startxref);
    // 1 letter page, blank, A, blank, B1, B2 — as poppler and pdf-lib read it.
    expect((await pdfInfo(out)).pages).toBe(6);
    expect((await PDFDocument.load(out)).getPageCount()).toBe(6);
    expect(await allText(out)).toMatch(/Hej![\s\S]*Bilaga A[\s\S]*Bilaga B1[\s\S]*Bilaga B2/);
    expect(planPages(1, [1, 2], true)).toEqual({ pages: 6, blankPages: [2, 4] });
  });

  it('takes the general path (pdf-lib rewrites the file) for a letter pdfkit did not write', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([595.28, 841.89]);
    const foreign = Buffer.from(await doc.save());
    expect(readPdfkitStructure(foreign)).toBeUndefined();
    const { attachments } = await inspectAttachments([{ filename: 'a.pdf', content: await makeTestPdf('Bilaga A') }]);
    const out = await appendAttachments(foreign, attachments, printable, true);
    // letter, blank, attachment, blank back page
    expect((await pdfInfo(out)).pages).toBe(4);
    expect(await allText(out)).toContain('Bilaga A');
  });
});
