import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { Caller } from './caller';
import { GraphqlContext } from './graphql-context';

/**
 * The {@link Caller} of this operation, as the {@link CallerInterceptor} resolved it. Throws when the
 * interceptor did not run (a resolver without `@UseInterceptors(CallerInterceptor)`): never guess a tenant.
 */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const caller = GqlExecutionContext.create(context).getContext<GraphqlContext>().caller;
  if (!caller) throw new Error('CurrentCaller used on a resolver without CallerInterceptor');
  return caller;
});
