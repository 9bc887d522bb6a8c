/**
 * Benchmark: print-ready letters rendered per second on one core.
 *
 *   npm run build && node dist/bench/print.bench.js      (BENCH_SECONDS=5 per variant by default, in 1 s rounds)
 *
 * Variants, measured in the same run, in alternating rounds to spread machine noise:
 *   - baseline: pdfkit used the straightforward way: a fresh PDFDocument per letter with the standard
 *     Helvetica font (nothing embedded, no window placement, no checks) writing a plain 2-page letter
 *     with the same text;
 *   - the library: `renderLetter` for the same 2-page letter (sender block, address in the C5-H2 window,
 *     date, reference, subject, body, "Sida i av n", DejaVu Sans embedded and subset, every box checked)
 *     with a 1-page PDF attachment validated, fitted into the printable area and merged;
 *   - the library without the attachment (information: the pdfkit-only path, no pdf-lib).
 *
 * Outside the timed loops one output of each is checked (page counts with pdf-lib; text and page count
 * with poppler's pdftotext/pdfinfo when they are on PATH). Exits non-zero when a check fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { PDFDocument as PdfLibDocument } from 'pdf-lib';
import { envelopeProfile, PrintLetter, renderLetter, RenderOptions } from '@hub/print';
import { makeTestPdf } from '@hub/testing';
import { fmt, percentile, table } from './bench-format';

const PARAGRAPH =
  'Miljö- och byggnadsnämnden har prövat er ansökan om bygglov för tillbyggnad av enbostadshus på fastigheten ' +
  'Exempelby 1:23. Nämnden beviljar bygglov med stöd av 9 kap. 31 § plan- och bygglagen. Åtgärden får påbörjas ' +
  'tidigast fyra veckor efter att beslutet kungjorts i Post- och Inrikes Tidningar, om inte nämnden har gett ' +
  'startbesked. Avgiften för prövningen framgår av bifogad faktura.';
/** Enough for two pages in both variants (checked below). */
const PARAGRAPHS = 13;
const BODY = Array.from({ length: PARAGRAPHS }, (_, i) => `${i + 1}. ${PARAGRAPH}`).join('\n\n');

const SENDER = { name: 'Demo kommun, Miljö- och byggnadsnämnden', postalAddress: ['Box 123', '123 45 Demostad'] };
const RECIPIENT = { name: 'Åsa Öberg', lines: ['Storgatan 1 A lgh 1101'], postalCode: '123 45', city: 'Älvsjö' };
const DATE = new Date('2026-01-15T09:00:00Z');
const SUBJECT = 'Beslut om bygglov för Exempelby 1:23';

export interface BenchRenderOptions {
  /** Measuring time per variant in seconds (default: BENCH_SECONDS or 5), in rounds of at most 1 s. */
  seconds?: number;
  /** Where the report lines go (default: console.log). */
  log?: (line: string) => void;
}

export interface BenchRenderVariantResult {
  name: string;
  lettersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  letters: number;
}

export interface BenchRenderResult {
  baseline: BenchRenderVariantResult;
  library: BenchRenderVariantResult;
  libraryWithoutAttachment: BenchRenderVariantResult;
  /** library ÷ baseline letters per second. */
  ratio: number;
  checks: { name: string; ok: boolean; detail: string }[];
  ok: boolean;
}

// ---------------------------------------------------------------------------------------------
// The naive baseline: pdfkit, a fresh document per letter, Helvetica, let pdfkit wrap and paginate.

function naiveLetter(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 56 });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font('Helvetica-Bold').fontSize(9).text(SENDER.name);
    doc.font('Helvetica').fontSize(8);
    for (const line of SENDER.postalAddress) doc.text(line);
    doc.moveDown(2).fontSize(10);
    for (const line of [RECIPIENT.name, ...RECIPIENT.lines, `${RECIPIENT.postalCode} ${RECIPIENT.city}`]) doc.text(line, 300);
    doc.moveDown(2).text('Datum: 2026-01-15', 56).text('Vår referens: BN-2026-0042').moveDown();
    doc.font('Helvetica-Bold').fontSize(12).text(SUBJECT).moveDown(0.5);
    doc.font('Helvetica').fontSize(10);
    for (const p of BODY.split('\n\n')) doc.text(p).moveDown(0.5);
    doc.end();
  });
}

