/**
 * Retention (gallring) against a real PostgreSQL with the hub's migrations: each step of a rule on
 * real letters, which letters a rule governs, dry-run equal to the real run, purge records kept, the
 * one path that may delete letter events (and that the application role cannot get around it), rule
 * changes audited, and tenant isolation of every retention table.
 */
import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { verifyAuditTrail, auditQueryOf } from '@hub/audit';
import { LetterStatus, sql } from '@hub/letters';
import { TenantDb } from '@hub/persistence';
import { HubDatabase, insertLetters, startHubDatabase, TEST_ADDRESS } from '../../../test/support';
import { pseudonymOf, PseudonymKeys, PSEUDONYM_PREFIX, REMOVED_RECIPIENT } from './pseudonyms';
import { RetentionPurgers } from './retention-purgers';
import { emptyCounts, RetentionCounts, RetentionPurge } from './retention-purge';
import { RetentionRuleInput, RetentionValidationError } from './retention-rule';
import { RetentionRules } from './retention-rules.service';

jest.setTimeout(60_000);

// Skatteverket's test personnummer (testdata/).
const PERSON_A = '198101032384';
const PERSON_B = '199001012385';
const PERSON_C = '195001182046';

let hub: HubDatabase;
let db: TenantDb;
let rules: RetentionRules;
let purge: RetentionPurge;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'retention' });
  db = new TenantDb(await hub.appOrm());
  rules = new RetentionRules(db);
  // Small batches, different for the dry-run: paging must not change what is counted.
  purge = new RetentionPurge({ db, pseudonyms: new PseudonymKeys(hub.masterKey), batchSize: 2, dryRunBatchSize: 3 });
  // Retention reads letter.case_type_code only; the case type catalogue (policies work) is not needed here.
  await hub.ownerQuery(`alter table letter drop constraint if exists letter_case_type_fk`);
});
afterAll(() => hub?.drop());

let tenantNo = 0;
interface T {
  tenantId: string;
  unitId: string;
  ctx: { tenantId: string; actor: string };
}
/** A fresh municipality with one sending unit (each test its own, so runs never see each other's letters). */
async function newTenant(): Promise<T> {
  const alias = `ret-${++tenantNo}-${Date.now().toString(36)}`;
  const [t] = await hub.ownerQuery<{ id: string }>(`insert into tenant (alias, name, org_number) values ($1, $2, '162120001231') returning id`, [alias, `Kommun ${alias}`]);
  const [u] = await hub.ownerQuery<{ id: string }>(`insert into sending_unit (tenant_id, code, name, org_number) values ($1, 'bygg', 'Byggnadsnämnden', '162120001231') returning id`, [t.id]);
  return { tenantId: t.id, unitId: u.id, ctx: { tenantId: t.id, actor: 'admin-1' } };
}

interface L {
  status?: LetterStatus;
  /** Days since it was dispatched (default 100). */
  ageDays?: number;
  /** Not dispatched: days count from created_at (set to this age). */
  notDispatched?: boolean;
  recipientId?: string;
  caseTypeCode?: string;
  protectionClass?: number;
  attachments?: number;
  printItem?: boolean;
  events?: number;
}

/** Letters of `t` as the hub leaves them: events, an outbox row, attachments, a print item, backdated. */
async function letters(t: T, specs: L[]): Promise<string[]> {
  const ids = await insertLetters(
    db,
    hub,
    specs.map((s) => ({
      recipientId: s.recipientId ?? PERSON_A,
      sendingUnitId: t.unitId,
      protectionClass: s.protectionClass ?? 1,
      subject: 'Beslut om bygglov',
      caseReference: 'BN 2026-123',
      attachments: Array.from({ length: s.attachments ?? 0 }, (_, i) => ({ filename: `bilaga-${i}.pdf`, content: Buffer.from(`%PDF-1.4 bilaga ${i}`) })),
    })),
    { tenantId: t.tenantId },
  );
  for (const [i, id] of ids.entries()) {
    const s = specs[i];
    const age = s.ageDays ?? 100;
    await hub.ownerQuery(
      `update letter set status = $2, case_type_code = $3, created_at = now() - make_interval(days => $4) - interval '1 hour',
              dispatched_at = case when $5 then null else now() - make_interval(days => $4) end where id = $1`,
      [id, s.status ?? 'DELIVERED', s.caseTypeCode ?? null, age, s.notDispatched ?? false],
    );
    for (let e = 0; e < (s.events ?? 2); e++) {
      await hub.ownerQuery(`insert into letter_event (tenant_id, letter_id, type, to_status, detail) values ($1, $2, $3, $4, '{}')`, [t.tenantId, id, `STEP_${e}`, s.status ?? 'DELIVERED']);
    }
    if (s.printItem) {
      const pdf = Buffer.from('%PDF-1.4 utskrift');
      await hub.ownerQuery(
        `insert into print_item (letter_id, tenant_id, vendor_id, postage_class, status, pdf, pdf_sha256, pages, sheets, duplex, colour, envelope_profile, address_lines, return_address)
         values ($1, $2, 'demo-print', 'ECONOMY', 'POSTED', $3, $4, 1, 1, true, false, 'C5-H2', $5, '{"lines":["Box 100"]}')`,
        [id, t.tenantId, pdf, createHash('sha256').update(pdf).digest('hex'), JSON.stringify([TEST_ADDRESS.name, ...TEST_ADDRESS.lines, `${TEST_ADDRESS.postalCode} ${TEST_ADDRESS.city}`])],
      );
    }
  }
  return ids;
}

