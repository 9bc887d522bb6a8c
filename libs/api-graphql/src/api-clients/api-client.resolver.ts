import { Inject, UseInterceptors } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Role, Roles } from '@hub/auth';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { Caller } from '../caller/caller';
import { CallerInterceptor } from '../caller/caller.interceptor';
import { CurrentCaller } from '../caller/current-caller.decorator';
import { CallerResolver } from '../caller/caller-resolver.service';
import { apiClientSettings } from './api-client-settings';
import { ApiClientCredentials, ApiClientService, ApiClientView } from './api-client.service';
import { ApiClientCredentialsType, ApiClientType } from './api-client.types';

const who = (caller: Caller) => ({ tenantId: caller.tenantId, tenantAlias: caller.tenantAlias, actor: caller.actor });

const toType = (v: ApiClientView): ApiClientType => ({ ...v, sendingUnit: v.sendingUnitCode });
const withSecret = (c: ApiClientCredentials): ApiClientCredentialsType => ({ ...c, apiClient: toType(c.apiClient) });

/** The municipality's API clients (case systems): tenant admins register them at the identity provider, rotate and revoke them. Audited. */
@Resolver(() => ApiClientType)
@UseInterceptors(CallerInterceptor)
export class ApiClientResolver {
  private readonly service: ApiClientService;

  constructor(
    @Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions,
    private readonly callers: CallerResolver,
  ) {
    const settings = apiClientSettings(options);
    this.service = new ApiClientService(options.tenantDb, settings.idp, settings.vault, options.logger);
  }

  @Query(() => [ApiClientType], { description: 'Your municipality\'s API clients: active ones first, newest first (never a secret).' })
  @Roles(Role.TenantAdmin)
  async apiClients(
    @CurrentCaller() caller: Caller,
    @Args('includeRevoked', { type: () => Boolean, nullable: true, defaultValue: true, description: 'Include revoked clients (default true).' }) includeRevoked: boolean,
  ): Promise<ApiClientType[]> {
    return (await this.service.list(who(caller), includeRevoked !== false)).map(toType);
  }

  @Mutation(() => ApiClientCredentialsType, {
    description:
      'Registers a case system at the identity provider (OAuth dynamic client registration) as a client of your municipality with the role case-system, ' +
      'bound to a sending unit when given, and returns its client id and secret once. VALIDATION_FAILED names each bad field; UPSTREAM_UNAVAILABLE when the identity provider refused or did not answer (nothing is created then).',
  })
  @Roles(Role.TenantAdmin)
  async createApiClient(
    @CurrentCaller() caller: Caller,
    @Args('name', { type: () => String, description: 'Required: a name the admins recognise (at most 100 characters).' }) name: string,
    @Args('sendingUnit', { type: () => String, nullable: true, description: 'A sending unit code: every letter of the client is sent as this unit. Leave out to let the client name the unit per letter.' })
    sendingUnit?: string | null,
  ): Promise<ApiClientCredentialsType> {
    return withSecret(await this.service.create(who(caller), { name, sendingUnit }));
  }

  @Mutation(() => ApiClientCredentialsType, {
    description:
      'Gives the client a new secret at the identity provider and returns it once; the old secret stops working at once (tokens already issued stay valid until they expire). ' +
      'Only for clients the hub registered and not revoked (BAD_USER_INPUT otherwise).',
  })
  @Roles(Role.TenantAdmin)
  async rotateApiClientSecret(@CurrentCaller() caller: Caller, @Args('id', { type: () => ID }) id: string): Promise<ApiClientCredentialsType> {
    return withSecret(await this.service.rotateSecret(who(caller), id));
  }

  @Mutation(() => ApiClientType, {
    description:
      'Revokes the client: the API refuses its tokens at once (other API processes within 30 seconds), and the hub removes it at the identity provider (see identityProviderError when that failed; revoking again retries). Cannot be undone.',
  })
  @Roles(Role.TenantAdmin)
  async revokeApiClient(@CurrentCaller() caller: Caller, @Args('id', { type: () => ID }) id: string): Promise<ApiClientType> {
    const revoked = await this.service.revoke(who(caller), id);
    this.callers.forgetApiClient(caller.tenantId, revoked.clientId);
    return toType(revoked);
  }
}
