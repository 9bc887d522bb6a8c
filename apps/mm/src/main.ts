import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Command } from 'commander';
import {
  checkRecipientId,
  DeliveryValidationError,
  FarClient,
  MailboxOperatorClient,
  MinaMeddelandenError,
  sealDelivery,
  signDelivery,
  SignatureVerificationError,
  toDeliverSecureEnvelope,
  toOrganisationId,
  TransportFailure,
  TrustStore,
  verifyDelivery,
} from '@hub/mina-meddelanden';
import { ensureTestPki } from '@hub/testing';
import { loadSeed, pkiSpecForSeed } from '../../simulators/src/seed';
import { makeDemoPdf } from './demo-pdf';
import { CommonOptions, MmConfig, UsageError } from './mm-config';

const DEFAULT_SENDER = '2120001231';

const out = (line = '') => process.stdout.write(`${line}\n`);

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function withCommon(cmd: Command): Command {
  return cmd
    .option('--far-url <url>', 'FaR endpoint (default: the local simulator)')
    .option('--cert <pem>', 'TLS client certificate = förmedlare certificate (PEM)')
    .option('--key <pem>', 'its private key (PEM)')
    .option('--p12 <file>', 'förmedlare certificate and key as PKCS#12 instead of --cert/--key')
    .option('--p12-password <password>', 'password of --p12')
    .option('--ca <pem>', 'CA certificate(s) to trust for the servers (repeatable)', collect)
    .option('--pki <dir>', 'directory of the local test PKI (default .data/pki)')
    .option('--endpoints <file>', 'endpoints written by the simulators (default .data/simulators.json)');
}

function orgId(raw: string): string {
  const r = toOrganisationId(raw);
  if (!r.ok) throw new UsageError(`--sender ${raw}: ${r.message}`);
  return r.id;
}

async function reachable(ids: string[], opts: CommonOptions & { sender: string; json?: boolean }): Promise<number> {
  const cfg = new MmConfig(opts);
  const far = new FarClient({ url: cfg.farUrl, tls: cfg.tls() });
  try {
    const answers = await far.isReachable(orgId(opts.sender), ids);
    if (opts.json) {
      out(JSON.stringify(answers, null, 2));
    } else {
      for (const a of answers) {
        out(
          a.deliverable
            ? `${a.recipientId}  digital: yes  via ${a.operator!.name} (${a.operator!.id}) ${a.operator!.serviceAddress}`
            : `${a.recipientId}  digital: no   reason: ${a.reason}${a.operator ? ` (operator ${a.operator.name})` : ''}`,
        );
      }
    }
    return 0;
  } finally {
    far.close();
  }
}

function trustFrom(paths: string[] | undefined, cfg: MmConfig): TrustStore {
  const pems = paths?.length ? paths.map((p) => readFileSync(p, 'utf8')) : cfg.caPems;
  const cas: string[] = [];
  const certs: string[] = [];
  for (const pem of pems) {
    for (const block of pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) {
      (new X509Certificate(block).ca ? cas : certs).push(block);
    }
  }
  return new TrustStore({ cas, certificates: certs });
}

