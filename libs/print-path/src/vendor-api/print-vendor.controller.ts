import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { ArgumentsHost, Body, Catch, Controller, ExceptionFilter, Get, HttpCode, HttpException, Inject, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { AuthenticationError, CurrentPrincipal, ForbiddenError, Principal, Public, Role, Roles } from '@hub/auth';
import type { Logger } from '@hub/observability';
import { ApiError, BatchList, PRINT_VENDOR_OPENAPI, PrintBatchSummary, StatusReportResult } from '@hub/print';
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
    const send = (status: number, error: ApiError['error']) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.status(status).json({ error } satisfies ApiError);
    };
    if (e instanceof VendorApiError) return send(e.httpStatus, { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) });
    if (e instanceof AuthenticationError) {
      res.setHeader('WWW-Authenticate', `Bearer error="invalid_token", error_description="${e.reason}"`);
      return send(401, { code: 'UNAUTHENTICATED', message: e.message });
    }
    if (e instanceof ForbiddenError) return send(403, { code: 'FORBIDDEN', message: e.message });
    if (e instanceof HttpException) {
      const status = e.getStatus();
      return send(status, { code: status === 404 ? 'NOT_FOUND' : status === 400 ? 'BAD_REQUEST' : 'HTTP_ERROR', message: e.message });
    }
    const errorId = randomUUID();
    this.log.error({ err: e, errorId }, 'print vendor API: internal error');
    send(500, { code: 'INTERNAL', message: `internal error; quote errorId ${errorId} to the platform operator`, details: { errorId } });
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
