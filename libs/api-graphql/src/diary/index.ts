/** The GraphQL resolvers of diary hooks and their registrations. */
export const DIARY_RESOLVERS = [];