function verify(file: string, opts: CommonOptions & { trust?: string[]; allowSha1?: boolean; seal: boolean; at?: string }): number {
  const cfg = new MmConfig(opts);
  const trust = trustFrom(opts.trust, cfg);
  const at = opts.at ? new Date(opts.at) : undefined;
  if (at && Number.isNaN(at.getTime())) throw new UsageError(`--at ${opts.at} is not a date`);
  try {
    const v = verifyDelivery(readFileSync(file), { senderTrust: trust, sealTrust: trust, requireSeal: opts.seal, allowSha1: opts.allowSha1, at });
    out(
      `OK ${basename(file)}: sender signature by "${v.sender.subject}"` +
        (v.seal ? `; seal by "${v.seal.subject}" (received ${v.seal.receivedTime})` : '; no seal checked') +
        `; recipient ${v.delivery.recipient}, ${v.delivery.messages.length} message(s)`,
    );
    return 0;
  } catch (e) {
    if (e instanceof SignatureVerificationError) {
      out(`FAILED ${basename(file)}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

async function send(
  opts: CommonOptions & { to: string; subject: string; body: string; attach?: string[]; sender: string; html?: boolean; senderCert?: string; senderKey?: string },
): Promise<number> {
  const cfg = new MmConfig(opts);
  const senderId = orgId(opts.sender);
  const to = checkRecipientId(opts.to);
  if (!to.ok) throw new UsageError(`--to ${opts.to}: ${to.message}`);
  const intermediary = cfg.intermediary;
  const sender = cfg.sender(senderId, opts.senderCert, opts.senderKey);
  const tls = cfg.tls(intermediary);
  const far = new FarClient({ url: cfg.farUrl, tls });
  const operators = new MailboxOperatorClient({ tls });
  try {
    out(`1. FaR isReachable ${cfg.farUrl}`);
    const [r] = await far.isReachable(senderId, [opts.to]);
    if (!r.deliverable) {
      out(`   ${opts.to} cannot take digital mail from ${senderId}: ${r.reason}`);
      return 2;
    }
    out(`   deliverable via ${r.operator!.name} (${r.operator!.id}) at ${r.operator!.serviceAddress}`);
    const attachments = (opts.attach ?? []).map((p) => ({ contentType: 'application/pdf', filename: basename(p), content: readFileSync(p) }));
    const started = Date.now();
    const signed = signDelivery(
      {
        sender: { id: senderId, name: sender.certificate.subject.match(/O=([^\n]+)/)?.[1] ?? 'Avsändare' },
        recipient: opts.to,
        reference: `mm-${Date.now()}`,
        messages: [
          {
            id: `mm-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
            subject: opts.subject,
            supportInfo: { text: 'Skickat med mm (dispatch-hub)' },
            body: { contentType: opts.html ? 'text/html' : 'text/plain', text: opts.body },
            attachments,
          },
        ],
      },
      sender,
    );
    out(`2. signed as sender "${sender.subjectName}" (${Buffer.byteLength(signed)} bytes)`);
    const sealed = sealDelivery(signed, intermediary);
    out(`3. sealed as förmedlare "${intermediary.subjectName}" (${Buffer.byteLength(sealed)} bytes, ${Date.now() - started} ms)`);
    const result = await operators.deliverSecure(r.operator!.serviceAddress, sealed);
    out(`4. deliverSecure: TransId ${result.transId}, Delivered ${result.delivered}`);
    return result.delivered ? 0 : 1;
  } finally {
    far.close();
    operators.close();
  }
}

