import { BackgroundLoop } from '@hub/dispatch';
import type { KeyVault } from '@hub/keys';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { WebhookFanout } from './webhook-fanout';
import { WebhookSender } from './webhook-sender';

/** Settings of the webhook worker loops (each has a default). */
export interface WebhookWorkerSettings {
  /** How often the loops look for new events and due deliveries when idle (default 1000 ms). */
  pollMs?: number;
  /** Longest wait for a receiver's answer (default 10,000 ms). */
  timeoutMs?: number;
  /** First retry delay, doubling per attempt, with jitter (default 10,000 ms). */
  retryBaseMs?: number;
  /** Longest delay between two attempts (default 3,600,000 ms). */
  retryMaxMs?: number;
  /** How long a delivery is retried before it is dead-lettered (default 24 h). */
  retryWindowMs?: number;
  /** Requests in flight at once per worker (default 8). */
  concurrency?: number;
  /** Send to http://localhost URLs (default false: https only). */
  allowHttpLocalhost?: boolean;
  /** Events are fanned out once this old (default 2000 ms; see LetterEventStream). */
  settleMs?: number;
  /** This worker's lease owner name (default: random). */
  workerId?: string;
}

export interface WebhookWorker {
  fanout: WebhookFanout;
  sender: WebhookSender;
  /** Stops both loops and waits for the requests in flight. */
  stop(): Promise<void>;
}

/**
 * Starts the webhook loops of a worker process: the fan-out (letter event stream → one delivery per
 * matching subscription) and the sender (due deliveries → signed POSTs, retries, dead letters).
 * Any number of workers may run them at once.
 */
export function startWebhookWorker(options: { db: TenantDb; vault: KeyVault; log: Logger } & WebhookWorkerSettings): WebhookWorker {
  const { db, vault } = options;
  const log = options.log.child({ component: 'webhooks' });
  const pollMs = options.pollMs ?? 1000;
  const fanout = new WebhookFanout({ db, log, ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}) });
  const sender = new WebhookSender({
    db,
    vault,
    log,
    ...(options.workerId ? { owner: options.workerId } : {}),
    timeoutMs: options.timeoutMs ?? 10_000,
    retry: {
      ...(options.retryBaseMs !== undefined ? { baseMs: options.retryBaseMs } : {}),
      ...(options.retryMaxMs !== undefined ? { maxMs: options.retryMaxMs } : {}),
      ...(options.retryWindowMs !== undefined ? { windowMs: options.retryWindowMs } : {}),
    },
    concurrency: options.concurrency ?? 8,
    allowHttpLocalhost: options.allowHttpLocalhost ?? false,
  });
  const loops = [new BackgroundLoop('webhook-fanout', pollMs, () => fanout.tick(), log), new BackgroundLoop('webhook-sender', pollMs, () => sender.tick(), log)];
  loops.forEach((l) => l.start());
  return {
    fanout,
    sender,
    async stop() {
      await Promise.all(loops.map((l) => l.stop()));
      await sender.drain();
    },
  };
}
