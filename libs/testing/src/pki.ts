import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import forge from 'node-forge';

/** What to issue: the hub as förmedlare, one sender certificate per municipality, TLS server certificates. */
export interface PkiSpec {
  /** The hub's förmedlare certificate. `orgnr` is the 10-digit organisationsnummer. */
  intermediary: { orgnr: string; name: string };
  /** One sender (function) certificate per municipality, keyed by 10-digit organisationsnummer. */
  municipalities: { orgnr: string; name: string }[];
  /**
   * TLS server certificates for simulators (SAN DNS:localhost, IP:127.0.0.1). `name` is the file
   * stem (e.g. `far`, `operator-kivra`); `orgnr` adds serialNumber "16"+orgnr to the subject.
   */
  servers: { name: string; orgnr?: string; commonName: string; /** More DNS names for the SAN (e.g. a docker-compose service name). */ dnsNames?: string[] }[];
  /** Password of the förmedlare's PKCS#12 file; default `changeit`. */
  p12Password?: string;
}

/** One issued certificate: PEMs in memory and where they are on disk. */
export interface IssuedCert {
  certPem: string;
  keyPem: string;
  certPath: string;
  keyPath: string;
  /** Only for the förmedlare: PKCS#12 with key, certificate and CA certificate. */
  p12Path?: string;
  /** Subject as an RFC 4514 string, most specific first, e.g. `CN=Malmö stad, SERIALNUMBER=162120001124, O=Malmö stad, C=SE`. */
  subject: string;
}

/** The generated test PKI. */
export interface TestPki {
  dir: string;
  caCertPem: string;
  caCertPath: string;
  intermediary: IssuedCert;
  /** Keyed by the 10-digit organisationsnummer (a hyphen in the spec is dropped). */
  municipalities: Record<string, IssuedCert>;
  /** Keyed by server `name`. */
  servers: Record<string, IssuedCert>;
}

const CA_NAME = 'Dispatch Hub Test CA';
const MANIFEST = 'pki.json';
const LOCK_DIR = '.pki.lock';
// Generation of a dozen RSA keys takes seconds, not minutes; a lock older than this is left over by a crashed process.
const STALE_LOCK_MS = 60_000;
// Reissue a leaf well before it expires so long-lived dev data directories keep working.
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

type SubjectAttr = { shortName: 'C' | 'O' | 'CN' | 'serialNumber'; value: string };

interface LeafRequest {
  id: string;
  stem: string;
  subject: SubjectAttr[];
  san: boolean;
  extraDns?: string[];
  p12Password?: string;
}

interface ManifestEntry {
  /** JSON of what was requested; a different request means the certificate must be reissued. */
  request: string;
  certFile: string;
  keyFile: string;
  p12File?: string;
  certSha256: string;
  notAfter: string;
}

interface Manifest {
  version: 1;
  ca: { certFile: string; keyFile: string; certSha256: string; notAfter: string };
  certs: Record<string, ManifestEntry>;
}

/**
 * Generates a test PKI under `dir`, or reuses what an earlier call wrote there: the CA is kept and
 * only certificates whose spec changed (or that are missing or about to expire) are issued anew.
 * Safe to call from several processes at once (directory lock, files written to a temp name and
 * renamed, `pki.json` written last).
 */
export async function ensureTestPki(dir: string, spec: PkiSpec): Promise<TestPki> {
  const requests = leafRequests(spec);
  const absDir = path.resolve(dir);
  fs.mkdirSync(absDir, { recursive: true });

  // Fast path without the lock: a complete, consistent manifest is all a restart needs.
  const existing = tryReuse(absDir, requests);
  if (existing) return existing;

  const release = await acquireLock(absDir);
  try {
    // Another process may have finished while we waited.
    const again = tryReuse(absDir, requests);
    if (again) return again;
    generate(absDir, requests);
    const done = tryReuse(absDir, requests);
    if (!done) throw new Error(`test PKI in ${absDir} is inconsistent right after generation`);
    return done;
  } finally {
    release();
  }
}

