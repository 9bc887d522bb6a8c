import { CanActivate, ExecutionContext, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ClsService } from 'nestjs-cls';
import { ForbiddenError } from './auth.errors';
import { PUBLIC_METADATA } from './public.decorator';
import { requestFrom } from './request-principal';
import { Role } from './roles';
import { ROLES_METADATA } from './roles.decorator';
import { tokenFromAuthorizationHeader, TokenVerifier } from './token-verifier';

/** The nestjs-cls key under which the AuthGuard stores the Principal. */
export const PRINCIPAL_CLS_KEY = 'principal';

/**
 * Authenticates every REST and GraphQL request with its bearer token unless the handler is
 * `@Public()`, then enforces `@Roles(...)`. Puts the Principal on the request (`req.principal`) and,
 * when nestjs-cls is set up with an active context (mount `ClsModule` as middleware), in CLS under
 * {@link PRINCIPAL_CLS_KEY}. Throws `AuthenticationError` / `ForbiddenError`, which the API layer maps.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
    @Optional() private readonly cls?: ClsService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_METADATA, targets)) return true;

    const req = requestFrom(ctx);
    if (!req) {
      // Fail closed: a transport this guard does not understand must not slip through unauthenticated.
      throw new Error(`AuthGuard cannot authenticate a "${ctx.getType()}" context (no HTTP request); mark the handler @Public() or add support.`);
    }
    // A GraphQL operation with several root fields passes here once per field; verify the token once.
    const principal = req.principal ?? (await this.verifier.verify(tokenFromAuthorizationHeader(req.headers.authorization)));
    req.principal = principal;
    if (this.cls?.isActive()) this.cls.set(PRINCIPAL_CLS_KEY, principal);

    const required = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_METADATA, targets);
    if (required?.length && !required.some((role) => principal.roles.includes(role))) {
      throw new ForbiddenError(required, principal.roles);
    }
    return true;
  }
}
