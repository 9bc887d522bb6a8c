/** Retry settings of digital delivery (from the configuration). */
export interface RetrySettings {
  /** First delay; doubles each attempt. */
  baseMs: number;
  /** Longest delay. */
  maxMs: number;
  /** Failed attempts after which the letter is given up (goes to print or fails). */
  maxAttempts: number;
}

/**
 * Delay before the next attempt after `failedAttempts` failures (1 for the first): exponential,
 * capped, with "equal jitter" (half fixed, half random) so that letters that failed together
 * (an operator outage) do not all come back in the same instant, yet none comes back at once.
 */
export function retryDelayMs(failedAttempts: number, settings: Pick<RetrySettings, 'baseMs' | 'maxMs'>, random: () => number = Math.random): number {
  const exp = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.min(Math.max(failedAttempts - 1, 0), 40));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export type RetryDecision = { action: 'retry'; at: Date } | { action: 'give-up'; reason: 'RETRIES_EXHAUSTED' | 'DEADLINE_PASSED' };

/**
 * After a retryable failure: retry later, or give up when the attempts are used up or the letter's
 * deadline has passed. A retry that would fall after the deadline is moved to the deadline itself:
 * the letter gets its last chance then, and is given up if that fails too.
 */
export function decideRetry(
  failedAttempts: number,
  deadlineAt: Date,
  now: Date,
  settings: RetrySettings,
  random: () => number = Math.random,
): RetryDecision {
  if (failedAttempts >= settings.maxAttempts) return { action: 'give-up', reason: 'RETRIES_EXHAUSTED' };
  if (now.getTime() >= deadlineAt.getTime()) return { action: 'give-up', reason: 'DEADLINE_PASSED' };
  const at = Math.min(now.getTime() + retryDelayMs(failedAttempts, settings, random), deadlineAt.getTime());
  return { action: 'retry', at: new Date(at) };
}
