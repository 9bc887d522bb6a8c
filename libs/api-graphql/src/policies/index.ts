/** The GraphQL resolvers of case types, protection-class policy and event messages. */
export const POLICY_RESOLVERS = [];
