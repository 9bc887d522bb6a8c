import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Job, Queue, Worker } from 'bullmq';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { HubConfig } from '@hub/config';
import { JobName, LETTER_QUEUE } from '@hub/jobs';
import { KeyVault } from '@hub/keys';
import type { Logger } from '@hub/observability';
import { TenantDb } from '@hub/persistence';
import { DispatchLetterHandler, DispatchLetterPayload } from './dispatch-letter.handler';
import { DispatchMetrics } from './dispatch-metrics';
import { JobRegistration, JobRouter, registerJob } from './job-router';
import { MmGateway } from './mm-gateway';
import { OutboxRelay } from './outbox-relay';
import { ReachabilityBatcher } from './reachability-batcher';
import { redisConnection } from './queue-options';
import { Reconciler } from './reconciler';
import { SenderCredentials } from './sender-credentials';

/** The settings the dispatch runtime reads. */
export type DispatchConfig = Pick<
  HubConfig,
  | 'REDIS_URL'
  | 'QUEUE_PREFIX'
  | 'MASTER_KEY'
  | 'FAR_URL'
  | 'MM_CA_FILE'
  | 'MM_TIMEOUT_MS'
  | 'DISPATCH_MAX_ATTEMPTS'
  | 'RETRY_BASE_MS'
  | 'RETRY_MAX_MS'
  | 'WORKER_CONCURRENCY'
  | 'OUTBOX_POLL_MS'
  | 'RECONCILE_INTERVAL_MS'
  | 'RECONCILE_STALLED_MS'
>;

export interface DispatchRuntimeOptions {
  config: DispatchConfig;
  orm: MikroORM;
  log: Logger;
  /** Which parts run in this process (all by default). */
  run?: { worker?: boolean; relay?: boolean; reconciler?: boolean };
  /** Handlers for the jobs of other contexts (print, notifications…). */
  extraJobs?: JobRegistration[];
  /**
   * The job names this process must have handlers for (default: every JobName). Tests of the digital
   * dispatch alone name only its job; a worker of the hub runs them all.
   */
  jobNames?: readonly string[];
}

/** A running dispatch: the letter queue's worker, the outbox relay and the reconciler of one process. */
export interface DispatchRuntime {
  workerId: string;
  queue: Queue;
  worker?: Worker;
  relay: OutboxRelay;
  reconciler: Reconciler;
  gateway: MmGateway;
  metrics: DispatchMetrics;
  db: TenantDb;
  /**
   * Stops taking jobs, lets the running ones finish (up to `graceMs`, then abandons them: their
   * leases expire and the reconciler hands their letters on) and closes every connection but the ORM.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Builds and starts the dispatch of one process from the configuration: the Mina meddelanden
 * gateway, the BullMQ worker on the letter queue (concurrency WORKER_CONCURRENCY), the outbox relay
 * and the reconciler. The job router refuses to start unless every job name has one handler.
 */
export async function startDispatchRuntime(options: DispatchRuntimeOptions): Promise<DispatchRuntime> {
  const { config, orm, log } = options;
  const run = { worker: true, relay: true, reconciler: true, ...options.run };
  const workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 4)}`;
  const db = new TenantDb(orm);
  const vault = new KeyVault(config.MASTER_KEY!);
  const gateway = await MmGateway.create({ config, db, vault });
  const connection = redisConnection(config.REDIS_URL);
  const queue = new Queue(LETTER_QUEUE, { connection, prefix: config.QUEUE_PREFIX });
  const metrics = new DispatchMetrics({ db, queues: [queue], log });

  const batcher = new ReachabilityBatcher((sender, ids) => gateway.isReachable(sender, ids));
  const handler = new DispatchLetterHandler({
    db,
    gateway,
    reachability: (sender, id) => batcher.isReachable(sender, id),
    credentials: new SenderCredentials(db, vault),
    settings: {
      baseMs: config.RETRY_BASE_MS,
      maxMs: config.RETRY_MAX_MS,
      maxAttempts: config.DISPATCH_MAX_ATTEMPTS,
      // At most one FaR or operator call (bounded by MM_TIMEOUT_MS) between two renewals, with room
      // for signing and the database. Outliving a lease is safe, only wasteful: the next holder
      // redelivers the same message, and the late holder's commit is refused.
      leaseMs: 2 * config.MM_TIMEOUT_MS + 10_000,
    },
    workerId,
    metrics,
  });
  const router = new JobRouter(
    [registerJob(JobName.DispatchLetter, (payload: DispatchLetterPayload, ctx) => handler.handle(payload, ctx)), ...(options.extraJobs ?? [])],
    log,
    options.jobNames,
  );

  let worker: Worker | undefined;
  if (run.worker) {
    worker = new Worker(
      LETTER_QUEUE,
      async (job: Job) => {
        const jobId = job.id ?? 'unknown';
        try {
          const outcome = await router.run(job.name, job.data, jobId, job.attemptsMade + 1);
          metrics.jobs.inc({ job: job.name, outcome: outcome ?? 'done' });
          return outcome;
        } catch (e) {
          metrics.jobs.inc({ job: job.name, outcome: 'error' });
          throw e;
        }
      },
      { connection, prefix: config.QUEUE_PREFIX, concurrency: config.WORKER_CONCURRENCY, name: workerId },
    );
    worker.on('failed', (job, err) => {
      log.error({ jobId: job?.id, job: job?.name, attempt: job?.attemptsMade, err }, 'job failed');
    });
    worker.on('error', (err) => log.error({ err }, 'worker error'));
  }
  const relay = new OutboxRelay({ db, queue, pollMs: config.OUTBOX_POLL_MS, log: log.child({ component: 'outbox-relay' }), metrics });
  const reconciler = new Reconciler({
    db,
    queue,
    intervalMs: config.RECONCILE_INTERVAL_MS,
    stalledMs: config.RECONCILE_STALLED_MS,
    log: log.child({ component: 'reconciler' }),
    metrics,
  });
  if (run.relay) relay.start();
  if (run.reconciler) reconciler.start();
  if (worker) await worker.waitUntilReady();
  await queue.waitUntilReady();

  return {
    workerId,
    queue,
    worker,
    relay,
    reconciler,
    gateway,
    metrics,
    db,
    async close(graceMs = 25_000) {
      await Promise.all([relay.stop(), reconciler.stop()]);
      if (worker) {
        let timer: NodeJS.Timeout | undefined;
        const graceful = worker.close().then(() => true);
        const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
        const finished = await Promise.race([graceful, late]);
        clearTimeout(timer);
        if (!finished) {
          log.warn({ graceMs }, 'jobs still running after the grace period: abandoning them (their leases expire, the reconciler takes over)');
          await worker.close(true);
        }
      }
      await queue.close();
      gateway.close();
    },
  };
}
