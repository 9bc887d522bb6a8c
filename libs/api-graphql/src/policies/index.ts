import { CaseTypeResolver, ProtectionClassPolicyResolver } from './policies.resolver';

/** The GraphQL resolvers of case types and the protection-class policy (event and service messages are in the letter resolver). */
export const POLICY_RESOLVERS = [CaseTypeResolver, ProtectionClassPolicyResolver];
