/** The GraphQL resolvers of retention rules, dry-runs, purge records and the audit trail. */
export const RETENTION_RESOLVERS = [];
