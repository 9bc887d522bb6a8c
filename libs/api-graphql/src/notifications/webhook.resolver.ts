import { Inject, UseInterceptors } from '@nestjs/common';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Role, Roles } from '@hub/auth';
import { WebhookDeliveryPage, WebhookDeliveryService, WebhookDeliveryStatus, WebhookSubscriptionService } from '@hub/notifications';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { Caller } from '../caller/caller';
import { CallerInterceptor } from '../caller/caller.interceptor';
import { CurrentCaller } from '../caller/current-caller.decorator';
import { notificationApiSettings } from './notification-settings';
import {
  CreateWebhookInputType,
  UpdateWebhookInputType,
  WebhookDeliveryConnectionType,
  WebhookDeliveryStatusEnum,
  WebhookDeliveryType,
  WebhookSubscriptionType,
  WebhookWithSecretType,
} from './notification.types';

const toConnection = (page: WebhookDeliveryPage): WebhookDeliveryConnectionType => ({
  edges: page.items.map((i) => ({ cursor: i.cursor, node: i.delivery })),
  pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
});

const who = (caller: Caller) => ({ tenantId: caller.tenantId, actor: caller.actor });

/** Webhook subscriptions, their deliveries and dead letters: the municipality's admins only. Every change is audited. */
@Resolver(() => WebhookSubscriptionType)
@UseInterceptors(CallerInterceptor)
export class WebhookResolver {
  private readonly deliveriesService: WebhookDeliveryService;
  private readonly subscriptions: WebhookSubscriptionService | undefined;

  constructor(@Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    const settings = notificationApiSettings(options);
    this.subscriptions = settings.vault ? new WebhookSubscriptionService(options.tenantDb, { vault: settings.vault, allowHttpLocalhost: settings.allowHttpLocalhost }) : undefined;
    this.deliveriesService = new WebhookDeliveryService(options.tenantDb, { pageSizeMax: options.config.PAGE_SIZE_MAX });
  }

  private service(): WebhookSubscriptionService {
    if (!this.subscriptions) throw new Error('webhook secrets cannot be encrypted: the API was started without MASTER_KEY');
    return this.subscriptions;
  }

  @Query(() => [WebhookSubscriptionType], { description: 'Your municipality\'s webhook subscriptions, oldest first (never their secrets).' })
  @Roles(Role.TenantAdmin)
  webhooks(@CurrentCaller() caller: Caller): Promise<WebhookSubscriptionType[]> {
    return this.service().list(who(caller));
  }

  @Mutation(() => WebhookWithSecretType, {
    description: 'Subscribes a URL to letter events. Returns the signing secret once (generated unless you give one). https only. VALIDATION_FAILED names each bad field.',
  })
  @Roles(Role.TenantAdmin)
  createWebhook(@Args('input', { type: () => CreateWebhookInputType }) input: CreateWebhookInputType, @CurrentCaller() caller: Caller): Promise<WebhookWithSecretType> {
    return this.service().create(who(caller), input);
  }

  @Mutation(() => WebhookSubscriptionType, { description: 'Changes a subscription\'s URL, events, description or active flag (only what is given).' })
  @Roles(Role.TenantAdmin)
  updateWebhook(
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { type: () => UpdateWebhookInputType }) input: UpdateWebhookInputType,
    @CurrentCaller() caller: Caller,
  ): Promise<WebhookSubscriptionType> {
    return this.service().update(who(caller), id, input);
  }

  @Mutation(() => Boolean, { description: 'Deletes a subscription with its pending deliveries and dead letters.' })
  @Roles(Role.TenantAdmin)
  deleteWebhook(@Args('id', { type: () => ID }) id: string, @CurrentCaller() caller: Caller): Promise<boolean> {
    return this.service().delete(who(caller), id);
  }

  @Mutation(() => WebhookWithSecretType, {
    description:
      'Replaces the signing secret and returns the new one once. For previousSecretValidHours (default 24, 0 to 168) requests carry a second signature with the old secret, so the receiver can switch in its own time.',
  })
  @Roles(Role.TenantAdmin)
  rotateWebhookSecret(
    @Args('id', { type: () => ID }) id: string,
    @CurrentCaller() caller: Caller,
    @Args('secret', { type: () => String, nullable: true, description: 'Your own new secret; leave out to have one generated.' }) secret?: string | null,
    @Args('previousSecretValidHours', { type: () => Int, nullable: true }) previousSecretValidHours?: number | null,
  ): Promise<WebhookWithSecretType> {
    return this.service().rotateSecret(who(caller), id, { secret, previousValidHours: previousSecretValidHours });
  }

  @Query(() => WebhookDeliveryConnectionType, { description: 'A subscription\'s deliveries, newest first, optionally of one status.' })
  @Roles(Role.TenantAdmin)
  async webhookDeliveries(
    @Args('webhookId', { type: () => ID }) webhookId: string,
    @CurrentCaller() caller: Caller,
    @Args('status', { type: () => WebhookDeliveryStatusEnum, nullable: true }) status?: WebhookDeliveryStatus | null,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<WebhookDeliveryConnectionType> {
    return toConnection(await this.deliveriesService.deliveries(who(caller), webhookId, { status, first, after }));
  }

  @Query(() => WebhookDeliveryConnectionType, { description: 'Deliveries whose retries ran out (of one subscription, or all), newest first.' })
  @Roles(Role.TenantAdmin)
  async deadLetters(
    @CurrentCaller() caller: Caller,
    @Args('webhookId', { type: () => ID, nullable: true }) webhookId?: string | null,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<WebhookDeliveryConnectionType> {
    return toConnection(await this.deliveriesService.deadLetters(who(caller), { webhookId, first, after }));
  }

  @Mutation(() => WebhookDeliveryType, { description: 'Sends a dead letter again: a new series of attempts with the same event id.' })
  @Roles(Role.TenantAdmin)
  replayDeadLetter(@Args('id', { type: () => ID }) id: string, @CurrentCaller() caller: Caller): Promise<WebhookDeliveryType> {
    return this.deliveriesService.replay(who(caller), id);
  }
}
