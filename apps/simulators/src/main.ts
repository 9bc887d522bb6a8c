import { resolve } from 'node:path';
import { loadSeed, SeedError } from './seed';
import { startSimulators } from './simulators';

/**
 * Starts the simulators: FaR, the mailbox operators, the OIDC issuer and the print vendor (those the seed configures).
 *   node dist/apps/simulators/src/main.js [--seed <file>] [--endpoints <file>]
 * Environment: SIM_SEED, SIM_ENDPOINTS_FILE.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const seedPath = resolve(arg('--seed') ?? process.env.SIM_SEED ?? 'apps/simulators/seed/demo.json');
  const endpointsFile = resolve(arg('--endpoints') ?? process.env.SIM_ENDPOINTS_FILE ?? '.data/simulators.json');
  const seed = loadSeed(seedPath);
  const sims = await startSimulators(seed, { endpointsFile });
  process.stdout.write(`SIMULATORS READY ${JSON.stringify({ far: sims.farUrl, admin: sims.adminUrl, operators: sims.operators, oidcIssuer: sims.oidc?.issuer, tokenEndpoint: sims.oidc?.tokenEndpoint, printVendor: sims.printVendor && { hubUrl: sims.printVendor.config.hubUrl, clientId: sims.printVendor.config.clientId } })}\n`);
  const stop = async () => {
    await sims.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`simulators: ${e instanceof SeedError ? e.message : (e as Error).stack}\n`);
  process.exit(1);
});
