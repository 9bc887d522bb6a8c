/**
 * Case types and the protection-class policy against a real PostgreSQL (the hub's migrations, the
 * application role under row-level security): the admin's changes and their audit entries, what the
 * intake does with a letter that names a case type, service messages through the bulk path, and
 * that one municipality can neither see nor change another's case types or policy.
 */
import { IntakeContext, LetterIntakeService, LetterValidationError, sql } from '@hub/letters';
import { TenantDb } from '@hub/persistence';
import { pickTestPersonnummer } from '@hub/testing';
import { HubDatabase, insertLetters, startHubDatabase, TEST_ADDRESS } from '../../../test/support';
import { CaseTypeNotFoundError, CaseTypeService } from './case-type.service';
import { notificationMayIncludeSubject } from './protection-class-policy';
import { ProtectionClassPolicyService } from './protection-class-policy.service';

jest.setTimeout(120_000);

let hub: HubDatabase;
let db: TenantDb;
let caseTypes: CaseTypeService;
let policy: ProtectionClassPolicyService;
let intake: LetterIntakeService;

let admin: IntakeContext;
let officer: IntakeContext;
let otherAdmin: IntakeContext;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'policies' });
  db = new TenantDb(await hub.appOrm());
  caseTypes = new CaseTypeService(db);
  policy = new ProtectionClassPolicyService(db);
  intake = new LetterIntakeService(db, { defaultDeadlineHours: 24, bulkMax: 5000, pageSizeMax: 200, catalogTtlMs: 0 });
  admin = { tenantId: hub.demo.tenantId, actor: 'admin-anna' };
  officer = { tenantId: hub.demo.tenantId, actor: 'officer-olle' };
  otherAdmin = { tenantId: hub.other.tenantId, actor: 'annan-admin' };
});

afterAll(() => hub?.drop());

interface AuditRow {
  seq: string;
  actor: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}
const audit = (tenantId = hub.demo.tenantId) =>
  hub.ownerQuery<AuditRow & Record<string, unknown>>(`select seq::text, actor, action, target, detail, prev_hash, hash from audit_log where tenant_id = $1 order by audit_log.seq`, [tenantId]);

/** The violations (path:rule) of a refused promise. */
async function refused(p: Promise<unknown>): Promise<string[]> {
  const e = await p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (err: unknown) => err,
  );
  if (!(e instanceof LetterValidationError)) throw e;
  expect(e.code).toBe('VALIDATION_FAILED');
  return e.fields.map((f) => `${f.path}:${f.rule}`);
}

const bygglov = {
  code: 'bygglov',
  name: 'Bygglov',
  defaultProtectionClass: 2,
  subjectTemplate: 'Beslut om bygglov, ärende {caseReference}',
};

