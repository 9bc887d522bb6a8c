import { loadTestPersonnummer, loadTestSamordningsnummer, makeTestPdf } from '@hub/testing';
import { EnvelopeProfile, PrintLetter, PrintProblem, PrintValidationError, RectMm, RenderedLetter, RenderOptions } from '../print.types';
import { ENVELOPE_PROFILES, envelopeProfile, renderLetter } from './index';
import { allText, insideMm, overlapsMm, pageText, pdfInfo, pdfWords, rasterize, Word } from './pdf-inspect.spec-helper';
import { cornerMarkedA4, encryptedPdf, png, PT, pdfWithPages, rotatedA4, zeroPagePdf } from './test-fixtures.spec-helper';

// Skatteverket's test numbers (testdata/), never assigned to anyone.
const PERSONNUMMER = '198101032384';
const SAMORDNINGSNUMMER = '202001612395';
/** Every way the two numbers could be written; none may ever reach a PDF. */
const ID_SPELLINGS = [PERSONNUMMER, '19810103-2384', '810103-2384', '8101032384', SAMORDNINGSNUMMER, '200161-2395'];

const PARAGRAPH =
  'Miljö- och byggnadsnämnden har prövat er ansökan om bygglov för tillbyggnad av enbostadshus på fastigheten ' +
  'Exempelby 1:23. Nämnden beviljar bygglov med stöd av 9 kap. 31 § plan- och bygglagen. Åtgärden får påbörjas ' +
  'tidigast fyra veckor efter att beslutet kungjorts i Post- och Inrikes Tidningar, om inte nämnden har gett startbesked.';

function body(paragraphs: number): string {
  return Array.from({ length: paragraphs }, (_, i) => `${i + 1}. ${PARAGRAPH}`).join('\n\n');
}

function letter(overrides: Partial<PrintLetter> = {}): PrintLetter {
  return {
    id: 'letter-0001',
    sender: { name: 'Demo kommun, Miljö- och byggnadsnämnden', postalAddress: ['Box 123', '123 45 Demostad'] },
    recipient: { name: 'Åsa Öberg', lines: ['Storgatan 1 A lgh 1101', 'c/o Ärlig'], postalCode: '123 45', city: 'Älvsjö' },
    date: new Date('2026-01-15T09:00:00Z'),
    caseReference: 'BN-2026-0042',
    subject: 'Överklagande – Ärende om bygglov',
    bodyText: `Hej! Här är ÅÄÖ åäö é.\n\n${body(3)}`,
    attachments: [],
    ...overrides,
  };
}

const simplex = (profile = envelopeProfile('C5-H2')): RenderOptions => ({ profile, duplex: false, colour: false });
const duplex = (profile = envelopeProfile('C5-H2')): RenderOptions => ({ profile, duplex: true, colour: false });

/** Every PDF the tests produce, checked at the end for personal identity numbers. */
const produced: Buffer[] = [];

async function render(l: PrintLetter, o: RenderOptions): Promise<RenderedLetter> {
  const r = await renderLetter(l, o);
  produced.push(r.pdf);
  return r;
}

async function problems(l: PrintLetter, o: RenderOptions): Promise<PrintProblem[]> {
  try {
    const r = await renderLetter(l, o);
    produced.push(r.pdf);
  } catch (e) {
    if (!(e instanceof PrintValidationError)) throw e;
    for (const p of e.problems) {
      expect(p.message.length).toBeGreaterThan(20);
      expect(p.field).toBeTruthy();
    }
    return e.problems;
  }
  throw new Error('expected the letter to be refused');
}

function inner(profile: EnvelopeProfile): RectMm {
  const { window: w, windowPaddingMm: p } = profile;
  return { x: w.x + p, y: w.y + p, width: w.width - 2 * p, height: w.height - 2 * p };
}

function printable(profile: EnvelopeProfile): RectMm {
  const a = profile.printableArea;
  return { x: a.leftMm, y: a.topMm, width: 210 - a.leftMm - a.rightMm, height: 297 - a.topMm - a.bottomMm };
}

const joined = (words: Word[]) => words.map((w) => w.text).join(' ');

