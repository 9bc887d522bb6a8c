import { EntityManager } from '@mikro-orm/postgresql';
import { JobName, JobPayloads } from '@hub/jobs';
import { Letter, LetterEvent, OutboxEntry } from './letter.entities';
import { assertTransition, LetterStatus } from './letter-status';

/**
 * Moves a letter to a new state and appends the event in the same transaction. A transition the
 * state machine forbids throws; staying in the same state (a retry) is recorded as an event only.
 */
export function transition(em: EntityManager, letter: Letter, to: LetterStatus, type: string, detail: Record<string, unknown> = {}): void {
  const from = letter.status;
  if (from !== to) assertTransition(from, to);
  letter.status = to;
  letter.updatedAt = new Date();
  em.create(LetterEvent, { tenantId: letter.tenantId, letterId: letter.id, type, fromStatus: from, toStatus: to, detail, createdAt: new Date() } as LetterEvent);
}

/** Appends an event without a state change (e.g. a retry scheduled, a notification). */
export function appendEvent(em: EntityManager, letter: Letter, type: string, detail: Record<string, unknown> = {}): void {
  em.create(LetterEvent, { tenantId: letter.tenantId, letterId: letter.id, type, fromStatus: letter.status, toStatus: letter.status, detail, createdAt: new Date() } as LetterEvent);
}

/** Writes an outbox row in the caller's transaction: the relay turns it into a job after commit. */
export function enqueue<J extends JobName>(em: EntityManager, tenantId: string, letterId: string, job: J, payload: JobPayloads[J], availableAt = new Date()): void {
  em.create(OutboxEntry, { tenantId, letterId, job, payload: payload as unknown as Record<string, unknown>, availableAt, createdAt: new Date() } as unknown as OutboxEntry);
}
