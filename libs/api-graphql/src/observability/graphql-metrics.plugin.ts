import type { ApolloServerPlugin } from '@apollo/server';
import { ApiMetrics } from './api-metrics';

// Operation names come from clients: keep the label set bounded (the first 200 names seen, then "other").
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_OPERATION_NAMES = 200;

/** Counts GraphQL operations and their durations by operation name, type and outcome. */
export function graphqlMetricsPlugin(metrics: ApiMetrics): ApolloServerPlugin {
  const seen = new Set<string>();
  const label = (name: string | null | undefined): string => {
    if (!name || !OPERATION_NAME.test(name)) return 'anonymous';
    if (seen.has(name)) return name;
    if (seen.size >= MAX_OPERATION_NAMES) return 'other';
    seen.add(name);
    return name;
  };
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(ctx) {
          const operation = label(ctx.operationName);
          const type = ctx.operation?.operation ?? 'unknown';
          const body = ctx.response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : undefined;
          const outcome = errors?.length ? String(errors[0].extensions?.code ?? 'ERROR') : 'ok';
          metrics.graphqlRequests.inc({ operation, type, outcome });
          metrics.graphqlDuration.observe({ operation, type }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
