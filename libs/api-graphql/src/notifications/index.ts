import { LetterEventFeedResolver } from './letter-event-feed.resolver';
import { WebhookResolver } from './webhook.resolver';

/** The GraphQL resolvers of webhook subscriptions, their deliveries and dead letters, and the letter event feed. */
export const NOTIFICATION_RESOLVERS = [WebhookResolver, LetterEventFeedResolver];
