export { DeliveryLogService, DeliveryLogOptions, LogPage, LogCount, LogExportResult, LogExportOptions, LogRequest, LogSinkClosedError, LogExplain, PlanNode } from './delivery-log.service';
export { LogCaller, LogAccess, logAccessFor, LOG_ROLES } from './log-access';
export { LogRecord, LogColumn, DELIVERY_LOG_COLUMNS, SUBJECT_WITHHELD_FROM_CLASS } from './log-columns';
export { LogAccessDeniedError, LogExportNotFoundError, LogExportUnavailableError, LogDownloadTooLargeError } from './log-errors';
export { LogFilter, LogFilterInput, LogChannel, LogDateField, LOG_CHANNELS, LOG_DATE_FIELDS, LOG_TIME_ZONE, parseLogFilter, zonedMidnight } from './log-filter';
export { LOG_EXPORT_FORMATS, LogExportFormat, UTF8_BOM, csvField, csvHeader, csvRow, jsonlRow, exportContentType, exportExtension } from './log-format';
export { LogScope, LogStatement, LogCursor, LogDbRow, searchStatement, searchCoreStatement, exportStatement, countStatement, encodeLogCursor, decodeLogCursor, toLogRecord } from './log-query';
export {
  LogExportJobs,
  LogExportRunner,
  LogExportRunnerOptions,
  LogExportView,
  LogExportStatus,
  LOG_EXPORT_STATUSES,
  LOG_EXPORT_DOWNLOAD_BASE,
  ExportStorage,
  auditLogExport,
} from './log-export-jobs';
export { startExportWorker, ExportWorker, ExportWorkerOptions } from './export-worker';
export { DeliveryLogController, DeliveryLogExceptionFilter, DeliveryLogApiErrorBody, EXPORT_QUERY_PARAMETERS, filterFromQuery } from './api/delivery-log.controller';
export { DeliveryLogApiModule, DeliveryLogApiOptions } from './api/delivery-log-api.module';
export { LogCallerResolver } from './api/log-caller.resolver';
export { seedSyntheticLog, syntheticSearchCases, syntheticOfficerUnit, SyntheticLogOptions, SyntheticSearchCase, OwnerQuery, SYNTHETIC_OPERATORS } from './synthetic-log';
