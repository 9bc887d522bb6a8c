/**
 * The FaR and mailbox-operator simulators for tests: in this process (fast, ports picked by the OS)
 * or as a real process of the compiled simulators (`npm run build` first), plus a client of their
 * inspection and fault-injection API.
 */
import { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultConfig } from '../../apps/simulators/src/fault-injection';
import type { StoredDelivery } from '../../apps/simulators/src/mailbox-operator-simulator';
import { checkSeed, SimulatorSeed, withFreePorts } from '../../apps/simulators/src/seed';
import { startSimulators } from '../../apps/simulators/src/simulators';
import { DEMO_SEED_FILE, ROOT, TEST_PKI_DIR } from './hub-database';
import { spawnUntilReady, stopProcess } from './processes';

export type { FaultConfig, StoredDelivery, SimulatorSeed };

/** Running simulators, wherever they run. */
export interface TestSimulators {
  farUrl: string;
  adminUrl: string;
  operators: Record<string, { id: string; name: string; url: string }>;
  /** The CA that issued every test certificate (MM_CA_FILE). */
  caFile: string;
  admin: SimulatorAdmin;
  close(): Promise<void>;
}

/**
 * The demo seed with every port 0 (the OS picks; the OIDC issuer's too) and the PKI in `pkiDir`;
 * `changes` replace top-level fields (e.g. `unlisted: { mode: 'hash', shares: { kivra: 1, minmyndighetspost: 1 } }`
 * so that any valid personnummer has a mailbox: for load tests).
 */
export function testSeed(changes: Partial<SimulatorSeed> = {}, pkiDir = TEST_PKI_DIR): SimulatorSeed {
  const seed = JSON.parse(readFileSync(DEMO_SEED_FILE, 'utf8')) as SimulatorSeed;
  seed.pkiDir = pkiDir;
  withFreePorts(seed);
  // The demo's print vendor polls the demo API's port; a test that runs the print path gives its own.
  delete seed.printVendor;
  // API clients registered in a test stay in that test's issuer, not in the demo's file.
  if (seed.oidc) delete seed.oidc.registration;
  return checkSeed({ ...seed, ...changes }, 'test seed');
}

/** Every recipient id the demo register lists (load tests pick around them). */
export function registeredIds(): Set<string> {
  return new Set(testSeed().register.map((r) => r.id));
}

/** Starts the simulators in this process. */
export async function startSimulatorsInProcess(seed: SimulatorSeed = testSeed()): Promise<TestSimulators> {
  const sims = await startSimulators(seed);
  return {
    farUrl: sims.farUrl,
    adminUrl: sims.adminUrl,
    operators: sims.operators,
    caFile: sims.pki.caCertPath,
    admin: new SimulatorAdmin(sims.adminUrl),
    close: () => sims.close(),
  };
}

/** Starts the compiled simulators (`dist/apps/simulators/src/main.js`) as a process; resolves once they listen. */
export async function startSimulatorsProcess(
  seed: SimulatorSeed = testSeed(),
  options: { readyTimeoutMs?: number } = {},
): Promise<TestSimulators & { process: ChildProcess; output(): string; oidcIssuer?: string; tokenEndpoint?: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'hub-sims-'));
  const seedFile = join(dir, 'seed.json');
  writeFileSync(seedFile, JSON.stringify(seed));
  const { child, match, output } = await spawnUntilReady({
    what: 'simulators',
    args: [join(ROOT, 'dist', 'apps', 'simulators', 'src', 'main.js'), '--seed', seedFile, '--endpoints', join(dir, 'endpoints.json')],
    ready: /^SIMULATORS READY (\{.*\})$/m,
    timeoutMs: options.readyTimeoutMs ?? 90_000,
  });
  const info = JSON.parse(match[1]) as { far: string; admin: string; operators: TestSimulators['operators']; oidcIssuer?: string; tokenEndpoint?: string };
  return {
    process: child,
    output,
    /** The seed's OIDC issuer (when it has one), running in the same process. */
    oidcIssuer: info.oidcIssuer,
    tokenEndpoint: info.tokenEndpoint,
    farUrl: info.far,
    adminUrl: info.admin,
    operators: info.operators,
    caFile: join(seed.pkiDir, 'ca.crt.pem'),
    admin: new SimulatorAdmin(info.admin),
    async close() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The simulators' inspection and fault-injection API (plain HTTP on loopback). */
export class SimulatorAdmin {
  constructor(readonly url: string) {}

  async deliveries(operator: string, filter: { recipient?: string; messageId?: string } = {}): Promise<Omit<StoredDelivery, 'raw'>[]> {
    const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][]);
    return this.json(`/operators/${operator}/deliveries?${q}`);
  }

  /** Every stored delivery of the message `messageId`, over all operators. */
  async deliveriesOfMessage(messageId: string): Promise<(Omit<StoredDelivery, 'raw'> & { operator: string })[]> {
    const ops = await this.json<{ key: string }[]>('/operators');
    const out: (Omit<StoredDelivery, 'raw'> & { operator: string })[] = [];
    for (const o of ops) for (const d of await this.deliveries(o.key, { messageId })) out.push({ ...d, operator: o.key });
    return out;
  }

  /** The SOAP request the operator received, byte for byte. */
  async raw(operator: string, transId: string): Promise<string> {
    const res = await fetch(`${this.url}/operators/${operator}/deliveries/${transId}/raw`);
    if (!res.ok) throw new Error(`raw ${transId}: HTTP ${res.status}`);
    return res.text();
  }

  operatorStats(): Promise<{ key: string; stats: { requests: number; accepted: number; redeliveries: number; refused: Record<string, number>; injected: Record<string, number> } }[]> {
    return this.json('/operators');
  }

  setOperatorFaults(operator: string, faults: FaultConfig): Promise<unknown> {
    return this.json(`/operators/${operator}/faults`, 'PUT', faults);
  }

  setFarFaults(faults: FaultConfig): Promise<unknown> {
    return this.json('/far/faults', 'PUT', faults);
  }

  async clearFaults(): Promise<void> {
    const ops = await this.json<{ key: string }[]>('/operators');
    await Promise.all([...ops.map((o) => this.json(`/operators/${o.key}/faults`, 'DELETE')), this.json('/far/faults', 'DELETE')]);
  }

  private async json<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
    if (!res.ok) throw new Error(`simulator admin ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
}

