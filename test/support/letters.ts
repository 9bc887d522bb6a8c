/**
 * Letters written straight into the database for tests, the way the intake writes them: a Letter in
 * ACCEPTED, its attachments and a dispatch outbox row, in one tenant transaction.
 */
import { createHash, randomUUID } from 'node:crypto';
import { JobName } from '@hub/jobs';
import { ChannelPreference, DISPATCH_STATUSES, enqueue, Letter, LetterAttachment, LetterCategory, LetterPostalAddress, LetterStatus } from '@hub/letters';
import type { OfficialMatterInput } from '@hub/mina-meddelanden';
import type { TenantDb } from '@hub/persistence';
import type { HubDatabase } from './hub-database';

export interface TestLetter {
  recipientId: string;
  /** Code of a demo sending unit (default `bygg`). */
  unit?: string;
  /** A sending unit by id instead (e.g. the other tenant's). */
  sendingUnitId?: string;
  channelPreference?: ChannelPreference;
  protectionClass?: number;
  subject?: string;
  bodyText?: string;
  bodyType?: 'text/plain' | 'text/html';
  caseReference?: string;
  deadlineAt?: Date;
  attachments?: { filename: string; content: Buffer; contentType?: string }[];
  /** Default {@link TEST_ADDRESS}; null for a letter without one. */
  postalAddress?: LetterPostalAddress | null;
  protectedIdentity?: boolean;
  /** A case type code of the tenant (it must exist: the letter refers to it). */
  caseTypeCode?: string;
  /** Default CASE; EVENT needs `officialMatter` (and is usually DIGITAL_ONLY, as the intake makes it). */
  category?: LetterCategory;
  officialMatter?: OfficialMatterInput;
}

/** A made-up postal address (no real person) for letters that may go to print. */
export const TEST_ADDRESS: LetterPostalAddress = { name: 'Test Testsson', lines: ['Storgatan 1'], postalCode: '123 45', city: 'Demostad', country: 'SE' };

/** Inserts letters of the demo tenant (ACCEPTED); with `enqueue` (default) each gets its dispatch outbox row. */
export async function insertLetters(db: TenantDb, hub: HubDatabase, letters: TestLetter[], options: { enqueue?: boolean; tenantId?: string } = {}): Promise<string[]> {
  const tenantId = options.tenantId ?? hub.demo.tenantId;
  return db.inTenant(tenantId, async (em) => {
    const ids: string[] = [];
    const now = new Date();
    // The entities have no relations, so the unit of work does not order inserts by foreign key: letters first.
    const after: (() => void)[] = [];
    for (const l of letters) {
      const id = randomUUID();
      const unitId = l.sendingUnitId ?? hub.demo.units[l.unit ?? 'bygg']?.id;
      if (!unitId) throw new Error(`no demo sending unit "${l.unit}"`);
      em.create(Letter, {
        id,
        tenantId,
        sendingUnitId: unitId,
        contentHash: createHash('sha256').update(id).digest('hex'),
        recipientId: l.recipientId,
        recipientKind: l.recipientId.startsWith('16') ? 'organisationsnummer' : 'personnummer',
        caseReference: l.caseReference ?? 'BN 2026-123',
        subject: l.subject ?? 'Beslut om bygglov',
        bodyText: l.bodyText ?? 'Hej! Nämnden har beslutat i ditt ärende. Se bifogat beslut.',
        bodyType: l.bodyType ?? 'text/plain',
        protectionClass: l.protectionClass ?? 1,
        channelPreference: l.channelPreference ?? 'AUTO',
        ...(l.postalAddress === null ? {} : { postalAddress: l.postalAddress ?? TEST_ADDRESS }),
        protectedIdentity: l.protectedIdentity ?? false,
        ...(l.caseTypeCode ? { caseTypeCode: l.caseTypeCode } : {}),
        category: l.category ?? (l.officialMatter ? 'EVENT' : 'CASE'),
        ...(l.officialMatter ? { officialMatter: l.officialMatter } : {}),
        status: 'ACCEPTED',
        attempts: 0,
        deadlineAt: l.deadlineAt ?? new Date(now.getTime() + 24 * 3600 * 1000),
        createdAt: now,
        updatedAt: now,
        version: 1,
      } as Letter);
      after.push(() => (l.attachments ?? []).forEach((a, position) =>
        em.create(LetterAttachment, {
          id: randomUUID(),
          tenantId,
          letterId: id,
          position,
          filename: a.filename,
          contentType: a.contentType ?? 'application/pdf',
          content: a.content,
          sizeBytes: a.content.length,
          sha256: createHash('sha256').update(a.content).digest('hex'),
        } as LetterAttachment),
      ));
      if (options.enqueue !== false) after.push(() => enqueue(em, tenantId, id, JobName.DispatchLetter, { tenantId, letterId: id }));
      ids.push(id);
    }
    await em.flush();
    for (const f of after) f();
    return ids;
  });
}

export interface LetterRow {
  id: string;
  status: LetterStatus;
  status_reason: string | null;
  channel: string | null;
  operator_id: string | null;
  operator_name: string | null;
  service_address: string | null;
  trans_id: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  dispatched_at: Date | null;
  created_at: Date;
  updated_at: Date;
  lease_owner: string | null;
  lease_until: Date | null;
}

/** Letters as stored (read as the owner, past row-level security). */
export async function readLetters(hub: HubDatabase, ids: string[]): Promise<LetterRow[]> {
  const rows = await hub.ownerQuery<LetterRow & Record<string, unknown>>(
    `select id, status, status_reason, channel, operator_id, operator_name, service_address, trans_id, attempts, next_attempt_at,
            dispatched_at, created_at, updated_at, lease_owner, lease_until from letter where id = any($1::uuid[])`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)!);
}

export interface EventRow {
  type: string;
  from_status: string | null;
  to_status: string | null;
  detail: Record<string, unknown>;
}

/** A letter's events in order. */
export function eventsOf(hub: HubDatabase, letterId: string): Promise<EventRow[]> {
  return hub.ownerQuery<EventRow & Record<string, unknown>>(`select type, from_status, to_status, detail from letter_event where letter_id = $1 order by id`, [letterId]);
}


/** Waits until every letter is in a final state (or `until` holds); returns them. Rejects after `timeoutMs` showing where they are. */
export async function waitForLetters(
  hub: HubDatabase,
  ids: string[],
  options: { timeoutMs?: number; until?: (l: LetterRow) => boolean; pollMs?: number } = {},
): Promise<LetterRow[]> {
  // Done with the dispatch: delivered, handed to the print path, held, failed or cancelled.
  const until = options.until ?? ((l: LetterRow) => !DISPATCH_STATUSES.includes(l.status));
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const letters = await readLetters(hub, ids);
    if (letters.every(until)) return letters;
    if (Date.now() > deadline) {
      const counts: Record<string, number> = {};
      for (const l of letters) counts[l.status] = (counts[l.status] ?? 0) + 1;
      throw new Error(`letters not done within ${options.timeoutMs ?? 30_000} ms: ${JSON.stringify(counts)}`);
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 50));
  }
}

/** A small valid PDF with `text` on it (see @hub/testing). */
export { makeTestPdf as makePdf } from '@hub/testing';
