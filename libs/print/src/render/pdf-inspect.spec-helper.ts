/**
 * Reads produced PDFs with poppler (pdftotext -bbox, pdfinfo, pdftoppm), independently of the libraries
 * that wrote them. Boxes come back in millimetres from the page's top-left corner.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PT_PER_MM, RectMm } from '../print.types';

const run = promisify(execFile);

export interface Word extends RectMm {
  text: string;
  page: number;
}

export interface PageWords {
  page: number;
  widthMm: number;
  heightMm: number;
  words: Word[];
}

async function withFile<T>(pdf: Buffer, f: (path: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'print-render-test-'));
  try {
    const path = join(dir, 'in.pdf');
    await writeFile(path, pdf);
    return await f(path, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? m;
  });
}

/** Every word on every page with its box, via `pdftotext -bbox`. */
export async function pdfWords(pdf: Buffer): Promise<PageWords[]> {
  return withFile(pdf, async (path) => {
    const { stdout } = await run('pdftotext', ['-bbox', path, '-'], { maxBuffer: 64 * 1024 * 1024 });
    const pages: PageWords[] = [];
    const pageRe = /<page width="([\d.]+)" height="([\d.]+)">([\s\S]*?)<\/page>/g;
    const wordRe = /<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)<\/word>/g;
    for (const [, w, h, body] of stdout.matchAll(pageRe)) {
      const page = pages.length + 1;
      const words: Word[] = [];
      for (const [, x0, y0, x1, y1, text] of body.matchAll(wordRe)) {
        const [a, b, c, d] = [x0, y0, x1, y1].map((v) => Number(v) / PT_PER_MM);
        words.push({ page, text: decode(text), x: a, y: b, width: c - a, height: d - b });
      }
      pages.push({ page, widthMm: Number(w) / PT_PER_MM, heightMm: Number(h) / PT_PER_MM, words });
    }
    return pages;
  });
}

/** The plain text of one page (1-based), via `pdftotext -f n -l n`. */
export async function pageText(pdf: Buffer, page: number): Promise<string> {
  return withFile(pdf, async (path) => {
    const { stdout } = await run('pdftotext', ['-f', String(page), '-l', String(page), '-layout', path, '-']);
    return stdout;
  });
}

/** All the text, via `pdftotext`. */
export async function allText(pdf: Buffer): Promise<string> {
  return withFile(pdf, async (path) => (await run('pdftotext', [path, '-'], { maxBuffer: 64 * 1024 * 1024 })).stdout);
}

export interface PdfInfo {
  pages: number;
  encrypted: boolean;
  /** Each page's size in millimetres. */
  sizes: { widthMm: number; heightMm: number }[];
  raw: string;
}

/** `pdfinfo` of the file, with every page's size. */
export async function pdfInfo(pdf: Buffer): Promise<PdfInfo> {
  return withFile(pdf, async (path) => {
    const { stdout } = await run('pdfinfo', ['-f', '1', '-l', '9999', path]);
    const pages = Number(/^Pages:\s+(\d+)/m.exec(stdout)?.[1] ?? NaN);
    const encrypted = /^Encrypted:\s+yes/m.test(stdout);
    const sizes = [...stdout.matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/gm)].map(([, w, h]) => ({
      widthMm: Number(w) / PT_PER_MM,
      heightMm: Number(h) / PT_PER_MM,
    }));
    return { pages, encrypted, sizes, raw: stdout };
  });
}

export interface Raster {
  width: number;
  height: number;
  /** 8-bit grey, 0 = black. */
  pixels: Uint8Array;
}

/** Page `page` rendered in grey at `dpi` by `pdftoppm`. */
export async function rasterize(pdf: Buffer, page: number, dpi: number): Promise<Raster> {
  return withFile(pdf, async (path, dir) => {
    await run('pdftoppm', ['-gray', '-r', String(dpi), '-f', String(page), '-l', String(page), path, join(dir, 'out')]);
    const file = (await readdir(dir)).find((f) => f.startsWith('out') && f.endsWith('.pgm'));
    if (!file) throw new Error('pdftoppm wrote no image');
    const data = await readFile(join(dir, file));
    const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(data.toString('latin1', 0, 64));
    if (!header) throw new Error('unexpected PGM header');
    return { width: Number(header[1]), height: Number(header[2]), pixels: data.subarray(header[0].length) };
  });
}

/** Whether `inner` lies inside `outer`, allowing `tolerance` millimetres for rounding in the tools. */
export function insideMm(outer: RectMm, inner: RectMm, tolerance = 0.05): boolean {
  return (
    inner.x >= outer.x - tolerance &&
    inner.y >= outer.y - tolerance &&
    inner.x + inner.width <= outer.x + outer.width + tolerance &&
    inner.y + inner.height <= outer.y + outer.height + tolerance
  );
}

export function overlapsMm(a: RectMm, b: RectMm): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}
