import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SigningCredential, TlsClientOptions } from '@hub/mina-meddelanden';

/** What the simulators wrote when they started (`.data/simulators.json`). */
interface Endpoints {
  far: string;
  admin: string;
  pkiDir: string;
  operators: Record<string, { id: string; name: string; url: string }>;
}

export class UsageError extends Error {}

export interface CommonOptions {
  endpoints?: string;
  pki?: string;
  farUrl?: string;
  cert?: string;
  key?: string;
  p12?: string;
  p12Password?: string;
  ca?: string[];
}

function read(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${what} ${path}`);
  }
}

/**
 * Resolves where FaR is and which certificates to use. Flags win, then MM_* environment variables,
 * then the local simulators (`.data/simulators.json` and their test PKI).
 */
export class MmConfig {
  constructor(private readonly o: CommonOptions) {}

  private get endpoints(): Endpoints | undefined {
    const file = resolve(this.o.endpoints ?? process.env.MM_ENDPOINTS ?? '.data/simulators.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Endpoints) : undefined;
  }

  get pkiDir(): string {
    return resolve(this.o.pki ?? process.env.MM_PKI_DIR ?? this.endpoints?.pkiDir ?? '.data/pki');
  }

  get farUrl(): string {
    const url = this.o.farUrl ?? process.env.MM_FAR_URL ?? this.endpoints?.far;
    if (!url) throw new UsageError('no FaR address: pass --far-url, set MM_FAR_URL, or start the simulators (npm start)');
    return url;
  }

  /** The förmedlare's function certificate: TLS client certificate and seal. */
  get intermediary(): SigningCredential {
    if (this.o.p12 ?? process.env.MM_P12) {
      const p12 = (this.o.p12 ?? process.env.MM_P12)!;
      return SigningCredential.fromPkcs12(readFileSync(p12), this.o.p12Password ?? process.env.MM_P12_PASSWORD ?? '');
    }
    const cert = this.o.cert ?? process.env.MM_TLS_CERT ?? join(this.pkiDir, 'intermediary.crt.pem');
    const key = this.o.key ?? process.env.MM_TLS_KEY ?? join(this.pkiDir, 'intermediary.key.pem');
    return SigningCredential.fromPem(read(key, 'private key'), read(cert, 'certificate'));
  }

  get caPems(): string[] {
    const cas = this.o.ca?.length ? this.o.ca : process.env.MM_CA ? process.env.MM_CA.split(',') : [join(this.pkiDir, 'ca.crt.pem')];
    return cas.map((p) => read(p, 'CA certificate'));
  }

  tls(cred: SigningCredential = this.intermediary): TlsClientOptions {
    return { certPem: cred.certificatePem, key: cred.privateKey, caPems: this.caPems };
  }

  /** A sending organisation's signing credential from the local test PKI (or explicit files). */
  sender(orgnr: string, certPath?: string, keyPath?: string): SigningCredential {
    const digits = orgnr.replace(/-/g, '').replace(/^16(\d{10})$/, '$1');
    const cert = certPath ?? join(this.pkiDir, `municipality-${digits}.crt.pem`);
    const key = keyPath ?? join(this.pkiDir, `municipality-${digits}.key.pem`);
    if (!existsSync(cert)) throw new UsageError(`no sender certificate for ${digits} (${cert}); pass --sender-cert and --sender-key`);
    return SigningCredential.fromPem(read(key, 'sender key'), read(cert, 'sender certificate'));
  }
}
