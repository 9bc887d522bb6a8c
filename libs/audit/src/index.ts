export { appendAudit, auditHash, canonicalJson, AuditEntry, AuditEntryInput } from './audit-log';
export {
  verifyAuditTrail,
  readAuditTrail,
  auditQueryOf,
  AuditQuery,
  AuditVerification,
  AuditBreak,
  AuditBreakProblem,
  AuditTrailPage,
} from './audit-verify';
