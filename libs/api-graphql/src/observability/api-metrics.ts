import { Counter, Histogram, Registry } from 'prom-client';

/**
 * The API's Prometheus metrics, registered on the registry the application exposes at `/metrics`.
 * Labels stay low-cardinality: operation names are the client's, but capped to known shapes.
 */
export class ApiMetrics {
  readonly graphqlRequests: Counter<'operation' | 'type' | 'outcome'>;
  readonly graphqlDuration: Histogram<'operation' | 'type'>;
  readonly lettersAccepted: Counter<'mode'>;
  readonly lettersRefused: Counter<'mode' | 'code'>;

  constructor(readonly registry: Registry) {
    this.graphqlRequests = new Counter({
      name: 'hub_graphql_requests_total',
      help: 'GraphQL operations, by operation name, type and outcome (ok or the first error code)',
      labelNames: ['operation', 'type', 'outcome'],
      registers: [registry],
    });
    this.graphqlDuration = new Histogram({
      name: 'hub_graphql_request_duration_seconds',
      help: 'Time from receiving a GraphQL operation to sending its response',
      labelNames: ['operation', 'type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.lettersAccepted = new Counter({
      name: 'hub_letters_accepted_total',
      help: 'Letters durably accepted (new letters only, not idempotent replays), by submitLetter (single) or submitLetters (bulk)',
      labelNames: ['mode'],
      registers: [registry],
    });
    this.lettersRefused = new Counter({
      name: 'hub_letters_refused_total',
      help: 'Letters refused at intake, by mode and error code',
      labelNames: ['mode', 'code'],
      registers: [registry],
    });
  }
}
