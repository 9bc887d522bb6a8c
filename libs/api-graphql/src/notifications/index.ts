/** The GraphQL resolvers of webhook subscriptions, dead letters, the letter event feed and diary hooks. */
export const NOTIFICATION_RESOLVERS = [];