afterAll(async () => {
  // Raw bytes and extracted text of every PDF made in this file: no personal identity number, in any spelling.
  expect(produced.length).toBeGreaterThan(10);
  for (const pdf of produced) {
    const text = (await allText(pdf)).replace(/\s+/g, ' ');
    const raw = pdf.toString('latin1');
    for (const id of ID_SPELLINGS) {
      expect(text).not.toContain(id);
      expect(raw).not.toContain(id);
    }
  }
});

describe('renderLetter, for each shipped envelope profile', () => {
  it('uses Skatteverket test numbers only', () => {
    expect(loadTestPersonnummer()).toContain(PERSONNUMMER);
    expect(loadTestSamordningsnummer()).toContain(SAMORDNINGSNUMMER);
  });

  describe.each(Object.keys(ENVELOPE_PROFILES))('%s', (id) => {
    const profile = envelopeProfile(id);
    let rendered: RenderedLetter;
    let attachment: Buffer;
    let pages: Awaited<ReturnType<typeof pdfWords>>;

    beforeAll(async () => {
      attachment = await cornerMarkedA4('Bilaga');
      rendered = await render(
        letter({ bodyText: `Hej! Här är ÅÄÖ åäö é.\n\n${body(22)}`, attachments: [{ filename: 'bilaga.pdf', content: attachment }] }),
        simplex(profile),
      );
      pages = await pdfWords(rendered.pdf);
    });

    it('puts every word of the address inside the window minus its padding, and nothing else in the window', () => {
      const window = profile.window;
      const first = pages[0].words;
      const inWindow = first.filter((w) => overlapsMm(w, window));
      expect(joined(inWindow)).toBe('Åsa Öberg Storgatan 1 A lgh 1101 c/o Ärlig 123 45 Älvsjö');
      for (const w of inWindow) expect(insideMm(inner(profile), w)).toBe(true);
      // Words outside the window do not even touch it.
      expect(first.filter((w) => !inWindow.includes(w)).every((w) => !overlapsMm(w, window))).toBe(true);
    });

    it('returns as addressLines exactly the lines printed in the window', () => {
      const inWindow = pages[0].words.filter((w) => overlapsMm(w, profile.window));
      const lines = new Map<number, string[]>();
      for (const w of inWindow) {
        const key = Math.round(w.y * 10);
        lines.set(key, [...(lines.get(key) ?? []), w.text]);
      }
      const printed = [...lines.entries()].sort((a, b) => a[0] - b[0]).map(([, ws]) => ws.join(' '));
      expect(rendered.addressLines).toEqual(printed);
      expect(rendered.addressLines).toEqual(['Åsa Öberg', 'Storgatan 1 A lgh 1101', 'c/o Ärlig', '123 45 Älvsjö']);
    });

    it('keeps all text on every page inside the printable area, attachments included', () => {
      expect(pages.length).toBe(rendered.pages);
      for (const page of pages) {
        expect(page.widthMm).toBeCloseTo(210, 0);
        expect(page.heightMm).toBeCloseTo(297, 0);
        expect(page.words.length).toBeGreaterThan(0);
        for (const w of page.words) {
          if (!insideMm(printable(profile), w)) throw new Error(`page ${page.page}: "${w.text}" at ${JSON.stringify(w)} is outside the printable area`);
        }
      }
    });

    it('fits the attachment page into the printable area: scaled and centred as a whole, corners included', async () => {
      // Its corner words, 3 mm from the page edges, move in with the rest of the page.
      const before = (await pdfWords(attachment))[0].words;
      expect(joined(before)).toBe('BilagaTL BilagaTR BilagaMIDDLE BilagaBL BilagaBR');
      expectFitted(before, pages[pages.length - 1].words, profile);
    });

    it('numbers every letter page "Sida i av n", and only the letter\'s own pages', () => {
      const letterPages = rendered.pages - 1;
      expect(letterPages).toBeGreaterThanOrEqual(2);
      for (let i = 1; i <= letterPages; i++) expect(joined(pages[i - 1].words)).toContain(`Sida ${i} av ${letterPages}`);
      expect(joined(pages[rendered.pages - 1].words)).not.toContain('Sida');
    });

    it('keeps å ä ö Å Ä Ö é in the address, the subject and the body', () => {
      const text = joined(pages[0].words);
      expect(text).toContain('Åsa Öberg');
      expect(text).toContain('Älvsjö');
      expect(text).toContain('Överklagande – Ärende om bygglov');
      expect(text).toContain('Hej! Här är ÅÄÖ åäö é.');
      expect(text).toContain('Datum: 2026-01-15');
      expect(text).toContain('Vår referens: BN-2026-0042');
    });
  });
});

