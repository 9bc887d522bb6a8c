/**
 * Benchmark: streaming print-batch assembly (`assembleBatch`) of 1,000, 5,000 and 10,000 letters.
 *
 *   npm run build && node --expose-gc dist/bench/print-batch.bench.js
 *   (BENCH_SIZES=1000,5000,10000 and BENCH_BASELINE=1000 by default; BENCH_BASELINE=0 skips it)
 *
 * The letter: a realistic 3-page A4 letter made once with pdfkit (two text pages with an embedded
 * DejaVu Sans subset, as Swedish text needs) plus a 1-page attachment merged with pdf-lib, saved
 * with pdf-lib's defaults (object streams, xref stream). Every entry reuses the same bytes with its
 * own letter id; each is parsed anew, as in production. Timed: the whole assembly (parsing each
 * entry, writing the batch PDF and both manifests to disk under os.tmpdir(), SHA-256, renames).
 * Memory: `process.memoryUsage()` sampled every 50 ms; peaks per run, after a full GC before each run.
 *
 * Baseline, in the same run (after the streaming runs, so its memory cannot inflate theirs): the
 * naive way with pdf-lib — `PDFDocument.create()`, `copyPages` of every letter into it, `save()`,
 * write the bytes — for the smallest size only, because it holds the whole batch in memory. It
 * writes no manifests, which favours it.
 *
 * Outside the timing, each output is checked: `pdfinfo` page count (when poppler is on PATH) and
 * `sha256File` against the reported checksum. Exits non-zero when a check fails.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PDFKit from 'pdfkit';
import { PDFDocument } from 'pdf-lib';
import { assembleBatch, BatchEntry, sha256File } from '@hub/print';
import { fmt, table } from './bench-format';

const TARGET_PEAK_RSS_MB = 500;
const SAMPLE_MS = 50;
/** Letters between live-heap probes (a full GC each, not timed). */
const PROBE_EVERY = 500;
const PAGES_PER_LETTER = 3;
const MB = 1024 * 1024;
const FONT = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');

export interface BenchBatchOptions {
  /** Batch sizes of the streaming runs (letters). */
  sizes?: number[];
  /** Letters in the naive pdf-lib baseline; 0 skips it. */
  baselineSize?: number;
  /** Where output lines go (console.log by default). */
  log?: (line: string) => void;
}

export interface BatchRun {
  variant: 'streaming' | 'naive pdf-lib';
  letters: number;
  pages: number;
  seconds: number;
  outputBytes: number;
  peakRssBytes: number;
  peakHeapBytes: number;
  /** Peak of memory outside the JS heap (Buffers, ArrayBuffers). */
  peakExternalBytes: number;
  /** Heap used after GC just before the run. */
  startHeapBytes: number;
  /** Largest heap used right after a full GC, probed every 500 letters (and after the naive save), with --expose-gc. */
  liveHeapBytes?: number;
}

export interface BenchBatchResult {
  letterBytes: number;
  runs: BatchRun[];
  baseline?: BatchRun;
  checks: { name: string; ok: boolean; detail: string }[];
}

// ---------------------------------------------------------------------------------------------
// The letter.

const PARAGRAPH =
  'Miljö- och byggnadsnämnden har prövat er ansökan om bygglov för tillbyggnad av enbostadshus på ' +
  'fastigheten Exempelby 1:23. Nämnden beviljar bygglov med stöd av 9 kap. 31 § plan- och bygglagen. ' +
  'Åtgärden får påbörjas tidigast fyra veckor efter att beslutet kungjorts i Post- och Inrikes Tidningar, ' +
  'om inte nämnden har gett startbesked. ';

function pdfkitToBuffer(build: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFKit({ size: 'A4', margin: 56, info: { Title: 'Beslut', CreationDate: new Date('2026-01-15T09:00:00Z') } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    build(doc);
    doc.end();
  });
}

