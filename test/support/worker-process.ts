/** The compiled worker (`dist/apps/worker/src/main.js`) as a real process. */
import { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './hub-database';
import { spawnUntilReady, stopProcess } from './processes';

export interface WorkerProcess {
  process: ChildProcess;
  /** http://127.0.0.1:<port> serving /health and /metrics. */
  url: string;
  /** What the worker printed so far (tail). */
  output(): string;
  /** SIGTERM and wait for the exit; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | string | null>;
}

export const WORKER_MAIN = join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js');

/**
 * Starts the worker with `env` (see `hubEnv`; WORKER_METRICS_PORT defaults to 0, a free port) and
 * resolves once it prints `WORKER READY {…}`.
 */
export async function startWorkerProcess(env: Record<string, string>, options: { readyTimeoutMs?: number } = {}): Promise<WorkerProcess> {
  const { child, match, output } = await spawnUntilReady({
    what: 'worker',
    args: [WORKER_MAIN],
    env: { PATH: process.env.PATH ?? '', WORKER_METRICS_PORT: '0', ...env },
    ready: /^WORKER READY (\{.*\})$/m,
    timeoutMs: options.readyTimeoutMs ?? 60_000,
  });
  const info = JSON.parse(match[1]) as { http: string };
  return { process: child, url: info.http, output, stop: (graceMs) => stopProcess(child, graceMs) };
}
