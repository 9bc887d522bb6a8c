/**
 * The worker process: runs the letter jobs (BullMQ on LETTER_QUEUE: digital dispatch, print
 * rendering and batch assembly), the outbox relay, the reconciler, the print scheduler, and the
 * follow-up loops (webhooks, diary registrations, retention), and serves /health and /metrics.
 * A composition root only: behaviour lives in the libs.
 *
 *   node dist/apps/worker/src/main.js        (settings from the environment; see libs/config)
 *
 * Prints `WORKER READY {json}` once it takes jobs; SIGTERM/SIGINT lets running jobs finish, then exits.
 */
import { Counter } from 'prom-client';
import { ConfigError, HubConfig, loadConfig } from '@hub/config';
import { startDispatchRuntime } from '@hub/dispatch';
import { startDiaryWorker } from '@hub/diary';
import { KeyVault } from '@hub/keys';
import { startWebhookWorker } from '@hub/notifications';
import { startExportWorker } from '@hub/delivery-log';
import { createPrintWorker } from '@hub/print-path';
import { startRetentionWorker } from '@hub/retention';
import { LETTER_ENTITIES } from '@hub/letters';
import { createLogger } from '@hub/observability';
import { createOrm, TenantDb } from '@hub/persistence';
import { TENANCY_ENTITIES } from '@hub/tenancy';
import { startHealthServer } from './health-server';

/** Settings the worker needs beyond libs/config (to be moved there). */
export function workerSettings(env: NodeJS.ProcessEnv, config: HubConfig): { metricsHost: string; metricsPort: number; shutdownGraceMs: number } {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name] === undefined || env[name] === '' ? String(fallback) : env[name]!;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) problems.push(`${name}=${JSON.stringify(raw)}: must be an integer from ${min} to ${max}`);
    return n;
  };
  const metricsPort = int('WORKER_METRICS_PORT', 3001, 0, 65535);
  const shutdownGraceMs = int('WORKER_SHUTDOWN_GRACE_MS', 25_000, 0, 600_000);
  // A job holds at most one connection at a time and never across an HTTP call; the relay and the
  // reconciler need one each. Below that the worker could not make progress.
  if (config.DATABASE_POOL_SIZE < 3) problems.push(`DATABASE_POOL_SIZE=${config.DATABASE_POOL_SIZE}: the worker needs at least 3 connections (relay, reconciler, jobs)`);
  if (problems.length) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return { metricsHost: env.WORKER_METRICS_HOST || '127.0.0.1', metricsPort, shutdownGraceMs };
}

async function main(): Promise<void> {
  let config: HubConfig;
  let settings: ReturnType<typeof workerSettings>;
  try {
    config = loadConfig();
    settings = workerSettings(process.env, config);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`worker: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const log = createLogger('worker', config.LOG_LEVEL);
  const orm = await createOrm({ url: config.DATABASE_URL, entities: [...TENANCY_ENTITIES, ...LETTER_ENTITIES], poolSize: config.DATABASE_POOL_SIZE });
  const unacknowledged = new Counter({
    name: 'hub_print_batches_unacknowledged_total',
    help: 'Print batches flagged because their vendor did not acknowledge them in time (alert on any increase)',
    labelNames: ['vendor'],
    registers: [],
  });
  const db = new TenantDb(orm);
  const print = createPrintWorker({ config, db, log, onUnacknowledged: (b) => unacknowledged.inc({ vendor: b.vendorId }) });
  const runtime = await startDispatchRuntime({ config, orm, log, extraJobs: print.jobs });
  runtime.metrics.registry.registerMetric(unacknowledged);
  print.scheduler.start();
  // Follow-up of letters: webhooks to case systems and officers, diary registrations, log exports, retention.
  const vault = new KeyVault(config.MASTER_KEY!);
  const followUps = [
    startWebhookWorker({
      db,
      vault,
      log: log.child({ component: 'webhooks' }),
      workerId: runtime.workerId,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      retryWindowMs: config.WEBHOOK_RETRY_WINDOW_HOURS * 3_600_000,
      allowHttpLocalhost: config.WEBHOOK_ALLOW_HTTP_LOCALHOST ?? config.NODE_ENV !== 'production',
    }),
    startDiaryWorker({
      db,
      vault,
      log: log.child({ component: 'diary' }),
      workerId: runtime.workerId,
      timeoutMs: config.DIARY_TIMEOUT_MS,
      retryTotalMs: config.DIARY_RETRY_TOTAL_MS,
      allowHttpLocalhost: config.DIARY_ALLOW_HTTP_LOCALHOST ?? config.NODE_ENV !== 'production',
      ...(config.DIARY_CA_FILE ? { caFile: config.DIARY_CA_FILE } : {}),
    }),
    startExportWorker({
      db,
      log: log.child({ component: 'log-exports' }),
      exportDir: config.DELIVERY_LOG_EXPORT_DIR,
      ttlHours: config.DELIVERY_LOG_EXPORT_TTL_HOURS,
      intervalMs: config.DELIVERY_LOG_EXPORT_POLL_MS,
    }),
    startRetentionWorker({
      db,
      log: log.child({ component: 'retention' }),
      masterKey: config.MASTER_KEY!,
      workerId: runtime.workerId,
      runAt: config.RETENTION_RUN_AT,
      timeZone: config.RETENTION_TIMEZONE,
    }),
  ];
  const { server, url } = await startHealthServer(runtime, settings.metricsHost, settings.metricsPort);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: finishing running jobs');
    void (async () => {
      let code = 0;
      try {
        server.close();
        await Promise.all([print.scheduler.stop(), ...followUps.map((f) => f.stop())]);
        await runtime.close(settings.shutdownGraceMs);
        await orm.close();
      } catch (e) {
        log.error({ err: e }, 'error while stopping');
        code = 1;
      }
      log.info('stopped');
      process.exit(code);
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  log.info({ workerId: runtime.workerId, concurrency: config.WORKER_CONCURRENCY, dbPool: config.DATABASE_POOL_SIZE, queuePrefix: config.QUEUE_PREFIX, http: url }, 'worker ready');
  process.stdout.write(`WORKER READY ${JSON.stringify({ http: url, workerId: runtime.workerId, queuePrefix: config.QUEUE_PREFIX, concurrency: config.WORKER_CONCURRENCY })}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`worker: cannot start: ${e.message}\n`);
  process.exit(1);
});
