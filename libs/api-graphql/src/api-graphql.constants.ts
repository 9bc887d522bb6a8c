/** Where the GraphQL endpoint is mounted (the upload middleware and the body limit are mounted there too). */
export const GRAPHQL_PATH = '/graphql';
