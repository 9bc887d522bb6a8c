import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { ArgumentsHost, Body, Catch, Controller, ExceptionFilter, Get, HttpCode, Inject, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { commonRestError, CurrentPrincipal, internalErrorAnswer, Principal, Role, Roles, sendRestError } from '@hub/auth';
import { FieldViolation, IntakeError, IntakeErrorCode, LetterValidationError } from '@hub/letters';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { DeliveryLogService, LogSinkClosedError } from '../delivery-log.service';
import { LogDownloadTooLargeError, LogExportNotFoundError, LogExportUnavailableError } from '../log-errors';
import { LogFilterInput } from '../log-filter';
import { exportContentType, exportExtension, LogExportFormat } from '../log-format';
import { auditLogExport, LogExportJobs } from '../log-export-jobs';
import { LogCallerResolver } from './log-caller.resolver';

// The parts of express' response used here (the project carries no @types/express).
type Response = ServerResponse & { status(code: number): Response; json(body: unknown): Response };

export const DELIVERY_LOG_API = Symbol('DeliveryLogApi');

/** What the controller is built from (see DeliveryLogApiModule). */
export interface DeliveryLogApiDeps {
  db: TenantDb;
  service: DeliveryLogService;
  jobs: LogExportJobs;
  callers: LogCallerResolver;
  log: Logger;
  /** Largest direct download, in rows; more needs an export job. */
  downloadMaxRows: number;
}

/** The REST error body: `{ error: { code, message, fields? } }`. */
export interface DeliveryLogApiErrorBody {
  error: { code: string; message: string; fields?: FieldViolation[]; errorId?: string };
}

/** The query parameters of the export endpoints, one per filter field, plus `bom`. */
export const EXPORT_QUERY_PARAMETERS = ['recipient', 'caseReference', 'caseType', 'sendingUnit', 'channel', 'status', 'operator', 'dateField', 'from', 'to', 'bom'] as const;

/**
 * The export endpoints' query string (GET) or JSON body (POST) as a filter: one parameter per filter
 * field; `status` may be repeated, comma-separated or (JSON) an array. Unknown or repeated
 * parameters are refused (a misspelt filter must not silently export everything).
 */
export function filterFromQuery(query: Record<string, unknown>): { filter: LogFilterInput; bom: boolean } {
  const fields: FieldViolation[] = [];
  const single = (name: string): string | undefined => {
    const v = query[name];
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v)) {
      fields.push({ path: name, rule: 'repeated', message: 'is given more than once; give it once' });
      return undefined;
    }
    if (typeof v === 'object') {
      fields.push({ path: name, rule: 'type', message: 'must be a single value' });
      return undefined;
    }
    return String(v);
  };
  for (const key of Object.keys(query)) {
    if (!(EXPORT_QUERY_PARAMETERS as readonly string[]).includes(key)) {
      fields.push({ path: key, rule: 'unknown', message: `is not a parameter of the delivery log export; use ${EXPORT_QUERY_PARAMETERS.join(', ')}` });
    }
  }
  const filter: LogFilterInput = {};
  for (const name of ['recipient', 'caseReference', 'caseType', 'sendingUnit', 'channel', 'operator', 'dateField', 'from', 'to'] as const) {
    const v = single(name);
    if (v !== undefined) filter[name] = v;
  }
  if (query.status !== undefined && query.status !== null) {
    filter.status = (Array.isArray(query.status) ? query.status : [query.status]).flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean);
  }
  let bom = false;
  const b = single('bom');
  if (b !== undefined) {
    if (b === 'true' || b === '1') bom = true;
    else if (b !== 'false' && b !== '0' && b !== '') fields.push({ path: 'bom', rule: 'format', message: 'must be true or false' });
  }
  if (fields.length) throw new LetterValidationError(fields, 'The export request was refused');
  return { filter, bom };
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new LetterValidationError([{ path: '(body)', rule: 'type', message: 'must be a JSON object with the filter fields (Content-Type: application/json)' }], 'The export request was refused');
  }
  return body as Record<string, unknown>;
}

/** Maps every failure of the delivery-log REST API to a JSON error body with the right HTTP status. */
@Catch()
export class DeliveryLogExceptionFilter implements ExceptionFilter {
  constructor(@Inject(DELIVERY_LOG_API) private readonly deps: DeliveryLogApiDeps) {}

