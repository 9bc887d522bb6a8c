/** How a failed delivery is retried. */
export interface WebhookRetrySettings {
  /** The first retry's delay; it doubles with each attempt (default 10 s). */
  baseMs: number;
  /** The longest delay between two attempts (default 1 h). */
  maxMs: number;
  /** How long a series of attempts lasts before the delivery is dead-lettered (default 24 h). */
  windowMs: number;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetrySettings = { baseMs: 10_000, maxMs: 3_600_000, windowMs: 24 * 3_600_000 };

/**
 * What follows a failed attempt: the next attempt after an exponential delay with jitter (between
 * half and all of min(base × 2^(attempt−1), max), so that many deliveries failing together do not
 * come back together), never later than the end of the window, which gets one last attempt; an
 * attempt at or after the window's end makes the delivery dead.
 */
export function afterFailure(
  attempt: number,
  seriesStartedAt: Date,
  now: Date,
  settings: WebhookRetrySettings,
  random: () => number = Math.random,
): { dead: true } | { dead: false; nextAttemptAt: Date } {
  const end = seriesStartedAt.getTime() + settings.windowMs;
  if (now.getTime() >= end) return { dead: true };
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.min(attempt - 1, 40));
  const delay = Math.round(ceiling / 2 + random() * (ceiling / 2));
  return { dead: false, nextAttemptAt: new Date(Math.min(now.getTime() + delay, end)) };
}
