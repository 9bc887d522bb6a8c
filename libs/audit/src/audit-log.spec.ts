/** The audit trail against a real PostgreSQL: chained per tenant, append-only, isolated per tenant. */
import { sql } from '@hub/letters';
import { TenantDb } from '@hub/persistence';
import { HubDatabase, startHubDatabase } from '../../../test/support';
import { appendAudit, auditHash, canonicalJson } from './audit-log';

jest.setTimeout(60_000);

let hub: HubDatabase;
let db: TenantDb;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'audit' });
  db = new TenantDb(await hub.appOrm());
});
afterAll(() => hub?.drop());

it('writes canonical JSON whatever the key order', () => {
  expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
});

it('chains each tenant’s entries, each hash over the previous one, and refuses changes', async () => {
  const tenantId = hub.demo.tenantId;
  const entries = [];
  for (const n of [1, 2, 3]) {
    entries.push(await db.inTenant(tenantId, (em) => appendAudit(em, { tenantId, actor: 'admin', action: 'caseType.update', target: `caseType:${n}`, detail: { n } })));
  }
  expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
  expect(entries[0].prevHash).toBe('');
  expect(entries[1].prevHash).toBe(entries[0].hash);
  expect(entries[2].hash).toBe(auditHash(entries[1].hash, { ...entries[2] }));
  const rows = await hub.ownerQuery<{ seq: string; hash: string; created_at: Date }>(`select seq, hash, created_at from audit_log where tenant_id = $1 order by seq`, [tenantId]);
  expect(rows.map((r) => r.hash)).toEqual(entries.map((e) => e.hash));
  await expect(hub.ownerQuery(`update audit_log set actor = 'someone else' where tenant_id = $1`, [tenantId])).rejects.toThrow(/append-only/);
  await expect(hub.ownerQuery(`delete from audit_log where tenant_id = $1`, [tenantId])).rejects.toThrow(/append-only/);
});

it('keeps concurrent appends of one tenant on one chain', async () => {
  const tenantId = hub.other.tenantId;
  await Promise.all(Array.from({ length: 8 }, (_, i) => db.inTenant(tenantId, (em) => appendAudit(em, { tenantId, actor: 'a', action: 'x', target: `t:${i}`, detail: {} }))));
  const rows = await hub.ownerQuery<{ seq: string; prev_hash: string; hash: string }>(`select seq, prev_hash, hash from audit_log where tenant_id = $1 order by seq`, [tenantId]);
  expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).toBe(rows[i - 1].hash);
});

it('shows another municipality none of a tenant’s entries and lets it write none for it', async () => {
  const counts = await db.inTenant(hub.other.tenantId, async (em) => (await sql(em, 'select * from audit_log where tenant_id = $1', [hub.demo.tenantId])).rows.length);
  expect(counts).toBe(0);
  await expect(
    db.inTenant(hub.other.tenantId, (em) => appendAudit(em, { tenantId: hub.demo.tenantId, actor: 'a', action: 'x', target: 't', detail: {} })),
  ).rejects.toThrow(/row-level security/);
});