function leafRequests(spec: PkiSpec): LeafRequest[] {
  const orgnr = (raw: string, where: string): string => {
    const digits = String(raw ?? '').replace(/-/g, '');
    if (!/^\d{10}$/.test(digits)) throw new Error(`${where}: organisationsnummer must be 10 digits, got "${raw}"`);
    return digits;
  };
  const requests: LeafRequest[] = [];
  const inter = orgnr(spec.intermediary.orgnr, 'intermediary');
  requests.push({
    id: 'intermediary',
    stem: 'intermediary',
    subject: [
      { shortName: 'C', value: 'SE' },
      { shortName: 'O', value: spec.intermediary.name },
      { shortName: 'serialNumber', value: `16${inter}` },
      { shortName: 'CN', value: spec.intermediary.name },
    ],
    san: false,
    p12Password: spec.p12Password ?? 'changeit',
  });
  const seen = new Set<string>();
  for (const m of spec.municipalities) {
    const nr = orgnr(m.orgnr, `municipality "${m.name}"`);
    if (seen.has(nr)) throw new Error(`municipality ${nr} appears twice in the PKI spec`);
    seen.add(nr);
    requests.push({
      id: `municipality:${nr}`,
      stem: `municipality-${nr}`,
      subject: [
        { shortName: 'C', value: 'SE' },
        { shortName: 'O', value: m.name },
        { shortName: 'serialNumber', value: `16${nr}` },
        { shortName: 'CN', value: m.name },
      ],
      san: false,
    });
  }
  const names = new Set<string>();
  for (const s of spec.servers) {
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(s.name) || s.name === 'ca' || s.name === 'intermediary' || s.name.startsWith('municipality-')) {
      throw new Error(`server name "${s.name}" cannot be a file stem (letters, digits, . _ -; not ca/intermediary/municipality-*)`);
    }
    if (names.has(s.name)) throw new Error(`server "${s.name}" appears twice in the PKI spec`);
    names.add(s.name);
    const subject: SubjectAttr[] = [{ shortName: 'C', value: 'SE' }];
    if (s.orgnr !== undefined) {
      subject.push({ shortName: 'O', value: s.commonName });
      subject.push({ shortName: 'serialNumber', value: `16${orgnr(s.orgnr, `server "${s.name}"`)}` });
    }
    subject.push({ shortName: 'CN', value: s.commonName });
    requests.push({ id: `server:${s.name}`, stem: s.name, subject, san: true, extraDns: s.dnsNames?.length ? [...s.dnsNames] : undefined });
  }
  return requests;
}

function requestKey(r: LeafRequest): string {
  return JSON.stringify({
    subject: r.subject,
    san: r.san,
    extraDns: r.extraDns,
    // The password itself stays out of the manifest; a hash is enough to notice a change.
    p12: r.p12Password === undefined ? undefined : sha256(r.p12Password),
  });
}

function sha256(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}

