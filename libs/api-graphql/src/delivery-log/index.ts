/** The GraphQL resolvers of the delivery log search and exports. */
export const DELIVERY_LOG_RESOLVERS = [];
