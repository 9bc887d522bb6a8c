import type { EntityManager } from '@mikro-orm/postgresql';
import { assertTransition, LetterStatus, sql } from '@hub/letters';

/** Event types the print path writes to a letter's log (what the case officer sees). */
export const PrintEvent = {
  /** The print-ready PDF was made; detail: vendor, postage class, pages, sheets, envelope profile. */
  RENDERED: 'PRINT_RENDERED',
  /** Put into a print batch; detail: batchId, vendorId, sequence. */
  BATCHED: 'BATCHED',
  PRINTED: 'PRINTED',
  POSTED: 'POSTED',
  /** Came back; detail: the vendor's reason. */
  RETURNED: 'RETURNED',
  PRINT_FAILED: 'PRINT_FAILED',
  /** Held for manual handling; detail: holdReason and, for a letter that cannot be printed, the problems. */
  HELD: 'HELD',
  /** A held letter released to print by an administrator. */
  RELEASED: 'RELEASED',
} as const;

/**
 * Moves a letter from `from` to `to` (only if it is still in `from`) and appends the event, in the
 * caller's tenant transaction. Returns false when the letter was no longer in `from`.
 */
export async function moveLetter(
  em: EntityManager,
  letter: { tenantId: string; id: string },
  from: LetterStatus,
  to: LetterStatus,
  event: { type: string; detail: Record<string, unknown> },
  set: { statusReason?: string | null; channelDecision?: string } = {},
): Promise<boolean> {
  if (from !== to) assertTransition(from, to);
  const { rowCount } = await sql(
    em,
    `update letter set status = $3, updated_at = now(), version = version + 1,
            status_reason = case when $4 then $5 else status_reason end,
            channel_decision = coalesce($6, channel_decision)
      where id = $1 and tenant_id = $2 and status = $7`,
    [letter.id, letter.tenantId, to, set.statusReason !== undefined, set.statusReason ?? null, set.channelDecision ?? null, from],
  );
  if (rowCount === 0) return false;
  await appendLetterEvent(em, letter, event.type, from, to, event.detail);
  return true;
}

export async function appendLetterEvent(
  em: EntityManager,
  letter: { tenantId: string; id: string },
  type: string,
  from: LetterStatus,
  to: LetterStatus,
  detail: Record<string, unknown>,
): Promise<void> {
  await sql(em, `insert into letter_event (tenant_id, letter_id, type, from_status, to_status, detail, created_at) values ($1, $2, $3, $4, $5, $6, clock_timestamp())`, [
    letter.tenantId,
    letter.id,
    type,
    from,
    to,
    JSON.stringify(detail),
  ]);
}

/** Writes an outbox row (a durable job) in the caller's tenant transaction. */
export async function enqueueJob(em: EntityManager, tenantId: string, letterId: string | null, job: string, payload: Record<string, unknown>): Promise<void> {
  await sql(em, `insert into outbox (tenant_id, letter_id, job, payload, available_at) values ($1, $2, $3, $4, now())`, [tenantId, letterId, job, JSON.stringify(payload)]);
}
