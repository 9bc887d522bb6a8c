import type { EntityManager } from '@mikro-orm/postgresql';
import { canTransition, LetterStatus, sql } from '@hub/letters';
import type { PrintLetterStatus } from '@hub/print';
import { appendLetterEvent, PrintEvent } from './print-events';

/** Where a letter is on paper; a report of an earlier step than this is a duplicate. */
const RANK: Record<string, number> = { BATCHED: 0, PRINTED: 1, POSTED: 2, RETURNED: 3 };

const LETTER_STATUS: Record<PrintLetterStatus, LetterStatus> = { PRINTED: 'PRINTED', POSTED: 'POSTED', RETURNED: 'RETURNED', FAILED: 'PRINT_FAILED' };
const EVENT: Record<PrintLetterStatus, string> = { PRINTED: PrintEvent.PRINTED, POSTED: PrintEvent.POSTED, RETURNED: PrintEvent.RETURNED, FAILED: PrintEvent.PRINT_FAILED };

export type StatusApplyResult = { accepted: true; duplicate?: boolean } | { accepted: false; error: string };

/**
 * Applies a vendor's report for one letter, in the letter's tenant transaction: the print item's
 * status, the letter's state (BATCHED → PRINTED → POSTED → RETURNED, or PRINT_FAILED) and an event
 * with the vendor, batch, reason and time. A report of a step already reached (or passed) is a
 * duplicate and changes nothing; a report that contradicts what happened (FAILED after POSTED) is
 * refused with the reason.
 */
export async function applyPrintStatus(
  em: EntityManager,
  report: { tenantId: string; letterId: string; status: PrintLetterStatus; reason?: string; occurredAt?: Date; vendorId: string; batchId: string; source: 'letter' | 'batch' },
): Promise<StatusApplyResult> {
  const row = (
    await sql<{ item_status: string; letter_status: LetterStatus }>(
      em,
      `select i.status as item_status, l.status as letter_status from print_item i join letter l on l.id = i.letter_id
        where i.letter_id = $1 for update of i, l`,
      [report.letterId],
    )
  ).rows[0];
  if (!row) return { accepted: false, error: 'unknown letter' };
  const current = row.item_status;
  if (current === 'READY') return { accepted: false, error: 'the letter is not in a batch yet' };
  if (report.status === 'FAILED') {
    if (current === 'FAILED') return { accepted: true, duplicate: true };
    if (RANK[current] >= RANK.POSTED) return { accepted: false, error: `the letter was already reported ${current}; it cannot have failed to print` };
  } else {
    if (current === 'FAILED') return { accepted: false, error: 'the letter was reported FAILED; report it again as a new letter is not possible' };
    if (RANK[current] >= RANK[report.status]) return { accepted: true, duplicate: true };
  }
  const to = LETTER_STATUS[report.status];
  const from = row.letter_status;
  if (!canTransition(from, to)) return { accepted: false, error: `a letter in state ${from} cannot become ${to}` };
  const occurredAt = (report.occurredAt ?? new Date()).toISOString();
  await sql(em, `update print_item set status = $2, updated_at = now() where letter_id = $1`, [report.letterId, report.status]);
  await sql(
    em,
    `update letter set status = $2, updated_at = now(), version = version + 1,
            status_reason = case when $3::text is null then status_reason else $3::text end,
            dispatched_at = case when $2 = 'POSTED' then coalesce(dispatched_at, $4::timestamptz) else dispatched_at end
      where id = $1`,
    [report.letterId, to, report.status === 'RETURNED' || report.status === 'FAILED' ? (report.reason ?? null) : null, occurredAt],
  );
  await appendLetterEvent(em, { tenantId: report.tenantId, id: report.letterId }, EVENT[report.status], from, to, {
    vendorId: report.vendorId,
    batchId: report.batchId,
    occurredAt,
    ...(report.reason ? { reason: report.reason } : {}),
    ...(report.source === 'batch' ? { reportedFor: 'batch' } : {}),
  });
  return { accepted: true };
}
