import type { EntityManager } from '@mikro-orm/postgresql';
import { containsPersonalId, sql } from '@hub/letters';
import { NotificationEventType, notificationTypeOf } from './notification-events';
import { notificationMayIncludeSubject } from '@hub/policies';
import type { TenantSettings } from '@hub/tenancy';

/**
 * One letter event as webhooks send it (the JSON body) and the `letterEvents` feed returns it.
 * It never carries the recipient's personnummer (nor any personnummer found in free text: masked),
 * the letter's body or attachments, and carries the subject only when the municipality's
 * protection-class policy allows it for the letter's class ({@link subjectAllowed}).
 */
export interface LetterNotification {
  /** The event id: unique and stable (a retry or a replay carries the same id; receivers deduplicate on it). */
  id: string;
  type: NotificationEventType;
  /** When it happened (for print statuses, when the vendor says it happened), ISO 8601. */
  occurredAt: string;
  /** When the hub recorded it, ISO 8601. */
  recordedAt: string;
  /** The municipality (tenant alias, e.g. `demo-kommun`). */
  tenant: string;
  letterId: string;
  caseReference: string | null;
  caseType: string | null;
  /** The sending unit's code (e.g. `bygg`). */
  sendingUnit: string;
  protectionClass: number;
  /** The letter's state right after the event (DELIVERED, PRINT_PENDING, HELD, FAILED…). */
  status: string;
  /** DIGITAL for `letter.delivered`, PRINT for the print path's events, null otherwise. */
  channel: 'DIGITAL' | 'PRINT' | null;
  /** Why: FaR's reason (`letter.not_reachable`), the channel switch's reason (routed to print, failed), the hold reason (held), the vendor's reason (returned, print failed), the sender's (cancelled). */
  reason: string | null;
  /** The subject (ledtext), or null when the policy withholds it for this protection class. */
  subject: string | null;
  /** Per type: operatorId, operatorName, transId (delivered); vendorId, batchId (print); holdReason, channelReason (held); printBlockedBy, stage (failed). */
  details: Record<string, string | number | boolean | null>;
}

/**
 * Whether a letter's subject may appear in a notification (SK3): the municipality's protection-class
 * policy decides (`@hub/policies`, the one source: default yes for class 1, no for class 2, never for
 * class 3).
 */
export function subjectAllowed(settings: unknown, protectionClass: number): boolean {
  return notificationMayIncludeSubject(settings as TenantSettings | null | undefined, protectionClass);
}

// 10 or 12 digits, optionally with - or + before the last four: candidates for a personnummer.
const CANDIDATE = /(?<![\d])(?:\d{6}|\d{8})[-+]?\d{4}(?![\d])/g;

/** Free text with every valid personnummer or samordningsnummer replaced (organisation numbers stay). */
export function maskPersonalIdentifiers(text: string): string {
  return text.replace(CANDIDATE, (m) => (containsPersonalId(m) ? '[personnummer]' : m));
}

const masked = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? maskPersonalIdentifiers(v) : null);

// The detail fields each log entry type publishes; everything else in the log's detail stays internal.
const DETAIL_KEYS: Record<string, readonly string[]> = {
  DELIVERED: ['operatorId', 'operatorName', 'transId'],
  PRINTED: ['vendorId', 'batchId'],
  POSTED: ['vendorId', 'batchId'],
  RETURNED: ['vendorId', 'batchId'],
  PRINT_FAILED: ['vendorId', 'batchId'],
  FAILED: ['printBlockedBy'],
  HELD: ['holdReason'],
};

const PRINT_TYPES = new Set(['ROUTED_TO_PRINT', 'PRINTED', 'POSTED', 'RETURNED', 'PRINT_FAILED']);

/** The columns {@link toNotification} reads; `e` is letter_event, `l` letter, `su` sending_unit. */
export const NOTIFICATION_COLUMNS = `e.id::text as event_id, e.type as event_type, e.to_status, e.detail, e.created_at as event_at,
  l.id as letter_id, l.case_reference, l.case_type_code, l.subject, l.protection_class, su.code as unit_code`;