function readManifest(dir: string): Manifest | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')) as Manifest;
    return m.version === 1 && m.ca && m.certs ? m : undefined;
  } catch {
    return undefined;
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function stillValid(notAfter: string): boolean {
  return Date.parse(notAfter) - Date.now() > RENEW_BEFORE_MS;
}

function tryReuse(dir: string, requests: LeafRequest[]): TestPki | undefined {
  const manifest = readManifest(dir);
  if (!manifest) return undefined;
  const caCertPath = path.join(dir, manifest.ca.certFile);
  const caCertPem = readIfExists(caCertPath);
  if (!caCertPem || sha256(caCertPem) !== manifest.ca.certSha256 || !stillValid(manifest.ca.notAfter)) return undefined;
  if (!fs.existsSync(path.join(dir, manifest.ca.keyFile))) return undefined;

  const issued = new Map<string, IssuedCert>();
  for (const r of requests) {
    const entry = manifest.certs[r.id];
    if (!entry || entry.request !== requestKey(r) || !stillValid(entry.notAfter)) return undefined;
    const certPath = path.join(dir, entry.certFile);
    const keyPath = path.join(dir, entry.keyFile);
    const certPem = readIfExists(certPath);
    const keyPem = readIfExists(keyPath);
    // A hash mismatch means another process is rewriting this entry: take the slow path.
    if (!certPem || !keyPem || sha256(certPem) !== entry.certSha256) return undefined;
    let p12Path: string | undefined;
    if (entry.p12File) {
      p12Path = path.join(dir, entry.p12File);
      if (!fs.existsSync(p12Path)) return undefined;
    }
    issued.set(r.id, { certPem, keyPem, certPath, keyPath, p12Path, subject: rfc4514(r.subject) });
  }

  const municipalities: Record<string, IssuedCert> = {};
  const servers: Record<string, IssuedCert> = {};
  for (const r of requests) {
    const cert = issued.get(r.id)!;
    if (r.id.startsWith('municipality:')) municipalities[r.id.slice('municipality:'.length)] = cert;
    else if (r.id.startsWith('server:')) servers[r.id.slice('server:'.length)] = cert;
  }
  return { dir, caCertPem, caCertPath, intermediary: issued.get('intermediary')!, municipalities, servers };
}

function generate(dir: string, requests: LeafRequest[]): void {
  const previous = readManifest(dir);
  let manifest: Manifest;
  let caCert: forge.pki.Certificate;
  let caKey: crypto.KeyObject;

  const caCertPem = previous && readIfExists(path.join(dir, previous.ca.certFile));
  const caKeyPem = previous && readIfExists(path.join(dir, previous.ca.keyFile));
  if (previous && caCertPem && caKeyPem && sha256(caCertPem) === previous.ca.certSha256 && stillValid(previous.ca.notAfter)) {
    caCert = forge.pki.certificateFromPem(caCertPem);
    caKey = crypto.createPrivateKey(caKeyPem);
    manifest = previous;
  } else {
    // A new CA invalidates every certificate the old one issued.
    const ca = issueCa();
    caCert = ca.cert;
    caKey = ca.key;
    writeAtomic(path.join(dir, 'ca.key.pem'), ca.keyPem, 0o600);
    const pem = forge.pki.certificateToPem(ca.cert);
    writeAtomic(path.join(dir, 'ca.crt.pem'), pem, 0o644);
    manifest = {
      version: 1,
      ca: { certFile: 'ca.crt.pem', keyFile: 'ca.key.pem', certSha256: sha256(pem), notAfter: ca.cert.validity.notAfter.toISOString() },
      certs: {},
    };
  }

  for (const r of requests) {
    const entry = manifest.certs[r.id];
    const certPem = entry && readIfExists(path.join(dir, entry.certFile));
    const fresh =
      entry &&
      entry.request === requestKey(r) &&
      stillValid(entry.notAfter) &&
      certPem &&
      sha256(certPem) === entry.certSha256 &&
      fs.existsSync(path.join(dir, entry.keyFile)) &&
      (!entry.p12File || fs.existsSync(path.join(dir, entry.p12File)));
    if (fresh) continue;
    manifest.certs[r.id] = issueLeaf(dir, r, caCert, caKey);
  }
  writeAtomic(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, 0o644);
}

interface KeyPair {
  keyPem: string;
  keyObject: crypto.KeyObject;
  publicKey: forge.pki.rsa.PublicKey;
}

function newKeyPair(): KeyPair {
  // Node's native generator is orders of magnitude faster than forge's pure-JS one.
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    keyObject: privateKey,
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()) as forge.pki.rsa.PublicKey,
  };
}

const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * forge builds and encodes the certificate; only the RSA operation runs in Node, because forge's
 * pure-JS modular exponentiation takes about a second per signature under jest.
 */
function nativeSigner(key: crypto.KeyObject): forge.pki.rsa.PrivateKey {
  const signer = {
    sign(md: forge.md.MessageDigest): string {
      if (md.algorithm !== 'sha256') throw new Error(`test PKI signs with SHA-256 only, not ${md.algorithm}`);
      const digestInfo = Buffer.concat([SHA256_DIGEST_INFO, Buffer.from(md.digest().getBytes(), 'binary')]);
      // PKCS#1 v1.5 signature = private-key operation on DigestInfo with type-1 padding.
      return crypto.privateEncrypt({ key, padding: crypto.constants.RSA_PKCS1_PADDING }, digestInfo).toString('binary');
    },
  };
  return signer as unknown as forge.pki.rsa.PrivateKey;
}

