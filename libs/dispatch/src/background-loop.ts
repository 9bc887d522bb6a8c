import type { Logger } from '@hub/observability';

/**
 * Runs `tick` again and again: right away when it reports more work, after `intervalMs` otherwise,
 * after a growing pause when it throws. `stop()` ends the loop and waits for the running tick.
 */
export class BackgroundLoop {
  private running = false;
  private current?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly tick: () => Promise<boolean>,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.current = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.current;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let more = false;
      try {
        more = await this.tick();
        failures = 0;
      } catch (e) {
        failures++;
        this.log.error({ err: e, loop: this.name, failures }, `${this.name} failed; trying again`);
      }
      if (!this.running) break;
      if (more) continue;
      const pause = failures > 0 ? Math.min(this.intervalMs * 2 ** failures, 30_000) : this.intervalMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
