import { decideRetry, retryDelayMs } from './retry-policy';

const settings = { baseMs: 1000, maxMs: 60_000, maxAttempts: 5 };

describe('retry policy', () => {
  it('doubles the delay per attempt, with half of it random, capped', () => {
    expect(retryDelayMs(1, settings, () => 0)).toBe(500);
    expect(retryDelayMs(1, settings, () => 1)).toBe(1000);
    expect(retryDelayMs(3, settings, () => 0)).toBe(2000);
    expect(retryDelayMs(3, settings, () => 0.999999)).toBe(4000);
    expect(retryDelayMs(30, settings, () => 1)).toBe(60_000);
    expect(retryDelayMs(1000, settings, () => 0.5)).toBe(45_000);
  });

  it('spreads letters that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(4, settings)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(4000);
  });

  it('retries until the attempts are used up or the deadline passes', () => {
    const now = new Date('2026-11-26T10:00:00Z');
    const deadline = new Date('2026-11-27T10:00:00Z');
    expect(decideRetry(1, deadline, now, settings, () => 0)).toEqual({ action: 'retry', at: new Date(now.getTime() + 500) });
    expect(decideRetry(5, deadline, now, settings)).toEqual({ action: 'give-up', reason: 'RETRIES_EXHAUSTED' });
    expect(decideRetry(1, now, now, settings)).toEqual({ action: 'give-up', reason: 'DEADLINE_PASSED' });
    const soon = new Date(now.getTime() + 100);
    expect(decideRetry(2, soon, now, settings, () => 1)).toEqual({ action: 'retry', at: soon });
  });
});
