import type { HubConfig } from '@hub/config';
import type { Reachability } from '@hub/mina-meddelanden';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import type { ApiMetrics } from './observability/api-metrics';

/** What asks FaR whether recipients can take digital mail (the shared `MmGateway` in the hub). */
export interface ReachabilityChecker {
  isReachable(senderOrgId: string, recipientIds: string[]): Promise<Reachability[]>;
}

/** Everything the GraphQL API is built from; the application creates these once at boot. */
export interface ApiGraphqlOptions {
  config: Pick<
    HubConfig,
    'NODE_ENV' | 'GRAPHQL_MAX_DEPTH' | 'GRAPHQL_MAX_COMPLEXITY' | 'PAGE_SIZE_MAX' | 'BULK_MAX_LETTERS' | 'DISPATCH_DEADLINE_HOURS'
  >;
  tenantDb: TenantDb;
  logger: Logger;
  metrics: ApiMetrics;
  /** Without it, `checkReachability` answers UPSTREAM_UNAVAILABLE (e.g. no förmedlare credential installed). */
  reachability?: ReachabilityChecker;
}

export const API_GRAPHQL_OPTIONS = Symbol('API_GRAPHQL_OPTIONS');
