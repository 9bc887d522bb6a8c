/** What can go wrong on purpose, for the reliability tests. */
export type FaultMode = 'http5xx' | 'timeout' | 'delivered-false' | 'fault';

export interface FaultRule {
  mode: FaultMode;
  /** applicationFault ErrorCode for mode "fault" (default 5001). */
  code?: number;
  /** HTTP status for mode "http5xx" (default 503). */
  status?: number;
  /** Apply this many times, then behave normally (default: always). */
  times?: number;
}

export interface FaultConfig {
  /** Added to every answer. */
  latencyMs?: number;
  /** Probability per request (0–1) of each fault, drawn from a seeded generator. */
  rates?: Partial<Record<FaultMode, number>>;
  /** Code used by random "fault" draws (default 5001… use an unknown code to test the retryable default). */
  faultCode?: number;
  /** Faults for particular recipients. */
  recipients?: Record<string, FaultRule>;
  /** How long a "timeout" holds the request before dropping the connection (default 120 s). */
  timeoutHoldMs?: number;
  /** Seed of the random generator (default 1). */
  seed?: number;
}

/** Decides, per request, which fault (if any) to inject. Deterministic for a given seed and sequence. */
export class FaultInjector {
  private config: FaultConfig = {};
  private state = 1;
  private readonly used = new Map<string, number>();

  constructor(config: FaultConfig = {}) {
    this.set(config);
  }

  set(config: FaultConfig): void {
    this.config = { ...config };
    this.state = (config.seed ?? 1) >>> 0 || 1;
    this.used.clear();
  }

  get current(): FaultConfig {
    return this.config;
  }

  private random(): number {
    // xorshift32: reproducible runs for the same seed.
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x100000000;
  }

  /** The fault to apply for a request concerning `recipientIds`, or undefined. */
  draw(recipientIds: string[]): FaultRule | undefined {
    for (const id of recipientIds) {
      const rule = this.config.recipients?.[id];
      if (!rule) continue;
      const n = this.used.get(id) ?? 0;
      if (rule.times !== undefined && n >= rule.times) continue;
      this.used.set(id, n + 1);
      return rule;
    }
    const rates = this.config.rates ?? {};
    for (const mode of ['http5xx', 'timeout', 'delivered-false', 'fault'] as FaultMode[]) {
      const p = rates[mode] ?? 0;
      if (p > 0 && this.random() < p) return { mode, code: this.config.faultCode };
    }
    return undefined;
  }

  get latencyMs(): number {
    return this.config.latencyMs ?? 0;
  }

  get timeoutHoldMs(): number {
    return this.config.timeoutHoldMs ?? 120_000;
  }
}