interface Row {
  id: string;
  status: string;
  subject: string;
  body_text: string | null;
  recipient_id: string;
  postal_address: unknown;
  case_reference: string | null;
  content_purged_at: Date | null;
  identifiers_purged_at: Date | null;
  attachments: number;
  events: number;
  outbox: number;
  pdf_bytes: number | null;
  address_lines: string[] | null;
}
async function rows(ids: string[]): Promise<(Row | undefined)[]> {
  const r = await hub.ownerQuery<Row & Record<string, unknown>>(
    `select l.id, l.status, l.subject, l.body_text, l.recipient_id, l.postal_address, l.case_reference, l.content_purged_at, l.identifiers_purged_at,
            (select count(*)::int from letter_attachment a where a.letter_id = l.id) as attachments,
            (select count(*)::int from letter_event e where e.letter_id = l.id) as events,
            (select count(*)::int from outbox o where o.letter_id = l.id) as outbox,
            (select octet_length(p.pdf) from print_item p where p.letter_id = l.id) as pdf_bytes,
            (select p.address_lines from print_item p where p.letter_id = l.id) as address_lines
       from letter l where l.id = any($1::uuid[])`,
    [ids],
  );
  const byId = new Map(r.map((x) => [x.id, x]));
  return ids.map((id) => byId.get(id));
}
const orphans = async (ids: string[]) =>
  (
    await hub.ownerQuery<{ n: number }>(
      `select (select count(*) from letter_event where letter_id = any($1::uuid[])) + (select count(*) from outbox where letter_id = any($1::uuid[]))
            + (select count(*) from print_item where letter_id = any($1::uuid[])) + (select count(*) from letter_attachment where letter_id = any($1::uuid[])) as n`,
      [ids],
    )
  )[0].n;

const rule = (t: T, input: RetentionRuleInput) => rules.create(t.ctx, input);
const run = async (t: T, dryRun = false, ruleId?: string) => purge.run(t.ctx, { dryRun, trigger: 'MANUAL', ruleId: ruleId ?? null });
const counts = (over: Partial<RetentionCounts>): RetentionCounts => ({ ...emptyCounts(), ...over });

