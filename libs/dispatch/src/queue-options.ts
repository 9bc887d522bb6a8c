import type { JobsOptions } from 'bullmq';

/**
 * Options of every letter job. BullMQ's own retries cover unexpected crashes of a handler (a bug,
 * the database away); failures of FaR and the operators are retried by the handler itself, through
 * the outbox, so they survive a Redis that loses its data. Finished jobs are kept for a bounded
 * time so that Redis does not grow without end, and long enough that a relay that crashed between
 * adding jobs and marking its rows finds its jobs there and adds nothing twice.
 */
export const LETTER_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 50_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 50_000 },
};

/** BullMQ connection options for a Redis URL (`maxRetriesPerRequest: null` as workers require). */
export function redisConnection(url: string): { url: string; maxRetriesPerRequest: null } {
  return { url, maxRetriesPerRequest: null };
}
