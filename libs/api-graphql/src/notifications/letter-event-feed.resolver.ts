import { Inject, UseInterceptors } from '@nestjs/common';
import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '@hub/auth';
import { LetterEventFeed } from '@hub/notifications';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { Caller } from '../caller/caller';
import { CallerInterceptor } from '../caller/caller.interceptor';
import { CurrentCaller } from '../caller/current-caller.decorator';
import { LETTER_ROLES } from '../letters/letter.resolver';
import { LetterNotificationConnectionType, LetterNotificationType } from './notification.types';

/** The ordered letter event feed, for systems that cannot take webhooks. */
@Resolver(() => LetterNotificationType)
@UseInterceptors(CallerInterceptor)
export class LetterEventFeedResolver {
  private readonly feed: LetterEventFeed;

  constructor(@Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    this.feed = new LetterEventFeed(options.tenantDb, { pageSizeMax: options.config.PAGE_SIZE_MAX });
  }

  @Query(() => LetterNotificationConnectionType, {
    description:
      'Your municipality\'s letter events in order (oldest first), in the webhook payload\'s shape. Start without `after`, then always pass the last pageInfo.endCursor: ' +
      'every event comes once, in order. Events are listed about 2 seconds after they happen. A case system bound to a sending unit sees that unit\'s letters. ' +
      '`first` is at most PAGE_SIZE_MAX.',
  })
  @Roles(...LETTER_ROLES)
  async letterEvents(
    @CurrentCaller() caller: Caller,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
    @Args('first', { type: () => Int, nullable: true, description: 'Default 50.' }) first?: number | null,
    @Args('types', { type: () => [String], nullable: true, description: 'Only these events (e.g. letter.returned).' }) types?: string[] | null,
  ): Promise<LetterNotificationConnectionType> {
    const page = await this.feed.page({ tenantId: caller.tenantId, actor: caller.actor, ...(caller.boundSendingUnitId ? { boundSendingUnitId: caller.boundSendingUnitId } : {}) }, { after, first, types });
    return {
      edges: page.items.map((i) => ({ cursor: i.cursor, node: i.event })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    };
  }
}
