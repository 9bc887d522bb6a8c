import { pipeline } from 'node:stream/promises';
import { ArgumentsHost, Body, Catch, Controller, ExceptionFilter, Get, HttpCode, Inject, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { commonRestError, CurrentPrincipal, internalErrorAnswer, Principal, Public, Role, Roles, sendRestError } from '@hub/auth';
import type { Logger } from '@hub/observability';
import { BatchList, PRINT_VENDOR_OPENAPI, PrintBatchSummary, StatusReportResult } from '@hub/print';
import type { BatchFileKind } from '../batch-storage';
import { PrintVendorService, VendorApiError } from './print-vendor.service';

// The parts of express' response used here (the project carries no @types/express).
type Response = ServerResponse & { status(code: number): Response; json(body: unknown): Response };

export const PRINT_VENDOR_SERVICE = Symbol('PrintVendorService');
export const PRINT_VENDOR_LOGGER = Symbol('PrintVendorLogger');

/** Maps every failure of the vendor API to a JSON `ApiError` body with the right HTTP status. */
@Catch()
export class VendorApiExceptionFilter implements ExceptionFilter {
  constructor(@Inject(PRINT_VENDOR_LOGGER) private readonly log: Logger) {}

  catch(e: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (e instanceof VendorApiError) {
      return sendRestError(res, { status: e.httpStatus, error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } });
    }
    const common = commonRestError(e);
    if (common) return sendRestError(res, common);
    const internal = internalErrorAnswer();
    this.log.error({ err: e, errorId: internal.errorId }, 'print vendor API: internal error');
    // The contract (ApiError) carries extra data in `details`.
    sendRestError(res, { status: 500, error: { code: 'INTERNAL', message: internal.error.message, details: { errorId: internal.errorId } } });
  }
}

/**
 * The print-vendor pull API (REST, JSON; the contract and the OpenAPI document are in libs/print):
 * vendors list their READY batches, download PDF and manifests (streamed, with SHA-256), acknowledge,
 * and report status per batch and per letter. Every route but the OpenAPI document requires the
 * `print-vendor` role; the vendor is the token's client.
 */
@Controller('print/v1')
@UseFilters(VendorApiExceptionFilter)
export class PrintVendorController {
  constructor(@Inject(PRINT_VENDOR_SERVICE) private readonly service: PrintVendorService) {}

  @Get('openapi.json')
  @Public()
  openapi(): unknown {
    return PRINT_VENDOR_OPENAPI;
  }

  @Get('batches')
  @Roles(Role.PrintVendor)
  async list(@CurrentPrincipal() principal: Principal, @Query('status') status?: string): Promise<BatchList> {
    const vendor = await this.service.vendorFor(principal.clientId);
    return { batches: await this.service.listBatches(vendor, status) };
  }

  @Get('batches/:id')
  @Roles(Role.PrintVendor)
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<PrintBatchSummary> {
    return this.service.getBatch(await this.service.vendorFor(principal.clientId), id);
  }

  @Get('batches/:id/pdf')
  @Roles(Role.PrintVendor)
  pdf(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res() res: Response): Promise<void> {
    return this.download(principal, id, 'pdf', res);
  }

  @Get('batches/:id/manifest.json')
  @Roles(Role.PrintVendor)
  manifestJson(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res() res: Response): Promise<void> {
    return this.download(principal, id, 'manifestJson', res);
  }

  @Get('batches/:id/manifest.csv')
  @Roles(Role.PrintVendor)
  manifestCsv(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res() res: Response): Promise<void> {
    return this.download(principal, id, 'manifestCsv', res);
  }

  @Post('batches/:id/acknowledge')
  @HttpCode(200)
  @Roles(Role.PrintVendor)
  async acknowledge(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<PrintBatchSummary> {
    return this.service.acknowledge(await this.service.vendorFor(principal.clientId), id);
  }

  @Post('batches/:id/status')
  @HttpCode(200)
  @Roles(Role.PrintVendor)
  async batchStatus(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown): Promise<StatusReportResult> {
    return this.service.reportBatchStatus(await this.service.vendorFor(principal.clientId), id, body);
  }

  @Post('letters/status')
  @HttpCode(200)
  @Roles(Role.PrintVendor)
  async letterStatus(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<StatusReportResult> {
    return this.service.reportLetterStatuses(await this.service.vendorFor(principal.clientId), body);
  }

  private async download(principal: Principal, id: string, kind: BatchFileKind, res: Response): Promise<void> {
    const file = await this.service.openFile(await this.service.vendorFor(principal.clientId), id, kind);
    res.status(200);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Length', String(file.bytes));
    res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
    res.setHeader('X-Checksum-SHA256', file.sha256);
    res.setHeader('Digest', `sha-256=${Buffer.from(file.sha256, 'hex').toString('base64')}`);
    await pipeline(file.stream, res);
  }
}