function randomSerial(): string {
  const bytes = crypto.randomBytes(16);
  // DER INTEGER serials must be positive and should not start with a zero byte.
  bytes[0] = (bytes[0] & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function forgeAttrs(attrs: SubjectAttr[]): forge.pki.CertificateField[] {
  return attrs.map((a) => {
    switch (a.shortName) {
      case 'C':
        return { type: '2.5.4.6', value: a.value };
      case 'serialNumber':
        // X.520 requires PrintableString for serialNumber.
        return { type: '2.5.4.5', value: a.value };
      default:
        // Swedish names (å, ä, ö) do not fit a PrintableString.
        return {
          type: a.shortName === 'O' ? '2.5.4.10' : '2.5.4.3',
          value: a.value,
          // @types/node-forge declares this as a Class, but forge reads it as the universal tag Type.
          valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class,
        };
    }
  });
}

// Same form as the signing code's X509SubjectName (.NET style): most specific first, ", " between RDNs.
function rfc4514(attrs: SubjectAttr[]): string {
  const escape = (v: string): string =>
    v
      .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
      .replace(/^[ #]/, (c) => `\\${c}`)
      .replace(/ $/, '\\ ');
  return [...attrs]
    .reverse()
    .map((a) => `${a.shortName === 'serialNumber' ? 'SERIALNUMBER' : a.shortName}=${escape(a.value)}`)
    .join(', ');
}

function issueCa(): { cert: forge.pki.Certificate; key: crypto.KeyObject; keyPem: string } {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + 3652 * DAY_MS);
  const subject = forgeAttrs([
    { shortName: 'C', value: 'SE' },
    { shortName: 'O', value: 'Dispatch Hub Test' },
    { shortName: 'CN', value: CA_NAME },
  ]);
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(nativeSigner(keys.keyObject), forge.md.sha256.create());
  return { cert, key: keys.keyObject, keyPem: keys.keyPem };
}

function issueLeaf(dir: string, r: LeafRequest, caCert: forge.pki.Certificate, caKey: crypto.KeyObject): ManifestEntry {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + 730 * DAY_MS);
  cert.setSubject(forgeAttrs(r.subject));
  cert.setIssuer(caCert.subject.attributes);
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ];
  if (r.san) {
    extensions.push({
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
        ...(r.extraDns ?? []).map((value) => ({ type: 2, value })),
      ],
    });
  }
  cert.setExtensions(extensions);
  cert.sign(nativeSigner(caKey), forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);

  const certFile = `${r.stem}.crt.pem`;
  const keyFile = `${r.stem}.key.pem`;
  writeAtomic(path.join(dir, keyFile), keys.keyPem, 0o600);
  let p12File: string | undefined;
  if (r.p12Password !== undefined) {
    p12File = `${r.stem}.p12`;
    // 3DES keeps the file readable by OpenSSL 3 without the legacy provider, Java keytool and .NET alike.
    const asn1 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(keys.keyPem), [cert, caCert], r.p12Password, {
      algorithm: '3des',
      friendlyName: r.stem,
    });
    writeAtomic(path.join(dir, p12File), Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'), 0o600);
  }
  // The certificate goes last: its hash in the manifest is what readers check.
  writeAtomic(path.join(dir, certFile), certPem, 0o644);
  return {
    request: requestKey(r),
    certFile,
    keyFile,
    p12File,
    certSha256: sha256(certPem),
    notAfter: cert.validity.notAfter.toISOString(),
  };
}

function writeAtomic(file: string, data: string | Buffer, mode: number): void {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, data, { mode });
  // writeFileSync's mode is filtered by the umask; keys must end up 0600 regardless.
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

async function acquireLock(dir: string): Promise<() => void> {
  const lock = path.join(dir, LOCK_DIR);
  const deadline = Date.now() + 2 * STALE_LOCK_MS;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      return () => fs.rmSync(lock, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    try {
      if (Date.now() - fs.statSync(lock).mtimeMs > STALE_LOCK_MS) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
    } catch {
      continue; // released between mkdir and stat
    }
    if (Date.now() > deadline) throw new Error(`could not lock test PKI directory ${dir} (${lock} is held)`);
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 50));
  }
}
