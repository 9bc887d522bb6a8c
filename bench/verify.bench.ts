/**
 * Benchmark: CPU a mailbox operator spends on one sealed deliverSecure envelope, as the simulated
 * operators accept it (apps/simulators/src/mailbox-operator-simulator.ts): XML Schema validation, then
 * verification of the sender signature and the förmedlare seal, then the attachments' MD5 checksums.
 *
 *   npm run build && node dist/bench/verify.bench.js      (BENCH_SECONDS=4 per variant by default)
 *
 * Deliveries: no attachment (what bench:dispatch sends by default), a ~44 KB and a ~100 KB PDF
 * (uncompressed text, as sign.bench.ts makes them), signed and sealed by the library with the test PKI.
 * Variants, measured in the same run in alternating rounds to spread machine noise:
 *   - reference: the verification as it was (each layer rebuilt as a string, parsed again, handed to
 *     xml-crypto, what was signed parsed once more); it stays in the library as the yardstick of the
 *     equivalence tests and as the path for the odd documents the direct path leaves to it;
 *   - direct: `verifyDelivery` (one parse, digests over the bytes written from it, certificates and
 *     trust chains remembered);
 * each alone and inside the operator's whole accept path. Figures are CPU time (user + system) of this
 * process per delivery, median of the rounds: on a shared machine CPU time is steadier than wall time.
 *
 * Outside the timed loops the two paths are checked to return the same result and to refuse a
 * tampered copy the same way. Exits non-zero when a check fails.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import {
  DeliveryInput,
  SchemaValidator,
  signAndSealDelivery,
  SigningCredential,
  toDeliverSecureEnvelope,
  TrustStore,
  VerifiedDelivery,
  verifyDelivery,
  VerifyOptions,
} from '@hub/mina-meddelanden';
import { ensureTestPki } from '@hub/testing';
// The reference path is internal to the library (not in its index): the benchmark needs it as its baseline.
// eslint-disable-next-line no-restricted-imports
import { verifyDeliveryReference } from '../libs/mina-meddelanden/src/verify/reference-verifier';
import { fmt, table } from './bench-format';

const BENCH_SECONDS = positiveNumber(process.env.BENCH_SECONDS, 4);
const ROUND_SECONDS = Math.min(0.5, BENCH_SECONDS);
const ROUNDS = Math.max(3, Math.round(BENCH_SECONDS / ROUND_SECONDS));
const SENDER_ORGNR = '2120001231';
const RECIPIENT = '198101032384';

function positiveNumber(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`BENCH_SECONDS must be a positive number, got "${raw}"`);
  return n;
}

const PARAGRAPH =
  'Miljö- och byggnadsnämnden har prövat er ansökan om bygglov för tillbyggnad av enbostadshus på ' +
  'fastigheten Exempelby 1:23. Nämnden beviljar bygglov med stöd av 9 kap. 31 § plan- och bygglagen. ';

function renderPdf(paragraphs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 56, compress: false, info: { CreationDate: new Date('2026-01-15T09:00:00Z') } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(10);
    for (let i = 1; i <= paragraphs; i++) doc.text(`${i}. ${PARAGRAPH}`).moveDown(0.5);
    doc.end();
  });
}

/** The smallest paragraph count whose PDF reaches the target size. */
async function makePdf(targetBytes: number): Promise<Buffer> {
  const ten = await renderPdf(10);
  let n = Math.max(1, Math.floor((10 * targetBytes) / ten.length) - 2);
  let pdf = await renderPdf(n);
  while (pdf.length < targetBytes) pdf = await renderPdf(++n);
  return pdf;
}

type Verify = (xml: string, options: VerifyOptions) => VerifiedDelivery;

/** What the simulated operator does with an accepted delivery's body (minus HTTP and bookkeeping). */
async function accept(raw: string, schema: SchemaValidator, verify: Verify, options: VerifyOptions): Promise<void> {
  const result = await schema.validate(raw, 'deliverSecure');
  if (!result.valid) throw new Error(`schema: ${result.errors[0]?.message}`);
  const verified = verify(raw, options);
  for (const m of verified.delivery.messages) {
    for (const a of m.attachments) {
      if (createHash('md5').update(a.content).digest('hex').toUpperCase() !== a.checksum) throw new Error('checksum');
    }
  }
}

interface Variant {
  delivery: string;
  name: string;
  run: () => unknown;
  rounds: number[];
}

const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

