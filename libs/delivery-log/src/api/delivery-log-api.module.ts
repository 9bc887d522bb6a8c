import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { DeliveryLogService } from '../delivery-log.service';
import { ExportStorage, LogExportJobs } from '../log-export-jobs';
import { DELIVERY_LOG_API, DeliveryLogApiDeps, DeliveryLogController, DeliveryLogExceptionFilter } from './delivery-log.controller';
import { LogCallerResolver } from './log-caller.resolver';

export interface DeliveryLogApiOptions {
  tenantDb: TenantDb;
  logger: Logger;
  /** Directory of export job files (DELIVERY_LOG_EXPORT_DIR), shared with the workers. Default `.data/exports`. */
  exportDir?: string;
  /** Most letters a direct download may hold (DELIVERY_LOG_DOWNLOAD_MAX_ROWS). Default 100,000. */
  downloadMaxRows?: number;
  /** Rows per FETCH from the server-side cursor. Default 2,000. */
  fetchSize?: number;
}

/**
 * Mounts the delivery log's REST endpoints (`/delivery-log/v1`: CSV and JSON Lines downloads, export
 * job files) in the API process. Authentication is the application's global AuthGuard.
 */
@Module({})
export class DeliveryLogApiModule {
  static forRoot(options: DeliveryLogApiOptions): DynamicModule {
    const log = options.logger.child({ component: 'delivery-log-api' });
    const service = new DeliveryLogService(options.tenantDb, { pageSizeMax: 1, fetchSize: options.fetchSize });
    const deps: DeliveryLogApiDeps = {
      db: options.tenantDb,
      service,
      jobs: new LogExportJobs(options.tenantDb, service, new ExportStorage(options.exportDir ?? '.data/exports')),
      callers: new LogCallerResolver(options.tenantDb),
      log,
      downloadMaxRows: options.downloadMaxRows ?? 100_000,
    };
    return {
      module: DeliveryLogApiModule,
      controllers: [DeliveryLogController],
      providers: [{ provide: DELIVERY_LOG_API, useValue: deps }, DeliveryLogExceptionFilter],
    };
  }
}