  catch(e: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const send = (status: number, error: DeliveryLogApiErrorBody['error']) => sendRestError(res, { status, error });
    if (e instanceof LetterValidationError) return send(400, { code: 'VALIDATION_FAILED', message: e.message, fields: e.fields });
    if (e instanceof LogDownloadTooLargeError) return send(422, { code: 'EXPORT_TOO_LARGE', message: e.message });
    if (e instanceof LogExportUnavailableError) {
      return send(e.httpStatus, { code: e.status === 'EXPIRED' ? 'EXPORT_EXPIRED' : e.status === 'FAILED' ? 'EXPORT_FAILED' : 'EXPORT_NOT_READY', message: e.message });
    }
    if (e instanceof LogExportNotFoundError) return send(404, { code: 'NOT_FOUND', message: e.message });
    if (e instanceof IntakeError) {
      const status = e.code === IntakeErrorCode.Forbidden ? 403 : e.code === IntakeErrorCode.NotFound ? 404 : 400;
      return send(status, { code: status === 403 ? 'FORBIDDEN' : status === 404 ? 'NOT_FOUND' : 'BAD_USER_INPUT', message: e.message });
    }
    if (e instanceof LogSinkClosedError) return send(499, { code: 'CLIENT_CLOSED', message: e.message });
    const common = commonRestError(e);
    if (common) return sendRestError(res, common);
    const internal = internalErrorAnswer();
    this.deps.log.error({ err: e, errorId: internal.errorId }, 'delivery log API: internal error');
    sendRestError(res, internal);
  }
}

/**
 * The delivery log as files (F5), for the roles that may search it and with the same scoping: a
 * tenant admin the whole municipality, a case officer their own sending unit, a case system its own
 * letters.
 *
 *   GET /delivery-log/v1/export.csv?<filter>&bom=true    CSV (RFC 4180, UTF-8, CRLF; bom=true for Excel)
 *   GET /delivery-log/v1/export.jsonl?<filter>           JSON Lines
 *   POST the same paths with the filter as a JSON body   (keeps a personnummer filter out of URLs)
 *   GET /delivery-log/v1/exports/{id}/download           the file of a finished export job (startLogExport)
 *
 * Direct downloads are streamed from a server-side cursor (memory stays flat) and hold at most
 * `downloadMaxRows` letters; a larger range is refused with 422 EXPORT_TOO_LARGE before anything is
 * sent, and belongs in an export job.
 */
@Controller('delivery-log/v1')
@UseFilters(DeliveryLogExceptionFilter)
export class DeliveryLogController {
  constructor(@Inject(DELIVERY_LOG_API) private readonly deps: DeliveryLogApiDeps) {}

  @Get('export.csv')
  @Roles(Role.CaseSystem, Role.CaseOfficer, Role.TenantAdmin)
  exportCsv(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    return this.download(principal, query, 'CSV', res);
  }

  @Get('export.jsonl')
  @Roles(Role.CaseSystem, Role.CaseOfficer, Role.TenantAdmin)
  exportJsonl(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    return this.download(principal, query, 'JSONL', res);
  }

  /** The same as GET, with the filter as a JSON body: keeps personnummer out of URLs (and so out of proxy logs and browser history). */
  @Post('export.csv')
  @HttpCode(200)
  @Roles(Role.CaseSystem, Role.CaseOfficer, Role.TenantAdmin)
  exportCsvPost(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Res() res: Response): Promise<void> {
    return this.download(principal, bodyObject(body), 'CSV', res);
  }

  @Post('export.jsonl')
  @HttpCode(200)
  @Roles(Role.CaseSystem, Role.CaseOfficer, Role.TenantAdmin)
  exportJsonlPost(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Res() res: Response): Promise<void> {
    return this.download(principal, bodyObject(body), 'JSONL', res);
  }

  @Get('exports/:id/download')
  @Roles(Role.CaseSystem, Role.CaseOfficer, Role.TenantAdmin)
  async exportFile(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const caller = await this.deps.callers.resolve(principal);
    const file = await this.deps.jobs.openDownload(caller, id);
    res.status(200);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Length', String(file.bytes));
    res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
    res.setHeader('X-Checksum-SHA256', file.sha256);
    res.setHeader('Cache-Control', 'no-store');
    await pipeline(file.stream, res);
  }

  private async download(principal: Principal, query: Record<string, unknown>, format: LogExportFormat, res: Response): Promise<void> {
    const { db, service, log } = this.deps;
    const caller = await this.deps.callers.resolve(principal);
    const { filter, bom } = filterFromQuery(query);
    if (bom && format !== 'CSV') throw new LetterValidationError([{ path: 'bom', rule: 'format', message: 'applies to CSV only' }], 'The export request was refused');
    const req = await service.checkDownload(caller, filter, this.deps.downloadMaxRows);
    await db.inTenant(caller.tenantId, (em) => auditLogExport(em, req, caller.actor, 'deliveryLog:download', format), caller.actor);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
    res.status(200);
    res.setHeader('Content-Type', exportContentType(format));
    res.setHeader('Content-Disposition', `attachment; filename="delivery-log-${caller.tenantAlias}-${stamp}.${exportExtension(format)}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const started = Date.now();
    const result = await service.exportTo(req, res, { format, bom });
    res.end();
    log.info({ format, rows: result.rows, bytes: result.bytes, ms: Date.now() - started, access: req.access.kind }, 'delivery log downloaded');
  }
}
