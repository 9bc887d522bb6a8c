export { appendAudit, auditHash, canonicalJson, AuditEntry, AuditEntryInput } from './audit-log';
