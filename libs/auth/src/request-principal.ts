import { ExecutionContext } from '@nestjs/common';
import { GqlContextType, GqlExecutionContext } from '@nestjs/graphql';
import { Principal } from './principal';

/** The part of an HTTP request (express or fastify) the auth pieces read and write. */
export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/** The HTTP request behind a REST or GraphQL execution context, or undefined for other transports. */
export function requestFrom(ctx: ExecutionContext): AuthenticatedRequest | undefined {
  if (ctx.getType<GqlContextType>() === 'graphql') {
    // The GraphQL module must put the request in the context: `context: ({ req }) => ({ req })`.
    return GqlExecutionContext.create(ctx).getContext<{ req?: AuthenticatedRequest }>().req;
  }
  if (ctx.getType() === 'http') return ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  return undefined;
}