// ---------------------------------------------------------------------------------------------
// Timing.

interface Variant {
  name: string;
  run: () => Promise<unknown>;
  latenciesMs: number[];
  ns: bigint;
  roundRates: number[];
}

async function runFor(v: Variant, seconds: number, record: boolean): Promise<{ ops: number; ns: bigint }> {
  const budget = BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  let now = start;
  let ops = 0;
  do {
    const t0 = now;
    await v.run();
    now = process.hrtime.bigint();
    if (record) v.latenciesMs.push(Number(now - t0) / 1e6);
    ops++;
  } while (now - start < budget);
  return { ops, ns: now - start };
}

function resultOf(v: Variant): BenchRenderVariantResult {
  const sorted = [...v.latenciesMs].sort((a, b) => a - b);
  return {
    name: v.name,
    lettersPerSecond: (v.latenciesMs.length / Number(v.ns)) * 1e9,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    letters: v.latenciesMs.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Checks of one output of each variant, outside the timed loops.

function popplerAvailable(): boolean {
  const r = spawnSync('pdfinfo', ['-v'], { encoding: 'utf8' });
  return !r.error;
}

async function pageCount(pdf: Buffer): Promise<number> {
  return (await PdfLibDocument.load(pdf, { updateMetadata: false })).getPageCount();
}

function poppler(pdf: Buffer): { pages: number; text: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-print-'));
  try {
    const path = join(dir, 'letter.pdf');
    writeFileSync(path, pdf);
    const info = spawnSync('pdfinfo', [path], { encoding: 'utf8' });
    const text = spawnSync('pdftotext', [path, '-'], { encoding: 'utf8' });
    return { pages: Number(/^Pages:\s+(\d+)/m.exec(info.stdout ?? '')?.[1] ?? NaN), text: text.stdout ?? '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

export async function benchRender(opts: BenchRenderOptions = {}): Promise<BenchRenderResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const seconds = opts.seconds ?? positiveNumber(process.env.BENCH_SECONDS, 5);
  const roundSeconds = Math.min(1, seconds);
  const rounds = Math.max(1, Math.round(seconds / roundSeconds));
  const warmupSeconds = Math.min(1, seconds);

  const attachment = await makeTestPdf('Bilaga: beslut om bygglov för Exempelby 1:23');
  const options: RenderOptions = { profile: envelopeProfile('C5-H2'), duplex: true, colour: false };
  const letter = (attachments: PrintLetter['attachments']): PrintLetter => ({
    id: 'bench-0001',
    sender: SENDER,
    recipient: RECIPIENT,
    date: DATE,
    caseReference: 'BN-2026-0042',
    subject: SUBJECT,
    bodyText: BODY,
    attachments,
  });
  const withAttachment = letter([{ filename: 'beslut.pdf', content: attachment }]);
  const withoutAttachment = letter([]);

  const variants: Variant[] = [
    { name: 'naive pdfkit, Helvetica (baseline)', run: naiveLetter, latenciesMs: [], ns: 0n, roundRates: [] },
    { name: 'renderLetter + 1-page attachment', run: () => renderLetter(withAttachment, options), latenciesMs: [], ns: 0n, roundRates: [] },
    { name: 'renderLetter, no attachment (info)', run: () => renderLetter(withoutAttachment, options), latenciesMs: [], ns: 0n, roundRates: [] },
  ];
  const [naive, library, libraryOnly] = variants;

  const samples = {
    naive: await naiveLetter(),
    library: await renderLetter(withAttachment, options),
    libraryOnly: await renderLetter(withoutAttachment, options),
  };
  log('Print render benchmark: one letter, 2 letter pages, C5-H2 envelope, duplex');
  log(
    `  library: ${fmt(samples.library.pdf.length)} bytes PDF (${samples.library.pages} pages, ${samples.library.sheets} sheets) ` +
      `with a ${fmt(attachment.length)}-byte 1-page attachment; baseline: ${fmt(samples.naive.length)} bytes`,
  );
  log(
    `  node ${process.version}, single-threaded loop; ${rounds} alternating round(s) of ${roundSeconds} s per variant ` +
      `after ${warmupSeconds} s warm-up each (BENCH_SECONDS=${seconds})`,
  );

  for (const v of variants) await runFor(v, warmupSeconds, false);
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round so that no variant always runs right after the same one.
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(r + k) % variants.length];
      const before = v.latenciesMs.length;
      const res = await runFor(v, roundSeconds, true);
      v.ns += res.ns;
      v.roundRates.push(((v.latenciesMs.length - before) / Number(res.ns)) * 1e9);
    }
  }

  const base = resultOf(naive);
  const lib = resultOf(library);
  const libOnly = resultOf(libraryOnly);
  const rows = [base, lib, libOnly].map((r, i) => [
    r.name,
    fmt(r.lettersPerSecond, 0),
    fmt(r.p50Ms, 2),
    fmt(r.p99Ms, 2),
    `${fmt(Math.min(...variants[i].roundRates), 0)}–${fmt(Math.max(...variants[i].roundRates), 0)}`,
    fmt(r.letters),
    `${fmt(r.lettersPerSecond / base.lettersPerSecond, 2)}×`,
  ]);
  log('');
  log(table(['variant', 'letters/s', 'p50 ms', 'p99 ms', 'per-round min–max', 'letters', 'vs baseline'], rows, [false, true, true, true, true, true, true]));

  const checks: BenchRenderResult['checks'] = [];
  const naivePages = await pageCount(samples.naive);
  checks.push({ name: 'baseline is a 2-page letter', ok: naivePages === 2, detail: `${naivePages} pages` });
  const libPages = await pageCount(samples.library.pdf);
  checks.push({
    name: 'library: 2 letter pages + 1 attachment page + blank back page (duplex)',
    ok: libPages === 4 && samples.library.pages === 4 && samples.library.blankPages.join() === '4' && samples.library.sheets === 2,
    detail: `${libPages} pages in the PDF, reported ${samples.library.pages} pages / ${samples.library.sheets} sheets`,
  });
  checks.push({
    name: 'library without attachment: 2 pages',
    ok: (await pageCount(samples.libraryOnly.pdf)) === 2 && samples.libraryOnly.pages === 2,
    detail: `${samples.libraryOnly.pages} pages`,
  });
  if (popplerAvailable()) {
    const p = poppler(samples.library.pdf);
    const expected = ['Åsa Öberg', 'Sida 1 av 2', 'Sida 2 av 2', `${PARAGRAPHS}. Miljö`, 'Bilaga: beslut om bygglov'];
    const missing = expected.filter((s) => !p.text.includes(s));
    checks.push({
      name: 'pdfinfo/pdftotext read the library output',
      ok: p.pages === 4 && missing.length === 0,
      detail: missing.length === 0 ? `${p.pages} pages; address, page numbers, last paragraph and attachment text found` : `missing: ${missing.join(', ')}`,
    });
  } else {
    log('  pdfinfo/pdftotext not on PATH: poppler check skipped');
  }
  log('');
  log(table(['check', 'result', 'detail'], checks.map((c) => [c.name, c.ok ? 'PASS' : 'FAIL', c.detail]), [false, false, false]));

  const ratio = lib.lettersPerSecond / base.lettersPerSecond;
  const failed = checks.filter((c) => !c.ok).length;
  log('');
  log(
    `SUMMARY print render: renderLetter (2-page letter + 1-page PDF attachment merged) ${fmt(lib.lettersPerSecond)} letters/s/core ` +
      `(p50 ${fmt(lib.p50Ms, 2)} ms, p99 ${fmt(lib.p99Ms, 2)} ms) vs naive pdfkit Helvetica 2-page letter ${fmt(base.lettersPerSecond)}/s ` +
      `(p50 ${fmt(base.p50Ms, 2)} ms, p99 ${fmt(base.p99Ms, 2)} ms) = ${fmt(ratio, 2)}×; without the attachment ${fmt(libOnly.lettersPerSecond)}/s ` +
      `= ${fmt(libOnly.lettersPerSecond / base.lettersPerSecond, 2)}×; checks ${checks.length - failed}/${checks.length} passed`,
  );
  return { baseline: base, library: lib, libraryWithoutAttachment: libOnly, ratio, checks, ok: failed === 0 };
}

function positiveNumber(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`BENCH_SECONDS must be a positive number, got "${raw}"`);
  return n;
}

if (require.main === module) {
  benchRender().then(
    (r) => {
      process.exitCode = r.ok ? 0 : 1;
    },
    (e: unknown) => {
      console.error(e instanceof Error ? e.stack : e);
      process.exitCode = 1;
    },
  );
}