describe('renderLetter: pages, sheets and blank pages', () => {
  let attachments: PrintLetter['attachments'];
  beforeAll(async () => {
    attachments = [
      { filename: 'ett.pdf', content: await pdfWithPages(['Bilaga ett sida ett']) },
      { filename: 'tva.pdf', content: await pdfWithPages(['Bilaga två sida ett', 'Bilaga två sida två']) },
      { filename: 'tre.pdf', content: await makeTestPdf('Bilaga tre sida ett') },
    ];
  });

  it('duplex: every document starts on a front side, with blank back pages that carry nothing', async () => {
    const r = await render(letter({ bodyText: 'Kort brev.', attachments }), duplex());
    // 1 letter page, blank, 1, blank, 2, 1 (no blank needed before the third: page 7 is a front side),
    // and a blank back page after it: the next letter of a batch starts on a sheet of its own.
    expect(r).toMatchObject({ pages: 8, sheets: 4, duplex: true, blankPages: [2, 4, 8] });
    expect((await pdfInfo(r.pdf)).pages).toBe(8);
    const texts = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((p) => pageText(r.pdf, p)));
    expect(texts[0]).toContain('Sida 1 av 1');
    expect(texts[1].trim()).toBe('');
    expect(texts[2]).toContain('Bilaga ett sida ett');
    expect(texts[3].trim()).toBe('');
    expect(texts[4]).toContain('Bilaga två sida ett');
    expect(texts[5]).toContain('Bilaga två sida två');
    expect(texts[6]).toContain('Bilaga tre sida ett');
    expect(texts[7].trim()).toBe('');
    expect((await pdfInfo(r.pdf)).sizes.every((s) => Math.abs(s.widthMm - 210) < 0.1 && Math.abs(s.heightMm - 297) < 0.1)).toBe(true);
  });

  it('simplex: no blank pages, one sheet per page', async () => {
    const r = await render(letter({ bodyText: 'Kort brev.', attachments }), simplex());
    expect(r).toMatchObject({ pages: 5, sheets: 5, duplex: false, blankPages: [] });
    expect((await pdfInfo(r.pdf)).pages).toBe(5);
    expect(await pageText(r.pdf, 2)).toContain('Bilaga ett sida ett');
  });

  it('duplex without a blank page when the letter already ends on a back side', async () => {
    const r = await render(letter({ bodyText: body(14), attachments: attachments.slice(1, 2) }), duplex());
    expect(r).toMatchObject({ pages: 4, sheets: 2, blankPages: [] });
    expect(await pageText(r.pdf, 3)).toContain('Bilaga två sida ett');
    expect(await pageText(r.pdf, 4)).toContain('Bilaga två sida två');
  });

  it('duplex: a letter that ends on a front side gets a blank back page, with or without attachments', async () => {
    const withAttachment = await render(letter({ bodyText: body(14), attachments: attachments.slice(0, 1) }), duplex());
    expect(withAttachment).toMatchObject({ pages: 4, sheets: 2, blankPages: [4] });
    expect(await pageText(withAttachment.pdf, 3)).toContain('Bilaga ett sida ett');
    expect((await pageText(withAttachment.pdf, 4)).trim()).toBe('');
    const alone = await render(letter({ bodyText: 'Kort brev.', attachments: [] }), duplex());
    expect(alone).toMatchObject({ pages: 2, sheets: 1, blankPages: [2] });
    expect((await pdfInfo(alone.pdf)).pages).toBe(2);
    expect(await pageText(alone.pdf, 1)).toContain('Sida 1 av 1');
    expect((await pageText(alone.pdf, 2)).trim()).toBe('');
  });

  it('a long body breaks across pages inside the printable area, numbered on each', async () => {
    const profile = envelopeProfile('C4-V2');
    const r = await render(letter({ bodyText: body(40) }), duplex(profile));
    expect(r.pages).toBeGreaterThanOrEqual(4);
    expect(r.sheets).toBe(Math.ceil(r.pages / 2));
    expect(r.blankPages).toEqual([]);
    const pages = await pdfWords(r.pdf);
    const all = pages.map((p) => joined(p.words)).join(' ');
    for (let i = 1; i <= 40; i++) expect(all).toContain(`${i}. Miljö- och`);
    for (const page of pages) {
      expect(joined(page.words)).toContain(`Sida ${page.page} av ${r.pages}`);
      for (const w of page.words) expect(insideMm(printable(profile), w)).toBe(true);
      if (page.page > 1) expect(Math.min(...page.words.map((w) => w.y))).toBeLessThan(profile.printableArea.topMm + 3);
    }
  });

  it('prints the letter\'s calendar date in Sweden', async () => {
    const r = await render(letter({ date: new Date('2026-01-15T23:30:00Z') }), simplex());
    expect(await pageText(r.pdf, 1)).toContain('Datum: 2026-01-16');
  });

  it('renders the same letter to the same bytes, whatever was rendered in between', async () => {
    const a = await render(letter(), simplex());
    // Other glyphs, other composites (Ø, Ü, Ñ): nothing shared between documents may change.
    await render(letter({ subject: 'Ørsted Ülkü Ñandú', recipient: { name: 'Øystein Ñúñez', lines: ['Ümlautgasse 1'], postalCode: '0150', city: 'Oslo', country: 'NO' } }), duplex());
    const b = await render(letter(), simplex());
    expect(a.pdf.equals(b.pdf)).toBe(true);
  });
});