async function runFor(v: Variant, seconds: number): Promise<number> {
  const start = Date.now();
  const cpu0 = cpuMicros();
  let ops = 0;
  do {
    await v.run();
    ops++;
  } while (Date.now() - start < seconds * 1000);
  return (cpuMicros() - cpu0) / 1000 / ops;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Same outcome on both paths: the result's content, or the refusal's layer and reason. */
function outcome(verify: Verify, xml: string, options: VerifyOptions): string {
  try {
    const v = verify(xml, options);
    return JSON.stringify([v.contentHash, v.sender.fingerprint, v.seal?.fingerprint, v.seal?.receivedTime, v.delivery, v.signedDeliveryXml.length, v.sealedDeliveryXml?.length]);
  } catch (e) {
    const err = e as Error & { layer?: string; reason?: string };
    return `refused ${err.layer}/${err.reason}: ${err.message}`;
  }
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-verify-'));
  try {
    const pki = await ensureTestPki(join(dir, 'pki'), {
      intermediary: { orgnr: '5591234561', name: 'Dispatch Hub Förmedling AB' },
      municipalities: [{ orgnr: SENDER_ORGNR, name: 'Demo kommun' }],
      servers: [],
    });
    const m = pki.municipalities[SENDER_ORGNR];
    const sender = SigningCredential.fromPem(m.keyPem, m.certPem);
    const intermediary = SigningCredential.fromPem(pki.intermediary.keyPem, pki.intermediary.certPem);
    // As the simulators configure it: the test CA for the senders, the förmedlare's certificate pinned.
    const options: VerifyOptions = {
      senderTrust: new TrustStore({ cas: [pki.caCertPem] }),
      sealTrust: new TrustStore({ cas: [pki.caCertPem] }),
      requireSeal: true,
    };
    const schema = new SchemaValidator();

    const deliveries: [string, Buffer | undefined][] = [
      ['no attachment', undefined],
      ['44 KB PDF', await makePdf(44 * 1024)],
      ['100 KB PDF', await makePdf(100 * 1024)],
    ];
    const envelopes = deliveries.map(([label, pdf]) => {
      const input: DeliveryInput = {
        sender: { id: `16${SENDER_ORGNR}`, name: 'Demo kommun, Samhällsbyggnadsnämnden' },
        recipient: RECIPIENT,
        correlationId: 'bench-0001',
        messages: [
          {
            id: 'bench-0001',
            subject: 'Beslut om bygglov',
            supportInfo: { text: 'Demo kommun, Samhällsbyggnadsnämnden, Box 100, 123 45 Demostad' },
            body: { contentType: 'text/plain', text: 'Hej! Nämnden har beslutat i ditt ärende. Se bifogat beslut.' },
            attachments: pdf ? [{ contentType: 'application/pdf', filename: 'beslut.pdf', content: pdf }] : [],
          },
        ],
      };
      return { label, xml: toDeliverSecureEnvelope(signAndSealDelivery(input, sender, intermediary)) };
    });

    // Checks, outside the timed loops.
    const failures: string[] = [];
    for (const { label, xml } of envelopes) {
      const tampered = xml.replace(`>${RECIPIENT}<`, `>${RECIPIENT.replace(/^1/, '2')}<`);
      for (const [what, doc] of [
        ['verifies', xml],
        ['tampered copy', tampered],
      ] as const) {
        const ref = outcome(verifyDeliveryReference, doc, options);
        const direct = outcome(verifyDelivery, doc, options);
        if (ref !== direct) failures.push(`${label}, ${what}: the paths differ\n  reference: ${ref.slice(0, 300)}\n  direct:    ${direct.slice(0, 300)}`);
        if (what === 'verifies' && direct.startsWith('refused')) failures.push(`${label}: ${direct}`);
        if (what === 'tampered copy' && !direct.startsWith('refused sender/invalid-signature')) failures.push(`${label}, tampered copy: ${direct.slice(0, 200)}`);
      }
    }

    const variants: Variant[] = [];
    for (const { label, xml } of envelopes) {
      variants.push(
        { delivery: label, name: 'verify, reference (baseline)', run: () => verifyDeliveryReference(xml, options), rounds: [] },
        { delivery: label, name: 'verify, direct', run: () => verifyDelivery(xml, options), rounds: [] },
        { delivery: label, name: 'accept path, reference', run: () => accept(xml, schema, verifyDeliveryReference, options), rounds: [] },
        { delivery: label, name: 'accept path, direct', run: () => accept(xml, schema, verifyDelivery, options), rounds: [] },
        { delivery: label, name: 'schema validation alone (info)', run: () => schema.validate(xml, 'deliverSecure'), rounds: [] },
      );
    }

    console.log('Mailbox operator accept path: schema validation + sender signature + seal + MD5, per delivery');
    console.log(`  deliverSecure envelopes: ${envelopes.map((e) => `${e.label} ${fmt(Buffer.byteLength(e.xml))} bytes`).join(', ')}`);
    console.log(`  node ${process.version}; ${ROUNDS} alternating rounds of ${ROUND_SECONDS} s per variant after a warm-up; CPU ms per delivery, median of rounds`);
    for (const v of variants) await runFor(v, Math.min(0.3, ROUND_SECONDS));
    for (let r = 0; r < ROUNDS; r++) {
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(r + k) % variants.length];
        v.rounds.push(await runFor(v, ROUND_SECONDS));
      }
    }

    const rows: string[][] = [];
    const summary: string[] = [];
    for (const { label } of envelopes) {
      const of = (name: string) => variants.find((v) => v.delivery === label && v.name === name)!;
      const base = { verify: median(of('verify, reference (baseline)').rounds), accept: median(of('accept path, reference').rounds) };
      for (const v of variants.filter((x) => x.delivery === label)) {
        const ms = median(v.rounds);
        const vs = v.name.startsWith('verify') ? base.verify : v.name.startsWith('accept') ? base.accept : NaN;
        rows.push([label, v.name, fmt(ms, 3), `${fmt(Math.min(...v.rounds), 3)}–${fmt(Math.max(...v.rounds), 3)}`, Number.isNaN(vs) ? '' : `${fmt(vs / ms, 1)}×`]);
      }
      summary.push(
        `${label}: verify ${fmt(base.verify, 2)} → ${fmt(median(of('verify, direct').rounds), 2)} ms, ` +
          `accept path ${fmt(base.accept, 2)} → ${fmt(median(of('accept path, direct').rounds), 2)} ms`,
      );
    }
    console.log('');
    console.log(table(['delivery', 'variant', 'CPU ms', 'per-round min–max', 'speed-up'], rows, [false, false, true, true, true]));
    console.log('');
    for (const f of failures) console.log(`CHECK FAILED ${f}`);
    console.log(`SUMMARY operator CPU per delivery (reference → direct): ${summary.join('; ')}; checks ${failures.length === 0 ? 'passed' : `${failures.length} FAILED`}`);
    return failures.length === 0 ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exitCode = 1;
  },
);
