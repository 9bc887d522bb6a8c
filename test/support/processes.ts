/** Starting and stopping the hub's compiled processes in tests (`npm run build` first). */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ROOT } from './hub-database';

/** A child process whose output is kept (the last 256 KB) for the error message of a failing test. */
export interface ManagedChild {
  child: ChildProcess;
  match: RegExpMatchArray;
  /** stdout and stderr so far (tail). */
  output(): string;
}

const TAIL_BYTES = 256 * 1024;

/**
 * Spawns `node <args>` from the repository root and resolves once stdout has a line matching
 * `ready`; rejects with the output if the process exits first or takes longer than `timeoutMs`.
 */
export function spawnUntilReady(options: { what: string; args: string[]; ready: RegExp; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<ManagedChild> {
  const script = options.args[0];
  if (script.endsWith('.js') && !existsSync(script)) {
    return Promise.reject(new Error(`${script} does not exist: run \`npm run build\` before the tests that start ${options.what} as a process`));
  }
  const child = spawn(process.execPath, options.args, { cwd: ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  let stdout = '';
  let ready = false;
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  child.stderr!.on('data', keep);
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`${options.what} ${why}\n--- output (tail)\n${tail}`));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(`did not print ${options.ready} within ${options.timeoutMs} ms`);
    }, options.timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (ready) return;
      stdout = (stdout + chunk.toString('utf8')).slice(-TAIL_BYTES);
      const m = options.ready.exec(stdout);
      if (m) {
        ready = true;
        clearTimeout(timer);
        resolve({ child, match: m, output: () => tail });
      }
    });
    child.on('exit', (code, signal) => {
      if (!ready) fail(`exited with ${code ?? signal} before it was ready`);
    });
    child.on('error', (e) => fail(`could not start: ${e.message}`));
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (or signal) once the process is gone. */
export function stopProcess(child: ChildProcess, graceMs = 30_000): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal);
    });
    child.kill('SIGTERM');
  });
}
