/**
 * Benchmark: sender signature + förmedlare seal of one delivery carrying a ~100 KB PDF, on one core.
 *
 *   npm run bench:sign            (BENCH_SECONDS=5 per variant by default, in 1 s rounds)
 *
 * Variants, measured in the same run, in alternating rounds to spread machine noise:
 *   - baseline: xml-crypto used the straightforward way (PEM passed per signature, DOM parse,
 *     XPath, c14n of the whole document for each layer);
 *   - the library's fast path: credentials loaded once, `signAndSealDelivery` (the hub's path);
 *     `signDelivery` then `sealDelivery` is shown for information
 *     (digest over bytes written directly in canonical form);
 *   - the ceiling: raw RSA-2048 `crypto.sign('sha256', …)` signatures/s ÷ 2 (two per delivery).
 * Both delivery variants include building the Delivery XML (base64 + MD5 of the PDF) per delivery.
 *
 * Outside the timed loops, one fast-path output is checked with `verifyDelivery` and, when
 * `xmlsec1` is on PATH, independently with xmlsec1 (each with a tampered negative control).
 * Exits non-zero when a check fails.
 */
import { sign, X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { SignedXml } from 'xml-crypto';
import {
  buildDelivery,
  DeliveryInput,
  NS,
  deliveryXml,
  sealDelivery,
  signAndSealDelivery,
  signDelivery,
  SigningCredential,
  swedishDate,
  TrustStore,
  verifyDelivery,
} from '@hub/mina-meddelanden';
import { ensureTestPki } from '@hub/testing';
import { fmt, table } from './bench-format';

const BENCH_SECONDS = positiveNumber(process.env.BENCH_SECONDS, 5);
const ROUND_SECONDS = Math.min(1, BENCH_SECONDS);
const ROUNDS = Math.max(1, Math.round(BENCH_SECONDS / ROUND_SECONDS));
const WARMUP_SECONDS = Math.min(1, BENCH_SECONDS);
const TARGET_RATIO = 5;
const TARGET_FAST_PATH = 600;
const PDF_TARGET_BYTES = 100 * 1024;

const SENDER_ORGNR = '2120001231';
const SENDER_ID = `16${SENDER_ORGNR}`;
const RECIPIENT = '198101032384';

const C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

function positiveNumber(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`BENCH_SECONDS must be a positive number, got "${raw}"`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// The attachment: a real PDF of about 100 KB (uncompressed text, standard font: nothing embedded).

const PARAGRAPH =
  'Miljö- och byggnadsnämnden har prövat er ansökan om bygglov för tillbyggnad av enbostadshus på ' +
  'fastigheten Exempelby 1:23. Nämnden beviljar bygglov med stöd av 9 kap. 31 § plan- och bygglagen. ' +
  'Åtgärden får påbörjas tidigast fyra veckor efter att beslutet kungjorts i Post- och Inrikes Tidningar, ' +
  'om inte nämnden har gett startbesked. Avgiften för prövningen framgår av bifogad faktura. ';

function renderPdf(paragraphs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 56,
      compress: false,
      info: { Title: 'Beslut om bygglov', Producer: 'dispatch-hub bench', CreationDate: new Date('2026-01-15T09:00:00Z') },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(16).text('Beslut om bygglov');
    doc.moveDown();
    doc.fontSize(10);
    for (let i = 1; i <= paragraphs; i++) doc.text(`${i}. ${PARAGRAPH}`).moveDown(0.5);
    doc.end();
  });
}

