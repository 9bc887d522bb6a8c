/** The environment (and typed configuration) of a hub process under test. */
import { HubConfig, loadConfig } from '@hub/config';
import type { HubDatabase } from './hub-database';
import { TEST_REDIS_URL } from './redis';
import type { TestSimulators } from './simulators';

/**
 * Environment variables for a hub process against `hub`'s database and the simulators, with
 * `overrides` on top (e.g. QUEUE_PREFIX, RETRY_BASE_MS). Fast polling defaults suit tests.
 */
export function hubEnv(hub: HubDatabase, sims: Pick<TestSimulators, 'farUrl' | 'caFile'>, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    DATABASE_URL: hub.appUrl,
    DATABASE_OWNER_URL: hub.ownerUrl,
    DATABASE_ADMIN_URL: hub.adminUrl,
    REDIS_URL: TEST_REDIS_URL,
    MASTER_KEY: hub.masterKey,
    FAR_URL: sims.farUrl,
    MM_CA_FILE: sims.caFile,
    MM_TIMEOUT_MS: '10000',
    OUTBOX_POLL_MS: '20',
    RETRY_BASE_MS: '50',
    RETRY_MAX_MS: '400',
    RECONCILE_INTERVAL_MS: '1000',
    RECONCILE_STALLED_MS: '60000',
    WORKER_CONCURRENCY: '8',
    ...overrides,
  };
}

/** The same as a validated {@link HubConfig}, for running hub code in the test's own process. */
export function hubConfig(hub: HubDatabase, sims: Pick<TestSimulators, 'farUrl' | 'caFile'>, overrides: Record<string, string> = {}): HubConfig {
  return loadConfig(hubEnv(hub, sims, overrides));
}
