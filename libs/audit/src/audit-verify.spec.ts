/**
 * Verifying and reading the audit trail against a real PostgreSQL. Chains are broken the only way
 * they can be: as the database superuser, with the append-only trigger disabled for the change.
 */
import { Client } from 'pg';
import { TenantDb } from '@hub/persistence';
import { HubDatabase, startHubDatabase } from '../../../test/support';
import { runAuditVerify } from '../../../apps/tools/src/audit-verify';
import { appendAudit, AuditEntry } from './audit-log';
import { auditQueryOf, readAuditTrail, verifyAuditTrail } from './audit-verify';

jest.setTimeout(60_000);

let hub: HubDatabase;
let db: TenantDb;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'audit-verify' });
  db = new TenantDb(await hub.appOrm());
});
afterAll(() => hub?.drop());

let tenants = 0;
/** A fresh tenant with `n` audit entries written by appendAudit as the application. */
async function tenantWithEntries(n: number): Promise<{ tenantId: string; alias: string; entries: AuditEntry[] }> {
  const alias = `audit-${++tenants}-${Date.now().toString(36)}`;
  const [t] = await hub.ownerQuery<{ id: string }>(`insert into tenant (alias, name, org_number) values ($1, $2, '162120001231') returning id`, [alias, `Kommun ${alias}`]);
  const entries: AuditEntry[] = [];
  for (let i = 1; i <= n; i++) {
    entries.push(
      await db.inTenant(t.id, (em) =>
        appendAudit(em, { tenantId: t.id, actor: 'admin-1', action: 'retentionRule.update', target: `retentionRule:${i}`, detail: { i, name: `regel ${i}`, nested: { b: [1, 2], a: 'å' } } }),
      ),
    );
  }
  return { tenantId: t.id, alias, entries };
}

/** SQL as the superuser on this test database, with the append-only trigger off around it. */
async function tamper(statement: string, params: unknown[]): Promise<void> {
  const url = new URL(hub.adminUrl);
  url.pathname = `/${hub.name}`;
  const c = new Client({ connectionString: url.toString() });
  await c.connect();
  try {
    await c.query('alter table audit_log disable trigger audit_log_no_change');
    await c.query(statement, params);
    await c.query('alter table audit_log enable trigger audit_log_no_change');
  } finally {
    await c.end();
  }
}

const verify = (tenantId: string) => db.inTenant(tenantId, (em) => verifyAuditTrail(auditQueryOf(em), tenantId));

function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  return runAuditVerify(args, { env: { DATABASE_OWNER_URL: hub.ownerUrl }, out: (l) => out.push(l), err: (l) => err.push(l) }).then((code) => ({ code, out, err }));
}

