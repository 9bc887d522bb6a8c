export {
  RETENTION_FINISHED_STATUSES,
  IDENTIFIER_ACTIONS,
  IdentifierAction,
  RETENTION_STEPS,
  RetentionStep,
  MAX_RETENTION_DAYS,
  RetentionRule,
  RetentionRuleInput,
  RetentionContext,
  RetentionFieldViolation,
  RetentionError,
  RetentionErrorCode,
  RetentionValidationError,
  RetentionRuleNotFoundError,
  checkRetentionRuleInput,
} from './retention-rule';
export { RetentionRules } from './retention-rules.service';
export { RetentionPurger, RetentionPurgers, RETENTION_PURGERS } from './retention-purgers';
export { PseudonymKeys, pseudonymOf, PSEUDONYM_PREFIX, REMOVED_RECIPIENT } from './pseudonyms';
export { RetentionPurge, RetentionPurgeOptions, RetentionCounts, PurgeRecord, PurgeTrigger, RunOptions, emptyCounts, addCounts } from './retention-purge';
export { PurgeRecords, PurgeRecordPage, PurgeRecordFilter } from './purge-records';
export { RetentionService, RetentionDryRunResult } from './retention.service';
export { RetentionScheduler, RetentionSchedulerOptions, checkSchedulerSettings } from './retention-scheduler';
export { startRetentionWorker, RetentionWorker, RetentionWorkerOptions } from './retention-runtime';
