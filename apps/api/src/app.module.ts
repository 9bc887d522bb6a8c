import { randomUUID } from 'node:crypto';
import { DynamicModule, Module } from '@nestjs/common';
import { ClsModule } from 'nestjs-cls';
import { Registry } from 'prom-client';
import { ApiGraphqlModule, ApiGraphqlOptions, ApiRequest } from '@hub/api-graphql';
import { AuthModule } from '@hub/auth';
import type { HubConfig } from '@hub/config';
import { DeliveryLogApiModule } from '@hub/delivery-log';
import { PrintVendorApiModule } from '@hub/print-path';
import { HEALTH_CHECKS, HealthCheck, HealthController, METRICS_REGISTRY } from './health.controller';

export interface AppModuleOptions {
  config: HubConfig;
  graphql: ApiGraphqlOptions;
  registry: Registry;
  healthChecks: HealthCheck[];
}

/** The API's module tree: request context, authentication, the GraphQL API, the print-vendor pull API, health and metrics. */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const { config } = options;
    return {
      module: AppModule,
      imports: [
        // Request-scoped storage (AsyncLocalStorage) for the request id, principal and tenant id.
        ClsModule.forRoot({
          global: true,
          middleware: { mount: true, generateId: true, idGenerator: (req: ApiRequest) => req.requestId ?? randomUUID() },
        }),
        AuthModule.forRoot({
          issuer: config.OIDC_ISSUER,
          audience: config.OIDC_AUDIENCE,
          ...(config.OIDC_JWKS_URI ? { jwksUri: config.OIDC_JWKS_URI } : {}),
          algorithms: config.OIDC_ALGORITHMS.split(',').filter(Boolean),
          tenantClaim: config.OIDC_TENANT_CLAIM,
        }),
        ApiGraphqlModule.forRoot(options.graphql),
        DeliveryLogApiModule.forRoot({
          tenantDb: options.graphql.tenantDb,
          logger: options.graphql.logger,
          exportDir: config.DELIVERY_LOG_EXPORT_DIR,
          downloadMaxRows: config.DELIVERY_LOG_DOWNLOAD_MAX_ROWS,
        }),
        PrintVendorApiModule.forRoot({ tenantDb: options.graphql.tenantDb, storageDir: config.PRINT_STORAGE_DIR, logger: options.graphql.logger }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: HEALTH_CHECKS, useValue: options.healthChecks },
        { provide: METRICS_REGISTRY, useValue: options.registry },
      ],
    };
  }
}
