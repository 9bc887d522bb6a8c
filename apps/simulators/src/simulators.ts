import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SchemaValidator, TrustStore } from '@hub/mina-meddelanden';
import { ensureTestPki, TestPki } from '@hub/testing';
import { AdminServer } from './admin-server';
import { FarSimulator } from './far-simulator';
import { MailboxOperatorSimulator } from './mailbox-operator-simulator';
import { RunningOidcIssuer, startOidcIssuer } from './oidc/oidc-issuer';
import { PrintVendorSimulator } from './print-vendor/print-vendor-simulator';
import { Register } from './register';
import { pkiSpecForSeed, SeedError, SimulatorSeed } from './seed';

export interface RunningSimulators {
  pki: TestPki;
  farUrl: string;
  adminUrl: string;
  /** The local OIDC issuer, when the seed configures one. */
  oidc?: RunningOidcIssuer;
  operators: Record<string, { id: string; name: string; url: string }>;
  far: FarSimulator;
  operatorSims: Map<string, MailboxOperatorSimulator>;
  /** The print vendor pulling from the hub, when the seed configures one. */
  printVendor?: PrintVendorSimulator;
  close(): Promise<void>;
}

/**
 * Generates (or reuses) the test PKI and starts FaR, the mailbox operators, the OIDC issuer, the
 * admin server and the print vendor (which listens on no port: it polls the hub, quietly retrying
 * while the hub is not up yet).
 */
export async function startSimulators(seed: SimulatorSeed, options: { endpointsFile?: string } = {}): Promise<RunningSimulators> {
  const pki = await ensureTestPki(seed.pkiDir, pkiSpecForSeed(seed));
  const publicHost = seed.publicHost ?? seed.host;
  const register = new Register(seed);
  const caTrust = new TrustStore({ cas: [pki.caCertPem] });
  const schema = SchemaValidator.shared();
  const operatorSims = new Map<string, MailboxOperatorSimulator>();
  const operators: RunningSimulators['operators'] = {};
  for (const o of seed.operators) {
    const cert = pki.servers[`operator-${o.key}`];
    const sim = new MailboxOperatorSimulator(o, seed, register, { key: cert.keyPem, cert: cert.certPem, ca: pki.caCertPem }, caTrust, caTrust, schema);
    const port = await sim.listen();
    operatorSims.set(o.key, sim);
    operators[o.key] = { id: o.id, name: o.name, url: `https://${publicHost}:${port}/service/v3` };
  }
  const farCert = pki.servers.far;
  const far = new FarSimulator(seed, register, (o) => operators[o.key].url, { key: farCert.keyPem, cert: farCert.certPem, ca: pki.caCertPem });
  const farPort = await far.listen();
  const farUrl = `https://${publicHost}:${farPort}/Recipient/v3`;
  const oidc = seed.oidc
    ? await startOidcIssuer({ host: seed.host, ...seed.oidc, keysFile: seed.oidc.keysFile ?? join(seed.pkiDir, '..', 'oidc-jwks.json') })
    : undefined;
  const tokenUrl = seed.printVendor?.tokenUrl ?? oidc?.tokenEndpoint;
  if (seed.printVendor && !tokenUrl) throw new SeedError('printVendor.tokenUrl is required when the seed has no oidc section');
  const printVendor = seed.printVendor && tokenUrl ? new PrintVendorSimulator({ ...seed.printVendor, tokenUrl }) : undefined;
  const admin = new AdminServer(far, operatorSims, () => ({ far: farUrl, operators, oidcIssuer: oidc?.issuer, printVendor: printVendor?.config.hubUrl }), printVendor);
  const adminPort = await admin.listen(seed.admin.port, seed.host);
  const adminUrl = `http://${seed.host}:${adminPort}`;
  printVendor?.start();

  if (options.endpointsFile) {
    mkdirSync(dirname(options.endpointsFile), { recursive: true });
    writeFileSync(options.endpointsFile, JSON.stringify({ far: farUrl, admin: adminUrl, operators, oidcIssuer: oidc?.issuer, tokenEndpoint: oidc?.tokenEndpoint, pkiDir: seed.pkiDir, pid: process.pid }, null, 2));
  }
  return {
    pki,
    farUrl,
    adminUrl,
    oidc,
    operators,
    far,
    operatorSims,
    printVendor,
    async close() {
      await printVendor?.stop();
      await Promise.all([far.close(), admin.close(), oidc?.close(), ...[...operatorSims.values()].map((s) => s.close())]);
    },
  };
}
