import type { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, FragmentDefinitionNode, getNamedType, GraphQLError, GraphQLSchema, Kind, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { ComplexityEstimator, fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { ApiErrorCode } from '../errors/api-error-code';

export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
  /** Page sizes of connections: what `first` defaults to, and its maximum (PAGE_SIZE_MAX). */
  pageSize: { default: number; max: number };
}

/**
 * A Relay connection costs its page size times what each node costs. `first` beyond the maximum is
 * counted at the maximum: the resolver refuses it with PAGE_SIZE_EXCEEDED, a clearer answer.
 */
export function connectionEstimator(pageSize: QueryLimits['pageSize']): ComplexityEstimator {
  return ({ field, args, childComplexity }) => {
    if (!getNamedType(field.type).name.endsWith('Connection')) return undefined;
    const asked = typeof args.first === 'number' && args.first > 0 ? args.first : pageSize.default;
    return 1 + Math.min(asked, pageSize.max) * childComplexity;
  };
}

function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ApiErrorCode.QueryTooComplex, http: { status: 400 } } });
}

/**
 * Depth of the deepest field selection of an operation, through fragments. Introspection fields
 * (`__schema`, `__type`) do not count: tools need their deep type references.
 */
export function operationDepth(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): number {
  const depthOf = (set: SelectionSetNode | undefined, depth: number, seen: Set<string>): number => {
    if (!set) return depth;
    let max = depth;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue;
        max = Math.max(max, depthOf(sel.selectionSet, depth + 1, seen));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, depthOf(sel.selectionSet, depth, seen));
      } else {
        const name = sel.name.value;
        // A fragment cycle is refused by GraphQL validation before this runs; the guard keeps us safe anyway.
        if (seen.has(name)) continue;
        max = Math.max(max, depthOf(fragments.get(name)?.selectionSet, depth, new Set([...seen, name])));
      }
    }
    return max;
  };
  return depthOf(operation.selectionSet, 0, new Set());
}

/** Refuses, with `QUERY_TOO_COMPLEX`, a depth or complexity over the limits; throws nothing otherwise. */
export function checkQueryLimits(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown>, limits: QueryLimits): void {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    else if (def.kind === Kind.OPERATION_DEFINITION && (!operationName || def.name?.value === operationName)) operation ??= def;
  }
  if (!operation) return;
  const depth = operationDepth(operation, fragments);
  if (depth > limits.maxDepth) {
    throw tooComplex(`The query is ${depth} levels deep; at most ${limits.maxDepth} are allowed. Select fewer nested fields or split the query.`);
  }
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      query: document,
      operationName: operationName ?? undefined,
      variables,
      estimators: [connectionEstimator(limits.pageSize), fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (e) {
    // Variables are coerced here before execution does it: a bad variable is the caller's mistake.
    if (e instanceof GraphQLError) throw new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: ApiErrorCode.BadUserInput, http: { status: 400 } } });
    throw e;
  }
  if (complexity > limits.maxComplexity) {
    throw tooComplex(
      `The query's complexity is ${complexity}; at most ${limits.maxComplexity} is allowed. ` +
        'Ask for smaller pages (first), fewer fields, or leave out events in long lists.',
    );
  }
}

/**
 * Apollo plugin applying {@link checkQueryLimits} once the operation is known (so with its variables:
 * `letters(first: $n)` costs what `$n` says).
 */
export function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx) {
          checkQueryLimits(ctx.schema, ctx.document, ctx.operationName, ctx.request.variables ?? {}, limits);
        },
      };
    },
  };
}