describe('renderLetter: the address', () => {
  it('prints the country in English capitals when abroad, never for Sweden', async () => {
    const abroad = await render(letter({ recipient: { name: 'Ola Nordmann', lines: ['Storgata 1'], postalCode: '0150', city: 'Oslo', country: 'no' } }), simplex());
    expect(abroad.addressLines).toEqual(['Ola Nordmann', 'Storgata 1', '0150 Oslo', 'NORWAY']);
    expect(await allText(abroad.pdf)).toContain('NORWAY');
    const home = await render(letter({ recipient: { name: 'Åsa Öberg', lines: ['Storgatan 1'], postalCode: '123 45', city: 'Älvsjö', country: 'SE' } }), simplex());
    expect(home.addressLines).toEqual(['Åsa Öberg', 'Storgatan 1', '123 45 Älvsjö']);
  });

  it('refuses more lines than the window holds, saying how many fit', async () => {
    const p = await problems(
      letter({ recipient: { name: 'Åsa Öberg', lines: ['Rad 1', 'Rad 2', 'Rad 3', 'Rad 4', 'Rad 5'], postalCode: '123 45', city: 'Älvsjö' } }),
      simplex(envelopeProfile('C5-V2')),
    );
    expect(p).toEqual([
      expect.objectContaining({ code: 'ADDRESS_TOO_LONG', field: 'recipient.lines', message: expect.stringMatching(/has 7 lines but the C5-V2 window fits 6 at 10 pt/) }),
    ]);
  });

  it('refuses a line wider than the window, naming the line', async () => {
    const p = await problems(
      letter({ recipient: { name: 'Åsa Öberg', lines: ['c/o Familjen Andersson-Öhrström-Långström-Wallenberg, Sjöviksvägen 1234'], postalCode: '123 45', city: 'Älvsjö' } }),
      simplex(),
    );
    expect(p).toEqual([
      expect.objectContaining({ code: 'ADDRESS_TOO_LONG', field: 'recipient.lines[0]', message: expect.stringMatching(/is 1\d\d\.\d mm wide at 10 pt but the C5-H2 window leaves 97 mm/) }),
    ]);
  });

  const idCases: [string, Partial<PrintLetter['recipient']>, string][] = [
    ['12 digits in the name', { name: `Åsa Öberg ${PERSONNUMMER}` }, 'recipient.name'],
    ['YYYYMMDD-NNNN in an address line', { lines: ['Storgatan 1', 'Pnr 19810103-2384'] }, 'recipient.lines[1]'],
    ['YYMMDD-NNNN in an address line', { lines: ['810103-2384'] }, 'recipient.lines[0]'],
    ['10 digits in the city', { city: 'Älvsjö 8101032384' }, 'recipient.city'],
    ['a samordningsnummer', { lines: [`Samordningsnr ${SAMORDNINGSNUMMER}`] }, 'recipient.lines[0]'],
    ['a short samordningsnummer with +', { lines: ['200161+2395'] }, 'recipient.lines[0]'],
  ];
  it.each(idCases)('refuses a personal identity number in the address: %s', async (_, recipient, field) => {
    const l = letter({ recipient: { ...letter().recipient, ...recipient } });
    let error: unknown;
    await renderLetter(l, simplex()).then(
      (r) => produced.push(r.pdf),
      (e: unknown) => (error = e),
    );
    expect(error).toBeInstanceOf(PrintValidationError);
    const p = (error as PrintValidationError).problems;
    expect(p).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'ADDRESS_HAS_PERSONAL_ID', field })]));
    // The message says where, never what.
    const said = `${(error as Error).message} ${JSON.stringify(p)}`;
    for (const id of [...ID_SPELLINGS, '200161+2395']) expect(said).not.toContain(id);
    expect(said).not.toMatch(/\d{4}(?!-\d)/);
  });

  it('does not mistake postal codes, street numbers or box numbers for personal identity numbers', async () => {
    const r = await render(letter({ recipient: { name: 'Åsa Öberg', lines: ['Box 12345', 'Storgatan 123 lgh 1201'], postalCode: '123 45', city: 'Älvsjö' } }), simplex());
    expect(r.addressLines).toContain('Box 12345');
  });
});

