/**
 * Retention and the audit trail through the real API over HTTP: real tokens from the local OIDC
 * issuer, the API in process on a free port, a fresh database. Tenant admins manage rules (audited),
 * dry-run them, read purge records and the audit trail and verify it; officers and case systems may
 * not; another municipality's admin sees and changes none of it.
 */
import { Client } from 'pg';
import type { OidcClientSeed, RunningOidcIssuer } from '../../../../apps/simulators/src/oidc/oidc-issuer';
import { startOidcIssuer } from '../../../../apps/simulators/src/oidc/oidc-issuer';
import { HubDatabase, insertLetters, startHubDatabase } from '../../../../test/support';
import { AUDIENCE, CLIENTS, errorCode, getToken, gql, GqlResponse, ok, RunningApi, startApi, testConfig } from '../../../../test/support/api-helpers';
import { TenantDb } from '@hub/persistence';

jest.setTimeout(90_000);

const OTHER_ADMIN: OidcClientSeed = { clientId: 'annan-admin-app', clientSecret: 'test-secret-0123456789', tenant: 'annan-kommun', roles: ['tenant-admin'] };

let hub: HubDatabase;
let issuer: RunningOidcIssuer;
let api: RunningApi;
let admin: string;
let officer: string;
let caseSystem: string;
let otherAdmin: string;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'retention-api', masterKey: Buffer.alloc(32, 11).toString('base64') });
  issuer = await startOidcIssuer({ port: 0, issuerPath: '/realms/dispatch-hub', audience: AUDIENCE, clients: [...Object.values(CLIENTS), OTHER_ADMIN] });
  api = await startApi(testConfig(hub, issuer), { reachability: null });
  [admin, officer, caseSystem, otherAdmin] = await Promise.all([getToken(issuer, 'demoAdmin'), getToken(issuer, 'demoOfficer'), getToken(issuer, 'demoCaseSystem'), getToken(issuer, OTHER_ADMIN)]);
});
afterAll(async () => {
  await api?.close();
  await issuer?.close();
  await hub?.drop();
});

const RULE_FIELDS = 'id caseTypeCode protectionClass contentAfterDays identifiersAfterDays identifiersAction logAfterDays description createdAt updatedAt';
const COUNTS = 'contentLetters contentAttachments contentPrintPdfs identifierLetters logLetters logEvents logOutboxRows logPrintItems logAttachments purgers { name count }';
const RECORD = `id ruleId rule { id caseTypeCode protectionClass contentAfterDays identifiersAction } dryRun trigger actor asOf startedAt finishedAt error counts { ${COUNTS} }`;

type Rule = { id: string; caseTypeCode: string | null; protectionClass: number | null; contentAfterDays: number | null; identifiersAfterDays: number | null; logAfterDays: number | null; identifiersAction: string };

const q = <D = Record<string, unknown>>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<GqlResponse<D>> => gql<D>(api.graphqlUrl, token, query, variables);
const createRule = (token: string, input: Record<string, unknown>) => q<{ createRetentionRule: Rule }>(token, `mutation($input: RetentionRuleInput!) { createRetentionRule(input: $input) { ${RULE_FIELDS} } }`, { input });