async function demoDelivery(opts: CommonOptions & { out: string; seed: string }): Promise<number> {
  const cfg = new MmConfig(opts);
  const seed = loadSeed(resolve(opts.seed));
  const pki = await ensureTestPki(cfg.pkiDir, pkiSpecForSeed(seed));
  const sender = cfg.sender(DEFAULT_SENDER);
  const intermediary = cfg.intermediary;
  const pdf = await makeDemoPdf('Beslut – bygglov', ['Ärende BN 2026-123.', 'Åtgärd: nybyggnad av garage på fastigheten Åkerö 1:23.', 'Beslutet kan överklagas inom tre veckor.']);
  const signed = signDelivery(
    {
      sender: { id: `16${DEFAULT_SENDER}`, name: 'Demo kommun' },
      recipient: '198101032384',
      reference: 'BN 2026-123',
      correlationId: 'demo-1',
      messages: [
        {
          id: 'demo-message-1',
          subject: 'Beslut om bygglov för Åkerö 1:23',
          supportInfo: { text: 'Frågor om beslutet? Kontakta bygglovsenheten.', phoneNumber: '0000-00 00 00' },
          body: { contentType: 'text/plain', text: 'Hej!\n\nBeslutet i ditt ärende finns som bilaga.\n\nMed vänlig hälsning\nDemo kommun' },
          attachments: [{ contentType: 'application/pdf', filename: 'beslut.pdf', content: pdf }],
        },
      ],
    },
    sender,
  );
  const sealed = sealDelivery(signed, intermediary);
  const dir = resolve(opts.out);
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string | Buffer> = {
    'sealed-delivery.xml': sealed,
    'signed-delivery.xml': signed,
    'deliver-secure.soap.xml': toDeliverSecureEnvelope(sealed),
    'sender-cert.pem': sender.certificatePem,
    'seal-cert.pem': intermediary.certificatePem,
    'ca.pem': pki.caCertPem,
    'beslut.pdf': pdf,
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  out(`wrote ${Object.keys(files).join(', ')} to ${dir}`);
  out('check them with any XML-DSig tool, e.g. xmlsec1:');
  out(`  xmlsec1 --verify --trusted-pem ${join(dir, 'ca.pem')} ${join(dir, 'signed-delivery.xml')}`);
  out(
    `  xmlsec1 --verify --trusted-pem ${join(dir, 'ca.pem')} --node-xpath "/*[local-name()='SealedDelivery']/*[local-name()='Signature']" ${join(dir, 'sealed-delivery.xml')}`,
  );
  out(`  mm verify ${join(dir, 'deliver-secure.soap.xml')} --trust ${join(dir, 'ca.pem')}`);
  return 0;
}

export function buildProgram(exit: (code: number) => void): Command {
  const program = new Command('mm')
    .description('Mina meddelanden v3 from the command line: ask FaR, verify signed deliveries, send through the whole flow')
    .showHelpAfterError();
  const run = (fn: () => Promise<number> | number) => async () => exit(await fn());

  withCommon(program.command('reachable <recipientId...>'))
    .description('ask FaR whether recipients can take digital mail from a sender')
    .requiredOption('--sender <orgnr>', 'sending organisation (organisationsnummer, or 16 + it)')
    .option('--json', 'print the answers as JSON')
    .action((ids: string[], o) => run(() => reachable(ids, o))());

  withCommon(program.command('verify <file>'))
    .description('verify a SignedDelivery, SealedDelivery or SOAP deliverSecure envelope (both layers)')
    .option('--trust <pem>', 'trusted certificate or CA (repeatable; default: the local test CA)', collect)
    .option('--allow-sha1', 'accept rsa-sha1/sha1 signatures')
    .option('--no-seal', 'do not require the förmedlare seal')
    .option('--at <date>', 'check certificate validity at this time instead of now')
    .action((file: string, o) => run(() => verify(file, o))());

  withCommon(program.command('send'))
    .description('reachability, sign, seal and deliver one message (against the simulators by default)')
    .requiredOption('--to <recipientId>', 'personnummer, samordningsnummer or 16 + organisationsnummer')
    .requiredOption('--subject <subject>', 'subject (ledtext), at most 255 characters')
    .requiredOption('--body <text>', 'message text')
    .option('--html', 'the body is HTML')
    .option('--attach <file.pdf>', 'attach a PDF (repeatable)', collect)
    .option('--sender <orgnr>', 'sending organisation', DEFAULT_SENDER)
    .option('--sender-cert <pem>', "sender's signing certificate (default: from the test PKI)")
    .option('--sender-key <pem>', "sender's signing key")
    .action((o) => run(() => send(o))());

  withCommon(program.command('demo-delivery'))
    .description('write a signed and sealed delivery with a PDF attachment, and the certificates to check it')
    .requiredOption('--out <dir>', 'output directory')
    .option('--seed <file>', 'simulator seed describing the test PKI', 'apps/simulators/seed/demo.json')
    .action((o) => run(() => demoDelivery(o))());
  return program;
}

export async function main(): Promise<void> {
  const exit = (code: number) => {
    process.exitCode = code;
  };
  try {
    await buildProgram(exit).parseAsync(process.argv);
  } catch (e) {
    process.exitCode = report(e);
  }
}

function report(e: unknown): number {
  if (e instanceof UsageError) {
    process.stderr.write(`mm: ${e.message}\n`);
    return 2;
  }
  if (e instanceof DeliveryValidationError) {
    process.stderr.write(`mm: the message is not valid:\n${e.violations.map((v) => `  ${v.field}: ${v.message}`).join('\n')}\n`);
    return 2;
  }
  if (e instanceof TransportFailure) {
    process.stderr.write(`mm: ${e.message} (${e.kind})\n`);
    return 1;
  }
  if (e instanceof MinaMeddelandenError) {
    process.stderr.write(`mm: ${e.message}\n`);
    return 1;
  }
  process.stderr.write(`mm: ${(e as Error).stack ?? e}\n`);
  return 1;
}

if (require.main === module) void main();
