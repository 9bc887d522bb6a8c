import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { requestFrom } from './request-principal';

/**
 * Injects the {@link Principal} the AuthGuard established, in resolvers and controllers.
 * Undefined on `@Public()` handlers.
 */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext) => requestFrom(ctx)?.principal);
