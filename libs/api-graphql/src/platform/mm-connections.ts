import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type HubConfig, SETTINGS } from '@hub/config';
import { INTERMEDIARY_CREDENTIAL, MmGateway } from '@hub/dispatch';
import { KeyVault } from '@hub/keys';
import { sql } from '@hub/letters';
import { parseCertificates, rfc4514Subject, subjectSerialNumber, toOrganisationId, TransportFailure } from '@hub/mina-meddelanden';
import type { TenantDb } from '@hub/persistence';
import { probeEndpoint, ProbeTls } from './endpoint-probe';

/** The settings the connections are made from (environment variables, read at boot). */
export type MmConnectionConfig = Partial<Pick<HubConfig, 'FAR_URL' | 'MM_CA_FILE' | 'MM_TIMEOUT_MS' | 'MASTER_KEY'>>;

/**
 * The recipient the connection check asks FaR about: one of Skatteverket's test personnummer
 * (never a real person; the demo register gives it a mailbox). Fixed, so that the check cannot be
 * used to look up real people.
 */
export const CONNECTION_CHECK_RECIPIENT = '198101032384';

export interface EnvironmentSetting {
  variable: string;
  value: string | null;
  meaning: string;
  /** The value is the demo default (in production FAR_URL and MM_CA_FILE are always set). */
  isDefault: boolean;
}

export interface CertificateView {
  subject: string;
  issuer: string;
  serialNumber: string | null;
  notBefore: Date;
  notAfter: Date;
}

export interface KnownOperator {
  id: string;
  name: string | null;
  serviceAddress: string | null;
  lastSeenAt: Date;
  tenants: number;
}

export interface MmConnectionSettings {
  settings: EnvironmentSetting[];
  trustedCas: CertificateView[];
  /** Why MM_CA_FILE cannot be used, when it cannot. */
  caProblem: string | null;
  intermediary: (CertificateView & { installedAt: Date }) | null;
  /** Why there is no usable förmedlare certificate, when there is none. */
  intermediaryProblem: string | null;
  operators: KnownOperator[];
}

export type EndpointKind = 'SETUP' | 'FAR' | 'MAILBOX_OPERATOR';

export interface EndpointCheck {
  kind: EndpointKind;
  name: string;
  url: string | null;
  ok: boolean;
  latencyMs: number | null;
  httpStatus: number | null;
  serverCertificateSubject: string | null;
  serverCertificateNotAfter: Date | null;
  errorCode: string | null;
  message: string | null;
  /** FaR's answer to the question about the test recipient (FAR only, when it answered). */
  farAnswer: { recipientId: string; deliverable: boolean; reason: string | null; operatorName: string | null } | null;
}

export interface MmConnectionCheck {
  checkedAt: Date;
  ok: boolean;
  senderOrgNumber: string | null;
  results: EndpointCheck[];
}

/** A refused argument of the check (the resolver turns it into a field error). */
export class CheckArgumentError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

