/**
 * The public events of a letter, as webhooks and the `letterEvents` feed name them, and which entries
 * of the letter's event log (`letter_event.type`, written by the dispatch and the print path) they
 * come from. Other log entries (ACCEPTED, SIGNED, SEALED, RETRY_SCHEDULED, PRINT_RENDERED, BATCHED…)
 * are internal steps and are not published.
 */
export const NOTIFICATION_EVENT_TYPES = [
  'letter.delivered',
  'letter.not_reachable',
  'letter.routed_to_print',
  'letter.printed',
  'letter.posted',
  'letter.returned',
  'letter.failed',
  'letter.cancelled',
  'letter.held',
] as const;

export type NotificationEventType = (typeof NOTIFICATION_EVENT_TYPES)[number];

/** Letter log entry type → public event. FAILED (neither channel possible) and PRINT_FAILED (the vendor could not print it) are both `letter.failed`. */
export const LOG_TO_NOTIFICATION: Readonly<Record<string, NotificationEventType>> = {
  DELIVERED: 'letter.delivered',
  NOT_REACHABLE: 'letter.not_reachable',
  ROUTED_TO_PRINT: 'letter.routed_to_print',
  PRINTED: 'letter.printed',
  POSTED: 'letter.posted',
  RETURNED: 'letter.returned',
  FAILED: 'letter.failed',
  PRINT_FAILED: 'letter.failed',
  CANCELLED: 'letter.cancelled',
  HELD: 'letter.held',
};

/** The log entry types that are published. */
export const PUBLISHED_LOG_TYPES: readonly string[] = Object.keys(LOG_TO_NOTIFICATION);

/** The public event of a log entry type, or undefined for an internal step. */
export function notificationTypeOf(logType: string): NotificationEventType | undefined {
  return Object.hasOwn(LOG_TO_NOTIFICATION, logType) ? LOG_TO_NOTIFICATION[logType] : undefined;
}

/** The log entry types behind some public events (for filtering the log by public names). */
export function logTypesFor(types: readonly NotificationEventType[]): string[] {
  return PUBLISHED_LOG_TYPES.filter((t) => types.includes(LOG_TO_NOTIFICATION[t]));
}

export function isNotificationEventType(value: unknown): value is NotificationEventType {
  return typeof value === 'string' && (NOTIFICATION_EVENT_TYPES as readonly string[]).includes(value);
}