describe('renderLetter: attachments', () => {
  it('accepts a page turned by /Rotate 90 that displays as A4 portrait and fits it upright into the printable area', async () => {
    const profile = envelopeProfile('C5-H2');
    const r = await render(letter({ attachments: [{ filename: 'vriden.pdf', content: await rotatedA4('Vriden') }] }), simplex(profile));
    const info = await pdfInfo(r.pdf);
    expect(info.sizes[r.pages - 1].widthMm).toBeCloseTo(210, 0);
    expect(info.sizes[r.pages - 1].heightMm).toBeCloseTo(297, 0);
    expect((await pdfInfo(r.pdf)).raw).toMatch(new RegExp(`Page\\s+${r.pages} rot:\\s+0`));
    // Every word lands where it showed on the rotated page, scaled into the printable area (and so turned
    // the same way: the words run down the page, as they did on screen).
    const before = (await pdfWords(await rotatedA4('Vriden')))[0].words;
    const after = (await pdfWords(r.pdf))[r.pages - 1].words;
    expect(joined(after)).toBe('VridenCORNER VridenMIDDLE');
    expectFitted(before, after, profile);
    const middle = after.find((w) => w.text === 'VridenMIDDLE')!;
    expect(middle.height).toBeGreaterThan(middle.width);
  });

  it('refuses an encrypted attachment', async () => {
    const encrypted = encryptedPdf('Hemligt intyg');
    // The fixture is what readers call encrypted, and still opens without a password.
    expect((await pdfInfo(encrypted)).encrypted).toBe(true);
    expect(await allText(encrypted)).toContain('Hemligt intyg');
    const p = await problems(letter({ attachments: [{ filename: 'skyddad.pdf', content: encrypted }] }), simplex());
    expect(p).toEqual([
      expect.objectContaining({ code: 'ATTACHMENT_ENCRYPTED', field: 'attachments[0]', message: expect.stringMatching(/skyddad\.pdf\) is encrypted.*unprotected copy/) }),
    ]);
  });

  it('refuses corrupt attachments: not a PDF, damaged, truncated, without pages', async () => {
    const good = await makeTestPdf('Bilaga');
    const p = await problems(
      letter({
        attachments: [
          { filename: 'inte-pdf.pdf', content: Buffer.from('Hej, detta är ett Word-dokument') },
          { filename: 'trasig.pdf', content: Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(500, 0x9f)]) },
          { filename: 'avklippt.pdf', content: good.subarray(0, 200) },
          { filename: 'tom.pdf', content: await zeroPagePdf() },
        ],
      }),
      simplex(),
    );
    expect(p.map((x) => [x.code, x.field])).toEqual([
      ['ATTACHMENT_CORRUPT', 'attachments[0]'],
      ['ATTACHMENT_CORRUPT', 'attachments[1]'],
      ['ATTACHMENT_CORRUPT', 'attachments[2]'],
      ['ATTACHMENT_CORRUPT', 'attachments[3]'],
    ]);
    expect(p[0].message).toMatch(/is not a PDF/);
    expect(p[3].message).toMatch(/tom\.pdf\) has no pages/);
  });

  it('refuses pages that are not A4 portrait, saying what size they are', async () => {
    const p = await problems(
      letter({
        attachments: [
          { filename: 'letter.pdf', content: await pdfWithPages(['US'], PT.letter) },
          { filename: 'a5.pdf', content: await pdfWithPages(['A5'], PT.a5) },
          { filename: 'liggande.pdf', content: await pdfWithPages(['A4 liggande'], [PT.a4[1], PT.a4[0]]) },
          { filename: 'blandad.pdf', content: await mixedSizes() },
        ],
      }),
      simplex(),
    );
    expect(p).toEqual([
      expect.objectContaining({ code: 'ATTACHMENT_NOT_A4', field: 'attachments[0]', page: 1, message: expect.stringMatching(/page 1 is 215\.9 × 279\.4 mm \(US Letter portrait\)/) }),
      expect.objectContaining({ code: 'ATTACHMENT_NOT_A4', field: 'attachments[1]', page: 1, message: expect.stringMatching(/148 × 210 mm \(A5 portrait\)/) }),
      expect.objectContaining({ code: 'ATTACHMENT_NOT_A4', field: 'attachments[2]', page: 1, message: expect.stringMatching(/297 × 210 mm \(A4 landscape\)/) }),
      expect.objectContaining({ code: 'ATTACHMENT_NOT_A4', field: 'attachments[3]', page: 2, message: expect.stringMatching(/page 2 is .*US Letter.*must be A4 portrait/) }),
    ]);
  });

  it('refuses more pages than the vendor takes, counting blank pages', async () => {
    const p = await problems(
      letter({
        bodyText: 'Kort brev.',
        attachments: [
          { filename: 'ett.pdf', content: await pdfWithPages(['1']) },
          { filename: 'tva.pdf', content: await pdfWithPages(['1', '2']) },
        ],
      }),
      { ...duplex(), maxPages: 5 },
    );
    expect(p).toEqual([
      expect.objectContaining({
        code: 'TOO_MANY_PAGES',
        message: expect.stringMatching(/has 6 pages \(1 letter page, 2 blank, 3 attachment pages\) but the vendor takes at most 5/),
      }),
    ]);
  });

  it('lists every problem of a letter at once', async () => {
    const p = await problems(
      letter({
        recipient: { name: `Åsa Öberg ${PERSONNUMMER}`, lines: ['1', '2', '3', '4', '5'], postalCode: '123 45', city: 'Älvsjö' },
        attachments: [
          { filename: 'skyddad.pdf', content: encryptedPdf('x') },
          { filename: 'a5.pdf', content: await pdfWithPages(['A5'], PT.a5) },
        ],
      }),
      simplex(envelopeProfile('C5-V2')),
    );
    expect(p.map((x) => x.code).sort()).toEqual(['ADDRESS_HAS_PERSONAL_ID', 'ADDRESS_TOO_LONG', 'ATTACHMENT_ENCRYPTED', 'ATTACHMENT_NOT_A4']);
  });
});

