import { DynamicModule, Module, Type } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { LetterIntakeService } from '@hub/letters';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from './api-graphql.options';
import { CallerInterceptor } from './caller/caller.interceptor';
import { CallerResolver } from './caller/caller-resolver.service';
import { graphqlConfig } from './graphql.config';
import { LetterConnectionResolver, LetterResolver } from './letters/letter.resolver';
import { DELIVERY_LOG_RESOLVERS } from './delivery-log';
import { DIARY_RESOLVERS } from './diary';
import { NOTIFICATION_RESOLVERS } from './notifications';
import { POLICY_RESOLVERS } from './policies';
import { LetterPrintResolver, PlatformPrintResolver } from './print/print.resolver';
import { RETENTION_RESOLVERS } from './retention';
import { ReachabilityResolver } from './reachability/reachability.resolver';
import { API_CLIENT_RESOLVERS } from './api-clients';
import { CONSOLE_CONTROLLERS, OVERVIEW_RESOLVERS } from './overview';
import { PLATFORM_ADMIN_RESOLVERS } from './platform';
import { SEND_RESOLVERS } from './send';
import { TENANT_ADMIN_RESOLVERS } from './tenant-admin';

/** Every resolver of the API (the guard-coverage test and the schema printer read this list). */
export const API_RESOLVERS = [
  LetterResolver,
  LetterConnectionResolver,
  ReachabilityResolver,
  LetterPrintResolver,
  PlatformPrintResolver,
  ...POLICY_RESOLVERS,
  ...NOTIFICATION_RESOLVERS,
  ...DIARY_RESOLVERS,
  ...DELIVERY_LOG_RESOLVERS,
  ...RETENTION_RESOLVERS,
  ...OVERVIEW_RESOLVERS,
  ...SEND_RESOLVERS,
  ...TENANT_ADMIN_RESOLVERS,
  ...API_CLIENT_RESOLVERS,
  ...PLATFORM_ADMIN_RESOLVERS,
];

/** Resolvers of the platform operator: no tenant (no CallerInterceptor), platform-admin only (a test checks both). */
export const PLATFORM_RESOLVERS: readonly Type<unknown>[] = [PlatformPrintResolver, ...PLATFORM_ADMIN_RESOLVERS];

/**
 * The GraphQL API for case systems and case officers: letters (submit, bulk submit, read, list,
 * cancel) and reachability checks. Authentication comes from the application's `AuthModule` (a
 * global guard: every resolver must carry `@Roles` or `@Public`); the tenant from the token, resolved
 * by {@link CallerResolver}.
 */
@Module({})
export class ApiGraphqlModule {
  static forRoot(options: ApiGraphqlOptions): DynamicModule {
    return {
      module: ApiGraphqlModule,
      imports: [GraphQLModule.forRoot(graphqlConfig(options))],
      controllers: [...CONSOLE_CONTROLLERS],
      providers: [
        { provide: API_GRAPHQL_OPTIONS, useValue: options },
        {
          provide: LetterIntakeService,
          useFactory: () =>
            new LetterIntakeService(options.tenantDb, {
              defaultDeadlineHours: options.config.DISPATCH_DEADLINE_HOURS,
              bulkMax: options.config.BULK_MAX_LETTERS,
              pageSizeMax: options.config.PAGE_SIZE_MAX,
            }),
        },
        CallerResolver,
        CallerInterceptor,
        ...API_RESOLVERS,
      ],
      exports: [LetterIntakeService],
    };
  }
}