export const NOTIFICATION_FROM = `letter_event e join letter l on l.id = e.letter_id join sending_unit su on su.id = l.sending_unit_id`;

export interface NotificationRow {
  event_id: string;
  event_type: string;
  to_status: string | null;
  detail: Record<string, unknown> | null;
  event_at: Date;
  letter_id: string;
  case_reference: string | null;
  case_type_code: string | null;
  subject: string;
  protection_class: number;
  unit_code: string;
}

/** The tenant's alias and settings (in its scope). */
export async function loadTenantProfile(em: EntityManager, tenantId: string): Promise<{ alias: string; settings: unknown }> {
  const row = (await sql<{ alias: string; settings: unknown }>(em, `select alias, settings from tenant where id = $1`, [tenantId])).rows[0];
  if (!row) throw new Error(`tenant ${tenantId} is not visible in its own scope`);
  return row;
}

/** One row (see {@link NOTIFICATION_COLUMNS}) as a notification; undefined for an internal log entry. */
export function toNotification(row: NotificationRow, tenant: { alias: string; settings: unknown }): LetterNotification | undefined {
  const type = notificationTypeOf(row.event_type);
  if (!type) return undefined;
  const detail = row.detail ?? {};
  const details: LetterNotification['details'] = {};
  for (const key of DETAIL_KEYS[row.event_type] ?? []) {
    const v = detail[key];
    if (typeof v === 'string') details[key] = maskPersonalIdentifiers(v);
    else if (typeof v === 'number' || typeof v === 'boolean') details[key] = v;
  }
  if (row.event_type === 'HELD' && typeof detail.reason === 'string') details.channelReason = maskPersonalIdentifiers(detail.reason);
  if (row.event_type === 'FAILED') details.stage = 'channel';
  if (row.event_type === 'PRINT_FAILED') details.stage = 'print';
  const recordedAt = new Date(row.event_at).toISOString();
  const reported = typeof detail.occurredAt === 'string' && !Number.isNaN(Date.parse(detail.occurredAt)) ? new Date(detail.occurredAt).toISOString() : recordedAt;
  const protectionClass = Number(row.protection_class);
  return {
    id: row.event_id,
    type,
    occurredAt: reported,
    recordedAt,
    tenant: tenant.alias,
    letterId: row.letter_id,
    caseReference: masked(row.case_reference),
    caseType: row.case_type_code ?? null,
    sendingUnit: row.unit_code,
    protectionClass,
    status: row.to_status ?? '',
    channel: row.event_type === 'DELIVERED' ? 'DIGITAL' : PRINT_TYPES.has(row.event_type) ? 'PRINT' : null,
    // A held letter's reason is why it is held; the channel switch's reason, when there is one, is in details.
    reason: row.event_type === 'HELD' ? (masked(detail.holdReason) ?? masked(detail.reason)) : masked(detail.reason),
    subject: subjectAllowed(tenant.settings, protectionClass) ? masked(row.subject) : null,
    details,
  };
}

/** The notifications of some letter events of the current tenant, by event id (internal or unknown events are absent). */
export async function loadNotifications(em: EntityManager, tenantId: string, eventIds: readonly string[]): Promise<Map<string, LetterNotification>> {
  const out = new Map<string, LetterNotification>();
  if (eventIds.length === 0) return out;
  const tenant = await loadTenantProfile(em, tenantId);
  const { rows } = await sql<NotificationRow>(em, `select ${NOTIFICATION_COLUMNS} from ${NOTIFICATION_FROM} where e.tenant_id = $1 and e.id = any($2::bigint[])`, [
    tenantId,
    eventIds,
  ]);
  for (const row of rows) {
    const n = toNotification(row, tenant);
    if (n) out.set(n.id, n);
  }
  return out;
}
