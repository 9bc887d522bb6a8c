/** PDFs and images for the renderer's tests, each made the way such a file shows up in real life. */
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';
import { degrees, PDFDocument as LibDocument } from 'pdf-lib';

export const PT = { a4: [595.28, 841.89], letter: [612, 792], a5: [419.53, 595.28] } as const;

/** A PDF from pdfkit with one page per entry of `pages` (its text), of the given size in points. */
export function pdfWithPages(pages: string[], size: readonly [number, number] = PT.a4): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: [...size], margin: 56, autoFirstPage: false });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    for (const text of pages) doc.addPage().fontSize(14).text(text);
    doc.end();
  });
}

/**
 * An A4 page with a word in each corner, 3 mm from the edges: unprinted by any vendor unless it is
 * moved into the printable area.
 */
export function cornerMarkedA4(label: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 0 });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const m = 8.5; // 3 mm
    doc.fontSize(12);
    doc.text(`${label}TL`, m, m, { lineBreak: false });
    doc.text(`${label}TR`, 595.28 - m - doc.widthOfString(`${label}TR`), m, { lineBreak: false });
    doc.text(`${label}BL`, m, 841.89 - m - 14, { lineBreak: false });
    doc.text(`${label}BR`, 595.28 - m - doc.widthOfString(`${label}BR`), 841.89 - m - 14, { lineBreak: false });
    doc.fontSize(20).text(`${label}MIDDLE`, 200, 400, { lineBreak: false });
    doc.end();
  });
}

/** A landscape-shaped page turned by /Rotate 90: it displays (and prints) as A4 portrait. */
export async function rotatedA4(label: string): Promise<Buffer> {
  const landscape = await new Promise<Buffer>((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 0 });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(12).text(`${label}CORNER`, 8.5, 8.5, { lineBreak: false });
    doc.fontSize(20).text(`${label}MIDDLE`, 300, 280, { lineBreak: false });
    doc.end();
  });
  const doc = await LibDocument.load(landscape);
  doc.getPage(0).setRotation(degrees(90));
  return Buffer.from(await doc.save());
}

/** A well-formed PDF whose page tree has no pages. */
export async function zeroPagePdf(): Promise<Buffer> {
  const doc = await LibDocument.create();
  return Buffer.from(await doc.save({ addDefaultPage: false }));
}

const PAD = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');

function rc4(key: Buffer, data: Buffer): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i] + key[i % key.length]) & 255;
    [s[i], s[j]] = [s[j], s[i]];
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 255;
    j = (j + s[i]) & 255;
    [s[i], s[j]] = [s[j], s[i]];
    out[n] = data[n] ^ s[(s[i] + s[j]) & 255];
  }
  return out;
}

const md5 = (...parts: Buffer[]) => createHash('md5').update(Buffer.concat(parts)).digest();

/**
 * A really encrypted one-page A4 PDF (standard security handler, revision 2, RC4 40-bit, empty user
 * password, an owner password that restricts modifying): what "password-protected" exports produce.
 * pdf-lib cannot encrypt and qpdf is not installed, so it is written by hand (PDF 1.7, 7.6.3.3–7.6.3.4).
 * Readers open it without a password (`pdftotext` extracts its text) and report it as encrypted.
 */
export function encryptedPdf(text: string): Buffer {
  const id = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
  const permissions = -44; // print and copy, no modifying
  const p = Buffer.alloc(4);
  p.writeInt32LE(permissions);
  const ownerKey = md5(Buffer.concat([Buffer.from('owner-secret'), PAD]).subarray(0, 32)).subarray(0, 5);
  const o = rc4(ownerKey, PAD);
  const fileKey = md5(PAD, o, p, id).subarray(0, 5);
  const u = rc4(fileKey, PAD);
  const objectKey = (num: number) => md5(fileKey, Buffer.from([num & 255, (num >> 8) & 255, (num >> 16) & 255, 0, 0])).subarray(0, 10);

  const content = rc4(objectKey(4), Buffer.from(`BT /F1 24 Tf 72 700 Td (${text}) Tj ET`, 'latin1'));
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>'),
    Buffer.concat([Buffer.from(`<< /Length ${content.length} >>\nstream\n`), content, Buffer.from('\nendstream')]),
    Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'),
    Buffer.from(`<< /Filter /Standard /V 1 /R 2 /O <${o.toString('hex')}> /U <${u.toString('hex')}> /P ${permissions} >>`),
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let at = parts[0].length;
  objects.forEach((body, i) => {
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    offsets.push(at);
    parts.push(obj);
    at += obj.length;
  });
  const xref =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 6 0 R /ID [<${id.toString('hex')}> <${id.toString('hex')}>] >>\n` +
    `startxref\n${at}\n%%EOF\n`;
  parts.push(Buffer.from(xref));
  return Buffer.concat(parts);
}

/** A PNG of `width` × `height` pixels, a dark frame on white (RGB, 8 bits, no alpha). */
export function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 3 + 1) * height, 255);
  for (let y = 0; y < height; y++) {
    rows[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x++) {
      if (x < 2 || y < 2 || x >= width - 2 || y >= height - 2) rows.fill(40, y * (width * 3 + 1) + 1 + x * 3, y * (width * 3 + 1) + 4 + x * 3);
    }
  }
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
