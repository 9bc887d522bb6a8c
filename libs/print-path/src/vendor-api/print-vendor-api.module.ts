import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { BatchStorage } from '../batch-storage';
import { PrintVendors } from '../print-vendors';
import { PRINT_VENDOR_LOGGER, PRINT_VENDOR_SERVICE, PrintVendorController, VendorApiExceptionFilter } from './print-vendor.controller';
import { PrintVendorService } from './print-vendor.service';

export interface PrintVendorApiOptions {
  tenantDb: TenantDb;
  storageDir: string;
  logger: Logger;
}

/** Mounts the print-vendor pull API (`/print/v1`) in the API process. */
@Module({})
export class PrintVendorApiModule {
  static forRoot(options: PrintVendorApiOptions): DynamicModule {
    const log = options.logger.child({ component: 'print-vendor-api' });
    return {
      module: PrintVendorApiModule,
      controllers: [PrintVendorController],
      providers: [
        { provide: PRINT_VENDOR_LOGGER, useValue: log },
        {
          provide: PRINT_VENDOR_SERVICE,
          useValue: new PrintVendorService({ db: options.tenantDb, vendors: new PrintVendors(options.tenantDb), storage: new BatchStorage(options.storageDir), log }),
        },
        VendorApiExceptionFilter,
      ],
    };
  }
}