describe('renderLetter: content boxes against the printable area and the window', () => {
  it('places a logo scaled into the sender block, with the sender text below it', async () => {
    const profile = envelopeProfile('C5-H2');
    const r = await render(letter({ sender: { ...letter().sender, logo: png(800, 200) } }), simplex(profile));
    const sb = profile.senderBlock;
    const words = (await pdfWords(r.pdf))[0].words;
    const name = words.find((w) => w.text === 'Demo')!;
    expect(name.y).toBeGreaterThan(sb.y + 10);
    // All ink left of the meta column and above the window lies in the sender block (the logo's frame included).
    const dpi = 100;
    const img = await rasterize(r.pdf, 1, dpi);
    const mm = (px: number) => (px * 25.4) / dpi;
    let ink = 0;
    let top = Infinity;
    for (let y = 0; y < img.height && mm(y) < profile.window.y; y++) {
      for (let x = 0; x < img.width && mm(x) < 102; x++) {
        if (img.pixels[y * img.width + x] < 128) {
          ink++;
          top = Math.min(top, mm(y));
          expect(insideMm(sb, { x: mm(x), y: mm(y), width: 0, height: 0 }, 0.6)).toBe(true);
        }
      }
    }
    expect(ink).toBeGreaterThan(500);
    expect(top).toBeLessThan(sb.y + 1);
  });

  it('refuses sender text that runs into the window', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => `Avdelning ${i + 1}`);
    const p = await problems(letter({ sender: { name: 'Demo kommun', postalAddress: lines } }), simplex(envelopeProfile('C5-V2')));
    expect(p.length).toBeGreaterThan(0);
    for (const x of p) {
      expect(x).toMatchObject({ code: 'CONTENT_IN_WINDOW', page: 1, field: expect.stringMatching(/^sender\.postalAddress\[\d\]$/) });
      expect(x.message).toMatch(/would show in the envelope window \(x 15–120 mm, y 44–79 mm\)/);
    }
  });

  it('refuses sender text that runs off the printable area', async () => {
    const lines = Array.from({ length: 90 }, (_, i) => `Rad ${i + 1}`);
    const p = await problems(letter({ sender: { name: 'Demo kommun', postalAddress: lines } }), simplex(envelopeProfile('C5-H2')));
    expect(p).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'CONTENT_OUTSIDE_PRINTABLE_AREA', page: 1, message: expect.stringMatching(/outside the printable area/) })]),
    );
  });

  it('reports a profile object that is not a profile at all, without drawing anything', async () => {
    const broken = { ...envelopeProfile('C5-H2'), printableArea: undefined } as unknown as EnvelopeProfile;
    expect(await problems(letter(), simplex(broken))).toEqual([
      expect.objectContaining({ code: 'INVALID_PROFILE', field: 'profile.printableArea' }),
    ]);
  });

  it('reports an impossible profile passed without defineEnvelopeProfile, and what it does to the content', async () => {
    const base = envelopeProfile('C5-H2');
    const impossible: EnvelopeProfile = { ...base, id: 'broken', window: { x: 110, y: 44, width: 98, height: 35 } };
    // 82 mm: inside the window's 90 mm, past the printable area's right edge (81 mm from where it starts).
    const p = await problems(
      letter({ recipient: { name: 'Åsa Öberg', lines: ['Storgatan 1 A, uppgång B, lägenhet 1101, 3 tr'], postalCode: '123 45', city: 'Älvsjö' } }),
      simplex(impossible),
    );
    expect(p).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'INVALID_PROFILE', field: 'profile.window' }),
        expect.objectContaining({ code: 'CONTENT_OUTSIDE_PRINTABLE_AREA', field: 'recipient.lines[0]', message: expect.stringMatching(/the address/) }),
      ]),
    );
  });
});

