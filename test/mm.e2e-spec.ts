/**
 * End to end through real processes: the compiled simulators (FaR + two mailbox operators over
 * HTTPS with mutual TLS) and the `mm` command line, plus xmlsec1 as an independent XML-DSig verifier.
 * Needs `npm run build` first (the test command in the README does it) and xmlsec1 (apt-get install xmlsec1).
 */
import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPdf } from '@hub/testing';
import { withFreePorts } from '../apps/simulators/src/seed';

const ROOT = join(__dirname, '..');
const SIMULATORS_MAIN = join(ROOT, 'dist', 'apps', 'simulators', 'src', 'main.js');
const MM_MAIN = join(ROOT, 'dist', 'apps', 'mm', 'src', 'main.js');
const FIXTURES = join(ROOT, 'libs', 'mina-meddelanden', 'test-fixtures');

interface Endpoints {
  far: string;
  admin: string;
  pkiDir: string;
  operators: Record<string, { id: string; name: string; url: string }>;
}

interface StoredDelivery {
  transId: string;
  recipient: string;
  senderId: string;
  subjects: string[];
  attachments: { filename: string; contentType: string; bytes: number; checksum: string }[];
  senderCertificate: string;
  sealCertificate: string;
}

let tmp: string;
let seedFile: string;
let endpointsFile: string;
let endpoints: Endpoints;
let simulators: ChildProcess | undefined;
let simulatorsLog: string;

// Whatever happens to the test run, do not leave the simulators behind.
const killSimulators = (): void => {
  if (simulators && simulators.exitCode === null && simulators.signalCode === null) simulators.kill('SIGTERM');
};
process.on('exit', killSimulators);

/** Runs `node bin/mm.js <args> --endpoints <file>` from the repository root. */
function mm(...args: string[]): SpawnSyncReturns<string> & { output: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MM_')));
  const r = spawnSync(process.execPath, ['bin/mm.js', ...args, '--endpoints', endpointsFile], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
  if (r.error) throw r.error;
  return Object.assign(r, { output: `exit ${r.status}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}` });
}

/** Asserts the exit code, showing the whole output when it differs. */
function expectExit(r: { status: number | null; output: string }, code: number): void {
  if (r.status !== code) throw new Error(`expected exit ${code}, got:\n${r.output}`);
}

function xmlsec1(...args: string[]): SpawnSyncReturns<string> {
  const r = spawnSync('xmlsec1', args, { encoding: 'utf8', timeout: 60_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('xmlsec1 is not installed; it is the independent verifier of these tests: apt-get install xmlsec1');
  }
  if (r.error) throw r.error;
  return r;
}


async function admin<T>(path: string): Promise<T> {
  const res = await fetch(`${endpoints.admin}${path}`);
  if (res.status !== 200) throw new Error(`admin ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Starts the compiled simulators and resolves with what they print once they listen. */
function startSimulators(): Promise<void> {
  return new Promise((resolve, reject) => {
    // stderr goes to a file: nothing must block the simulators while spawnSync blocks this process.
    const logFd = openSync(simulatorsLog, 'w');
    const child = spawn(process.execPath, [SIMULATORS_MAIN, '--seed', seedFile, '--endpoints', endpointsFile], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', logFd],
    });
    closeSync(logFd);
    simulators = child;
    let stdout = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      killSimulators();
      const log = existsSync(simulatorsLog) ? readFileSync(simulatorsLog, 'utf8') : '';
      reject(new Error(`simulators did not start: ${why}\n--- stdout\n${stdout}--- stderr\n${log}`));
    };
    // A guard against hanging forever, not a measurement: key generation takes a few seconds.
    const timer = setTimeout(() => fail('no SIMULATORS READY within 90 s'), 90_000);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      stdout += chunk;
      if (/^SIMULATORS READY \{.*\}$/m.test(stdout)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('error', (e) => fail(e.message));
    child.on('exit', (code, signal) => fail(`exited with ${code ?? signal}`));
  });
}

beforeAll(async () => {
  if (!existsSync(SIMULATORS_MAIN) || !existsSync(MM_MAIN)) {
    throw new Error(`${existsSync(SIMULATORS_MAIN) ? MM_MAIN : SIMULATORS_MAIN} does not exist: run \`npm run build\` before the end-to-end tests`);
  }
  tmp = mkdtempSync(join(tmpdir(), 'mm-e2e-'));
  seedFile = join(tmp, 'seed.json');
  endpointsFile = join(tmp, 'simulators.json');
  simulatorsLog = join(tmp, 'simulators.log');
  const seed = JSON.parse(readFileSync(join(ROOT, 'apps', 'simulators', 'seed', 'demo.json'), 'utf8'));
  seed.pkiDir = join(tmp, 'pki');
  withFreePorts(seed);
  delete seed.printVendor; // it would poll the demo API's port
  writeFileSync(seedFile, JSON.stringify(seed, null, 2));
  await startSimulators();
  endpoints = JSON.parse(readFileSync(endpointsFile, 'utf8')) as Endpoints;
  expect(endpoints.pkiDir).toBe(seed.pkiDir);
});