describe('retention rules', () => {
  it('lets a tenant admin create, list, replace and delete rules, each change in the audit trail', async () => {
    const created = ok(await createRule(admin, { caseTypeCode: 'bygglov', protectionClass: 2, contentAfterDays: 30, identifiersAfterDays: 365, logAfterDays: 3650, description: 'Beslut 2026:1' })).createRetentionRule;
    expect(created).toMatchObject({ caseTypeCode: 'bygglov', protectionClass: 2, contentAfterDays: 30, identifiersAfterDays: 365, logAfterDays: 3650, identifiersAction: 'PSEUDONYMISE' });
    const listed = ok(await q<{ retentionRules: Rule[] }>(admin, `{ retentionRules { ${RULE_FIELDS} } }`)).retentionRules;
    expect(listed.map((r) => r.id)).toContain(created.id);
    const updated = ok(
      await q<{ updateRetentionRule: Rule }>(admin, `mutation($id: ID!, $input: RetentionRuleInput!) { updateRetentionRule(id: $id, input: $input) { ${RULE_FIELDS} } }`, {
        id: created.id,
        input: { caseTypeCode: 'bygglov', protectionClass: 2, contentAfterDays: 60, identifiersAction: 'REMOVE', identifiersAfterDays: 60 },
      }),
    ).updateRetentionRule;
    expect(updated).toMatchObject({ id: created.id, contentAfterDays: 60, identifiersAfterDays: 60, logAfterDays: null, identifiersAction: 'REMOVE' });
    const deleted = ok(await q<{ deleteRetentionRule: Rule }>(admin, `mutation($id: ID!) { deleteRetentionRule(id: $id) { ${RULE_FIELDS} } }`, { id: created.id })).deleteRetentionRule;
    expect(deleted.id).toBe(created.id);
    expect(errorCode(await q(admin, `mutation($id: ID!) { deleteRetentionRule(id: $id) { id } }`, { id: created.id }))).toBe('NOT_FOUND');

    const trail = ok(await q<{ auditTrail: { edges: { node: { action: string; target: string; actor: string; detail: Record<string, Record<string, unknown>> } }[] } }>(admin, `{ auditTrail(first: 3) { edges { node { action target actor detail } } } }`)).auditTrail;
    expect(trail.edges.map((e) => e.node.action)).toEqual(['retentionRule.delete', 'retentionRule.update', 'retentionRule.create']);
    expect(trail.edges.every((e) => e.node.target === `retentionRule:${created.id}` && e.node.actor.length > 0)).toBe(true);
    expect(trail.edges[1].node.detail).toMatchObject({ previous: { contentAfterDays: 30 }, rule: { contentAfterDays: 60, identifiersAction: 'REMOVE' } });
  });

  it('refuses a bad rule with VALIDATION_FAILED naming each field', async () => {
    const r = await createRule(admin, { caseTypeCode: 'Bygg lov', contentAfterDays: 400, identifiersAfterDays: 365 });
    expect(errorCode(r)).toBe('VALIDATION_FAILED');
    expect(r.errors![0].extensions!.fields!.map((f) => `${f.path}:${f.rule}`)).toEqual(['caseTypeCode:format', 'contentAfterDays:order']);
    expect(r.errors![0].message).toMatch(/contentAfterDays \(400\) must not be greater than identifiersAfterDays \(365\)/);
    const none = await createRule(admin, { description: 'inget' });
    expect(none.errors![0].extensions!.fields).toEqual([{ path: '', rule: 'required', message: expect.stringMatching(/at least one step/) }]);
    ok(await createRule(admin, { caseTypeCode: 'dubblett', contentAfterDays: 5 }));
    const twice = await createRule(admin, { caseTypeCode: 'dubblett', logAfterDays: 5 });
    expect(twice.errors![0].extensions!.fields![0]).toMatchObject({ path: 'caseTypeCode', rule: 'unique' });
    expect(errorCode(await q(admin, `mutation { updateRetentionRule(id: "not-a-rule", input: { contentAfterDays: 1 }) { id } }`))).toBe('NOT_FOUND');
  });

  it('is for tenant admins only', async () => {
    for (const token of [officer, caseSystem]) {
      expect(errorCode(await q(token, `{ retentionRules { id } }`))).toBe('FORBIDDEN');
      expect(errorCode(await createRule(token, { contentAfterDays: 5 }))).toBe('FORBIDDEN');
      expect(errorCode(await q(token, `{ retentionDryRun { totals { contentLetters } } }`))).toBe('FORBIDDEN');
      expect(errorCode(await q(token, `{ purgeRecords { edges { cursor } } }`))).toBe('FORBIDDEN');
      expect(errorCode(await q(token, `{ auditTrail { edges { cursor } } }`))).toBe('FORBIDDEN');
      expect(errorCode(await q(token, `{ verifyAuditTrail { ok } }`))).toBe('FORBIDDEN');
    }
    expect(errorCode(await q('', `{ retentionRules { id } }`))).toBe('UNAUTHENTICATED');
  });
});

