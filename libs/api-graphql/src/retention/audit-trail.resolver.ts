import { Inject, UseInterceptors } from '@nestjs/common';
import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { auditQueryOf, readAuditTrail, verifyAuditTrail } from '@hub/audit';
import { Role, Roles } from '@hub/auth';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { Caller } from '../caller/caller';
import { CallerInterceptor } from '../caller/caller.interceptor';
import { CurrentCaller } from '../caller/current-caller.decorator';
import { ApiError, ApiErrorCode } from '../errors/api-error-code';
import { AuditEntryConnectionType, AuditEntryType, AuditVerificationType } from './audit.types';
import { pageSize } from './retention-errors';

const encodeCursor = (seq: number) => Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');

function decodeCursor(cursor: string): number {
  const m = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ApiError(ApiErrorCode.BadUserInput, 'after is not a cursor this API returned: pass pageInfo.endCursor from the previous page unchanged.');
  return Number(m[1]);
}

/** The municipality's audit trail for its tenant admins: reading it, and verifying its hash chain. */
@Resolver(() => AuditEntryType)
@UseInterceptors(CallerInterceptor)
export class AuditTrailResolver {
  constructor(@Inject(API_GRAPHQL_OPTIONS) private readonly options: ApiGraphqlOptions) {}

  @Query(() => AuditEntryConnectionType, { description: 'Your municipality\'s audit trail (every admin change), newest first.' })
  @Roles(Role.TenantAdmin)
  async auditTrail(
    @CurrentCaller() caller: Caller,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size; default 50 (or PAGE_SIZE_MAX when smaller).' }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<AuditEntryConnectionType> {
    const size = pageSize(first, this.options.config.PAGE_SIZE_MAX);
    const beforeSeq = after ? decodeCursor(after) : null;
    const page = await this.options.tenantDb.inTenant(caller.tenantId, (em) => readAuditTrail(em, caller.tenantId, { first: size, beforeSeq }), caller.actor);
    return {
      edges: page.entries.map((e) => ({ cursor: encodeCursor(e.seq), node: { ...e, createdAt: new Date(e.createdAt) } })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endSeq === null ? null : encodeCursor(page.endSeq) },
    };
  }

  @Query(() => AuditVerificationType, {
    description: 'Recomputes your municipality\'s audit chain: ok, or the first entry whose sequence number, link or hash does not fit (what `npm run audit:verify` does).',
  })
  @Roles(Role.TenantAdmin)
  async verifyAuditTrail(@CurrentCaller() caller: Caller): Promise<AuditVerificationType> {
    const v = await this.options.tenantDb.inTenant(caller.tenantId, (em) => verifyAuditTrail(auditQueryOf(em), caller.tenantId), caller.actor);
    return { ok: v.ok, entries: v.entries, lastHash: v.lastHash, firstBroken: v.firstBroken ?? null };
  }
}
