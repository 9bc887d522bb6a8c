import { AuditTrailResolver } from './audit-trail.resolver';
import { RetentionResolver } from './retention.resolver';

/** The GraphQL resolvers of retention rules, dry-runs, purge records and the audit trail. */
export const RETENTION_RESOLVERS = [RetentionResolver, AuditTrailResolver];
