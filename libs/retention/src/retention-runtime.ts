import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { PseudonymKeys } from './pseudonyms';
import { RETENTION_PURGERS, RetentionPurgers } from './retention-purgers';
import { RetentionPurge } from './retention-purge';
import { RetentionScheduler } from './retention-scheduler';

/** The retention worker's settings and what it is built from. */
export interface RetentionWorkerOptions {
  db: TenantDb;
  log: Logger;
  /** MASTER_KEY (base64): encrypts the tenants' pseudonym keys. */
  masterKey: string;
  /** RETENTION_RUN_AT: local time of the daily run, HH:MM (default 02:30). */
  runAt?: string;
  /** RETENTION_TIMEZONE: time zone of runAt (default Europe/Stockholm). */
  timeZone?: string;
  /** RETENTION_CHECK_INTERVAL_MS: how often a worker looks for due runs (default 60,000). */
  checkIntervalMs?: number;
  /** RETENTION_BATCH_SIZE: letters per transaction (default 500). */
  batchSize?: number;
  /** RETENTION_LEASE_SECONDS: how long a claimed run is held without progress before another worker takes over (default 900). */
  leaseSeconds?: number;
  purgers?: RetentionPurgers;
  workerId?: string;
  now?: () => Date;
}

export interface RetentionWorker {
  scheduler: RetentionScheduler;
  purge: RetentionPurge;
  stop(): Promise<void>;
}

/** Starts the daily retention run of a worker process (see {@link RetentionScheduler}). */
export function startRetentionWorker(options: RetentionWorkerOptions): RetentionWorker {
  const log = options.log.child({ component: 'retention' });
  const purge = new RetentionPurge({
    db: options.db,
    pseudonyms: new PseudonymKeys(options.masterKey),
    purgers: options.purgers ?? RETENTION_PURGERS,
    batchSize: options.batchSize ?? 500,
    log,
  });
  const scheduler = new RetentionScheduler({
    db: options.db,
    purge,
    log,
    runAt: options.runAt ?? '02:30',
    timeZone: options.timeZone ?? 'Europe/Stockholm',
    checkIntervalMs: options.checkIntervalMs ?? 60_000,
    leaseSeconds: options.leaseSeconds ?? 900,
    ...(options.workerId ? { workerId: options.workerId } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  scheduler.start();
  return { scheduler, purge, stop: () => scheduler.stop() };
}
