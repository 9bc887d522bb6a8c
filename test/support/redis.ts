/** Redis for tests: a queue prefix per test file, and deleting exactly that prefix's keys. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A QUEUE_PREFIX no other test file uses (lower-case letters, digits, dashes, as the config requires). */
export function uniqueQueuePrefix(label = 'test'): string {
  return `hubtest-${label.toLowerCase().replace(/[^a-z0-9]/g, '-')}-${randomBytes(4).toString('hex')}`;
}

/**
 * Deletes every key under `<prefix>:` (what FLUSHALL would do to this test's queues, without
 * touching anyone else's keys). Returns how many keys were deleted.
 */
export async function deleteKeysByPrefix(prefix: string, url = TEST_REDIS_URL): Promise<number> {
  if (!/^[a-z0-9-]+$/.test(prefix)) throw new Error(`refusing to delete keys of the prefix ${JSON.stringify(prefix)}`);
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Polls a BullMQ job until it has completed or failed; returns its final state and return value. */
export async function waitForJob(
  queue: { getJob(id: string): Promise<{ getState(): Promise<string>; returnvalue: unknown; failedReason?: string } | undefined> },
  jobId: string,
  timeoutMs = 30_000,
): Promise<{ state: string; returnvalue: unknown; failedReason?: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await queue.getJob(jobId);
    const state = job ? await job.getState() : 'missing';
    if (job && (state === 'completed' || state === 'failed')) {
      // Read again: the job may have finished between reading it and asking its state.
      const done = (await queue.getJob(jobId))!;
      return { state, returnvalue: done.returnvalue, failedReason: done.failedReason };
    }
    if (Date.now() > deadline) throw new Error(`job ${jobId} is still ${state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
