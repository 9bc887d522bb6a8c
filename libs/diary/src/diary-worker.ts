import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { BackgroundLoop } from '@hub/dispatch';
import type { KeyVault } from '@hub/keys';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { DiaryEventConsumer } from './diary-consumer';
import { DEFAULT_DIARY_RETRY_TOTAL_MS } from './diary-hook.service';
import { DiarySender } from './diary-sender';

/** The diary hooks' settings (each has a default; see the lib's README for the environment variables). */
export interface DiaryWorkerSettings {
  /** How often the loops look for dispatched letters and due registrations (ms). Default 1000. */
  pollIntervalMs?: number;
  /** First retry delay (ms); doubles per attempt. Default 30 s. */
  retryBaseMs?: number;
  /** Longest retry delay (ms). Default 1 h. */
  retryMaxMs?: number;
  /** How long a registration is retried before it fails (ms). Default 24 h. */
  retryTotalMs?: number;
  /** Timeout of one registry call (ms). Default 30 s. */
  timeoutMs?: number;
  /** Allow http:// hooks to localhost (development, tests). Default false. */
  allowHttpLocalhost?: boolean;
  /** A PEM file of extra CAs trusted for registries' https (added to Node's bundled roots). */
  caFile?: string;
  /** Registrations sent at once per worker. Default 8. */
  concurrency?: number;
  /** How long a worker's claim on a registration lasts (ms). Default 5 min. */
  leaseMs?: number;
  /** Letter events younger than this are read on a later round (ms), so late commits are never skipped. Default 2000. */
  settleMs?: number;
}

export interface DiaryWorkerOptions extends DiaryWorkerSettings {
  db: TenantDb;
  log: Logger;
  /** Decrypts the hooks' secrets (MASTER_KEY). */
  vault: KeyVault;
  /** This process in leases (default: a random id). */
  workerId?: string;
}

export interface DiaryWorker {
  consumer: DiaryEventConsumer;
  sender: DiarySender;
  stop(): Promise<void>;
}

/**
 * Starts the diary hooks in a worker process: one loop turns dispatched letters into registrations
 * (the letter event stream), one sends due registrations to the registries. Safe to run in every
 * worker: registrations are unique per (letter, hook) and each is leased to one worker at a time.
 */
export function startDiaryWorker(options: DiaryWorkerOptions): DiaryWorker {
  const log = options.log.child({ component: 'diary-hooks' });
  const interval = options.pollIntervalMs ?? 1000;
  const consumer = new DiaryEventConsumer({
    db: options.db,
    log,
    retryTotalMs: options.retryTotalMs ?? DEFAULT_DIARY_RETRY_TOTAL_MS,
    ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}),
  });
  const sender = new DiarySender({
    db: options.db,
    vault: options.vault,
    log,
    owner: `diary-${options.workerId ?? randomUUID()}`,
    batch: options.concurrency ?? 8,
    leaseMs: options.leaseMs ?? 300_000,
    timeoutMs: options.timeoutMs ?? 30_000,
    allowHttpLocalhost: options.allowHttpLocalhost ?? false,
    retryBaseMs: options.retryBaseMs ?? 30_000,
    retryMaxMs: options.retryMaxMs ?? 3_600_000,
    ...(options.caFile ? { ca: [...rootCertificates, readFileSync(options.caFile, 'utf8')] } : {}),
  });
  const loops = [new BackgroundLoop('diary-consumer', interval, () => consumer.tick(), log), new BackgroundLoop('diary-sender', interval, () => sender.tick(), log)];
  for (const loop of loops) loop.start();
  return {
    consumer,
    sender,
    stop: async () => {
      await Promise.all(loops.map((l) => l.stop()));
    },
  };
}
