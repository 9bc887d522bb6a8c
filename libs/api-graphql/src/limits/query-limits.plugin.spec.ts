import { buildSchema, GraphQLError, parse } from 'graphql';
import { checkQueryLimits, QueryLimits } from './query-limits.plugin';

const schema = buildSchema(`
  type Query { a: A }
  type A { b: B, n: Int }
  type B { c: C, n: Int }
  type C { d: A, n: Int }
`);

function refusal(query: string, limits: Omit<QueryLimits, 'pageSize'> = { maxDepth: 4, maxComplexity: 100 }): string | undefined {
  try {
    checkQueryLimits(schema, parse(query), undefined, {}, { ...limits, pageSize: { default: 50, max: 200 } });
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(GraphQLError);
    expect((e as GraphQLError).extensions.code).toBe('QUERY_TOO_COMPLEX');
    return (e as GraphQLError).message;
  }
}

describe('query limits', () => {
  it('counts depth through fragments and inline fragments', () => {
    expect(refusal('{ a { b { c { n } } } }')).toBeUndefined();
    expect(refusal('{ a { b { c { d { n } } } } }')).toMatch(/5 levels deep; at most 4/);
    expect(refusal('query { a { ...F } } fragment F on A { b { ... on B { c { d { n } } } } }')).toMatch(/5 levels deep/);
  });

  it('does not count introspection', () => {
    expect(refusal('{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }')).toBeUndefined();
  });

  it('refuses complexity over the limit', () => {
    const wide = `{ ${Array.from({ length: 120 }, (_, i) => `x${i}: a { n }`).join(' ')} }`;
    expect(refusal(wide, { maxDepth: 10, maxComplexity: 100 })).toMatch(/complexity is 240; at most 100/);
  });
});
