import type { JobsOptions, Queue } from 'bullmq';
import { JobName, outboxJobId } from '@hub/jobs';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { BackgroundLoop } from './background-loop';
import type { DispatchMetrics } from './dispatch-metrics';
import { LETTER_JOB_OPTIONS } from './queue-options';

export interface OutboxRelayOptions {
  db: TenantDb;
  queue: Queue;
  /** Pause between polls when the outbox is empty (OUTBOX_POLL_MS). */
  pollMs: number;
  log: Logger;
  /** Rows per batch (outbox_claim's limit). Default 500. */
  batchSize?: number;
  /** Longest time Redis may take to accept a batch before the transaction is rolled back. Default 10 s. */
  addTimeoutMs?: number;
  jobOptions?: JobsOptions;
  metrics?: DispatchMetrics;
}

interface OutboxRow {
  id: string;
  tenant_id: string;
  letter_id: string | null;
  job: string;
  payload: Record<string, unknown>;
}

const JOB_NAMES: readonly string[] = Object.values(JobName);

/**
 * Turns committed outbox rows into BullMQ jobs. One batch is one short owner-function transaction:
 * claim up to 500 due rows (`FOR UPDATE SKIP LOCKED`, so relays in several processes share the
 * work), add them to the queue with the deterministic job id `outbox-<row id>`, mark them
 * dispatched, commit. A relay that dies after adding and before committing leaves the rows to be
 * claimed again; their job ids are already in the queue, so BullMQ adds nothing twice.
 */
export class OutboxRelay {
  private readonly loop: BackgroundLoop;
  private readonly batchSize: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.loop = new BackgroundLoop('outbox relay', options.pollMs, async () => (await this.relayOnce()) === this.batchSize, options.log);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Relays one batch; returns how many rows it took. */
  async relayOnce(): Promise<number> {
    const { db, queue, log } = this.options;
    const count = await db.withoutTenant(async (em) => {
      const rows = await em.execute<OutboxRow[]>('select id, tenant_id, letter_id, job, payload from outbox_claim(?)', [this.batchSize]);
      if (rows.length === 0) return 0;
      const runnable = rows.filter((r) => JOB_NAMES.includes(r.job));
      for (const r of rows.filter((x) => !JOB_NAMES.includes(x.job))) {
        // Written by a newer version, or a bug: keep the row (marked) for inspection rather than block the outbox.
        log.error({ outboxId: r.id, job: r.job, tenantId: r.tenant_id }, 'outbox row names an unknown job; marked dispatched without a job');
      }
      if (runnable.length > 0) {
        const jobs = runnable.map((r) => ({
          name: r.job,
          data: r.payload,
          opts: { ...LETTER_JOB_OPTIONS, ...this.options.jobOptions, jobId: outboxJobId(r.id) },
        }));
        await withTimeout(queue.addBulk(jobs), this.options.addTimeoutMs ?? 10_000, 'adding jobs to Redis');
      }
      // ids are bigints read from the database: safe to inline as an array literal.
      await em.execute(`select outbox_mark_dispatched(?::bigint[])`, [`{${rows.map((r) => r.id).join(',')}}`]);
      return rows.length;
    });
    if (count > 0) this.options.metrics?.outboxRelayed.inc(count);
    return count;
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