function certificateView(cert: X509Certificate): CertificateView {
  return {
    subject: rfc4514Subject(cert),
    issuer: cert.issuer.split('\n').reverse().join(', '),
    serialNumber: subjectSerialNumber(cert) ?? null,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
}

/**
 * The hub's connections to Mina meddelanden as the platform operator sees them: the settings (from
 * the environment, read-only here), the förmedlare certificate, the CAs trusted for servers, the
 * mailbox operators the dispatch has learned from FaR, and a live check of each endpoint.
 */
export class MmConnections {
  constructor(
    private readonly db: TenantDb,
    private readonly config: MmConnectionConfig,
  ) {}

  async settings(): Promise<MmConnectionSettings> {
    const setting = (variable: 'FAR_URL' | 'MM_CA_FILE' | 'MM_TIMEOUT_MS'): EnvironmentSetting => {
      const value = this.config[variable];
      return { variable, value: value === undefined ? null : String(value), meaning: SETTINGS[variable].doc, isDefault: value !== undefined && String(value) === SETTINGS[variable].default };
    };
    const ca = this.readCas();
    const { intermediary, problem } = await this.intermediary();
    const operators = await this.db.withoutTenant(async (em) =>
      (
        await sql<{ operator_id: string; operator_name: string | null; service_address: string | null; last_seen_at: Date; tenants: string }>(
          em as EntityManager,
          'select * from platform_mailbox_operators()',
        )
      ).rows.map((r) => ({ id: r.operator_id, name: r.operator_name, serviceAddress: r.service_address, lastSeenAt: new Date(r.last_seen_at), tenants: Number(r.tenants) })),
    );
    return {
      settings: [setting('FAR_URL'), setting('MM_CA_FILE'), setting('MM_TIMEOUT_MS')],
      trustedCas: ca.certificates.map(certificateView),
      caProblem: ca.problem,
      intermediary,
      intermediaryProblem: problem,
      operators,
    };
  }

  /**
   * Connects to FaR and to every known mailbox operator as the dispatch would (mutual TLS with the
   * förmedlare certificate, servers trusted through MM_CA_FILE), asks FaR one real question about
   * {@link CONNECTION_CHECK_RECIPIENT} for `senderOrgNumber` (default: the förmedlare's own
   * organisation number), and reports per endpoint: ok, latency, and what failed in words.
   */
  async check(senderOrgNumber?: string | null): Promise<MmConnectionCheck> {
    const checkedAt = new Date();
    const timeoutMs = this.config.MM_TIMEOUT_MS ?? Number(SETTINGS.MM_TIMEOUT_MS.default);
    const setupFailure = (message: string, errorCode: string): MmConnectionCheck => ({
      checkedAt,
      ok: false,
      senderOrgNumber: null,
      results: [{ ...emptyCheck('SETUP', 'förmedlare certificate and MM_CA_FILE', null), errorCode, message }],
    });
    const { FAR_URL, MM_CA_FILE, MASTER_KEY } = this.config;
    if (!FAR_URL || !MM_CA_FILE || !MASTER_KEY) return setupFailure('FAR_URL, MM_CA_FILE and MASTER_KEY must all be set for the hub to reach Mina meddelanden.', 'NOT_CONFIGURED');

    let sender: string | null = null;
    if (senderOrgNumber?.trim()) {
      const given = toOrganisationId(senderOrgNumber);
      if (!given.ok) throw new CheckArgumentError('senderOrgNumber', `${given.message}, e.g. 212000-1231`);
      sender = given.id;
    }

    let gateway: MmGateway;
    try {
      gateway = await MmGateway.create({ config: { FAR_URL, MM_CA_FILE, MM_TIMEOUT_MS: timeoutMs }, db: this.db, vault: new KeyVault(MASTER_KEY) });
    } catch (e) {
      return setupFailure((e as Error).message, 'SETUP');
    }
    try {
      if (!sender) {
        const own = toOrganisationId(gateway.intermediary.serialNumber ?? '');
        if (!own.ok) throw new CheckArgumentError('senderOrgNumber', 'the förmedlare certificate has no organisation number (subject serialNumber): give the sender\'s organisation number to ask FaR with');
        sender = own.id;
      }
      const ca = this.readCas();
      if (!ca.pem) return setupFailure(ca.problem ?? `MM_CA_FILE=${MM_CA_FILE}: cannot be read`, 'SETUP');
      const tls: ProbeTls = { certPem: gateway.intermediary.certificatePem, key: gateway.intermediary.privateKey, caPems: [ca.pem] };
      const far = await this.checkFar(gateway, FAR_URL, tls, timeoutMs, sender);
      const operators = new Map<string, string | null>();
      for (const o of (await this.settings()).operators) if (o.serviceAddress) operators.set(o.serviceAddress, o.name ?? o.id);
      const learned = far.learnedOperator;
      if (learned && !operators.has(learned.serviceAddress)) operators.set(learned.serviceAddress, learned.name);
      const operatorChecks = await Promise.all(
        [...operators].map(async ([url, name]) => {
          const probe = await probeEndpoint(url, tls, timeoutMs);
          return { ...emptyCheck('MAILBOX_OPERATOR', name ?? url, url), ...fromProbe(probe) };
        }),
      );
      const results = [far.check, ...operatorChecks];
      return { checkedAt, ok: results.every((r) => r.ok), senderOrgNumber: sender, results };
    } finally {
      gateway.close();
    }
  }

  private async checkFar(gateway: MmGateway, url: string, tls: ProbeTls, timeoutMs: number, sender: string): Promise<{ check: EndpointCheck; learnedOperator?: { name: string; serviceAddress: string } }> {
    const base = emptyCheck('FAR', 'FaR', url);
    const probe = await probeEndpoint(url, tls, timeoutMs);
    if (!probe.ok) return { check: { ...base, ...fromProbe(probe) } };
    const connection = fromProbe(probe);
    const started = performance.now();
    try {
      const [answer] = await gateway.isReachable(sender, [CONNECTION_CHECK_RECIPIENT]);
      const latencyMs = Math.round(performance.now() - started);
      const operator = answer.operator?.serviceAddress ? { name: answer.operator.name || answer.operator.id, serviceAddress: answer.operator.serviceAddress } : undefined;
      return {
        check: {
          ...base,
          ...connection,
          latencyMs,
          farAnswer: { recipientId: answer.recipientId, deliverable: answer.deliverable, reason: answer.reason ?? null, operatorName: answer.operator?.name || null },
        },
        ...(operator ? { learnedOperator: operator } : {}),
      };
    } catch (e) {
      const latencyMs = Math.round(performance.now() - started);
      if (!(e instanceof TransportFailure)) throw e;
      return { check: { ...base, ...connection, ok: false, latencyMs, errorCode: e.code, message: `The connection works, but FaR refused the question: ${e.message}` } };
    }
  }

  private readCas(): { certificates: X509Certificate[]; pem: string | null; problem: string | null } {
    const file = this.config.MM_CA_FILE;
    if (!file) return { certificates: [], pem: null, problem: 'MM_CA_FILE is not set' };
    let pem: string;
    try {
      pem = readFileSync(resolve(file), 'utf8');
    } catch (e) {
      return { certificates: [], pem: null, problem: `MM_CA_FILE=${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
    }
    try {
      return { certificates: parseCertificates(pem), pem, problem: null };
    } catch (e) {
      return { certificates: [], pem: null, problem: `MM_CA_FILE=${file}: ${(e as Error).message}` };
    }
  }

  private async intermediary(): Promise<{ intermediary: MmConnectionSettings['intermediary']; problem: string | null }> {
    const rows = await this.db.withoutTenant(async (em) =>
      (await sql<{ certificate_pem: string; updated_at: Date }>(em as EntityManager, 'select certificate_pem, updated_at from platform_credential where name = $1', [INTERMEDIARY_CREDENTIAL])).rows,
    );
    if (!rows[0]) return { intermediary: null, problem: `no förmedlare certificate is installed (platform_credential "${INTERMEDIARY_CREDENTIAL}")` };
    try {
      return { intermediary: { ...certificateView(new X509Certificate(rows[0].certificate_pem)), installedAt: new Date(rows[0].updated_at) }, problem: null };
    } catch (e) {
      return { intermediary: null, problem: `the installed förmedlare certificate cannot be read: ${(e as Error).message}` };
    }
  }
}

function emptyCheck(kind: EndpointKind, name: string, url: string | null): EndpointCheck {
  return { kind, name, url, ok: false, latencyMs: null, httpStatus: null, serverCertificateSubject: null, serverCertificateNotAfter: null, errorCode: null, message: null, farAnswer: null };
}

function fromProbe(p: Awaited<ReturnType<typeof probeEndpoint>>): Partial<EndpointCheck> {
  return {
    ok: p.ok,
    latencyMs: p.latencyMs,
    httpStatus: p.httpStatus,
    serverCertificateSubject: p.serverCertificate?.subject ?? null,
    serverCertificateNotAfter: p.serverCertificate?.notAfter ?? null,
    errorCode: p.errorCode,
    message: p.message,
  };
}