/** Two text pages (letterhead, address, body) plus a merged one-page attachment: 3 pages. */
async function makeLetter(): Promise<Buffer> {
  const letter = await pdfkitToBuffer((doc) => {
    doc.registerFont('body', FONT);
    doc.font('body').fontSize(9).text('Demo kommun · Miljö- och byggnadsnämnden · Box 1 · 111 11 Demostad', 56, 40);
    doc.fontSize(11).text('Örjan Åkesson\nStorgatan 1, lgh 1101\n123 45 Småstad', 330, 140);
    doc.fontSize(16).text('Beslut om bygglov', 56, 260);
    doc.fontSize(10).moveDown();
    for (let i = 1; i <= 9; i++) doc.text(`${i}. ${PARAGRAPH}`).moveDown(0.5);
    doc.addPage();
    for (let i = 10; i <= 18; i++) doc.text(`${i}. ${PARAGRAPH}`).moveDown(0.5);
  });
  const attachment = await pdfkitToBuffer((doc) => {
    doc.fontSize(14).text('Bilaga 1: Situationsplan');
    doc.rect(100, 150, 400, 300).stroke().moveTo(100, 150).lineTo(500, 450).stroke();
  });
  const merged = await PDFDocument.load(letter);
  const extra = await PDFDocument.load(attachment);
  for (const page of await merged.copyPages(extra, extra.getPageIndices())) merged.addPage(page);
  const bytes = Buffer.from(await merged.save());
  const pages = (await PDFDocument.load(bytes)).getPageCount();
  if (pages !== PAGES_PER_LETTER) throw new Error(`the bench letter has ${pages} pages, expected ${PAGES_PER_LETTER}`);
  return bytes;
}