/**
 * Each word of the attachment page as shown (`before`, on a 210 × 297 mm page) is where the uniform fit
 * into the printable area puts it (`after`), within half a millimetre, and inside the printable area.
 */
function expectFitted(before: Word[], after: Word[], profile: EnvelopeProfile): void {
  const area = printable(profile);
  const s = Math.min(area.width / 210, area.height / 297);
  const ox = area.x + (area.width - s * 210) / 2;
  const oy = area.y + (area.height - s * 297) / 2;
  expect(after.map((w) => w.text)).toEqual(before.map((w) => w.text));
  after.forEach((w, i) => {
    const b = before[i];
    expect(insideMm(area, w)).toBe(true);
    expect(Math.abs(w.x - (ox + s * b.x))).toBeLessThan(0.5);
    expect(Math.abs(w.y - (oy + s * b.y))).toBeLessThan(0.5);
    expect(Math.abs(w.width - s * b.width)).toBeLessThan(0.5);
    expect(Math.abs(w.height - s * b.height)).toBeLessThan(0.5);
  });
}

async function mixedSizes(): Promise<Buffer> {
  const { PDFDocument } = await import('pdf-lib');
  const doc = await PDFDocument.create();
  doc.addPage([...PT.a4]);
  doc.addPage([...PT.letter]);
  return Buffer.from(await doc.save());
}