describe('dry-run and purge records', () => {
  it('shows what the rules would remove, keeps the dry-runs as records, and pages them', async () => {
    const db = new TenantDb(await hub.appOrm(2));
    const rule = ok(await createRule(admin, { protectionClass: 3, contentAfterDays: 30, logAfterDays: 400 })).createRetentionRule;
    const ids = await insertLetters(db, hub, [
      { recipientId: '198101032384', protectionClass: 3, attachments: [{ filename: 'a.pdf', content: Buffer.from('%PDF-1.4 a') }] },
      { recipientId: '199001012385', protectionClass: 3 },
      { recipientId: '195001182046', protectionClass: 3 },
    ]);
    await hub.ownerQuery(`update letter set status = 'DELIVERED', dispatched_at = now() - interval '40 days' where id = any($1::uuid[])`, [ids.slice(0, 2)]);
    await hub.ownerQuery(`update letter set status = 'FAILED', created_at = now() - interval '500 days' where id = $1`, [ids[2]]);

    type DryRun = { retentionDryRun: { asOf: string; totals: Record<string, unknown>; rules: { id: string; ruleId: string; dryRun: boolean; trigger: string; counts: Record<string, unknown> }[] } };
    const one = ok(await q<DryRun>(admin, `query($id: ID) { retentionDryRun(ruleId: $id) { asOf totals { ${COUNTS} } rules { ${RECORD} } } }`, { id: rule.id })).retentionDryRun;
    expect(one.rules).toHaveLength(1);
    expect(one.rules[0]).toMatchObject({ ruleId: rule.id, dryRun: true, trigger: 'MANUAL' });
    expect(one.totals).toEqual({ contentLetters: 2, contentAttachments: 1, contentPrintPdfs: 0, identifierLetters: 0, logLetters: 1, logEvents: 0, logOutboxRows: 1, logPrintItems: 0, logAttachments: 0, purgers: [] });
    // Nothing changed.
    expect((await hub.ownerQuery<{ n: string }>(`select count(*)::text as n from letter where id = any($1::uuid[]) and content_purged_at is null`, [ids]))[0].n).toBe('3');

    const all = ok(await q<DryRun>(admin, `{ retentionDryRun { totals { contentLetters } rules { ruleId } } }`)).retentionDryRun;
    expect(all.rules.map((r) => r.ruleId)).toContain(rule.id);
    expect(all.totals.contentLetters).toBe(2);
    expect(errorCode(await q(admin, `{ retentionDryRun(ruleId: "00000000-0000-4000-8000-000000000000") { asOf } }`))).toBe('NOT_FOUND');

    type Page = { purgeRecords: { edges: { cursor: string; node: { id: string; ruleId: string; dryRun: boolean; counts: { contentLetters: number } } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const first = ok(await q<Page>(admin, `query($r: ID) { purgeRecords(first: 1, ruleId: $r) { edges { cursor node { ${RECORD} } } pageInfo { hasNextPage endCursor } } }`, { r: rule.id })).purgeRecords;
    expect(first.edges).toHaveLength(1);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = ok(await q<Page>(admin, `query($r: ID, $a: String) { purgeRecords(first: 5, ruleId: $r, after: $a) { edges { node { id dryRun } } pageInfo { hasNextPage } } }`, { r: rule.id, a: first.pageInfo.endCursor })).purgeRecords;
    expect(second.edges).toHaveLength(1);
    expect(second.edges[0].node.id).not.toBe(first.edges[0].node.id);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(ok(await q<Page>(admin, `{ purgeRecords(dryRun: false) { edges { cursor } } }`)).purgeRecords.edges).toEqual([]);
    expect(errorCode(await q(admin, `{ purgeRecords(first: 100000) { edges { cursor } } }`))).toBe('PAGE_SIZE_EXCEEDED');
    expect(errorCode(await q(admin, `{ purgeRecords(after: "bm9wZQ") { edges { cursor } } }`))).toBe('BAD_USER_INPUT');
  });
});

describe('the audit trail', () => {
  it('pages entries newest first and verifies the chain; a broken chain names its first broken entry', async () => {
    type Trail = { auditTrail: { edges: { cursor: string; node: { seq: number; hash: string; prevHash: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const page1 = ok(await q<Trail>(admin, `{ auditTrail(first: 2) { edges { cursor node { seq hash prevHash } } pageInfo { hasNextPage endCursor } } }`)).auditTrail;
    expect(page1.edges).toHaveLength(2);
    expect(page1.edges[0].node.seq).toBeGreaterThan(page1.edges[1].node.seq);
    expect(page1.edges[0].node.prevHash).toBe(page1.edges[1].node.hash);
    const page2 = ok(await q<Trail>(admin, `query($a: String) { auditTrail(first: 2, after: $a) { edges { node { seq } } } }`, { a: page1.pageInfo.endCursor })).auditTrail;
    expect(page2.edges[0].node.seq).toBe(page1.edges[1].node.seq - 1);

    type Verify = { verifyAuditTrail: { ok: boolean; entries: number; lastHash: string; firstBroken: { seq: number; problem: string; message: string } | null } };
    const good = ok(await q<Verify>(admin, `{ verifyAuditTrail { ok entries lastHash firstBroken { seq problem message } } }`)).verifyAuditTrail;
    expect(good).toMatchObject({ ok: true, firstBroken: null, lastHash: page1.edges[0].node.hash });
    expect(good.entries).toBeGreaterThanOrEqual(4);

    // Broken by the database superuser (the only one who can: the trigger refuses everyone else).
    const url = new URL(hub.adminUrl);
    url.pathname = `/${hub.name}`;
    const su = new Client({ connectionString: url.toString() });
    await su.connect();
    try {
      await su.query('alter table audit_log disable trigger audit_log_no_change');
      await su.query(`update audit_log set actor = 'someone-else' where tenant_id = $1 and seq = 2`, [hub.demo.tenantId]);
      await su.query('alter table audit_log enable trigger audit_log_no_change');
    } finally {
      await su.end();
    }
    const bad = ok(await q<Verify>(admin, `{ verifyAuditTrail { ok entries firstBroken { seq problem message } } }`)).verifyAuditTrail;
    expect(bad).toMatchObject({ ok: false, entries: 2, firstBroken: { seq: 2, problem: 'HASH' } });
    expect(errorCode(await q(admin, `{ auditTrail(after: "garbage") { edges { cursor } } }`))).toBe('BAD_USER_INPUT');
  });
});

describe('another municipality', () => {
  it('sees none of the demo municipality’s rules, records or audit entries, and changes none', async () => {
    const demoRule = ok(await createRule(admin, { caseTypeCode: 'isolering', contentAfterDays: 5 })).createRetentionRule;
    expect(ok(await q<{ retentionRules: Rule[] }>(otherAdmin, `{ retentionRules { id } }`)).retentionRules).toEqual([]);
    expect(errorCode(await q(otherAdmin, `mutation($id: ID!) { updateRetentionRule(id: $id, input: { contentAfterDays: 1 }) { id } }`, { id: demoRule.id }))).toBe('NOT_FOUND');
    expect(errorCode(await q(otherAdmin, `mutation($id: ID!) { deleteRetentionRule(id: $id) { id } }`, { id: demoRule.id }))).toBe('NOT_FOUND');
    expect(errorCode(await q(otherAdmin, `query($id: ID) { retentionDryRun(ruleId: $id) { asOf } }`, { id: demoRule.id }))).toBe('NOT_FOUND');
    expect(ok(await q<{ purgeRecords: { edges: unknown[] } }>(otherAdmin, `{ purgeRecords { edges { cursor } } }`)).purgeRecords.edges).toEqual([]);
    expect(ok(await q<{ auditTrail: { edges: unknown[] } }>(otherAdmin, `{ auditTrail { edges { cursor } } }`)).auditTrail.edges).toEqual([]);
    expect(ok(await q<{ verifyAuditTrail: { ok: boolean; entries: number } }>(otherAdmin, `{ verifyAuditTrail { ok entries } }`)).verifyAuditTrail).toEqual({ ok: true, entries: 0 });
    expect((await hub.ownerQuery<{ content_after_days: number }>(`select content_after_days from retention_rule where id = $1`, [demoRule.id]))[0].content_after_days).toBe(5);
  });
});
