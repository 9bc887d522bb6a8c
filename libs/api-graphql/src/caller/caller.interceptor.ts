import { CallHandler, ExecutionContext, Injectable, NestInterceptor, Optional } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ClsService } from 'nestjs-cls';
import { Observable } from 'rxjs';
import { AuthenticationError } from '@hub/auth';
import { CallerResolver } from './caller-resolver.service';
import { GraphqlContext } from './graphql-context';

/** The nestjs-cls key under which the current request's tenant id is kept (for logs). */
export const TENANT_CLS_KEY = 'tenantId';

/**
 * Resolves the caller (tenant, API client) once per GraphQL operation, after the AuthGuard verified
 * the token, and puts it on the context for {@link CurrentCaller}. Runs on every root field of the
 * resolvers that use it; parallel root fields share one resolution.
 */
@Injectable()
export class CallerInterceptor implements NestInterceptor {
  constructor(
    private readonly callers: CallerResolver,
    @Optional() private readonly cls?: ClsService,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const ctx = GqlExecutionContext.create(context).getContext<GraphqlContext>();
    if (!ctx.caller) {
      const principal = ctx.req.principal;
      // Only reachable for a handler that skipped authentication: fail closed.
      if (!principal) throw new AuthenticationError('missing-token', 'No access token: send "Authorization: Bearer <access token>".');
      ctx.callerPromise ??= this.callers.resolve(principal);
      ctx.caller = await ctx.callerPromise;
      ctx.req.tenantId = ctx.caller.tenantId;
      if (this.cls?.isActive()) this.cls.set(TENANT_CLS_KEY, ctx.caller.tenantId);
    }
    return next.handle();
  }
}