function* entries(letter: Buffer, count: number): Generator<BatchEntry> {
  for (let i = 0; i < count; i++) {
    yield {
      letterId: `bench-${String(i + 1).padStart(6, '0')}`,
      pdf: letter,
      pages: PAGES_PER_LETTER,
      sheets: Math.ceil(PAGES_PER_LETTER / 2),
      duplex: true,
      colour: false,
      postageClass: 'ECONOMY',
      addressLines: ['Örjan Åkesson', 'Storgatan 1, lgh 1101', '123 45 Småstad'],
      returnAddress: ['Demo kommun', 'Box 1', '111 11 Demostad'],
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Measurement.

const gc = (globalThis as { gc?: () => void }).gc;

interface Measured<T> {
  value: T;
  /** Wall time, less the time spent in live-heap probes. */
  seconds: number;
  peakRss: number;
  peakHeap: number;
  peakExternal: number;
  startHeap: number;
  liveHeap?: number;
}

/**
 * Runs `work` after a full GC, sampling memory every 50 ms. `work` gets a `probe` to call now and then:
 * with --expose-gc it runs a full GC and records the heap still in use (what the run really keeps);
 * its time is not counted.
 */
async function measure<T>(work: (probe: () => void) => Promise<T>): Promise<Measured<T>> {
  gc?.();
  const start = process.memoryUsage();
  let peakRss = start.rss;
  let peakHeap = start.heapUsed;
  let peakExternal = start.external;
  let liveHeap: number | undefined;
  let probeNs = 0n;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakExternal = Math.max(peakExternal, m.external);
  };
  const probe = () => {
    if (!gc) return;
    const p0 = process.hrtime.bigint();
    sample();
    gc();
    liveHeap = Math.max(liveHeap ?? 0, process.memoryUsage().heapUsed);
    probeNs += process.hrtime.bigint() - p0;
  };
  const timer = setInterval(sample, SAMPLE_MS);
  const t0 = process.hrtime.bigint();
  try {
    const value = await work(probe);
    const seconds = Number(process.hrtime.bigint() - t0 - probeNs) / 1e9;
    sample();
    return { value, seconds, peakRss, peakHeap, peakExternal, startHeap: start.heapUsed, liveHeap };
  } finally {
    clearInterval(timer);
  }
}

function pdfinfoPages(path: string): number | undefined {
  const r = spawnSync('pdfinfo', [path], { encoding: 'utf8' });
  if (r.error) return undefined;
  return Number(/^Pages:\s+(\d+)$/m.exec(r.stdout)?.[1] ?? NaN);
}

async function naiveBatch(
  letter: Buffer,
  count: number,
  path: string,
  probe: () => void,
): Promise<{ bytes: number; pages: number; sha256: string }> {
  const out = await PDFDocument.create();
  for (let i = 0; i < count; i++) {
    const src = await PDFDocument.load(letter);
    for (const page of await out.copyPages(src, src.getPageIndices())) out.addPage(page);
    if ((i + 1) % PROBE_EVERY === 0) probe();
  }
  const bytes = await out.save();
  probe();
  writeFileSync(path, bytes);
  return { bytes: bytes.length, pages: out.getPageCount(), sha256: createHash('sha256').update(bytes).digest('hex') };
}

// ---------------------------------------------------------------------------------------------

/** Runs the benchmark and prints its report; returns the figures. */
export async function benchBatch(opts: BenchBatchOptions = {}): Promise<BenchBatchResult> {
  const sizes = opts.sizes ?? [1_000, 5_000, 10_000];
  const baselineSize = opts.baselineSize ?? Math.min(...sizes);
  const log = opts.log ?? ((line: string) => console.log(line));
  const dir = mkdtempSync(join(tmpdir(), 'bench-print-batch-'));
  const checks: BenchBatchResult['checks'] = [];
  const runs: BatchRun[] = [];
  let baseline: BatchRun | undefined;
  try {
    const letter = await makeLetter();
    log('Print-batch assembly benchmark: streaming assembleBatch vs naive pdf-lib merge');
    log(
      `  letter: ${fmt(letter.length)} bytes, ${PAGES_PER_LETTER} pages (pdfkit, embedded DejaVu Sans subset, ` +
        '+ 1-page attachment merged by pdf-lib, saved with object streams), duplex',
    );
    log(
      `  node ${process.version}; memory sampled every ${SAMPLE_MS} ms` +
        (gc ? ', full GC before each run' : ' (run with --expose-gc for a GC before each run)') +
        `; output under ${tmpdir()}`,
    );

    for (const size of sizes) {
      const batchId = `bench-${size}`;
      const m = await measure((probe) =>
        assembleBatch({
          batchId,
          dir,
          entries: entries(letter, size),
          onProgress: ({ letters }) => {
            if (letters % PROBE_EVERY === 0) probe();
          },
          header: {
            tenant: { id: 'bench-tenant', name: 'Demo kommun' },
            vendorId: 'bench-vendor',
            postageClass: 'ECONOMY',
            createdAt: new Date(),
          },
        }),
      );
      const batch = m.value;
      runs.push({
        variant: 'streaming',
        letters: size,
        pages: batch.pdf.pages,
        seconds: m.seconds,
        outputBytes: batch.pdf.bytes,
        peakRssBytes: m.peakRss,
        peakHeapBytes: m.peakHeap,
        peakExternalBytes: m.peakExternal,
        startHeapBytes: m.startHeap,
        liveHeapBytes: m.liveHeap,
      });
      const pages = pdfinfoPages(batch.pdf.path);
      checks.push({
        name: `streaming ${fmt(size)}: pdfinfo page count`,
        ok: pages === undefined || pages === size * PAGES_PER_LETTER,
        detail: pages === undefined ? 'pdfinfo not on PATH: skipped' : `${fmt(pages)} pages`,
      });
      const sha = await sha256File(batch.pdf.path);
      checks.push({ name: `streaming ${fmt(size)}: SHA-256 of the file`, ok: sha === batch.pdf.sha256, detail: sha.slice(0, 16) + '…' });
      for (const f of [batch.pdf, batch.manifestJson, batch.manifestCsv]) rmSync(f.path, { force: true });
    }

    if (baselineSize > 0) {
      const path = join(dir, 'naive.pdf');
      const m = await measure((probe) => naiveBatch(letter, baselineSize, path, probe));
      baseline = {
        variant: 'naive pdf-lib',
        letters: baselineSize,
        pages: m.value.pages,
        seconds: m.seconds,
        outputBytes: m.value.bytes,
        peakRssBytes: m.peakRss,
        peakHeapBytes: m.peakHeap,
        peakExternalBytes: m.peakExternal,
        startHeapBytes: m.startHeap,
        liveHeapBytes: m.liveHeap,
      };
      const pages = pdfinfoPages(path);
      checks.push({
        name: `naive ${fmt(baselineSize)}: pdfinfo page count`,
        ok: pages === undefined || pages === baselineSize * PAGES_PER_LETTER,
        detail: pages === undefined ? 'pdfinfo not on PATH: skipped' : `${fmt(pages)} pages`,
      });
      rmSync(path, { force: true });
    }

    const row = (r: BatchRun) => [
      r.variant,
      fmt(r.letters),
      fmt(r.pages),
      fmt(r.seconds, 2),
      fmt(r.letters / r.seconds),
      fmt(r.pages / r.seconds),
      fmt(r.outputBytes / MB, 1),
      fmt(r.peakRssBytes / MB),
      fmt(r.peakHeapBytes / MB),
      fmt(r.peakExternalBytes / MB),
      fmt(r.startHeapBytes / MB),
      r.liveHeapBytes === undefined ? '–' : fmt(r.liveHeapBytes / MB, 1),
    ];
    log('');
    log(
      table(
        ['variant', 'letters', 'pages', 'time s', 'letters/s', 'pages/s', 'output MB', 'peak RSS MB', 'peak heap MB', 'peak ext MB', 'heap before MB', 'live heap MB'],
        [...runs.map(row), ...(baseline ? [row(baseline)] : [])],
        [false, true, true, true, true, true, true, true, true, true, true, true],
      ),
    );

    const first = runs[0];
    const last = runs[runs.length - 1];
    const same = baseline ? runs.find((r) => r.letters === baseline!.letters) : undefined;
    log(
      `  peak heap includes garbage not yet collected; live heap: the most heap in use right after a full GC, ` +
        `probed every ${PROBE_EVERY} letters during the run (not timed)` + (gc ? '' : ' (needs --expose-gc)'),
    );
    log('');
    log(
      `  memory as the batch grows ${fmt(first.letters)} → ${fmt(last.letters)} letters (${fmt(last.letters / first.letters)}×): ` +
        (first.liveHeapBytes !== undefined && last.liveHeapBytes !== undefined
          ? `live heap ${fmt(first.liveHeapBytes / MB, 1)} → ${fmt(last.liveHeapBytes / MB, 1)} MB, `
          : '') +
        `peak heap ${fmt(first.peakHeapBytes / MB)} → ${fmt(last.peakHeapBytes / MB)} MB, ` +
        `peak RSS ${fmt(first.peakRssBytes / MB)} → ${fmt(last.peakRssBytes / MB)} MB`,
    );
    if (baseline && same) {
      const grown = (r: BatchRun) => ((r.liveHeapBytes ?? r.peakHeapBytes) - r.startHeapBytes) / MB;
      log(
        `  at ${fmt(baseline.letters)} letters: streaming is ${fmt(baseline.seconds / same.seconds, 1)}× the naive speed; ` +
          `naive peak heap + external ${fmt((baseline.peakHeapBytes + baseline.peakExternalBytes) / MB)} MB vs ` +
          `${fmt((same.peakHeapBytes + same.peakExternalBytes) / MB)} MB ` +
          `(${fmt((baseline.peakHeapBytes + baseline.peakExternalBytes) / (same.peakHeapBytes + same.peakExternalBytes), 1)}×), ` +
          `heap kept by the run ${fmt(grown(baseline), 1)} MB vs ${fmt(grown(same), 1)} MB; ` +
          `the naive way keeps ~${fmt((grown(baseline) * 1024) / baseline.letters)} KB per letter until save()`,
      );
    }
    log('');
    log(
      table(
        ['check', 'result', 'detail'],
        checks.map((c) => [c.name, c.ok ? 'PASS' : 'FAIL', c.detail]),
        [false, false, false],
      ),
    );

    const failed = checks.filter((c) => !c.ok).length;
    const rssOk = last.peakRssBytes / MB < TARGET_PEAK_RSS_MB;
    log('');
    log(
      `SUMMARY print batch: ${fmt(last.letters)} letters (${fmt(last.pages)} pages) in ${fmt(last.seconds, 1)} s = ` +
        `${fmt(last.letters / last.seconds)} letters/s, peak RSS ${fmt(last.peakRssBytes / MB)} MB ` +
        `(target < ${TARGET_PEAK_RSS_MB} MB: ${rssOk ? 'met' : 'NOT met'})` +
        (baseline && same
          ? `; naive pdf-lib at ${fmt(baseline.letters)}: ${fmt(baseline.seconds, 1)} s, peak heap ${fmt(baseline.peakHeapBytes / MB)} MB ` +
            `vs streaming ${fmt(same.seconds, 1)} s, ${fmt(same.peakHeapBytes / MB)} MB`
          : '') +
        `; checks ${checks.length - failed}/${checks.length} passed`,
    );
    return { letterBytes: letter.length, runs, baseline, checks };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sizesFromEnv(raw: string | undefined): number[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const sizes = raw.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`BENCH_SIZES must be positive integers, got "${raw}"`);
  return sizes;
}

if (require.main === module) {
  const baselineRaw = process.env.BENCH_BASELINE;
  benchBatch({
    sizes: sizesFromEnv(process.env.BENCH_SIZES),
    baselineSize: baselineRaw === undefined || baselineRaw === '' ? undefined : Number(baselineRaw),
  }).then(
    (r) => {
      const rssOk = r.runs[r.runs.length - 1].peakRssBytes / MB < TARGET_PEAK_RSS_MB;
      process.exitCode = r.checks.every((c) => c.ok) && rssOk ? 0 : 1;
    },
    (e: unknown) => {
      console.error(e instanceof Error ? e.stack : e);
      process.exitCode = 1;
    },
  );
}
