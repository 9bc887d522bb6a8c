/**
 * The whole hub for the console's browser tests, as the quick start runs it: a fresh database with
 * the demo tenant, the simulators process (FaR, operators, OIDC issuer with the demo users, print
 * vendor pulling from this API), the compiled API serving the console, and a worker.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@hub/testing';
import type { OidcClientSeed, RunningOidcIssuer } from '../../apps/simulators/src/oidc/oidc-issuer';
import { getToken } from './api-helpers';
import { ApiProcess, startApiProcess } from './api-process';
import { hubEnv } from './hub-env';
import { HubDatabase, startHubDatabase } from './hub-database';
import { stopProcess } from './processes';
import { uniqueQueuePrefix } from './redis';
import { SimulatorSeed, startSimulatorsProcess, testSeed } from './simulators';
import { startWorkerProcess, WorkerProcess } from './worker-process';

export interface ConsoleStack {
  hub: HubDatabase;
  sims: Awaited<ReturnType<typeof startSimulatorsProcess>>;
  api: ApiProcess;
  worker: WorkerProcess;
  seed: SimulatorSeed;
  /** http://127.0.0.1:<port>: the console (and /graphql). */
  baseUrl: string;
  /** A client-credentials token of one of the seed's clients (e.g. demo-case-system). */
  clientToken(clientId: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts everything; `label` names the database and queue prefix. Batches close after a second. */
export async function startConsoleStack(label: string, options: { env?: Record<string, string> } = {}): Promise<ConsoleStack> {
  const hub = await startHubDatabase({ label });
  await hub.ownerQuery(`update print_vendor set max_wait_seconds = 1 where id = 'demo-print'`);
  const storageDir = mkdtempSync(join(tmpdir(), `hub-${label}-`));
  const apiPort = await freePort();
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  const seed = testSeed();
  const consoleClient = seed.oidc!.clients.find((c) => c.clientId === 'dispatch-hub-console')!;
  consoleClient.redirectUris = [`${baseUrl}/callback`];
  seed.printVendor = { hubUrl: baseUrl, clientId: 'demo-print-vendor', clientSecret: 'demo-print-vendor-secret', pollIntervalMs: 300, printedAfterMs: 200, postedAfterMs: 400, returned: [] };
  const sims = await startSimulatorsProcess(seed);
  const env = {
    ...hubEnv(hub, sims, {
      QUEUE_PREFIX: uniqueQueuePrefix(label),
      PRINT_STORAGE_DIR: storageDir,
      PRINT_SCHEDULER_INTERVAL_MS: '200',
      // The issuer writes the initial access token for client registration next to its keys (<pkiDir>/..).
      IDP_INITIAL_ACCESS_TOKEN_FILE: join(seed.pkiDir, '..', 'oidc-initial-access-token'),
      ...options.env,
    }),
  };
  let api: ApiProcess | undefined;
  let worker: WorkerProcess | undefined;
  try {
    [api, worker] = await Promise.all([
      startApiProcess({ ...env, API_PORT: String(apiPort), OIDC_ISSUER: sims.oidcIssuer!, OIDC_AUDIENCE: seed.oidc!.audience }),
      startWorkerProcess(env),
    ]);
  } catch (e) {
    await Promise.all([api && stopProcess(api.child.child, 2000), worker?.stop(2000), sims.close()]);
    await hub.drop();
    throw e;
  }
  const issuer = { tokenEndpoint: sims.tokenEndpoint! } as RunningOidcIssuer;
  const killAll = () => {
    for (const c of [api?.child.child, worker?.process, sims.process]) if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };
  process.on('exit', killAll);
  return {
    hub,
    sims,
    api: api!,
    worker: worker!,
    seed,
    baseUrl,
    clientToken: (clientId) => getToken(issuer, seed.oidc!.clients.find((c) => c.clientId === clientId) as OidcClientSeed),
    async stop() {
      process.off('exit', killAll);
      await Promise.all([stopProcess(api!.child.child, 5000), worker!.stop(5000)]);
      await sims.close();
      await hub.drop();
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
}
