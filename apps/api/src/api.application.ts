import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { graphqlUploadExpress } from 'graphql-upload-minimal';
import { Redis } from 'ioredis';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ApiMetrics, GRAPHQL_PATH, ReachabilityChecker } from '@hub/api-graphql';
import type { HubConfig } from '@hub/config';
import { MmGateway } from '@hub/dispatch';
import { KeyVault } from '@hub/keys';
import { LETTER_ENTITIES, MAX_ATTACHMENTS, MAX_DELIVERY_BYTES } from '@hub/letters';
import { createLogger, Logger } from '@hub/observability';
import { createOrm, TenantDb } from '@hub/persistence';
import { TENANCY_ENTITIES } from '@hub/tenancy';
import { AppModule } from './app.module';
import { join } from 'node:path';
import { consoleMiddleware, hubVersion } from './console-static';
import { contentLengthLimit, graphqlRequestErrorHandler, HttpMetrics, httpObservability } from './http-observability';
import { PinoNestLogger } from './pino-nest-logger';

export interface ApiApplication {
  app: NestExpressApplication;
  logger: Logger;
  registry: Registry;
  /** Starts listening on API_HOST:API_PORT (0 picks a free port); returns the base URL. */
  listen(): Promise<string>;
  /** Stops accepting requests, lets running ones finish, then closes the database pool and Redis. */
  close(): Promise<void>;
}

export interface ApiApplicationOptions {
  logger?: Logger;
  /**
   * What answers checkReachability. Default: the shared MmGateway (FaR over mutual TLS with the
   * förmedlare credential); `null` runs without it.
   */
  reachability?: ReachabilityChecker | null;
}

/**
 * Composes the API process from the libraries: database pool, Redis (health), the FaR gateway,
 * metrics, the Nest application (auth, GraphQL, health) and the HTTP middleware in the order it
 * must run: request id and log line → size limit → JSON body → multipart uploads → GraphQL.
 */
export async function createApiApplication(config: HubConfig, options: ApiApplicationOptions = {}): Promise<ApiApplication> {
  const logger = options.logger ?? createLogger('api', config.LOG_LEVEL);
  const orm = await createOrm({ url: config.DATABASE_URL, entities: [...TENANCY_ENTITIES, ...LETTER_ENTITIES], poolSize: config.DATABASE_POOL_SIZE });
  const tenantDb = new TenantDb(orm);
  // The API only pings Redis for /health; it fails fast rather than queueing commands while Redis is away.
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  redis.on('error', (e: Error) => logger.debug({ err: e }, 'redis connection error'));
  redis.connect().catch(() => undefined);

  let gateway: MmGateway | undefined;
  let reachability = options.reachability ?? undefined;
  if (options.reachability === undefined) {
    try {
      gateway = await MmGateway.create({ config, db: tenantDb, vault: new KeyVault(config.MASTER_KEY!) });
      reachability = gateway;
    } catch (e) {
      logger.warn({ err: e }, 'checkReachability is unavailable: the FaR gateway could not be set up');
    }
  }

  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hub_api_' });
  const metrics = new ApiMetrics(registry);

  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({
      config,
      registry,
      graphql: { config, tenantDb, logger, metrics, ...(reachability ? { reachability } : {}) },
      healthChecks: [
        { name: 'database', check: async () => void (await orm.em.fork().getConnection().execute('select 1')) },
        { name: 'redis', check: async () => void (await redis.ping()) },
      ],
    }),
    { bodyParser: false, logger: new PinoNestLogger(logger), abortOnError: false },
  );
  app.use(httpObservability(logger, new HttpMetrics(registry)));
  app.use(
    consoleMiddleware({
      dir: config.CONSOLE_DIR ?? join(__dirname, '..', '..', '..', 'console'),
      issuer: config.CONSOLE_OIDC_ISSUER ?? config.OIDC_ISSUER,
      clientId: config.CONSOLE_OIDC_CLIENT_ID,
      version: hubVersion(),
    }),
  );
  app.use(GRAPHQL_PATH, contentLengthLimit(config.REQUEST_MAX_BYTES));
  app.useBodyParser('json', { limit: config.REQUEST_MAX_BYTES });
  app.use(
    GRAPHQL_PATH,
    graphqlUploadExpress({ maxFileSize: MAX_DELIVERY_BYTES, maxFiles: config.BULK_MAX_LETTERS * MAX_ATTACHMENTS, maxFieldSize: config.REQUEST_MAX_BYTES }),
  );
  app.use(GRAPHQL_PATH, graphqlRequestErrorHandler());

  let closed = false;
  return {
    app,
    logger,
    registry,
    async listen() {
      await app.listen(config.API_PORT, config.API_HOST);
      return (await app.getUrl()).replace('[::1]', 'localhost');
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      gateway?.close();
      redis.disconnect();
      await orm.close();
    },
  };
}
