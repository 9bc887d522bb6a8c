import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import PDFDocument from 'pdfkit';
import { letterFonts } from './letter-fonts';
import { allText, rasterize } from './pdf-inspect.spec-helper';
import { TrueTypeFont } from './truetype-font';

const SAMPLE = ['Å', 'Ä', 'Ö', 'å', 'ä', 'ö', 'é', 'É', 'ü', '§', '–', '€', 'W', 'g', 'ß', '1'];

/** One page with each sample string drawn at a fixed place, in `font` (ours, or pdfkit's own parse of the file). */
function sheet(font: TrueTypeFont | Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 0, font: null as unknown as string, info: { CreationDate: new Date(0) } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.registerFont('f', font as unknown as Buffer);
    doc.font('f').fontSize(36);
    SAMPLE.forEach((s, i) => doc.text(s, 40 + (i % 4) * 130, 60 + Math.floor(i / 4) * 120, { lineBreak: false }));
    doc.end();
  });
}

describe('TrueTypeFont (the letter fonts as pdfkit embeds them)', () => {
  const { regular, bold } = letterFonts();

  it('reads the metrics pdfkit needs from DejaVu Sans', () => {
    expect(regular.postscriptName).toBe('DejaVuSans');
    expect(bold.postscriptName).toBe('DejaVuSans-Bold');
    expect(regular.unitsPerEm).toBe(2048);
    expect(regular.ascent).toBeGreaterThan(0);
    expect(regular.descent).toBeLessThan(0);
    for (const ch of 'åäöÅÄÖé€') expect(regular.hasCodePoint(ch.codePointAt(0)!)).toBe(true);
    expect(regular.glyphForCodePoint(0x10ffff).id).toBe(0);
    // Bold is wider than regular.
    expect(bold.widthOf('Överklagande', 10)).toBeGreaterThan(regular.widthOf('Överklagande', 10));
  });

  it('lays out one glyph per code point with the font\'s advances, surrogate pairs included', () => {
    const run = regular.layout('Åb😀');
    expect(run.glyphs.map((g) => g.codePoints[0])).toEqual([0xc5, 0x62, 0x1f600]);
    expect(run.advanceWidth).toBe(run.glyphs.reduce((s, g) => s + g.advanceWidth, 0));
    expect(regular.widthOf('Åb', 10)).toBeCloseTo(((run.glyphs[0].advanceWidth + run.glyphs[1].advanceWidth) * 10) / 2048, 6);
  });

  it('writes subsets that look exactly like the font embedded by pdfkit itself, composite glyphs included', async () => {
    const original = createHash('sha256').update(regular.file).digest('hex');
    const ours = await sheet(regular);
    // pdfkit parsing and subsetting its own copy of the file (through fontkit) is the reference.
    const reference = await sheet(Buffer.from(regular.file));
    // Renumbering composite glyphs' components must happen on copies: the shared font file stays as read.
    expect(createHash('sha256').update(regular.file).digest('hex')).toBe(original);
    expect((await sheet(regular)).equals(ours)).toBe(true);
    const a = await rasterize(ours, 1, 72);
    const b = await rasterize(reference, 1, 72);
    expect([a.width, a.height]).toEqual([b.width, b.height]);
    let ink = 0;
    let differing = 0;
    for (let i = 0; i < a.pixels.length; i++) {
      if (a.pixels[i] < 128) ink++;
      if (Math.abs(a.pixels[i] - b.pixels[i]) > 64) differing++;
    }
    expect(ink).toBeGreaterThan(3000);
    // One glyph per sample (no ligatures or kerning to differ in): the same pixels.
    expect(differing).toBe(0);
    const text = (await allText(ours)).replace(/\s+/g, '');
    expect(text).toBe(SAMPLE.join(''));
  });

  it('embeds the subset as a TrueType font with a Unicode map, as pdffonts reports', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ttf-test-'));
    try {
      const path = join(dir, 'f.pdf');
      await writeFile(path, await sheet(bold));
      const { stdout } = await promisify(execFile)('pdffonts', [path]);
      expect(stdout).toMatch(/[A-Z]{6}\+DejaVuSans-Bold\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file that is not a TrueType font', () => {
    expect(() => new TrueTypeFont(Buffer.from('OTTO\0\0\0\0\0\0\0\0', 'latin1'))).toThrow(/not a TrueType font/);
  });
});
