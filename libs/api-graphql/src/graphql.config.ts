import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { ClsServiceManager } from 'nestjs-cls';
import { DEFAULT_PAGE_SIZE } from '@hub/letters';
import { GRAPHQL_PATH } from './api-graphql.constants';
import { ApiGraphqlOptions } from './api-graphql.options';
import { TENANT_CLS_KEY } from './caller/caller.interceptor';
import { GraphqlContext } from './caller/graphql-context';
import { createFormatError, ErrorContext } from './errors/format-error';
import { queryLimitsPlugin } from './limits/query-limits.plugin';
import { graphqlMetricsPlugin } from './observability/graphql-metrics.plugin';

// The request id and tenant id of the request being answered, from nestjs-cls (when the application mounts it).
function errorContext(): ErrorContext {
  try {
    const cls = ClsServiceManager.getClsService();
    if (!cls.isActive()) return {};
    const tenantId = cls.get<string | undefined>(TENANT_CLS_KEY);
    return { requestId: cls.getId(), ...(tenantId ? { tenantId } : {}) };
  } catch {
    return {};
  }
}

/** The Apollo configuration of the API: schema built from the resolvers, limits, error mapping, metrics. */
export function graphqlConfig(options: ApiGraphqlOptions): ApolloDriverConfig {
  const { config } = options;
  return {
    driver: ApolloDriver,
    path: GRAPHQL_PATH,
    autoSchemaFile: true,
    sortSchema: true,
    graphiql: config.NODE_ENV === 'development',
    introspection: config.NODE_ENV !== 'production',
    // Errors are mapped in one place (formatError), Nest's HTTP-exception translation included.
    autoTransformHttpErrors: false,
    includeStacktraceInErrorResponses: false,
    // Apollo's CSRF prevention stays on: multipart requests need an apollo-require-preflight or x-apollo-operation-name header.
    csrfPrevention: true,
    formatError: createFormatError(options.logger, errorContext),
    context: ({ req }: { req: GraphqlContext['req'] }): GraphqlContext => ({ req }),
    plugins: [
      queryLimitsPlugin({
        maxDepth: config.GRAPHQL_MAX_DEPTH,
        maxComplexity: config.GRAPHQL_MAX_COMPLEXITY,
        pageSize: { default: Math.min(DEFAULT_PAGE_SIZE, config.PAGE_SIZE_MAX), max: config.PAGE_SIZE_MAX },
      }),
      graphqlMetricsPlugin(options.metrics),
    ],
  };
}