describe('case types', () => {
  it('are created by an admin with their defaults, and the creation is audited in the same transaction', async () => {
    const before = (await audit()).length;
    const created = await caseTypes.create(admin, bygglov);
    expect(created).toMatchObject({
      code: 'bygglov',
      name: 'Bygglov',
      defaultProtectionClass: 2,
      subjectTemplate: 'Beslut om bygglov, ärende {caseReference}',
      bodyTemplate: null,
      allowedChannels: ['DIGITAL', 'PRINT'],
      printAllowed: true,
      retentionRuleId: null,
      diaryEnabled: false,
      active: true,
      archivedAt: null,
      version: 1,
    });
    const entries = await audit();
    expect(entries).toHaveLength(before + 1);
    const entry = entries[entries.length - 1];
    expect(entry).toMatchObject({ actor: 'admin-anna', action: 'caseType.create', target: `caseType:${created.id}`, detail: { code: 'bygglov', values: { name: 'Bygglov', defaultProtectionClass: 2 } } });
    // Chained to the entry before it.
    expect(entry.prev_hash).toBe(before ? entries[before - 1].hash : '');
    expect(await caseTypes.list(officer)).toEqual([created]);
  });

  it('are refused field by field, with nothing stored and nothing audited', async () => {
    const auditBefore = (await audit()).length;
    expect(await refused(caseTypes.create(admin, bygglov))).toEqual(['code:unique']);
    expect(await refused(caseTypes.create(admin, { ...bygglov, code: 'Bygg Lov', name: '', defaultProtectionClass: 4 }))).toEqual(['code:format', 'name:required', 'defaultProtectionClass:range']);
    expect(await refused(caseTypes.create(admin, { code: 'x' }))).toEqual(['name:required', 'defaultProtectionClass:required', 'subjectTemplate:required']);
    expect(await refused(caseTypes.create(admin, { ...bygglov, code: 'x', subjectTemplate: 'Beslut {personnummer} {caseReference}' }))).toEqual(['subjectTemplate:template']);
    expect(await refused(caseTypes.create(admin, { ...bygglov, code: 'x', subjectTemplate: 'Beslut för 19810103-2384' }))).toEqual(['subjectTemplate:personalData']);
    expect(await refused(caseTypes.create(admin, { ...bygglov, code: 'x', subjectTemplate: 'rad 1\nrad 2' }))).toEqual(['subjectTemplate:characters']);
    expect(await refused(caseTypes.create(admin, { ...bygglov, code: 'x', bodyTemplate: 'Hej {namn}' }))).toEqual(['bodyTemplate:template']);
    expect(await refused(caseTypes.create(admin, { ...bygglov, code: 'x', allowedChannels: [] }))).toEqual(['allowedChannels:required']);
    expect(await refused(caseTypes.create(admin, { ...bygglov, code: 'x', allowedChannels: ['DIGITAL', 'EMAIL' as never, 'DIGITAL'] }))).toEqual([
      'allowedChannels[1]:enum',
      'allowedChannels[2]:duplicate',
    ]);
    expect(await refused(caseTypes.create(admin, { ...bygglov, code: 'x', retentionRuleId: 'gallra-1' }))).toEqual(['retentionRuleId:format']);
    const e = await caseTypes.create(admin, { ...bygglov, code: 'x', subjectTemplate: '{personnummer}' }).catch((err: LetterValidationError) => err);
    expect((e as LetterValidationError).fields[0].message).toMatch(/\{personnummer\} is not a known placeholder; the placeholders are \{caseReference\}, \{caseType\}, \{sendingUnit\}, \{date\}/);
    expect((await caseTypes.list(admin, { includeArchived: true })).map((c) => c.code)).toEqual(['bygglov']);
    expect(await audit()).toHaveLength(auditBefore);
  });

  it('are changed field by field (the code never), each change audited with what it was and became', async () => {
    await caseTypes.create(admin, { code: 'forskola', name: 'Förskola', defaultProtectionClass: 1, subjectTemplate: 'Placering {caseReference}' });
    const changed = await caseTypes.update(admin, 'forskola', { name: 'Förskoleplacering', allowedChannels: ['DIGITAL'], bodyTemplate: 'Hej! Se {caseReference}.', diaryEnabled: true });
    expect(changed).toMatchObject({ name: 'Förskoleplacering', allowedChannels: ['DIGITAL'], printAllowed: false, bodyTemplate: 'Hej! Se {caseReference}.', diaryEnabled: true, version: 2 });
    const entry = (await audit()).pop()!;
    expect(entry).toMatchObject({
      action: 'caseType.update',
      target: `caseType:${changed.id}`,
      detail: {
        code: 'forskola',
        changes: {
          name: { from: 'Förskola', to: 'Förskoleplacering' },
          allowedChannels: { from: ['DIGITAL', 'PRINT'], to: ['DIGITAL'] },
          bodyTemplate: { from: null, to: 'Hej! Se {caseReference}.' },
          diaryEnabled: { from: false, to: true },
        },
      },
    });
    // Nothing to change: nothing written, nothing audited.
    const entries = (await audit()).length;
    expect(await caseTypes.update(admin, 'forskola', { name: 'Förskoleplacering' })).toMatchObject({ version: 2 });
    expect(await audit()).toHaveLength(entries);
    // null clears an optional field; a required one cannot be cleared; the code cannot change.
    expect(await caseTypes.update(admin, 'forskola', { bodyTemplate: null })).toMatchObject({ bodyTemplate: null, version: 3 });
    expect(await refused(caseTypes.update(admin, 'forskola', { subjectTemplate: null, name: null }))).toEqual(['name:required', 'subjectTemplate:required']);
    expect(await refused(caseTypes.update(admin, 'forskola', { code: 'annan' } as never))).toEqual(['code:immutable']);
    expect(await refused(caseTypes.update(admin, 'forskola', { subjectTemplate: '{caseRef}' }))).toEqual(['subjectTemplate:template']);
    await expect(caseTypes.update(admin, 'finns-inte', { name: 'X' })).rejects.toBeInstanceOf(CaseTypeNotFoundError);
    await expect(caseTypes.get(officer, 'finns-inte')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('are archived and restored, each once in the audit trail, and archived ones are listed only on request', async () => {
    await caseTypes.create(admin, { code: 'parkering', name: 'Parkeringstillstånd', defaultProtectionClass: 1, subjectTemplate: 'Parkeringstillstånd' });
    const before = (await audit()).length;
    const archived = await caseTypes.archive(admin, 'parkering');
    expect(archived).toMatchObject({ active: false, archivedAt: expect.any(Date) });
    expect(await caseTypes.archive(admin, 'parkering')).toMatchObject({ active: false, version: archived.version });
    expect((await caseTypes.list(officer)).map((c) => c.code)).not.toContain('parkering');
    expect((await caseTypes.list(officer, { includeArchived: true })).map((c) => c.code)).toContain('parkering');
    expect(await caseTypes.restore(admin, 'parkering')).toMatchObject({ active: true, archivedAt: null });
    expect((await audit()).slice(before).map((e) => e.action)).toEqual(['caseType.archive', 'caseType.restore']);
  });

  it('keep their audit chain intact: each entry carries the previous entry’s hash', async () => {
    const entries = await audit();
    expect(entries.length).toBeGreaterThan(4);
    entries.forEach((e, i) => expect(e.prev_hash).toBe(i === 0 ? '' : entries[i - 1].hash));
  });
});

describe('a letter naming a case type', () => {
  const letter = (over: Record<string, unknown> = {}) => ({ recipient: '198101032384', sendingUnit: 'bygg', caseReference: 'BN 2026-42', caseType: 'bygglov', body: { text: 'Hej!' }, ...over });

  it('gets its subject from the template (K3) and its class from the case type, with both stored and noted in its first event', async () => {
    const { letter: l } = await intake.submit(officer, letter());
    expect(l).toMatchObject({ subject: 'Beslut om bygglov, ärende BN 2026-42', protectionClass: 2, caseType: 'bygglov', category: 'CASE', channelPreference: 'AUTO' });
    const [row] = await hub.ownerQuery<{ case_type_code: string; subject: string; protection_class: number; category: string }>(
      `select case_type_code, subject, protection_class, category from letter where id = $1`,
      [l.id],
    );
    expect(row).toEqual({ case_type_code: 'bygglov', subject: 'Beslut om bygglov, ärende BN 2026-42', protection_class: 2, category: 'CASE' });
    const [event] = await hub.ownerQuery<{ detail: Record<string, unknown> }>(`select detail from letter_event where letter_id = $1 order by id limit 1`, [l.id]);
    expect(event.detail).toMatchObject({ caseType: 'bygglov', subjectFromTemplate: true, protectionClassFromCaseType: 2 });
    expect((await intake.list(officer, { caseType: 'bygglov' })).items.map((i) => i.letter.id)).toContain(l.id);
  });

  it('is refused below its case type’s class, saying the case type’s class; a stricter class is kept', async () => {
    const e = await intake.submit(officer, letter({ protectionClass: 1 })).catch((err: LetterValidationError) => err);
    expect(e).toBeInstanceOf(LetterValidationError);
    expect((e as LetterValidationError).fields).toEqual([expect.objectContaining({ path: 'protectionClass', rule: 'caseType', message: expect.stringMatching(/protection class 2/) })]);
    expect((await intake.submit(officer, letter({ protectionClass: 3 }))).letter.protectionClass).toBe(3);
  });

  it('is refused for an unknown or archived case type, at once after an admin archives it', async () => {
    expect(await refused(intake.submit(officer, letter({ caseType: 'finns-inte' })))).toEqual(['caseType:unknown']);
    await caseTypes.create(admin, { code: 'bostadsanpassning', name: 'Bostadsanpassning', defaultProtectionClass: 2, subjectTemplate: 'Bostadsanpassning {caseReference}' });
    await intake.submit(officer, letter({ caseType: 'bostadsanpassning' }));
    await caseTypes.archive(admin, 'bostadsanpassning');
    expect(await refused(intake.submit(officer, letter({ caseType: 'bostadsanpassning' })))).toEqual(['caseType:archived']);
  });

  it('never carries a personnummer in its subject, whatever the class, also when the template made it', async () => {
    expect(await refused(intake.submit(officer, letter({ caseType: null, protectionClass: 1, subject: 'Beslut 19810103-2384' })))).toEqual(['subject:personalData']);
    expect(await refused(intake.submit(officer, letter({ caseReference: '198101032384' })))).toEqual(['subject:personalData']);
  });

  it('stays within its case type’s channels: AUTO becomes DIGITAL_ONLY under a digital-only type, PRINT_ONLY is refused', async () => {
    await caseTypes.create(admin, { code: 'digitalt', name: 'Endast digitalt', defaultProtectionClass: 1, subjectTemplate: 'Besked {caseReference}', allowedChannels: ['DIGITAL'] });
    const { letter: l } = await intake.submit(officer, letter({ caseType: 'digitalt' }));
    expect(l.channelPreference).toBe('DIGITAL_ONLY');
    expect(await refused(intake.submit(officer, letter({ caseType: 'digitalt', channelPreference: 'PRINT_ONLY', postalAddress: TEST_ADDRESS })))).toEqual(['channelPreference:caseType']);
  });

  it('is idempotent: a retry with the same key returns the same letter', async () => {
    const first = await intake.submit(officer, letter({ idempotencyKey: 'ct-1' }));
    const again = await intake.submit(officer, letter({ idempotencyKey: 'ct-1' }));
    expect(again).toEqual({ letter: first.letter, created: false });
    await expect(intake.submit(officer, letter({ idempotencyKey: 'ct-1', caseReference: 'BN 2026-43' }))).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
  });
});

describe('service messages (M3)', () => {
  it('go to 1,000 recipients through the bulk path as SERVICE letters, one each, and a retry sends nothing again', async () => {
    const people = pickTestPersonnummer(1000, 7);
    const message = { sendingUnit: 'bygg', subject: 'Vattenavstängning på Storgatan', body: { text: 'Vattnet stängs av mellan 9 och 12 på tisdag.' }, protectionClass: 1, idempotencyKey: 'vatten-2026-03' };
    const recipients = people.map((recipient) => ({ recipient, postalAddress: TEST_ADDRESS }));
    const started = Date.now();
    const results = await intake.submitService(officer, { message, recipients });
    const ms = Date.now() - started;
    expect(results).toHaveLength(1000);
    expect(results.every((r, i) => r.ok && r.index === i && r.created && r.letter.category === 'SERVICE' && r.letter.recipientId === people[i])).toBe(true);
    const ids = results.map((r) => (r.ok ? r.letter.id : ''));
    const [count] = await hub.ownerQuery<{ n: number; outbox: number }>(
      `select count(*)::int as n, (select count(*)::int from outbox where letter_id = any($1::uuid[])) as outbox from letter where id = any($1::uuid[]) and category = 'SERVICE'`,
      [ids],
    );
    expect(count).toEqual({ n: 1000, outbox: 1000 });
    process.stdout.write(`submitService: 1,000 recipients in ${ms} ms\n`);

    const again = await intake.submitService(officer, { message, recipients });
    expect(again.every((r, i) => r.ok && !r.created && r.letter.id === ids[i])).toBe(true);
  });

  it('refuse each bad recipient on its own, a repeated recipient once, and a bad message as a whole', async () => {
    const [a, b] = pickTestPersonnummer(2, 11);
    const message = { sendingUnit: 'bygg', subject: 'Information', body: { text: 'Hej' }, protectionClass: 1 };
    const results = await intake.submitService(officer, { message, recipients: [{ recipient: a }, { recipient: '12345' }, { recipient: a }, { recipient: b }] });
    expect(results.map((r) => (r.ok ? 'ok' : r.fields.map((f) => `${f.path}:${f.rule}`).join()))).toEqual(['ok', 'recipient:format', 'recipient:duplicate', 'ok']);
    expect(await refused(intake.submitService(officer, { message: { ...message, subject: 'Info till 19810103-2384' }, recipients: [{ recipient: a }] }))).toEqual(['message.subject:personalData']);
    expect(await refused(intake.submitService(officer, { message: { ...message, caseType: 'finns-inte' }, recipients: [{ recipient: a }, { recipient: b }] }))).toEqual(['message.caseType:unknown']);
    await expect(intake.submitService(officer, { message, recipients: [] })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('may also be sent as SERVICE letters through submitMany; EVENT is refused there', async () => {
    const [r] = await intake.submitMany(officer, [{ recipient: '198101032384', sendingUnit: 'bygg', subject: 'Information', body: { text: 'Hej' }, protectionClass: 1, category: 'SERVICE' }]);
    expect(r.ok && r.letter.category).toBe('SERVICE');
    expect(await refused(intake.submit(officer, { recipient: '198101032384', sendingUnit: 'bygg', subject: 'x', body: { text: 'Hej' }, protectionClass: 1, category: 'EVENT' }))).toEqual([
      'category:eventMessage',
    ]);
  });
});

describe('the protection-class policy', () => {
  it('has safe defaults: class 3 subjects never in notifications, print allowed', async () => {
    expect(await policy.get(admin)).toEqual([
      { protectionClass: 1, print: 'ALLOW', notificationMayIncludeSubject: true, digitalSecureMailboxOnly: true },
      { protectionClass: 2, print: 'ALLOW', notificationMayIncludeSubject: false, digitalSecureMailboxOnly: true },
      { protectionClass: 3, print: 'ALLOW', notificationMayIncludeSubject: false, digitalSecureMailboxOnly: true },
    ]);
    expect(notificationMayIncludeSubject({}, 1)).toBe(true);
    expect(notificationMayIncludeSubject({}, 3)).toBe(false);
    expect(notificationMayIncludeSubject({ protectionClassPolicy: { notificationSubject: { '3': true } } }, 3)).toBe(false);
    expect(notificationMayIncludeSubject(undefined, 7)).toBe(false);
  });

  it('is set by an admin in tenant.settings (print rule where the channel switch reads it), audited, other settings untouched', async () => {
    const before = (await audit()).length;
    const rules = await policy.set(admin, [
      { protectionClass: 3, print: 'HOLD' },
      { protectionClass: 2, notificationMayIncludeSubject: true },
    ]);
    expect(rules.map((r) => [r.protectionClass, r.print, r.notificationMayIncludeSubject])).toEqual([
      [1, 'ALLOW', true],
      [2, 'ALLOW', true],
      [3, 'HOLD', false],
    ]);
    const [tenant] = await hub.ownerQuery<{ settings: Record<string, unknown> }>(`select settings from tenant where id = $1`, [hub.demo.tenantId]);
    expect(tenant.settings).toMatchObject({
      printByProtectionClass: { '1': 'ALLOW', '2': 'ALLOW', '3': 'HOLD' },
      protectionClassPolicy: { notificationSubject: { '1': true, '2': true, '3': false } },
    });
    const entries = (await audit()).slice(before);
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'protectionClassPolicy.update',
        target: `tenant:${hub.demo.tenantId}`,
        detail: {
          changes: [
            { protectionClass: 2, field: 'notificationMayIncludeSubject', from: false, to: true },
            { protectionClass: 3, field: 'print', from: 'ALLOW', to: 'HOLD' },
          ],
        },
      }),
    ]);
    // The same again changes nothing and is not audited.
    await policy.set(admin, [{ protectionClass: 3, print: 'HOLD' }]);
    expect((await audit()).length).toBe(before + 1);
  });

  it('refuses what it may not allow, with paths', async () => {
    expect(await refused(policy.set(admin, [{ protectionClass: 3, notificationMayIncludeSubject: true }]))).toEqual(['rules[0].notificationMayIncludeSubject:policy']);
    expect(await refused(policy.set(admin, [{ protectionClass: 4 }, { protectionClass: 1, print: 'MAYBE' as never }, { protectionClass: 1 }]))).toEqual([
      'rules[0].protectionClass:range',
      'rules[1].print:enum',
      'rules[2].protectionClass:duplicate',
    ]);
    expect(await refused(policy.set(admin, []))).toEqual(['rules:required']);
  });
});

describe('tenant isolation', () => {
  it('shows another municipality none of our case types, raw SQL included, and lets it change none', async () => {
    const other = hub.other.tenantId;
    expect(await caseTypes.list(otherAdmin, { includeArchived: true })).toEqual([]);
    await expect(caseTypes.get(otherAdmin, 'bygglov')).rejects.toBeInstanceOf(CaseTypeNotFoundError);
    await expect(caseTypes.update(otherAdmin, 'bygglov', { name: 'Kapad' })).rejects.toBeInstanceOf(CaseTypeNotFoundError);
    await expect(caseTypes.archive(otherAdmin, 'bygglov')).rejects.toBeInstanceOf(CaseTypeNotFoundError);
    const raw = await db.inTenant(other, async (em) => ({
      seen: (await sql(em, `select * from case_type`)).rows.length,
      updated: (await sql(em, `update case_type set name = 'Kapad' where code = 'bygglov'`)).rowCount,
      tenantSettings: (await sql(em, `update tenant set settings = '{}'::jsonb where id = $1`, [hub.demo.tenantId])).rowCount,
    }));
    expect(raw).toEqual({ seen: 0, updated: 0, tenantSettings: 0 });
    // Nor can it write a case type into our tenant, or send a letter under ours.
    await expect(db.inTenant(other, (em) => sql(em, `insert into case_type (tenant_id, code, name, default_protection_class, subject_template, allowed_channels) values ($1, 'x', 'X', 1, 'X', '{DIGITAL}')`, [hub.demo.tenantId]))).rejects.toThrow(/row-level security/);
    expect(await refused(intake.submit(otherAdmin, { recipient: '198101032384', caseType: 'bygglov', caseReference: 'A 1', body: { text: 'Hej' } }))).toEqual(['caseType:unknown']);
    // The same code is free for the other municipality, and ours is untouched.
    await caseTypes.create(otherAdmin, { ...bygglov, name: 'Annans bygglov' });
    expect((await caseTypes.get(admin, 'bygglov')).name).toBe('Bygglov');
    expect((await caseTypes.get(otherAdmin, 'bygglov')).name).toBe('Annans bygglov');
    // A letter row cannot point at another tenant's case type (the foreign key includes the tenant).
    await caseTypes.create(admin, { code: 'bara-demo', name: 'Bara demo', defaultProtectionClass: 1, subjectTemplate: 'X' });
    const [theirs] = await insertLetters(db, hub, [{ recipientId: '198101032384', sendingUnitId: hub.other.unitId }], { tenantId: other, enqueue: false });
    await expect(hub.ownerQuery(`update letter set case_type_code = 'bara-demo' where id = $1`, [theirs])).rejects.toThrow(/letter_case_type_fk/);
    // Their policy is their own.
    await policy.set(otherAdmin, [{ protectionClass: 1, print: 'DENY' }]);
    expect((await policy.get(admin))[0].print).toBe('ALLOW');
    expect((await audit(other)).map((e) => e.action)).toEqual(['caseType.create', 'protectionClassPolicy.update']);
  });
});