describe('verifyAuditTrail', () => {
  it('accepts an intact chain and returns its head', async () => {
    const t = await tenantWithEntries(4);
    expect(await verify(t.tenantId)).toEqual({ tenantId: t.tenantId, ok: true, entries: 4, lastHash: t.entries[3].hash });
  });

  it('accepts an empty trail', async () => {
    const t = await tenantWithEntries(0);
    expect(await verify(t.tenantId)).toMatchObject({ ok: true, entries: 0, lastHash: '' });
  });

  it('accepts entries whose detail held dates and undefined values (hashed as stored)', async () => {
    const t = await tenantWithEntries(1);
    await db.inTenant(t.tenantId, (em) => appendAudit(em, { tenantId: t.tenantId, actor: 'a', action: 'x.y', target: 't:1', detail: { at: new Date('2026-01-02T03:04:05.678Z'), gone: undefined } }));
    expect(await verify(t.tenantId)).toMatchObject({ ok: true, entries: 2 });
  });

  it('orders by sequence number as a number, not as text (10 and more entries)', async () => {
    const t = await tenantWithEntries(12);
    expect(await verify(t.tenantId)).toEqual({ tenantId: t.tenantId, ok: true, entries: 12, lastHash: t.entries[11].hash });
    const page = await db.inTenant(t.tenantId, (em) => readAuditTrail(em, t.tenantId, { first: 12 }));
    expect(page.entries.map((e) => e.seq)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('reads across pages', async () => {
    const t = await tenantWithEntries(7);
    const v = await db.inTenant(t.tenantId, (em) => verifyAuditTrail(auditQueryOf(em), t.tenantId, { pageSize: 3 }));
    expect(v).toMatchObject({ ok: true, entries: 7, lastHash: t.entries[6].hash });
  });

  it('names the entry whose content was changed (HASH)', async () => {
    const t = await tenantWithEntries(4);
    await tamper(`update audit_log set detail = jsonb_set(detail, '{name}', '"annan regel"') where tenant_id = $1 and seq = 2`, [t.tenantId]);
    const v = await verify(t.tenantId);
    expect(v).toMatchObject({ ok: false, entries: 2, firstBroken: { seq: 2, id: t.entries[1].id, problem: 'HASH', actual: t.entries[1].hash } });
    expect(v.firstBroken!.message).toMatch(/entry 2 was changed/);
  });

  it('names the entry after one whose actor was changed and its hash recomputed (PREV_HASH)', async () => {
    const t = await tenantWithEntries(4);
    const e = t.entries[1];
    const { auditHash } = await import('./audit-log');
    const forged = auditHash(e.prevHash, { ...e, actor: 'someone else' });
    await tamper(`update audit_log set actor = 'someone else', hash = $2 where tenant_id = $1 and seq = 2`, [t.tenantId, forged]);
    expect(await verify(t.tenantId)).toMatchObject({ ok: false, firstBroken: { seq: 3, problem: 'PREV_HASH', expected: forged, actual: e.hash } });
  });

  it('names the entry after a removed one (SEQ), also when the first is removed', async () => {
    const t = await tenantWithEntries(4);
    await tamper(`delete from audit_log where tenant_id = $1 and seq = 3`, [t.tenantId]);
    const v = await verify(t.tenantId);
    expect(v).toMatchObject({ ok: false, firstBroken: { seq: 4, problem: 'SEQ', expected: '3', actual: '4' } });
    expect(v.firstBroken!.message).toMatch(/1 entry was removed before it/);
    const u = await tenantWithEntries(2);
    await tamper(`delete from audit_log where tenant_id = $1 and seq = 1`, [u.tenantId]);
    expect(await verify(u.tenantId)).toMatchObject({ ok: false, firstBroken: { seq: 2, problem: 'SEQ' } });
  });

  it('names a changed creation time (HASH)', async () => {
    const t = await tenantWithEntries(3);
    await tamper(`update audit_log set created_at = created_at - interval '1 day' where tenant_id = $1 and seq = 1`, [t.tenantId]);
    expect(await verify(t.tenantId)).toMatchObject({ ok: false, firstBroken: { seq: 1, problem: 'HASH' } });
  });

  it('shows a tenant none of another tenant’s entries (its chain looks empty)', async () => {
    const t = await tenantWithEntries(2);
    expect(await db.inTenant(hub.other.tenantId, (em) => verifyAuditTrail(auditQueryOf(em), t.tenantId))).toMatchObject({ ok: true, entries: 0 });
  });
});

describe('readAuditTrail', () => {
  it('pages a tenant’s entries newest first', async () => {
    const t = await tenantWithEntries(5);
    const first = await db.inTenant(t.tenantId, (em) => readAuditTrail(em, t.tenantId, { first: 2 }));
    expect(first.entries.map((e) => e.seq)).toEqual([5, 4]);
    expect(first).toMatchObject({ hasNextPage: true, endSeq: 4 });
    expect(first.entries[0]).toEqual(t.entries[4]);
    const rest = await db.inTenant(t.tenantId, (em) => readAuditTrail(em, t.tenantId, { first: 10, beforeSeq: first.endSeq }));
    expect(rest.entries.map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(rest.hasNextPage).toBe(false);
    expect((await db.inTenant(hub.other.tenantId, (em) => readAuditTrail(em, t.tenantId, { first: 10 }))).entries).toEqual([]);
  });
});

describe('audit-verify (the CLI)', () => {
  it('prints ok for an intact tenant and exits 0', async () => {
    const t = await tenantWithEntries(3);
    const r = await cli([t.alias]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([`ok      ${t.alias}: 3 entries, head ${t.entries[2].hash}`]);
  });

  it('prints the first broken entry and exits 1; checks every tenant without an alias', async () => {
    const t = await tenantWithEntries(3);
    await tamper(`update audit_log set target = 'retentionRule:999' where tenant_id = $1 and seq = 2`, [t.tenantId]);
    const one = await cli([t.alias]);
    expect(one.code).toBe(1);
    expect(one.out[0]).toMatch(new RegExp(`^BROKEN  ${t.alias}: first broken entry seq 2 \\(id ${t.entries[1].id}\\), HASH: `));
    const all = await cli([]);
    expect(all.code).toBe(1);
    expect(all.out.find((l) => l.includes(` ${t.alias}:`))).toMatch(/^BROKEN/);
    expect(all.out.find((l) => l.includes(' demo-kommun:'))).toMatch(/^ok/);
    expect(all.err).toEqual([expect.stringMatching(/broken/)]);
  });

  it('refuses an unknown alias and bad usage with exit code 2', async () => {
    expect(await cli(['ingen-sadan-kommun'])).toMatchObject({ code: 2, err: ['no tenant with the alias "ingen-sadan-kommun"'] });
    expect((await cli(['a', 'b'])).code).toBe(2);
  });
});
