import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { BackgroundLoop } from '@hub/dispatch';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { DeliveryLogService } from './delivery-log.service';
import { ExportStorage, LogExportRunner } from './log-export-jobs';

export interface ExportWorkerOptions {
  db: TenantDb;
  log: Logger;
  /** Directory of export files (DELIVERY_LOG_EXPORT_DIR), shared with the API. Default `.data/exports`. */
  exportDir?: string;
  /** How often the worker looks for export jobs and expired files when idle (DELIVERY_LOG_EXPORT_POLL_MS). Default 2,000. */
  intervalMs?: number;
  /** How long a finished export file is kept (DELIVERY_LOG_EXPORT_TTL_HOURS). Default 72. */
  ttlHours?: number;
  /** A running job's lease in seconds; renewed while it runs. Default 300. */
  leaseSeconds?: number;
  /** Attempts before an export that keeps being interrupted is given up. Default 3. */
  maxAttempts?: number;
  /** Rows per FETCH from the server-side cursor. Default 2,000. */
  fetchSize?: number;
}

export interface ExportWorker {
  runner: LogExportRunner;
  /** Stops the loop; a running export stops at its next batch and goes back to the queue for another worker. */
  stop(): Promise<void>;
}

/**
 * Starts the worker loop of the asynchronous log exports: each turn removes expired export files,
 * then runs the oldest waiting export job (one at a time per worker process; several workers share
 * the jobs through leases). Needs two database connections while a job runs (the export's cursor
 * and the lease renewal).
 */
export function startExportWorker(options: ExportWorkerOptions): ExportWorker {
  const log = options.log.child({ component: 'log-export' });
  const runner = new LogExportRunner({
    db: options.db,
    service: new DeliveryLogService(options.db, { pageSizeMax: 1, fetchSize: options.fetchSize }),
    storage: new ExportStorage(options.exportDir ?? '.data/exports'),
    log,
    owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    ttlMs: (options.ttlHours ?? 72) * 3_600_000,
    leaseSeconds: options.leaseSeconds ?? 300,
    maxAttempts: options.maxAttempts ?? 3,
  });
  let lastExpiry = 0;
  const loop = new BackgroundLoop(
    'log-export',
    options.intervalMs ?? 2_000,
    async () => {
      // Expiry needs no hurry: at most once a minute.
      if (Date.now() - lastExpiry > 60_000) {
        lastExpiry = Date.now();
        await runner.expire();
      }
      return runner.runOnce();
    },
    log,
  );
  loop.start();
  return {
    runner,
    stop: () => {
      runner.interrupt();
      return loop.stop();
    },
  };
}