/** The smallest paragraph count whose PDF reaches the target size (size grows linearly). */
async function makePdf(targetBytes: number): Promise<{ pdf: Buffer; pages: number }> {
  const probe = await renderPdf(10);
  const base = await renderPdf(1);
  const perParagraph = (probe.length - base.length) / 9;
  let n = Math.max(1, Math.floor(1 + (targetBytes - base.length) / perParagraph) - 2);
  let pdf = await renderPdf(n);
  while (pdf.length < targetBytes) pdf = await renderPdf(++n);
  const pages = (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
  return { pdf, pages };
}

// ---------------------------------------------------------------------------------------------
// The naive baseline: xml-crypto, straightforward.

function xmlCryptoSign(xml: string, keyPem: string, certPem: string): string {
  const sig = new SignedXml({ privateKey: keyPem, publicCert: certPem, canonicalizationAlgorithm: C14N, signatureAlgorithm: RSA_SHA256 });
  sig.addReference({ xpath: '/*', transforms: [ENVELOPED], digestAlgorithm: SHA256, uri: '', isEmptyUri: true });
  sig.computeSignature(xml, { location: { reference: '/*', action: 'append' } });
  return sig.getSignedXml();
}

interface Pems {
  senderKey: string;
  senderCert: string;
  intermediaryKey: string;
  intermediaryCert: string;
}

function naiveSignAndSeal(input: DeliveryInput, pems: Pems): string {
  const unsigned = `<SignedDelivery xmlns="${NS.messageV3}">${deliveryXml(buildDelivery(input))}</SignedDelivery>`;
  const signed = xmlCryptoSign(unsigned, pems.senderKey, pems.senderCert);
  const seal =
    `<Seal><ReceivedTime xmlns="${NS.message}">${swedishDate(new Date())}</ReceivedTime>` +
    `<SignaturesOK xmlns="${NS.message}">true</SignaturesOK></Seal>`;
  return xmlCryptoSign(`<SealedDelivery xmlns="${NS.messageV3}">${signed}${seal}</SealedDelivery>`, pems.intermediaryKey, pems.intermediaryCert);
}

// ---------------------------------------------------------------------------------------------
// Timing.

interface Variant {
  name: string;
  /** Operations per call of `run` (for the ceiling: 2 signatures count as one delivery). */
  perOp: number;
  run: () => unknown;
  ops: number;
  ns: bigint;
  roundRates: number[];
}

function runFor(v: Variant, seconds: number): { ops: number; ns: bigint } {
  const budget = BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  let ops = 0;
  let now = start;
  // Check the clock every call: one call is at least tens of microseconds for the slow variants.
  do {
    v.run();
    ops++;
    now = process.hrtime.bigint();
  } while (now - start < budget);
  return { ops, ns: now - start };
}

function rate(v: Variant): number {
  return (v.ops / v.perOp / Number(v.ns)) * 1e9;
}

// ---------------------------------------------------------------------------------------------
// Checks of one output, outside the timed loops.

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

function tamper(xml: string): string {
  // Change one digit of the recipient inside the signed content (still a well-formed document).
  const at = xml.indexOf(`>${RECIPIENT}<`);
  if (at < 0) throw new Error('recipient not found in the output');
  return xml.slice(0, at + 1) + (RECIPIENT[0] === '1' ? '2' : '1') + xml.slice(at + 2);
}

function verifyCheck(name: string, xml: string, trust: TrustStore): Check {
  try {
    const v = verifyDelivery(xml, { senderTrust: trust, sealTrust: trust });
    if (!v.seal) return { name, ok: false, detail: 'verified without a seal' };
    if (v.delivery.recipient !== RECIPIENT) return { name, ok: false, detail: `recipient read back as ${v.delivery.recipient}` };
    // The negative control: a verifier that accepts anything proves nothing.
    try {
      verifyDelivery(tamper(xml), { senderTrust: trust, sealTrust: trust });
      return { name, ok: false, detail: 'a tampered copy verified too' };
    } catch {
      /* expected */
    }
    return { name, ok: true, detail: `sender ${v.sender.serialNumber}, seal ${v.seal.serialNumber}; tampered copy refused` };
  } catch (e) {
    return { name, ok: false, detail: (e as Error).message };
  }
}

function xmlsec1Available(): boolean {
  const r = spawnSync('xmlsec1', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

function xmlsec1Verify(dir: string, file: string, xml: string, caPath: string, nodeXpath?: string): { ok: boolean; out: string } {
  const path = join(dir, file);
  writeFileSync(path, xml);
  const args = ['--verify', '--trusted-pem', caPath];
  if (nodeXpath) args.push('--node-xpath', nodeXpath);
  args.push(path);
  const r = spawnSync('xmlsec1', args, { encoding: 'utf8' });
  const lines = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').map((l) => l.trim());
  const status = lines.find((l) => l === 'OK' || l === 'FAIL') ?? (r.error ? r.error.message : `exit ${r.status}`);
  const refs = lines.find((l) => l.startsWith('SignedInfo References'))?.replace('SignedInfo References (ok/all): ', 'references ');
  const errors = lines.filter((l) => l.startsWith('func=') || l.startsWith('Error'));
  let out = [`xmlsec1 ${status}`, refs].filter(Boolean).join(', ');
  if (!r.error && r.status === 0 && errors.some((l) => l.includes('X509NameRead'))) {
    // OpenSSL does not know "SERIALNUMBER" in X509SubjectName; xmlsec1 then uses X509Certificate.
    out += ' (X509SubjectName not parsed by OpenSSL, X509Certificate used)';
  } else if (r.status !== 0 && errors.length) {
    out += `: ${errors.at(-1)}`;
  }
  return { ok: !r.error && r.status === 0, out };
}

function xmlsec1Check(name: string, dir: string, stem: string, xml: string, caPath: string, nodeXpath?: string): Check {
  const good = xmlsec1Verify(dir, `${stem}.xml`, xml, caPath, nodeXpath);
  if (!good.ok) return { name, ok: false, detail: good.out };
  const bad = xmlsec1Verify(dir, `${stem}-tampered.xml`, tamper(xml), caPath, nodeXpath);
  if (bad.ok) return { name, ok: false, detail: 'a tampered copy verified too' };
  return { name, ok: true, detail: `${good.out}; tampered copy refused` };
}

// ---------------------------------------------------------------------------------------------
// Output helpers.



// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sign-'));
  try {
    const pki = await ensureTestPki(join(dir, 'pki'), {
      intermediary: { orgnr: '5591234561', name: 'Dispatch Hub Förmedling AB' },
      municipalities: [{ orgnr: SENDER_ORGNR, name: 'Demo kommun' }],
      servers: [],
    });
    const senderPem = pki.municipalities[SENDER_ORGNR];
    const pems: Pems = {
      senderKey: senderPem.keyPem,
      senderCert: senderPem.certPem,
      intermediaryKey: pki.intermediary.keyPem,
      intermediaryCert: pki.intermediary.certPem,
    };
    const sender = SigningCredential.fromPem(pems.senderKey, pems.senderCert);
    const intermediary = SigningCredential.fromPem(pems.intermediaryKey, pems.intermediaryCert);
    const keyBits = new X509Certificate(pems.senderCert).publicKey.asymmetricKeyDetails?.modulusLength;

    const { pdf, pages } = await makePdf(PDF_TARGET_BYTES);
    const input: DeliveryInput = {
      sender: { id: SENDER_ID, name: 'Demo kommun' },
      recipient: RECIPIENT,
      reference: 'BN-2026-0042',
      messages: [
        {
          id: 'bench-0001',
          subject: 'Beslut om bygglov',
          supportInfo: { text: 'Frågor? Ring Demo kommuns kontaktcenter, 010-123 45 67.', url: 'https://demo.kommun.invalid/kontakt' },
          body: { contentType: 'text/plain', text: 'Hej! Här kommer beslutet i ditt ärende om bygglov. Beslutet finns i den bifogade PDF-filen.' },
          attachments: [{ contentType: 'application/pdf', filename: 'beslut-bygglov.pdf', content: pdf }],
        },
      ],
    };

    const fastOnce = () => signAndSealDelivery(input, sender, intermediary);
    const twoStepOnce = () => sealDelivery(signDelivery(input, sender), intermediary);
    const sample = fastOnce();
    const naiveSample = naiveSignAndSeal(input, pems);
    // What SignedInfo looks like to RSA: the ceiling signs a buffer of the same size.
    const signedInfoLike = Buffer.alloc(620, 0x61);

    const variants: Variant[] = [
      { name: 'naive xml-crypto (baseline)', perOp: 1, run: () => naiveSignAndSeal(input, pems), ops: 0, ns: 0n, roundRates: [] },
      { name: 'library fast path', perOp: 1, run: fastOnce, ops: 0, ns: 0n, roundRates: [] },
      {
        name: `RSA-${keyBits ?? '?'} ceiling (signs/s ÷ 2)`,
        perOp: 2,
        run: () => sign('sha256', signedInfoLike, sender.privateKey),
        ops: 0,
        ns: 0n,
        roundRates: [],
      },
      { name: 'library, two steps (info)', perOp: 1, run: twoStepOnce, ops: 0, ns: 0n, roundRates: [] },
    ];
    const [naive, fast, ceiling] = variants;

    console.log('Sign + seal benchmark: one delivery, one recipient, one PDF attachment');
    console.log(
      `  attachment: ${fmt(pdf.length)} bytes PDF (${pages} pages, uncompressed text); ` +
        `sealed delivery: ${fmt(Buffer.byteLength(sample))} bytes (naive: ${fmt(Buffer.byteLength(naiveSample))})`,
    );
    console.log(
      `  node ${process.version}, single-threaded loop; ${ROUNDS} alternating round(s) of ${ROUND_SECONDS} s per variant ` +
        `after ${WARMUP_SECONDS} s warm-up each (BENCH_SECONDS=${BENCH_SECONDS})`,
    );

    for (const v of variants) runFor(v, WARMUP_SECONDS);
    for (let r = 0; r < ROUNDS; r++) {
      // Rotate the order each round so that no variant always runs right after the same one.
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(r + k) % variants.length];
        const res = runFor(v, ROUND_SECONDS);
        v.ops += res.ops;
        v.ns += res.ns;
        v.roundRates.push((res.ops / v.perOp / Number(res.ns)) * 1e9);
      }
    }

    const base = rate(naive);
    const rows = variants.map((v) => {
      const r = rate(v);
      return [
        v.name,
        fmt(r, r < 100 ? 1 : 0),
        fmt(1000 / r, 3),
        `${fmt(Math.min(...v.roundRates), r < 100 ? 1 : 0)}–${fmt(Math.max(...v.roundRates), r < 100 ? 1 : 0)}`,
        fmt(v.ops / v.perOp),
        `${fmt(r / base, 2)}×`,
      ];
    });
    console.log('');
    console.log(table(['variant', 'deliveries/s', 'ms/delivery', 'per-round min–max', 'deliveries', 'vs baseline'], rows, [false, true, true, true, true, true]));

    const fastRate = rate(fast);
    const ratio = fastRate / base;
    const ceilingRate = rate(ceiling);
    console.log('');
    console.log(
      `  fast path: ${fmt(ratio, 1)}× the naive baseline (target ≥ ${TARGET_RATIO}×), ` +
        `${fmt((100 * fastRate) / ceilingRate, 0)}% of the RSA ceiling; ` +
        `time per delivery beyond the two RSA signatures: ${fmt(1000 / fastRate - 1000 / ceilingRate, 3)} ms`,
    );

    // Checks of one fast-path output (outside the timed loops).
    const trust = new TrustStore({ cas: [pki.caCertPem] });
    const checks: Check[] = [verifyCheck('verifyDelivery (sender + seal, test CA)', sample, trust)];
    const naiveCheck = verifyCheck('verifyDelivery of the naive output (info only)', naiveSample, trust);
    if (xmlsec1Available()) {
      const signedStandalone = signDelivery(input, sender);
      const sealed = sample;
      checks.push(xmlsec1Check('xmlsec1 sender layer (standalone SignedDelivery)', dir, 'signed', signedStandalone, pki.caCertPath));
      checks.push(
        xmlsec1Check(
          'xmlsec1 seal (SealedDelivery, last Signature)',
          dir,
          'sealed',
          sealed,
          pki.caCertPath,
          "/*[local-name()='SealedDelivery']/*[local-name()='Signature']",
        ),
      );
    } else {
      console.log('  xmlsec1 not on PATH: independent checks skipped');
    }
    console.log('');
    console.log(
      table(
        ['check', 'result', 'detail'],
        [...checks, naiveCheck].map((c) => [c.name, c.ok ? 'PASS' : 'FAIL', c.detail.length > 140 ? `${c.detail.slice(0, 137)}…` : c.detail]),
        [false, false, false],
      ),
    );

    const failed = checks.filter((c) => !c.ok);
    console.log('');
    console.log(
      `SUMMARY sign+seal (100 KB PDF): fast path ${fmt(fastRate)} deliveries/s/core vs naive xml-crypto ${fmt(base, 1)}/s = ` +
        `${fmt(ratio, 1)}× (target ≥ ${TARGET_RATIO}×: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}; ` +
        `~${TARGET_FAST_PATH}/s expected: ${fastRate >= TARGET_FAST_PATH ? 'met' : 'below'}), RSA ceiling ${fmt(ceilingRate)}/s; ` +
        `checks ${checks.length - failed.length}/${checks.length} passed`,
    );
    return failed.length === 0 ? 0 : 1;
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
