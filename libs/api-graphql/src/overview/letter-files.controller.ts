import type { ServerResponse } from 'node:http';
import { ArgumentsHost, Catch, Controller, ExceptionFilter, Get, Inject, Param, Res, UseFilters } from '@nestjs/common';
import { commonRestError, CurrentPrincipal, internalErrorAnswer, Principal, Role, Roles, sendRestError } from '@hub/auth';
import { IntakeError, IntakeErrorCode } from '@hub/letters';
import type { Logger } from '@hub/observability';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { CallerResolver } from '../caller/caller-resolver.service';
import { ApiError, ApiErrorCode } from '../errors/api-error-code';
import { AttachmentNotFoundError, LetterContentGoneError, LetterContentService, RenditionFailedError } from './letter-content.service';

type Response = ServerResponse & { status(code: number): Response };

/** Maps the console REST API's failures to `{ error: { code, message } }` with the right status. */
@Catch()
export class ConsoleRestExceptionFilter implements ExceptionFilter {
  private readonly log: Logger;

  constructor(@Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    this.log = options.logger.child({ component: 'console-rest' });
  }

  catch(e: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const send = (status: number, code: string, message: string) => sendRestError(res, { status, error: { code, message } });
    if (e instanceof LetterContentGoneError) return send(410, 'CONTENT_PURGED', e.message);
    if (e instanceof AttachmentNotFoundError) return send(404, 'NOT_FOUND', e.message);
    if (e instanceof RenditionFailedError) return send(422, 'RENDITION_FAILED', e.message);
    if (e instanceof ApiError) {
      const status = e.code === ApiErrorCode.Forbidden ? 403 : e.code === ApiErrorCode.NotFound ? 404 : e.code === ApiErrorCode.Unauthenticated ? 401 : 400;
      return send(status, e.code, e.message);
    }
    if (e instanceof IntakeError) {
      const status = e.code === IntakeErrorCode.NotFound ? 404 : e.code === IntakeErrorCode.Forbidden ? 403 : 400;
      return send(status, status === 404 ? 'NOT_FOUND' : status === 403 ? 'FORBIDDEN' : 'BAD_USER_INPUT', e.message);
    }
    const common = commonRestError(e);
    if (common) return sendRestError(res, common);
    const internal = internalErrorAnswer();
    this.log.error({ err: e, errorId: internal.errorId }, 'console REST API: internal error');
    sendRestError(res, internal);
  }
}

/** A header-safe file name (ASCII, no quotes) with the full name in RFC 5987 form beside it. */
export function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.normalize('NFKD').replace(/[^\x20-\x7e]/g, '').replace(/["\\;]/g, '_').trim() || 'file';
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * Files of a letter for the console, beside GraphQL (which carries no binary content):
 *
 *   GET /console/v1/letters/{id}/pdf               the letter as a PDF (X-Letter-Pdf: AS_PRINTED or RENDITION)
 *   GET /console/v1/letters/{id}/attachments/{n}   attachment n (0-based, as in Letter.attachments)
 *
 * Bearer token of a case officer or tenant admin; the tenant comes from the token as in GraphQL, and
 * every read runs under row-level security: another municipality's letter is 404. Content removed by
 * retention is 410 CONTENT_PURGED.
 */
@Controller('console/v1')
@UseFilters(ConsoleRestExceptionFilter)
export class LetterFilesController {
  private readonly content: LetterContentService;

  constructor(
    private readonly callers: CallerResolver,
    @Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions,
  ) {
    this.content = new LetterContentService(options.tenantDb);
  }

  @Get('letters/:id/pdf')
  @Roles(Role.CaseOfficer, Role.TenantAdmin)
  async pdf(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const caller = await this.callers.resolve(principal);
    const file = await this.content.pdf(caller, id);
    res.status(200);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Length', String(file.pdf.length));
    res.setHeader('Content-Disposition', contentDisposition('inline', `brev-${id}.pdf`));
    res.setHeader('X-Letter-Pdf', file.kind);
    res.setHeader('X-Attachments-Merged', String(file.attachmentsMerged));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(file.pdf);
  }

  @Get('letters/:id/attachments/:n')
  @Roles(Role.CaseOfficer, Role.TenantAdmin)
  async attachment(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Param('n') n: string, @Res() res: Response): Promise<void> {
    const caller = await this.callers.resolve(principal);
    const file = await this.content.attachment(caller, id, n);
    res.status(200);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Length', String(file.content.length));
    res.setHeader('Content-Disposition', contentDisposition('attachment', file.filename));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(file.content);
  }
}
