import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { spawn } from 'node:child_process';
import forge from 'node-forge';
import { ensureTestPki, PkiSpec } from './pki';

const spec: PkiSpec = {
  intermediary: { orgnr: '5590026042', name: 'Dispatch Hub AB' },
  municipalities: [
    { orgnr: '2120001124', name: 'Malmö stad' },
    { orgnr: '2120000142', name: 'Stockholms kommun' },
  ],
  servers: [
    { name: 'far', commonName: 'far.localhost' },
    { name: 'operator-kivra', orgnr: '5568402266', commonName: 'Kivra' },
  ],
};

describe('ensureTestPki', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pki-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('issues certificates that chain to the CA and carry the organisation serialNumber', async () => {
    const pki = await ensureTestPki(dir, spec);
    const ca = new crypto.X509Certificate(pki.caCertPem);
    expect(ca.subject).toContain('CN=Dispatch Hub Test CA');
    expect(ca.ca).toBe(true);

    const all = [pki.intermediary, ...Object.values(pki.municipalities), ...Object.values(pki.servers)];
    expect(all).toHaveLength(5);
    for (const issued of all) {
      const x = new crypto.X509Certificate(issued.certPem);
      expect(x.verify(ca.publicKey)).toBe(true);
      expect(x.checkIssued(ca)).toBe(true);
      expect(x.checkPrivateKey(crypto.createPrivateKey(issued.keyPem))).toBe(true);
      expect(x.ca).toBe(false);
      expect(x.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
      expect((x.publicKey.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048).toBe(true);
      expect(fs.statSync(issued.keyPath).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(issued.certPath, 'utf8')).toBe(issued.certPem);
      const notAfter = Date.parse(x.validTo);
      expect(notAfter).toBeGreaterThan(Date.now() + 700 * 24 * 3600 * 1000);
      expect(Date.parse(x.validFrom)).toBeLessThan(Date.now());
    }

    const inter = new crypto.X509Certificate(pki.intermediary.certPem);
    expect(inter.subject.split('\n')).toEqual(
      expect.arrayContaining(['C=SE', 'O=Dispatch Hub AB', 'CN=Dispatch Hub AB', 'serialNumber=165590026042']),
    );
    expect(pki.intermediary.subject).toBe('CN=Dispatch Hub AB, SERIALNUMBER=165590026042, O=Dispatch Hub AB, C=SE');
    expect(pki.servers.far.subject).toBe('CN=far.localhost, C=SE');

    const malmo = new crypto.X509Certificate(pki.municipalities['2120001124'].certPem);
    expect(malmo.subject.split('\n')).toEqual(
      expect.arrayContaining(['CN=Malmö stad', 'O=Malmö stad', 'serialNumber=162120001124']),
    );

    const far = new crypto.X509Certificate(pki.servers.far.certPem);
    expect(far.subjectAltName).toContain('DNS:localhost');
    expect(far.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(far.checkHost('localhost')).toBe('localhost');
    expect(far.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(far.subject).not.toContain('serialNumber');
    expect(new crypto.X509Certificate(pki.servers['operator-kivra'].certPem).subject).toContain('serialNumber=165568402266');
  });

  it('writes a PKCS#12 for the förmedlare that OpenSSL (via Node) and forge can open', async () => {
    const pki = await ensureTestPki(dir, spec);
    const p12 = fs.readFileSync(pki.intermediary.p12Path!);
    expect(fs.statSync(pki.intermediary.p12Path!).mode & 0o777).toBe(0o600);
    expect(() => tls.createSecureContext({ pfx: p12, passphrase: 'changeit' })).not.toThrow();
    expect(() => tls.createSecureContext({ pfx: p12, passphrase: 'wrong' })).toThrow();

    const parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(p12.toString('binary')), 'changeit');
    const keyBags = parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag]!;
    const certBags = parsed.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag]!;
    expect(keyBags).toHaveLength(1);
    expect(certBags.map((b) => forge.pki.certificateToPem(b.cert!).replace(/\r\n/g, '\n'))).toContain(
      pki.intermediary.certPem.replace(/\r\n/g, '\n'),
    );
  });

  it('reuses the files on a second call and adds what a changed spec needs', async () => {
    const first = await ensureTestPki(dir, spec);
    const second = await ensureTestPki(dir, spec);
    expect(second).toEqual(first);

    const grown = await ensureTestPki(dir, {
      ...spec,
      municipalities: [...spec.municipalities, { orgnr: '212000-1355', name: 'Göteborgs kommun' }],
    });
    expect(grown.caCertPem).toBe(first.caCertPem);
    expect(grown.intermediary.certPem).toBe(first.intermediary.certPem);
    expect(grown.municipalities['2120001124'].certPem).toBe(first.municipalities['2120001124'].certPem);
    const added = new crypto.X509Certificate(grown.municipalities['2120001355'].certPem);
    expect(added.subject).toContain('serialNumber=162120001355');
    expect(added.verify(new crypto.X509Certificate(first.caCertPem).publicKey)).toBe(true);

    // A renamed municipality must get a new certificate, the others stay.
    const renamed = await ensureTestPki(dir, {
      ...spec,
      municipalities: [{ orgnr: '2120001124', name: 'Malmö kommun' }, spec.municipalities[1]],
    });
    expect(renamed.municipalities['2120001124'].certPem).not.toBe(first.municipalities['2120001124'].certPem);
    expect(renamed.municipalities['2120001124'].subject).toContain('CN=Malmö kommun');
    expect(renamed.municipalities['2120000142'].certPem).toBe(first.municipalities['2120000142'].certPem);
  });

  it('rebuilds a PKI whose CA file was removed', async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'pki-'));
    try {
      const first = await ensureTestPki(own, spec);
      fs.rmSync(first.caCertPath);
      const second = await ensureTestPki(own, spec);
      expect(second.caCertPem).not.toBe(first.caCertPem);
      const ca = new crypto.X509Certificate(second.caCertPem);
      expect(new crypto.X509Certificate(second.intermediary.certPem).verify(ca.publicKey)).toBe(true);
    } finally {
      fs.rmSync(own, { recursive: true, force: true });
    }
  });

  it('refuses a spec it cannot turn into files', async () => {
    await expect(ensureTestPki(dir, { ...spec, servers: [{ name: '../x', commonName: 'x' }] })).rejects.toThrow(/file stem/);
    await expect(
      ensureTestPki(dir, { ...spec, municipalities: [{ orgnr: '123', name: 'x' }] }),
    ).rejects.toThrow(/10 digits/);
  });

  it('survives two processes generating into the same directory at once', async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'pki-'));
    try {
      // Separate processes, not promises in one event loop: generation is synchronous inside the lock.
      const runner = path.join(own, 'run.js');
      fs.writeFileSync(
        runner,
        `const { transformSync } = require(${JSON.stringify(require.resolve('@swc/core'))});
         const fs = require('fs'); const Module = require('module');
         const src = fs.readFileSync(${JSON.stringify(path.join(__dirname, 'pki.ts'))}, 'utf8');
         const { code } = transformSync(src, { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
         const m = new Module(${JSON.stringify(path.join(__dirname, 'pki.ts'))});
         m.paths = Module._nodeModulePaths(${JSON.stringify(__dirname)});
         m._compile(code, ${JSON.stringify(path.join(__dirname, 'pki.js'))});
         m.exports.ensureTestPki(process.argv[2], JSON.parse(process.argv[3]))
           .then((p) => { process.stdout.write(JSON.stringify({ ca: p.caCertPem, inter: p.intermediary.certPem })); })
           .catch((e) => { console.error(e); process.exit(1); });`,
      );
      const run = (): Promise<string> =>
        new Promise((resolve, reject) => {
          const child = spawn(process.execPath, [runner, path.join(own, 'pki'), JSON.stringify(spec)], {
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child failed: ${err}`))));
        });
      const results = await Promise.all([run(), run(), run()]);
      const parsed = results.map((r) => JSON.parse(r) as { ca: string; inter: string });
      expect(new Set(parsed.map((p) => p.ca)).size).toBe(1);
      expect(new Set(parsed.map((p) => p.inter)).size).toBe(1);
      const final = await ensureTestPki(path.join(own, 'pki'), spec);
      expect(final.caCertPem).toBe(parsed[0].ca);
      expect(fs.readdirSync(path.join(own, 'pki')).filter((f) => f.endsWith('.tmp') || f === '.pki.lock')).toEqual([]);
    } finally {
      fs.rmSync(own, { recursive: true, force: true });
    }
  }, 60_000);
});
