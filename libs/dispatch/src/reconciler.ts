import type { JobsOptions, Queue } from 'bullmq';
import { JobName, outboxJobId } from '@hub/jobs';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { BackgroundLoop } from './background-loop';
import type { DispatchMetrics } from './dispatch-metrics';
import { LETTER_JOB_OPTIONS } from './queue-options';
import { withTimeout } from './outbox-relay';

export interface ReconcilerOptions {
  db: TenantDb;
  queue: Queue;
  /** RECONCILE_INTERVAL_MS */
  intervalMs: number;
  /** RECONCILE_STALLED_MS: a letter untouched this long in a working state is re-enqueued. */
  stalledMs: number;
  log: Logger;
  /** Letters per scan. Default 1000. */
  limit?: number;
  jobOptions?: JobsOptions;
  metrics?: DispatchMetrics;
}

interface StalledLetter {
  tenant_id: string;
  letter_id: string;
  status: string;
  updated_at: Date;
  attempts: number;
  last_outbox_id: string | null;
}

/**
 * A job in one of these states will still run: the letter is not lost, only waiting (a backlog).
 * 'active' is not among them: a running job claims the letter's lease within milliseconds, and
 * letters under a live lease are not returned by letters_needing_work, so an 'active' job of an
 * unleased, stalled letter belongs to a worker that died; waiting for BullMQ's stalled-job check
 * would cost up to a minute, and a second job is harmless because of the lease.
 */
const LIVE_STATES = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

/**
 * Job id for a stalled letter: the same letter in the same state of work gets the same id, so that
 * repeated scans add one job, not one per scan; every claim moves `updated_at`, so a letter that
 * stalls again later gets a new one.
 */
export function reconcileJobId(letterId: string, updatedAt: Date, attempts: number): string {
  return `reconcile-${letterId}-${updatedAt.getTime()}-${attempts}`;
}

/**
 * The safety net under the queue: finds letters in a working state that nobody has touched for
 * RECONCILE_STALLED_MS (and that no worker holds a lease on, whose retry is due, and whose latest
 * outbox job is not still queued) and enqueues a dispatch job for each. Redis may lose every job
 * (FLUSHALL, failover without AOF): no letter is lost.
 */
export class Reconciler {
  private readonly loop: BackgroundLoop;

  constructor(private readonly options: ReconcilerOptions) {
    this.loop = new BackgroundLoop('reconciler', options.intervalMs, async () => {
      await this.reconcileOnce();
      return false;
    }, options.log);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One scan; returns how many letters it enqueued. */
  async reconcileOnce(): Promise<number> {
    const { db, queue, log, stalledMs } = this.options;
    const found = await db.withoutTenant((em) =>
      em.execute<StalledLetter[]>(
        'select tenant_id, letter_id, status, updated_at, attempts, last_outbox_id from letters_needing_work(now() - make_interval(secs => ?), ?)',
        [stalledMs / 1000, this.options.limit ?? 1000],
      ),
    );
    // A letter untouched for a while may only be waiting behind a long queue (a large mailing): when
    // its latest outbox job is still queued, another job would only run to find nothing to do.
    const states = await Promise.all(found.map((r) => (r.last_outbox_id ? queue.getJobState(outboxJobId(r.last_outbox_id)) : Promise.resolve('unknown'))));
    const rows = found.filter((_, i) => !LIVE_STATES.has(states[i]));
    if (rows.length === 0) return 0;
    await withTimeout(
      queue.addBulk(
        rows.map((r) => ({
          name: JobName.DispatchLetter,
          data: { tenantId: r.tenant_id, letterId: r.letter_id },
          opts: { ...LETTER_JOB_OPTIONS, ...this.options.jobOptions, jobId: reconcileJobId(r.letter_id, new Date(r.updated_at), r.attempts) },
        })),
      ),
      10_000,
      'adding jobs to Redis',
    );
    this.options.metrics?.reconcilerEnqueued.inc(rows.length);
    log.info({ letters: rows.length, byStatus: countBy(rows.map((r) => r.status)) }, 'reconciler re-enqueued stalled letters');
    return rows.length;
  }
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
