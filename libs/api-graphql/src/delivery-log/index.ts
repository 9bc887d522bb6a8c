import { DeliveryLogConnectionResolver, DeliveryLogResolver } from './delivery-log.resolver';

/** The GraphQL resolvers of the delivery log search and exports. */
export const DELIVERY_LOG_RESOLVERS = [DeliveryLogResolver, DeliveryLogConnectionResolver];
