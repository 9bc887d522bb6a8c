import type { HubConfig } from '@hub/config';
import { JobRegistration, registerJob } from '@hub/dispatch';
import { JobName } from '@hub/jobs';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { AssembleBatchHandler } from './assemble-batch.handler';
import { BatchStorage } from './batch-storage';
import { PreparePrintHandler } from './prepare-print.handler';
import { PrintScheduler } from './print-scheduler';
import { PrintVendors } from './print-vendors';

export type PrintConfig = Pick<HubConfig, 'PRINT_STORAGE_DIR' | 'PRINT_SCHEDULER_INTERVAL_MS' | 'PRINT_TIMEZONE'>;

/** The print path of a worker process: its job handlers (for the job router) and its scheduler. */
export interface PrintWorker {
  jobs: JobRegistration[];
  scheduler: PrintScheduler;
  vendors: PrintVendors;
}

export function createPrintWorker(options: { config: PrintConfig; db: TenantDb; log: Logger; onUnacknowledged?: (b: { tenantId: string; batchId: string; vendorId: string }) => void }): PrintWorker {
  const { config, db, log } = options;
  const vendors = new PrintVendors(db);
  const storage = new BatchStorage(config.PRINT_STORAGE_DIR);
  const prepare = new PreparePrintHandler({ db, vendors });
  const assemble = new AssembleBatchHandler({ db, vendors, storage });
  const scheduler = new PrintScheduler({
    db,
    vendors,
    intervalMs: config.PRINT_SCHEDULER_INTERVAL_MS,
    timeZone: config.PRINT_TIMEZONE,
    log: log.child({ component: 'print-scheduler' }),
    ...(options.onUnacknowledged ? { onUnacknowledged: options.onUnacknowledged } : {}),
  });
  return {
    jobs: [
      registerJob(JobName.PreparePrint, (payload, ctx) => prepare.handle(payload, ctx.log)),
      registerJob(JobName.AssemblePrintBatch, (payload, ctx) => assemble.handle(payload, ctx.log)),
    ],
    scheduler,
    vendors,
  };
}