describe('the content step (N days)', () => {
  it('removes body, subject, attachments and the print PDF of finished letters past N days, and nothing else', async () => {
    const t = await newTenant();
    const r = await rule(t, { contentAfterDays: 30 });
    const [old, printed, young] = await letters(t, [
      { ageDays: 40, attachments: 2 },
      { ageDays: 31, status: 'POSTED', printItem: true, attachments: 1 },
      { ageDays: 29, attachments: 1 },
    ]);
    const [record] = await run(t);
    expect(record).toMatchObject({ ruleId: r.id, dryRun: false, trigger: 'MANUAL', actor: 'admin-1', error: null });
    expect(record.counts).toEqual(counts({ contentLetters: 2, contentAttachments: 3, contentPrintPdfs: 1 }));
    const [a, b, c] = await rows([old, printed, young]);
    expect(a).toMatchObject({ subject: '', body_text: null, attachments: 0, recipient_id: PERSON_A, case_reference: 'BN 2026-123', events: 2, outbox: 1 });
    expect(a!.content_purged_at).not.toBeNull();
    expect(a!.identifiers_purged_at).toBeNull();
    expect(b).toMatchObject({ subject: '', body_text: null, attachments: 0, pdf_bytes: 0, address_lines: [TEST_ADDRESS.name, 'Storgatan 1', '123 45 Demostad'] });
    // The print item keeps the checksum of what was printed (evidence), not the PDF.
    expect((await hub.ownerQuery<{ pdf_sha256: string }>(`select pdf_sha256 from print_item where letter_id = $1`, [printed]))[0].pdf_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(c).toMatchObject({ subject: 'Beslut om bygglov', attachments: 1, content_purged_at: null });
    expect(c!.body_text).toMatch(/Nämnden har beslutat/);
    // Done is done: a second run finds nothing.
    expect((await run(t))[0].counts).toEqual(emptyCounts());
  });

  it('removes an event message’s matter subject with the content, keeping its ids', async () => {
    const t = await newTenant();
    await rule(t, { contentAfterDays: 30 });
    const [event] = await letters(t, [{ ageDays: 40 }]);
    const matter = { officialMatterId: 'BN 2026-123', eventId: 'e-1', matterSubject: 'Bygglov för Åkerö 1:23', matterStatus: 'Beslutat' };
    await hub.ownerQuery(`update letter set category = 'EVENT', official_matter = $2 where id = $1`, [event, JSON.stringify(matter)]);
    await run(t);
    const [row] = await hub.ownerQuery<{ official_matter: Record<string, unknown> }>(`select official_matter from letter where id = $1`, [event]);
    expect(row.official_matter).toEqual({ officialMatterId: 'BN 2026-123', eventId: 'e-1', matterStatus: 'Beslutat' });
  });

  it('never touches a letter that is not finished, however old', async () => {
    const t = await newTenant();
    await rule(t, { contentAfterDays: 1, identifiersAfterDays: 1, logAfterDays: 1 });
    const unfinished: LetterStatus[] = ['ACCEPTED', 'ROUTING', 'SIGNED', 'SEALED', 'PRINT_PENDING', 'HELD', 'BATCHED', 'PRINTED'];
    const ids = await letters(t, unfinished.map((status) => ({ status, ageDays: 400, attachments: 1, printItem: status === 'BATCHED' || status === 'PRINTED' })));
    const [record] = await run(t);
    expect(record.counts).toEqual(emptyCounts());
    for (const r of await rows(ids)) expect(r).toMatchObject({ subject: 'Beslut om bygglov', recipient_id: PERSON_A, attachments: 1, events: 2, content_purged_at: null });
  });

  it('counts from created_at for letters never dispatched (failed, cancelled)', async () => {
    const t = await newTenant();
    await rule(t, { contentAfterDays: 30 });
    const [failed, cancelled, recent] = await letters(t, [
      { status: 'FAILED', notDispatched: true, ageDays: 35 },
      { status: 'CANCELLED', notDispatched: true, ageDays: 35 },
      { status: 'FAILED', notDispatched: true, ageDays: 10 },
    ]);
    expect((await run(t))[0].counts.contentLetters).toBe(2);
    const [a, b, c] = await rows([failed, cancelled, recent]);
    expect([a!.subject, b!.subject, c!.subject]).toEqual(['', '', 'Beslut om bygglov']);
  });
});

describe('the identifier step (M days)', () => {
  it('pseudonymises recipients with the tenant’s key: stable per person, distinct per person and per tenant', async () => {
    const t = await newTenant();
    const u = await newTenant();
    await rule(t, { identifiersAfterDays: 60 });
    await rule(u, { identifiersAfterDays: 60 });
    const [a1, a2, b1, young] = await letters(t, [
      { recipientId: PERSON_A, ageDays: 70, printItem: true, status: 'POSTED' },
      { recipientId: PERSON_A, ageDays: 90 },
      { recipientId: PERSON_B, ageDays: 61 },
      { recipientId: PERSON_C, ageDays: 59 },
    ]);
    const [other] = await letters(u, [{ recipientId: PERSON_A, ageDays: 70 }]);
    const [record] = await run(t);
    expect(record.counts).toEqual(counts({ identifierLetters: 3 }));
    await run(u);
    const [ra1, ra2, rb1, ryoung] = await rows([a1, a2, b1, young]);
    const key = await db.inTenant(t.tenantId, (em) => new PseudonymKeys(hub.masterKey).keyFor(em, t.tenantId));
    expect(ra1!.recipient_id).toBe(pseudonymOf(key, PERSON_A));
    expect(ra1!.recipient_id).toMatch(new RegExp(`^${PSEUDONYM_PREFIX}[0-9a-f]{64}$`));
    expect(ra2!.recipient_id).toBe(ra1!.recipient_id);
    expect(rb1!.recipient_id).not.toBe(ra1!.recipient_id);
    expect(ra1).toMatchObject({ postal_address: null, case_reference: null, address_lines: [], subject: 'Beslut om bygglov' });
    expect(ra1!.identifiers_purged_at).not.toBeNull();
    expect(ryoung).toMatchObject({ recipient_id: PERSON_C, case_reference: 'BN 2026-123' });
    expect(ryoung!.postal_address).toEqual(TEST_ADDRESS);
    // Another municipality's pseudonym of the same person differs (its own key).
    expect((await rows([other]))[0]!.recipient_id).not.toBe(ra1!.recipient_id);
    // A later run, with a new letter to the same person, gives the same pseudonym.
    const [later] = await letters(t, [{ recipientId: PERSON_A, ageDays: 65 }]);
    await run(t);
    expect((await rows([later]))[0]!.recipient_id).toBe(ra1!.recipient_id);
    // The key is stored encrypted, never in clear.
    const [stored] = await hub.ownerQuery<{ key_ciphertext: Buffer }>(`select key_ciphertext from retention_secret where tenant_id = $1`, [t.tenantId]);
    expect(stored.key_ciphertext.includes(key)).toBe(false);
  });

  it('removes the identifier instead when the rule says REMOVE', async () => {
    const t = await newTenant();
    await rule(t, { identifiersAfterDays: 10, identifiersAction: 'REMOVE' });
    const [id] = await letters(t, [{ ageDays: 11 }]);
    expect((await run(t))[0].counts.identifierLetters).toBe(1);
    expect((await rows([id]))[0]).toMatchObject({ recipient_id: REMOVED_RECIPIENT, postal_address: null, case_reference: null });
  });
});

describe('the log step (K days)', () => {
  it('deletes the letter with its events, outbox rows, print item and attachments', async () => {
    const t = await newTenant();
    await rule(t, { contentAfterDays: 30, identifiersAfterDays: 60, logAfterDays: 365 });
    const [gone, goneToo, stripped, kept] = await letters(t, [
      { ageDays: 400, events: 3, printItem: true, status: 'RETURNED', attachments: 2 },
      { ageDays: 366, events: 1 },
      { ageDays: 100, attachments: 1 },
      { ageDays: 10 },
    ]);
    const [record] = await run(t);
    expect(record.counts).toEqual(counts({ contentLetters: 1, contentAttachments: 1, identifierLetters: 1, logLetters: 2, logEvents: 4, logOutboxRows: 2, logPrintItems: 1, logAttachments: 2 }));
    const [a, b, c, d] = await rows([gone, goneToo, stripped, kept]);
    expect(a).toBeUndefined();
    expect(b).toBeUndefined();
    expect(await orphans([gone, goneToo])).toBe('0');
    expect(c).toMatchObject({ subject: '', attachments: 0, events: 2 });
    expect(c!.recipient_id.startsWith(PSEUDONYM_PREFIX)).toBe(true);
    expect(d).toMatchObject({ subject: 'Beslut om bygglov', recipient_id: PERSON_A, events: 2 });
  });
});

describe('which rule governs a letter', () => {
  it('applies the most specific matching rule only: case type and class, case type, class, catch-all', async () => {
    const t = await newTenant();
    await rule(t, { contentAfterDays: 10 });
    await rule(t, { protectionClass: 3, contentAfterDays: 20 });
    await rule(t, { caseTypeCode: 'bygglov', contentAfterDays: 100 });
    await rule(t, { caseTypeCode: 'bygglov', protectionClass: 3, contentAfterDays: 40 });
    const [plain, class3, bygglov, bygglov3, bygglovYoung3, otherType] = await letters(t, [
      { ageDays: 15 },
      { ageDays: 15, protectionClass: 3 },
      { ageDays: 50, caseTypeCode: 'bygglov' },
      { ageDays: 50, caseTypeCode: 'bygglov', protectionClass: 3 },
      { ageDays: 30, caseTypeCode: 'bygglov', protectionClass: 3 },
      { ageDays: 15, caseTypeCode: 'forsorjningsstod' },
    ]);
    const records = await run(t);
    expect(records).toHaveLength(4);
    const purged = (await rows([plain, class3, bygglov, bygglov3, bygglovYoung3, otherType])).map((r) => r!.content_purged_at !== null);
    // plain: catch-all (10) · class3: class rule (20) keeps it · bygglov: its rule (100) keeps it, not the catch-all ·
    // bygglov class 3: the most specific (40) purges it at 50 days, not at 30 · another case type: catch-all.
    expect(purged).toEqual([true, false, false, true, false, true]);
  });

  it('runs one rule alone when asked, and refuses an unknown rule', async () => {
    const t = await newTenant();
    const a = await rule(t, { contentAfterDays: 10 });
    await rule(t, { caseTypeCode: 'bygglov', contentAfterDays: 10 });
    const [plain, bygglov] = await letters(t, [{ ageDays: 15 }, { ageDays: 15, caseTypeCode: 'bygglov' }]);
    const records = await run(t, false, a.id);
    expect(records.map((r) => r.ruleId)).toEqual([a.id]);
    expect((await rows([plain, bygglov])).map((r) => r!.content_purged_at !== null)).toEqual([true, false]);
    await expect(run(t, false, '00000000-0000-4000-8000-000000000000')).rejects.toThrow(/No retention rule/);
  });
});

describe('dry-run', () => {
  it('reports exactly what the real run then does, and changes nothing', async () => {
    const t = await newTenant();
    await rule(t, { contentAfterDays: 30, identifiersAfterDays: 90, logAfterDays: 365 });
    await rule(t, { caseTypeCode: 'socialtjanst', protectionClass: 3, contentAfterDays: 7, identifiersAfterDays: 7, identifiersAction: 'REMOVE' });
    const specs: L[] = [];
    for (let i = 0; i < 7; i++) specs.push({ ageDays: 40 + i, attachments: i % 3, printItem: i % 2 === 0, status: i % 2 === 0 ? 'POSTED' : 'DELIVERED' });
    for (let i = 0; i < 5; i++) specs.push({ ageDays: 100 + i, recipientId: i % 2 ? PERSON_A : PERSON_B, printItem: i === 0, status: i === 0 ? 'RETURNED' : 'DELIVERED' });
    for (let i = 0; i < 4; i++) specs.push({ ageDays: 400 + i, events: i + 1, attachments: 1, printItem: i === 1, status: i === 1 ? 'POSTED' : 'FAILED' });
    for (let i = 0; i < 3; i++) specs.push({ ageDays: 8, caseTypeCode: 'socialtjanst', protectionClass: 3, attachments: 1 });
    specs.push({ ageDays: 500, status: 'HELD' }, { ageDays: 2 });
    const ids = await letters(t, specs);
    const before = await rows(ids);

    const dry = await run(t, true);
    expect(dry.every((r) => r.dryRun)).toBe(true);
    expect(await rows(ids)).toEqual(before);
    const real = await run(t);
    expect(real.map((r) => [r.ruleId, r.counts])).toEqual(dry.map((r) => [r.ruleId, r.counts]));
    // The numbers themselves, so that "equal" is not "both zero".
    const all = [...dry].sort((x, y) => (x.rule.caseTypeCode ? 1 : 0) - (y.rule.caseTypeCode ? 1 : 0)).map((r) => r.counts);
    expect(all[0]).toEqual(counts({ contentLetters: 12, contentAttachments: 6, contentPrintPdfs: 5, identifierLetters: 5, logLetters: 4, logEvents: 10, logOutboxRows: 4, logPrintItems: 1, logAttachments: 4 }));
    expect(all[1]).toEqual(counts({ contentLetters: 3, contentAttachments: 3, identifierLetters: 3 }));
    // And afterwards nothing is left to do.
    for (const r of await run(t, true)) expect(r.counts).toEqual(emptyCounts());
  });

  it('counts registered purgers the way they purge', async () => {
    const t = await newTenant();
    await rule(t, { logAfterDays: 30 });
    const seen: string[][] = [];
    const purgers = new RetentionPurgers().register({
      name: 'test-log-purger',
      step: 'log',
      count: async (_em: EntityManager, _tenant: string, ids: string[]) => ids.length * 2,
      purge: async (em: EntityManager, tenantId: string, ids: string[]) => {
        // Runs in the tenant's transaction, before the letters are deleted: they are still there.
        const n = (await sql<{ n: string }>(em, `select count(*)::text as n from letter where id = any($1::uuid[]) and tenant_id = $2`, [ids, tenantId])).rows[0].n;
        seen.push(ids);
        return Number(n) * 2;
      },
    });
    const p = new RetentionPurge({ db, purgers, batchSize: 2 });
    await letters(t, [{ ageDays: 31 }, { ageDays: 32 }, { ageDays: 33 }]);
    const [dry] = await p.run(t.ctx, { dryRun: true, trigger: 'MANUAL' });
    const [real] = await p.run(t.ctx, { dryRun: false, trigger: 'MANUAL' });
    expect(dry.counts.purgers).toEqual({ 'test-log-purger': 6 });
    expect(real.counts).toEqual(dry.counts);
    expect(seen.map((b) => b.length)).toEqual([2, 1]);
  });
});

describe('purge records', () => {
  it('keeps a record of every run, dry or real, with the rule as it was, and never lets it change', async () => {
    const t = await newTenant();
    const r = await rule(t, { contentAfterDays: 30, description: 'Bygglov: 30 dagar' });
    await letters(t, [{ ageDays: 40 }]);
    await run(t, true);
    await run(t);
    await rules.update(t.ctx, r.id, { contentAfterDays: 60 });
    await rules.delete(t.ctx, r.id);
    const records = await hub.ownerQuery<{ rule_id: string; dry_run: boolean; rule: Record<string, unknown>; counts: RetentionCounts; actor: string; trigger: string }>(
      `select rule_id, dry_run, rule, counts, actor, trigger from retention_purge where tenant_id = $1 order by finished_at`,
      [t.tenantId],
    );
    expect(records.map((x) => [x.dry_run, x.counts.contentLetters])).toEqual([
      [true, 1],
      [false, 1],
    ]);
    expect(records[1]).toMatchObject({ rule_id: r.id, actor: 'admin-1', trigger: 'MANUAL', rule: { id: r.id, contentAfterDays: 30, description: 'Bygglov: 30 dagar', caseTypeCode: null } });
    await expect(hub.ownerQuery(`update retention_purge set counts = '{}' where tenant_id = $1`, [t.tenantId])).rejects.toThrow(/append-only/);
    await expect(hub.ownerQuery(`delete from retention_purge where tenant_id = $1`, [t.tenantId])).rejects.toThrow(/append-only/);
    await expect(db.inTenant(t.tenantId, (em) => sql(em, `delete from retention_purge`))).rejects.toThrow(/permission denied/);
  });

  it('records a failed run with what it did before the failure', async () => {
    const t = await newTenant();
    await rule(t, { contentAfterDays: 10, identifiersAfterDays: 20 });
    await letters(t, [{ ageDays: 25 }]);
    // Without the pseudonym keys the identifier step cannot run: the content step's work is recorded, and the error.
    const [record] = await new RetentionPurge({ db }).run(t.ctx, { dryRun: false, trigger: 'MANUAL' });
    expect(record.counts).toEqual(counts({ contentLetters: 1 }));
    expect(record.error).toMatch(/cannot pseudonymise/);
    const [stored] = await hub.ownerQuery<{ error: string }>(`select error from retention_purge where id = $1`, [record.id]);
    expect(stored.error).toMatch(/cannot pseudonymise/);
  });
});

describe('deleting letter events', () => {
  const asApp = <R>(tenantId: string | null, fn: (em: EntityManager) => Promise<R>) => (tenantId ? db.inTenant(tenantId, fn) : db.withoutTenant(fn));

  it('is refused to the application role directly, also with the purge flag set', async () => {
    const t = await newTenant();
    const [id] = await letters(t, [{ ageDays: 1000 }]);
    await expect(asApp(t.tenantId, (em) => sql(em, `delete from letter_event where letter_id = $1`, [id]))).rejects.toThrow(/permission denied/);
    await expect(
      asApp(t.tenantId, async (em) => {
        await sql(em, `select set_config('hub.retention_purge', 'on', true)`);
        return sql(em, `delete from letter_event where letter_id = $1`, [id]);
      }),
    ).rejects.toThrow(/permission denied/);
    await expect(asApp(t.tenantId, (em) => sql(em, `update letter_event set type = 'X' where letter_id = $1`, [id]))).rejects.toThrow(/permission denied/);
    expect((await rows([id]))[0]!.events).toBe(2);
  });

  it('is refused to the owner without the flag, and updates are refused to everyone', async () => {
    const t = await newTenant();
    const [id] = await letters(t, [{ ageDays: 1000 }]);
    await expect(hub.ownerQuery(`delete from letter_event where letter_id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(hub.ownerQuery(`truncate letter_event cascade`)).rejects.toThrow(/append-only/);
    await expect(hub.ownerQuery(`begin; select set_config('hub.retention_purge', 'on', true); update letter_event set type = 'X' where letter_id = '${id}'; commit`)).rejects.toThrow(/append-only/);
    expect((await rows([id]))[0]!.events).toBe(2);
  });

  it('deletes through retention_delete_letters only what the tenant’s own rules find due', async () => {
    const t = await newTenant();
    const u = await newTenant();
    const r = await rule(t, { logAfterDays: 100 });
    const [due, young, unfinished] = await letters(t, [{ ageDays: 200 }, { ageDays: 50 }, { ageDays: 200, status: 'HELD' }]);
    const call = (tenantId: string | null, ids: string[], asOf = 'now()') =>
      asApp(tenantId, async (em) => (await sql<{ letters: string; events: string }>(em, `select letters::text, events::text from retention_delete_letters($1, $2::uuid[], ${asOf})`, [r.id, ids])).rows[0]);
    // Not due (too young; not finished), even with an "as of" far in the future (clamped to the database's clock).
    expect(await call(t.tenantId, [young, unfinished], `now() + interval '10 years'`)).toEqual({ letters: '0', events: '0' });
    // Another tenant's scope: the rule and the letters are not its own.
    expect(await call(u.tenantId, [due])).toEqual({ letters: '0', events: '0' });
    // No tenant at all.
    await expect(call(null, [due])).rejects.toThrow(/tenant transaction/);
    expect((await rows([due, young, unfinished])).map((x) => x!.events)).toEqual([2, 2, 2]);
    // The due letter, in its tenant: deleted with its events.
    expect(await call(t.tenantId, [due, young, unfinished])).toEqual({ letters: '1', events: '2' });
    expect((await rows([due, young, unfinished])).map((x) => x?.events)).toEqual([undefined, 2, 2]);
    // The flag does not outlive the call in the application's transaction.
    expect(await asApp(t.tenantId, async (em) => (await sql<{ f: string }>(em, `select current_setting('hub.retention_purge', true) as f`)).rows[0].f)).not.toBe('on');
  });
});

describe('rule changes', () => {
  it('refuses bad rules with every broken field named', async () => {
    const t = await newTenant();
    const refused = async (input: RetentionRuleInput) => {
      const e = await rule(t, input).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(RetentionValidationError);
      return (e as RetentionValidationError).fields.map((f) => `${f.path}:${f.rule}`);
    };
    expect(await refused({ contentAfterDays: 400, identifiersAfterDays: 365, logAfterDays: 300 })).toEqual(['contentAfterDays:order', 'identifiersAfterDays:order', 'contentAfterDays:order']);
    expect(await refused({ identifiersAfterDays: 30, logAfterDays: 10 })).toEqual(['identifiersAfterDays:order']);
    expect(await refused({})).toEqual([':required']);
    expect(await refused({ contentAfterDays: 0, logAfterDays: 1.5 })).toEqual(['contentAfterDays:range', 'logAfterDays:range']);
    expect(await refused({ caseTypeCode: 'Bygg Lov', protectionClass: 4, contentAfterDays: 1, identifiersAction: 'SHRED' as never })).toEqual([
      'caseTypeCode:format',
      'protectionClass:range',
      'identifiersAction:enum',
    ]);
    expect(await refused({ contentAfterDays: 1, description: 'x'.repeat(501) })).toEqual(['description:maxLength']);
    await rule(t, { caseTypeCode: 'bygglov', contentAfterDays: 10 });
    expect(await refused({ caseTypeCode: 'bygglov', logAfterDays: 10 })).toEqual(['caseTypeCode:unique']);
    // Equal periods are fine (N = M = K).
    await expect(rule(t, { protectionClass: 2, contentAfterDays: 10, identifiersAfterDays: 10, logAfterDays: 10 })).resolves.toMatchObject({ protectionClass: 2 });
  });

  it('audits create, update and delete in the tenant’s chain, with old and new settings', async () => {
    const t = await newTenant();
    const r = await rule(t, { caseTypeCode: 'bygglov', contentAfterDays: 30 });
    const updated = await rules.update(t.ctx, r.id, { caseTypeCode: 'bygglov', contentAfterDays: 60, logAfterDays: 3650 });
    expect(updated).toMatchObject({ id: r.id, contentAfterDays: 60, logAfterDays: 3650, identifiersAfterDays: null });
    await rules.delete(t.ctx, r.id);
    await expect(rules.delete(t.ctx, r.id)).rejects.toThrow(/No retention rule/);
    const audit = await hub.ownerQuery<{ actor: string; action: string; target: string; detail: Record<string, Record<string, unknown>> }>(
      `select actor, action, target, detail from audit_log where tenant_id = $1 order by seq`,
      [t.tenantId],
    );
    expect(audit.map((a) => [a.actor, a.action, a.target])).toEqual([
      ['admin-1', 'retentionRule.create', `retentionRule:${r.id}`],
      ['admin-1', 'retentionRule.update', `retentionRule:${r.id}`],
      ['admin-1', 'retentionRule.delete', `retentionRule:${r.id}`],
    ]);
    expect(audit[1].detail.previous).toMatchObject({ contentAfterDays: 30, logAfterDays: null });
    expect(audit[1].detail.rule).toMatchObject({ contentAfterDays: 60, logAfterDays: 3650 });
    expect(await db.inTenant(t.tenantId, (em) => verifyAuditTrail(auditQueryOf(em), t.tenantId))).toMatchObject({ ok: true, entries: 3 });
  });
});

describe('tenant isolation', () => {
  it('runs touch only the tenant’s own letters, also with the same rules elsewhere', async () => {
    const t = await newTenant();
    const u = await newTenant();
    await rule(t, { contentAfterDays: 1, identifiersAfterDays: 2, logAfterDays: 300 });
    const [mine] = await letters(t, [{ ageDays: 400 }]);
    const theirs = await letters(u, [{ ageDays: 400 }, { ageDays: 100 }]);
    await run(t);
    expect((await rows([mine]))[0]).toBeUndefined();
    for (const r of await rows(theirs)) expect(r).toMatchObject({ subject: 'Beslut om bygglov', recipient_id: PERSON_A, events: 2, content_purged_at: null });
  });

  it('shows another municipality none of the retention tables’ rows and lets it change none', async () => {
    const t = await newTenant();
    const u = await newTenant();
    const r = await rule(t, { identifiersAfterDays: 5 });
    await letters(t, [{ ageDays: 10 }]);
    await run(t); // a purge record and a pseudonym key
    await hub.ownerQuery(`insert into retention_run (tenant_id, run_date, owner, lease_until) values ($1, current_date, 'w', now())`, [t.tenantId]);
    for (const table of ['retention_rule', 'retention_purge', 'retention_run', 'retention_secret']) {
      const [{ n }] = await hub.ownerQuery<{ n: string }>(`select count(*)::text as n from ${table} where tenant_id = $1`, [t.tenantId]);
      expect({ table, n }).toEqual({ table, n: '1' });
      const seen = await db.inTenant(u.tenantId, async (em) => (await sql(em, `select * from ${table} where tenant_id = $1`, [t.tenantId])).rows.length);
      expect({ table, seen }).toEqual({ table, seen: 0 });
      const none = await db.withoutTenant(async (em) => (await sql(em as EntityManager, `select * from ${table}`)).rows.length);
      expect({ table, none }).toEqual({ table, none: 0 });
    }
    const changed = await db.inTenant(u.tenantId, async (em) => ({
      rule: (await sql(em, `update retention_rule set content_after_days = 1 where id = $1`, [r.id])).rowCount,
      ruleDeleted: (await sql(em, `delete from retention_rule where id = $1`, [r.id])).rowCount,
      run: (await sql(em, `update retention_run set finished_at = now() where tenant_id = $1`, [t.tenantId])).rowCount,
    }));
    expect(changed).toEqual({ rule: 0, ruleDeleted: 0, run: 0 });
    await expect(db.inTenant(u.tenantId, (em) => sql(em, `insert into retention_rule (tenant_id, content_after_days) values ($1, 1)`, [t.tenantId]))).rejects.toThrow(/row-level security/);
    await expect(
      db.inTenant(u.tenantId, (em) =>
        sql(em, `insert into retention_purge (tenant_id, rule_id, rule, dry_run, trigger, actor, as_of, started_at, finished_at, counts) values ($1, $2, '{}', true, 'MANUAL', 'x', now(), now(), now(), '{}')`, [t.tenantId, r.id]),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(db.inTenant(u.tenantId, (em) => sql(em, `insert into retention_secret (tenant_id, key_ciphertext) values ($1, '\\x00')`, [t.tenantId]))).rejects.toThrow(/row-level security/);
    await expect(db.inTenant(u.tenantId, (em) => sql(em, `insert into retention_run (tenant_id, run_date, owner, lease_until) values ($1, current_date + 1, 'w', now())`, [t.tenantId]))).rejects.toThrow(
      /row-level security/,
    );
    // And the rule services answer "not found" for another municipality's rule.
    await expect(rules.update(u.ctx, r.id, { contentAfterDays: 1 })).rejects.toThrow(/No retention rule/);
    await expect(rules.delete(u.ctx, r.id)).rejects.toThrow(/No retention rule/);
    expect(await rules.list(u.ctx)).toEqual([]);
    await expect(run(u, true, r.id)).rejects.toThrow(/No retention rule/);
  });
});
