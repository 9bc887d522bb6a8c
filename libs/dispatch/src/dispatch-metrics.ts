import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed', 'waiting-children'] as const;

/** What the metrics read at scrape time. */
export interface DispatchMetricsSources {
  db?: TenantDb;
  queues?: Queue[];
  log?: Logger;
}

/**
 * The dispatch's Prometheus metrics, in a registry of their own (one per process): letters per
 * state and queue depths are read when scraped; the rest is counted as work happens.
 */
export class DispatchMetrics {
  readonly registry = new Registry();
  /** Jobs run, by job name and outcome (DELIVERED, PRINT_PENDING, FAILED, RETRY_SCHEDULED, SKIPPED, error). */
  readonly jobs: Counter<'job' | 'outcome'>;
  /** Accepted (letter created) to delivered, seconds. */
  readonly deliveryLatency: Histogram;
  /** Building, signing and sealing one delivery (synchronous CPU work), seconds. */
  readonly sealSeconds: Histogram;
  /** Wall time of each step of a dispatch (claim, far, seal, commit, deliver), seconds. */
  readonly stepSeconds: Histogram<'step'>;
  /** Letters per statement of the dispatch's batched claims and state changes (see DispatchStore). */
  readonly dbBatchLetters: Histogram<'statement'>;
  readonly outboxRelayed: Counter;
  readonly reconcilerEnqueued: Counter;
  readonly collectErrors: Counter<'source'>;

  constructor(sources: DispatchMetricsSources = {}, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'hub_' });
    this.jobs = new Counter({ name: 'hub_jobs_total', help: 'Jobs run, by job and outcome', labelNames: ['job', 'outcome'], registers });
    this.deliveryLatency = new Histogram({
      name: 'hub_dispatch_latency_seconds',
      help: 'Time from a letter being accepted to its digital delivery',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 6 * 3600, 24 * 3600],
      registers,
    });
    this.sealSeconds = new Histogram({
      name: 'hub_dispatch_seal_seconds',
      help: 'Build + sender signature + seal of one delivery (CPU on the event loop)',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.stepSeconds = new Histogram({
      name: 'hub_dispatch_step_seconds',
      help: 'Wall time of each step of a dispatch: claim, far, seal, commit (a state change), deliver',
      labelNames: ['step'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.dbBatchLetters = new Histogram({
      name: 'hub_dispatch_db_batch_letters',
      help: 'Letters per database statement of the dispatch (claim: leases taken; apply: state changes), batched across concurrent jobs',
      labelNames: ['statement'],
      buckets: [1, 2, 4, 8, 16, 32, 64],
      registers,
    });
    this.outboxRelayed = new Counter({ name: 'hub_outbox_relayed_total', help: 'Outbox rows turned into jobs', registers });
    this.reconcilerEnqueued = new Counter({ name: 'hub_reconciler_enqueued_total', help: 'Jobs the reconciler enqueued for stalled letters', registers });
    this.collectErrors = new Counter({ name: 'hub_metrics_collect_errors_total', help: 'Scrape-time reads that failed', labelNames: ['source'], registers });

    const { db, queues = [], log } = sources;
    const errors = this.collectErrors;
    if (db) {
      new Gauge({
        name: 'hub_letters',
        help: 'Letters per state (all tenants)',
        labelNames: ['status'],
        registers,
        async collect() {
          try {
            const rows = await db.withoutTenant((em) => em.execute<{ status: string; n: string }[]>('select status, n from letter_status_counts()'));
            this.reset();
            for (const r of rows) this.set({ status: r.status }, Number(r.n));
          } catch (e) {
            errors.inc({ source: 'letters' });
            log?.warn({ err: e }, 'metrics: cannot count letters');
          }
        },
      });
    }
    if (queues.length > 0) {
      new Gauge({
        name: 'hub_queue_jobs',
        help: 'Jobs per queue and state',
        labelNames: ['queue', 'state'],
        registers,
        async collect() {
          try {
            for (const q of queues) {
              const counts = await q.getJobCounts(...QUEUE_STATES);
              for (const state of QUEUE_STATES) this.set({ queue: q.name, state }, counts[state] ?? 0);
            }
          } catch (e) {
            errors.inc({ source: 'queues' });
            log?.warn({ err: e }, 'metrics: cannot read queue depths');
          }
        },
      });
    }
  }
}
