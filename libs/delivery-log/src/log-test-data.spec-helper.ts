/**
 * Test data for the delivery-log specs: letters written as the owner (past row-level security) with
 * every log column under the test's control, and a strict RFC 4180 reader to parse exports back.
 */
import { randomUUID } from 'node:crypto';
import type { HubDatabase } from '../../../test/support';

export interface LogTestLetter {
  id?: string;
  tenantId?: string;
  unitId: string;
  apiClientId?: string | null;
  recipientId: string;
  caseReference?: string | null;
  caseType?: string | null;
  subject?: string;
  protectionClass?: number;
  status?: string;
  statusReason?: string | null;
  channel?: 'DIGITAL' | 'PRINT' | null;
  channelDecision?: string | null;
  operatorId?: string | null;
  operatorName?: string | null;
  transId?: string | null;
  createdAt: Date;
  dispatchedAt?: Date | null;
}

/** Inserts letters as the owner; returns their ids in input order. */
export async function insertLogLetters(hub: HubDatabase, letters: LogTestLetter[]): Promise<string[]> {
  const ids = letters.map((l) => l.id ?? randomUUID());
  const col = <T>(f: (l: LogTestLetter) => T) => letters.map(f);
  await hub.ownerQuery(
    `insert into letter (id, tenant_id, sending_unit_id, api_client_id, content_hash, recipient_id, recipient_kind, case_reference, case_type_code,
                         subject, protection_class, channel_preference, status, status_reason, channel, channel_decision, operator_id, operator_name,
                         trans_id, deadline_at, created_at, updated_at, dispatched_at)
     select u.id, u.tenant_id, u.unit_id, u.client_id, md5(u.id::text), u.recipient_id,
            case when u.recipient_id like '16%' then 'organisationsnummer' when substr(u.recipient_id, 7, 1) >= '6' then 'samordningsnummer' else 'personnummer' end,
            u.case_reference, u.case_type, u.subject, u.protection_class, 'AUTO', u.status, u.status_reason, u.channel, u.channel_decision,
            u.operator_id, u.operator_name, u.trans_id, u.created_at + interval '1 day', u.created_at, u.created_at, u.dispatched_at
       from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::smallint[], $10::text[], $11::text[],
                   $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::timestamptz[], $18::timestamptz[])
         as u(id, tenant_id, unit_id, client_id, recipient_id, case_reference, case_type, subject, protection_class, status, status_reason,
              channel, channel_decision, operator_id, operator_name, trans_id, created_at, dispatched_at)`,
    [
      ids,
      col((l) => l.tenantId ?? hub.demo.tenantId),
      col((l) => l.unitId),
      col((l) => l.apiClientId ?? null),
      col((l) => l.recipientId),
      col((l) => (l.caseReference === undefined ? 'BN 2026-1' : l.caseReference)),
      col((l) => l.caseType ?? null),
      col((l) => l.subject ?? 'Beslut om bygglov'),
      col((l) => l.protectionClass ?? 1),
      col((l) => l.status ?? 'DELIVERED'),
      col((l) => l.statusReason ?? null),
      col((l) => (l.channel === undefined ? 'DIGITAL' : l.channel)),
      col((l) => l.channelDecision ?? (l.channel === null ? null : (l.channel ?? 'DIGITAL'))),
      col((l) => l.operatorId ?? null),
      col((l) => l.operatorName ?? null),
      col((l) => l.transId ?? null),
      col((l) => l.createdAt),
      col((l) => l.dispatchedAt ?? null),
    ],
  );
  return ids;
}

export { parseCsv } from '@hub/testing';