afterAll(async () => {
  const child = simulators;
  if (child && child.exitCode === null && child.signalCode === null) {
    child.removeAllListeners('exit');
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
  process.off('exit', killSimulators);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('mm reachable', () => {
  it('lists deliverable recipients with their operator, and the reason for the others', () => {
    const r = mm('reachable', '198101032384', '195001182046', '165599000030', '201001012382', '199001032391', '199001022384', '200001011493', '--sender', '2120001231');
    expectExit(r, 0);
    const { kivra, minmyndighetspost: mmp } = endpoints.operators;
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      `198101032384  digital: yes  via ${kivra.name} (${kivra.id}) ${kivra.url}`,
      `195001182046  digital: yes  via ${mmp.name} (${mmp.id}) ${mmp.url}`,
      `165599000030  digital: yes  via ${kivra.name} (${kivra.id}) ${kivra.url}`,
      '201001012382  digital: no   reason: NOT_REGISTERED',
      '199001032391  digital: no   reason: NOT_REGISTERED',
      `199001022384  digital: no   reason: PENDING (operator ${kivra.name})`,
      `200001011493  digital: no   reason: SENDER_NOT_ACCEPTED (operator ${kivra.name})`,
    ]);
  });

  it('answers per sender (a recipient who blocked one sender) and as JSON', () => {
    const blocked = mm('reachable', '198001032385', '--sender', '162120009879', '--json');
    expectExit(blocked, 0);
    expect(JSON.parse(blocked.stdout)).toEqual([
      expect.objectContaining({ recipientId: '198001032385', deliverable: false, reason: 'SENDER_NOT_ACCEPTED', accountType: 'Secure' }),
    ]);
    const fine = mm('reachable', '198001032385', '--sender', '2120001231');
    expectExit(fine, 0);
    expect(fine.stdout).toMatch(/^198001032385 {2}digital: yes/);
  });
});

describe('mm send', () => {
  let pdfPath: string;
  let pdf: Buffer;
  beforeAll(async () => {
    pdf = await makeTestPdf('Beslut om bygglov, ärende BN 2026-7');
    pdfPath = join(tmp, 'beslut-bn-2026-7.pdf');
    writeFileSync(pdfPath, pdf);
  });

  it('goes through reachability, signing, sealing and deliverSecure, and the operator holds exactly that delivery', async () => {
    const subject = `Beslut om bygglov ${Date.now()}`;
    const r = mm('send', '--to', '198101032384', '--subject', subject, '--body', 'Hej! Beslutet finns som bilaga.', '--attach', pdfPath);
    expectExit(r, 0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe(`1. FaR isReachable ${endpoints.far}`);
    expect(lines[1]).toBe(`   deliverable via ${endpoints.operators.kivra.name} (${endpoints.operators.kivra.id}) at ${endpoints.operators.kivra.url}`);
    expect(lines[2]).toMatch(/^2\. signed as sender "CN=Demo kommun, SERIALNUMBER=162120001231, O=Demo kommun, C=SE" \(\d+ bytes\)$/);
    expect(lines[3]).toMatch(/^3\. sealed as förmedlare "CN=Dispatch Hub Förmedling AB, SERIALNUMBER=165591234561, O=Dispatch Hub Förmedling AB, C=SE" \(\d+ bytes, \d+ ms\)$/);
    const step4 = /^4\. deliverSecure: TransId ([0-9a-f-]{36}), Delivered true$/.exec(lines[4]);
    expect(step4).not.toBeNull();
    const transId = step4![1];

    const atKivra = await admin<StoredDelivery[]>('/operators/kivra/deliveries?recipient=198101032384');
    expect(atKivra).toHaveLength(1);
    expect(atKivra[0]).toMatchObject({
      transId,
      recipient: '198101032384',
      senderId: '162120001231',
      subjects: [subject],
      attachments: [
        {
          filename: 'beslut-bn-2026-7.pdf',
          contentType: 'application/pdf',
          bytes: pdf.length,
          checksum: createHash('md5').update(pdf).digest('hex').toUpperCase(),
        },
      ],
    });
    expect(atKivra[0].senderCertificate).toContain('SERIALNUMBER=162120001231');
    expect(atKivra[0].sealCertificate).toContain('SERIALNUMBER=165591234561');
    expect(await admin<StoredDelivery>(`/operators/kivra/deliveries/${transId}`)).toMatchObject({ transId });
    expect(await admin<StoredDelivery[]>('/operators/minmyndighetspost/deliveries')).toEqual([]);
  });

  it('exits 2 with the reason for a recipient who cannot take digital mail', () => {
    const r = mm('send', '--to', '201001012382', '--subject', 'Hej', '--body', 'Text');
    expectExit(r, 2);
    expect(r.stdout).toContain('201001012382 cannot take digital mail from 162120001231: NOT_REGISTERED');
    expect(r.stdout).not.toMatch(/^2\. /m);
  });

  it('exits 2 naming the field for an invalid personnummer, before contacting anyone', async () => {
    const before = await admin<{ stats: { requests: number } }>('/far');
    const r = mm('send', '--to', '198101032385', '--subject', 'Hej', '--body', 'Text');
    expectExit(r, 2);
    expect(r.stderr).toMatch(/--to 198101032385: .*check digit/);
    expect(r.stdout).toBe('');
    expect((await admin<{ stats: { requests: number } }>('/far')).stats.requests).toBe(before.stats.requests);
  });
});

describe('mm demo-delivery, mm verify and xmlsec1', () => {
  let out: string;
  const file = (name: string): string => join(out, name);
  const ATTACHMENT = /(<Attachment><ContentType xmlns="[^"]+">application\/pdf<\/ContentType><Body xmlns="[^"]+">)([A-Za-z0-9+/=]+)(<\/Body>)/;

  /** The document with one byte of the (decoded) PDF attachment changed, re-encoded as base64. */
  function withAttachmentByteChanged(xml: string): string {
    const m = ATTACHMENT.exec(xml);
    if (!m) throw new Error('no PDF attachment found');
    const bytes = Buffer.from(m[2], 'base64');
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    const changed = xml.replace(ATTACHMENT, `$1${bytes.toString('base64')}$3`);
    expect(changed).not.toBe(xml);
    expect(changed.length).toBe(xml.length);
    return changed;
  }

  /** Pretty-printed: each element on its own line, indented by depth (as an editor would). */
  function reindented(xml: string): string {
    const tokens = xml.match(/<[^>]+>|[^<]+/g)!;
    let depth = 0;
    let prevWasTag = false;
    let result = '';
    for (const t of tokens) {
      const isTag = t.startsWith('<');
      const closing = t.startsWith('</');
      if (isTag && closing) depth--;
      if (isTag && prevWasTag && result !== '') result += '\n' + '  '.repeat(depth);
      result += t;
      if (isTag && !closing && !t.endsWith('/>') && !t.startsWith('<?')) depth++;
      prevWasTag = isTag;
    }
    return result + '\n';
  }

  beforeAll(() => {
    out = join(tmp, 'demo');
    const r = mm('demo-delivery', '--out', out, '--seed', seedFile);
    expectExit(r, 0);
  });

  it('writes the documents and the certificates to check them', () => {
    for (const name of ['sealed-delivery.xml', 'signed-delivery.xml', 'deliver-secure.soap.xml', 'sender-cert.pem', 'seal-cert.pem', 'ca.pem']) {
      expect(existsSync(file(name))).toBe(true);
    }
    expect(new X509Certificate(readFileSync(file('ca.pem'))).ca).toBe(true);
    expect(readFileSync(file('ca.pem'), 'utf8')).toBe(readFileSync(join(endpoints.pkiDir, 'ca.crt.pem'), 'utf8'));
    expect(new X509Certificate(readFileSync(file('sender-cert.pem'))).subject).toContain('serialNumber=162120001231');
    expect(new X509Certificate(readFileSync(file('seal-cert.pem'))).subject).toContain('serialNumber=165591234561');
    expect(readFileSync(file('sealed-delivery.xml'), 'utf8')).toMatch(/^<SealedDelivery xmlns="http:\/\/minameddelanden\.gov\.se\/schema\/Message\/v3">/);
    expect(readFileSync(file('deliver-secure.soap.xml'), 'utf8')).toContain('<deliverSecure xmlns="http://minameddelanden.gov.se/schema/Service/v3"><deliverSecure>');
  });

  it('mm verify accepts the standalone and the SOAP form, naming both certificates', () => {
    for (const name of ['sealed-delivery.xml', 'deliver-secure.soap.xml']) {
      const r = mm('verify', file(name), '--trust', file('ca.pem'));
      expectExit(r, 0);
      expect(r.stdout).toMatch(
        new RegExp(
          `^OK ${name.replace(/\./g, '\\.')}: sender signature by "CN=Demo kommun, SERIALNUMBER=162120001231, O=Demo kommun, C=SE"; ` +
            `seal by "CN=Dispatch Hub Förmedling AB, SERIALNUMBER=165591234561, O=Dispatch Hub Förmedling AB, C=SE" \\(received \\d{4}-\\d\\d-\\d\\d[+-]\\d\\d:\\d\\d\\); ` +
            'recipient 198101032384, 1 message\\(s\\)\\n$',
        ),
      );
    }
    // Default trust: the test CA of the PKI the endpoints file names.
    expectExit(mm('verify', file('deliver-secure.soap.xml')), 0);
    // The sender layer alone: needs --no-seal.
    const signedOnly = mm('verify', file('signed-delivery.xml'), '--trust', file('ca.pem'), '--no-seal');
    expectExit(signedOnly, 0);
    expect(signedOnly.stdout).toContain('no seal checked');
    expectExit(mm('verify', file('signed-delivery.xml'), '--trust', file('ca.pem')), 1);
  });

  it('mm verify refuses a copy with one attachment byte changed, and a re-indented copy', () => {
    const tampered = join(tmp, 'tampered-sealed.xml');
    writeFileSync(tampered, withAttachmentByteChanged(readFileSync(file('sealed-delivery.xml'), 'utf8')));
    const t = mm('verify', tampered, '--trust', file('ca.pem'));
    expectExit(t, 1);
    expect(t.stdout).toMatch(/^FAILED tampered-sealed\.xml: sender signature refused \(invalid-signature\)/);

    const tamperedSoap = join(tmp, 'tampered.soap.xml');
    writeFileSync(tamperedSoap, withAttachmentByteChanged(readFileSync(file('deliver-secure.soap.xml'), 'utf8')));
    expectExit(mm('verify', tamperedSoap, '--trust', file('ca.pem')), 1);

    const pretty = join(tmp, 'reindented-sealed.xml');
    const prettyXml = reindented(readFileSync(file('sealed-delivery.xml'), 'utf8'));
    expect(prettyXml.split('\n').length).toBeGreaterThan(20);
    writeFileSync(pretty, prettyXml);
    const p = mm('verify', pretty, '--trust', file('ca.pem'));
    expectExit(p, 1);
    expect(p.stdout).toMatch(/^FAILED reindented-sealed\.xml: sender signature refused \(invalid-signature\)/);
  });

  it('xmlsec1 verifies both layers under plain exclusive c14n, and refuses the tampered copies', () => {
    const signed = xmlsec1('--verify', '--trusted-pem', file('ca.pem'), file('signed-delivery.xml'));
    if (signed.status !== 0) throw new Error(`xmlsec1 refused signed-delivery.xml:\n${signed.stdout}${signed.stderr}`);
    expect(signed.stderr).toMatch(/^OK$/m);

    const sealXpath = "/*[local-name()='SealedDelivery']/*[local-name()='Signature']";
    const sealed = xmlsec1('--verify', '--trusted-pem', file('ca.pem'), '--node-xpath', sealXpath, file('sealed-delivery.xml'));
    if (sealed.status !== 0) throw new Error(`xmlsec1 refused the seal of sealed-delivery.xml:\n${sealed.stdout}${sealed.stderr}`);
    expect(sealed.stderr).toMatch(/^OK$/m);

    const tamperedSigned = join(tmp, 'xmlsec-tampered-signed.xml');
    writeFileSync(tamperedSigned, withAttachmentByteChanged(readFileSync(file('signed-delivery.xml'), 'utf8')));
    const t1 = xmlsec1('--verify', '--trusted-pem', file('ca.pem'), tamperedSigned);
    expect(t1.status).not.toBe(0);
    expect(t1.stderr).not.toMatch(/^OK$/m);

    const tamperedSealed = join(tmp, 'xmlsec-tampered-sealed.xml');
    writeFileSync(tamperedSealed, withAttachmentByteChanged(readFileSync(file('sealed-delivery.xml'), 'utf8')));
    const t2 = xmlsec1('--verify', '--trusted-pem', file('ca.pem'), '--node-xpath', sealXpath, tamperedSealed);
    expect(t2.status).not.toBe(0);
    expect(t2.stderr).not.toMatch(/^OK$/m);
  });
});

describe('mm verify on real samples', () => {
  it('verifies the Kivra wire sample with its test certificate trusted and SHA-1 allowed', () => {
    const r = mm('verify', join(FIXTURES, 'wire-v3', 'kivra-deliverSecure-v3.xml'), '--trust', join(FIXTURES, 'wire-v3', 'kivra-test-cert.pem'), '--allow-sha1');
    expectExit(r, 0);
    expect(r.stdout).toMatch(/^OK kivra-deliverSecure-v3\.xml: sender signature by ".*SERIALNUMBER=165568402266.*"; seal by ".*Kivra AB.*"/);
  });

  it('refuses the Kivra wire sample without that trust', () => {
    const r = mm('verify', join(FIXTURES, 'wire-v3', 'kivra-deliverSecure-v3.xml'), '--allow-sha1');
    expectExit(r, 1);
    expect(r.stdout).toMatch(/^FAILED kivra-deliverSecure-v3\.xml: .*untrusted-certificate/);
  });

  it('verifies SealedDeliveryWithSignature.xml with its own certificate trusted, at the time it was made', () => {
    const sample = join(FIXTURES, 'signed-v3', 'SealedDeliveryWithSignature.xml');
    const b64 = /<X509Certificate>([^<]+)<\/X509Certificate>/.exec(readFileSync(sample, 'utf8'))![1].replace(/\s+/g, '');
    const pem = join(tmp, 'sample-cert.pem');
    writeFileSync(pem, new X509Certificate(Buffer.from(b64, 'base64')).toString());
    const r = mm('verify', sample, '--trust', pem, '--at', '2020-05-28');
    expectExit(r, 0);
    expect(r.stdout).toMatch(/^OK SealedDeliveryWithSignature\.xml: sender signature by ".*Kommun A.*"; seal by ".*"/);
    // The certificate has expired since: without --at it is refused.
    expectExit(mm('verify', sample, '--trust', pem), 1);
  });
});
