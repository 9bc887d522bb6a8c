/** Backoff with jitter inside the retry window, then dead. */
import { afterFailure, DEFAULT_WEBHOOK_RETRY } from './webhook-retry';

const start = new Date('2026-11-26T08:00:00Z');
const plus = (ms: number) => new Date(start.getTime() + ms);

it('doubles the delay per attempt up to the maximum, with jitter between half and all of it', () => {
  const s = DEFAULT_WEBHOOK_RETRY;
  const delay = (attempt: number, r: number) => {
    const next = afterFailure(attempt, start, start, s, () => r);
    if (next.dead) throw new Error('dead');
    return next.nextAttemptAt.getTime() - start.getTime();
  };
  expect([1, 2, 3, 4].map((a) => delay(a, 1))).toEqual([10_000, 20_000, 40_000, 80_000]);
  expect([1, 2, 3].map((a) => delay(a, 0))).toEqual([5_000, 10_000, 20_000]);
  expect(delay(30, 1)).toBe(3_600_000);
  expect(delay(500, 0.5)).toBe(2_700_000);
});

it('makes the last attempt at the end of the window and declares the delivery dead after it', () => {
  const s = { baseMs: 1000, maxMs: 60_000, windowMs: 100_000 };
  expect(afterFailure(8, start, plus(90_000), s, () => 1)).toEqual({ dead: false, nextAttemptAt: plus(100_000) });
  expect(afterFailure(9, start, plus(100_000), s)).toEqual({ dead: true });
  expect(afterFailure(1, start, plus(200_000), s)).toEqual({ dead: true });
});
