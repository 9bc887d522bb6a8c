import 'reflect-metadata';
import { printApiSchema } from '@hub/api-graphql';
import { ConfigError, HubConfig, loadConfig } from '@hub/config';
import { createApiApplication } from './api.application';

/** Longest a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 15_000;

async function main(): Promise<void> {
  if (process.argv.includes('--print-schema')) {
    process.stdout.write(await printApiSchema());
    process.stdout.write('\n');
    return;
  }
  let config: HubConfig;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`api: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const api = await createApiApplication(config);
  const url = await api.listen();

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      api.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    api.logger.info({ signal }, 'shutting down: finishing running requests');
    setTimeout(() => {
      api.logger.error('shutdown took too long: exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    api.close().then(
      () => {
        api.logger.info('stopped');
        process.exit(0);
      },
      (e: unknown) => {
        api.logger.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  api.logger.info({ url: `${url}/graphql` }, 'API ready');
  process.stdout.write(`API READY ${url}/graphql\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`api: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
