/**
 * LetterIntakeService against a real PostgreSQL (the application role, row-level security on):
 * what one accepting transaction writes, idempotency under concurrency, bulk with bad rows,
 * cancellation against the state machine, keyset pagination.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { IntakeContext, SubmitResult, LETTER_ENTITIES, LetterInput, LetterIntakeService, transition, Letter, IdempotencyConflictError, NotCancellableError } from '@hub/letters';
import { createOrm, TenantDb } from '@hub/persistence';
import { TENANCY_ENTITIES } from '@hub/tenancy';
import { pickTestPersonnummer } from '@hub/testing';
import { createTestDatabase, ownerQuery, TestDatabase, tinyPdf } from './support/api-helpers';

// Real processes and a real database on a shared machine: seconds, not milliseconds.
jest.setTimeout(60_000);

let db: TestDatabase;
let orm: MikroORM;
let tenantDb: TenantDb;
let intake: LetterIntakeService;
let ctx: IntakeContext;

const RECIPIENT = '198101032384';

function letter(over: Partial<LetterInput> = {}): LetterInput {
  return {
    recipient: RECIPIENT,
    subject: 'Beslut om bygglov',
    body: { contentType: 'text/plain', text: 'Hej! Se bifogat beslut.' },
    protectionClass: 1,
    caseReference: 'BN 2026-123',
    ...over,
  };
}

beforeAll(async () => {
  db = await createTestDatabase('intake');
  orm = await createOrm({ url: db.appUrl, entities: [...TENANCY_ENTITIES, ...LETTER_ENTITIES], poolSize: 8 });
  tenantDb = new TenantDb(orm);
  intake = new LetterIntakeService(tenantDb, { defaultDeadlineHours: 24, bulkMax: 5000, pageSizeMax: 200 });
  const [client] = await ownerQuery<{ id: string; sending_unit_id: string }>(db, `select id, sending_unit_id from api_client where client_id = 'demo-case-system'`);
  ctx = { tenantId: db.demo.tenantId, actor: 'demo-case-system', apiClientId: client.id, boundSendingUnitId: client.sending_unit_id };
});

afterAll(async () => {
  await orm?.close();
  await db?.drop();
});

describe('submit', () => {
  it('stores the letter ACCEPTED with its attachment, an ACCEPTED event and a dispatch outbox row, in one go', async () => {
    const { letter: view, created } = await intake.submit(ctx, letter({ attachments: [{ filename: 'beslut.pdf', content: tinyPdf() }] }));
    expect(created).toBe(true);
    expect(view).toMatchObject({ status: 'ACCEPTED', recipientId: RECIPIENT, recipientKind: 'personnummer', sendingUnit: { code: 'bygg' }, attempts: 0 });
    expect(view.deadlineAt.getTime() - view.createdAt.getTime()).toBe(24 * 3600 * 1000);
    const [row] = await ownerQuery(db, `select status, api_client_id, body_text, tenant_id from letter where id = $1`, [view.id]);
    expect(row).toMatchObject({ status: 'ACCEPTED', api_client_id: ctx.apiClientId, body_text: 'Hej! Se bifogat beslut.', tenant_id: ctx.tenantId });
    const events = await ownerQuery(db, `select type, from_status, to_status, detail from letter_event where letter_id = $1`, [view.id]);
    expect(events).toEqual([{ type: 'ACCEPTED', from_status: null, to_status: 'ACCEPTED', detail: { actor: 'demo-case-system', channelPreference: 'AUTO', attachments: 1 } }]);
    const outbox = await ownerQuery(db, `select job, payload, dispatched_at from outbox where letter_id = $1`, [view.id]);
    expect(outbox).toEqual([{ job: 'dispatch-letter', payload: { tenantId: ctx.tenantId, letterId: view.id }, dispatched_at: null }]);
    const attachments = await ownerQuery(db, `select position, filename, content_type, size_bytes, content from letter_attachment where letter_id = $1`, [view.id]);
    expect(attachments).toEqual([{ position: 0, filename: 'beslut.pdf', content_type: 'application/pdf', size_bytes: tinyPdf().length, content: tinyPdf() }]);
    expect(await intake.get(ctx, view.id)).toEqual(view);
  });

  it('uses the tenant deadline when the tenant sets one', async () => {
    const [other] = await ownerQuery<{ id: string }>(db, `select id from api_client where client_id = 'annan-case-system'`);
    const { letter: view } = await intake.submit({ tenantId: db.other.tenantId, actor: 'annan-case-system', apiClientId: other.id, boundSendingUnitId: db.other.unitId }, letter());
    expect(view.deadlineAt.getTime() - view.createdAt.getTime()).toBe(48 * 3600 * 1000);
  });
});

describe('idempotency', () => {
  it('returns the same letter for the same key and content, and refuses other content under that key', async () => {
    const first = await intake.submit(ctx, letter({ idempotencyKey: 'case-1-letter-1' }));
    const again = await intake.submit(ctx, letter({ idempotencyKey: 'case-1-letter-1' }));
    expect(again).toEqual({ letter: first.letter, created: false });
    await expect(intake.submit(ctx, letter({ idempotencyKey: 'case-1-letter-1', subject: 'Annat' }))).rejects.toBeInstanceOf(IdempotencyConflictError);
    expect(await ownerQuery(db, `select count(*)::int as n from outbox where letter_id = $1`, [first.letter.id])).toEqual([{ n: 1 }]);
  });

  it('keeps one letter when 20 identical requests race, and refuses the different ones', async () => {
    const key = `race-${Date.now()}`;
    const same = Array.from({ length: 20 }, () => intake.submit(ctx, letter({ idempotencyKey: key })));
    const different = Array.from({ length: 5 }, (_, i) => intake.submit(ctx, letter({ idempotencyKey: key, subject: `Annan ${i}` })));
    const results = await Promise.allSettled([...same, ...different]);
    const letters = await ownerQuery<{ id: string }>(db, `select id from letter where idempotency_key = $1`, [key]);
    expect(letters).toHaveLength(1);
    const fulfilled = results.filter((r): r is PromiseFulfilledResult<SubmitResult> => r.status === 'fulfilled');
    // Whichever request won, every request with the winner's content got the winner's letter.
    for (const r of fulfilled) expect(r.value.letter.id).toBe(letters[0].id);
    expect(fulfilled.filter((r) => r.value.created)).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(IdempotencyConflictError);
    expect(fulfilled.length).toBeGreaterThanOrEqual(5);
    expect(await ownerQuery(db, `select count(*)::int as n from outbox where letter_id = $1`, [letters[0].id])).toEqual([{ n: 1 }]);
    expect(await ownerQuery(db, `select count(*)::int as n from letter_event where letter_id = $1`, [letters[0].id])).toEqual([{ n: 1 }]);
  });

  it('scopes keys per API client: the same key from another caller is another letter', async () => {
    const a = await intake.submit(ctx, letter({ idempotencyKey: 'shared-key' }));
    const b = await intake.submit({ tenantId: ctx.tenantId, actor: 'officer-1' }, letter({ idempotencyKey: 'shared-key', sendingUnit: 'bygg' }));
    expect(b.letter.id).not.toBe(a.letter.id);
  });
});

describe('submitMany', () => {
  it('accepts the good letters of a bulk of 1,000 and refuses the bad ones by index with field paths', async () => {
    const people = pickTestPersonnummer(1000);
    const inputs = people.map((p, i) => letter({ recipient: p, idempotencyKey: `bulk-${i}` }));
    inputs[3] = letter({ recipient: '198101032385' }); // wrong check digit
    inputs[500] = letter({ subject: '', protectionClass: 7 });
    inputs[999] = letter({ attachments: [{ filename: 'x.docx', contentType: 'application/msword', content: Buffer.from('PK') }] });
    const started = Date.now();
    const results = await intake.submitMany(ctx, inputs);
    const ms = Date.now() - started;
    expect(results).toHaveLength(1000);
    const refused = results.filter((r) => !r.ok);
    expect(refused.map((r) => r.index)).toEqual([3, 500, 999]);
    expect(refused[0]).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ path: 'recipient', rule: 'luhn' }] });
    expect(refused[1].ok === false && refused[1].fields.map((f) => `${f.path}:${f.rule}`)).toEqual(['subject:required', 'protectionClass:range']);
    expect(refused[2].ok === false && refused[2].fields.map((f) => `${f.path}:${f.rule}`)).toEqual(['attachments[0].contentType:contentType']);
    const ids = results.flatMap((r) => (r.ok ? [r.letter.id] : []));
    expect(new Set(ids).size).toBe(997);
    expect(await ownerQuery(db, `select count(*)::int as n from outbox where letter_id = any($1::uuid[])`, [ids])).toEqual([{ n: 997 }]);
    expect(await ownerQuery(db, `select count(*)::int as n from letter_event where letter_id = any($1::uuid[]) and type = 'ACCEPTED'`, [ids])).toEqual([{ n: 997 }]);
    // Re-sending the same bulk is idempotent: same ids, nothing new written.
    const again = await intake.submitMany(ctx, inputs);
    expect(again.flatMap((r) => (r.ok ? [r.letter.id] : []))).toEqual(ids);
    expect(again.filter((r) => r.ok && r.created)).toHaveLength(0);
    process.stdout.write(`bulk of 1,000 accepted in ${ms} ms\n`);
  });

  it('resolves duplicates of a key inside one bulk: same content shares the letter, other content conflicts', async () => {
    const results = await intake.submitMany(ctx, [
      letter({ idempotencyKey: 'dup' }),
      letter({ idempotencyKey: 'dup' }),
      letter({ idempotencyKey: 'dup', subject: 'Annat' }),
    ]);
    expect(results[0].ok && results[1].ok && results[0].letter.id === results[1].letter.id).toBe(true);
    expect(results[0].ok && results[0].created).toBe(true);
    expect(results[1].ok && results[1].created).toBe(false);
    expect(results[2]).toMatchObject({ ok: false, code: 'IDEMPOTENCY_CONFLICT', fields: [{ path: 'idempotencyKey' }] });
  });
});

describe('cancel', () => {
  it('cancels an ACCEPTED letter with a CANCELLED event, and refuses once the letter is signed', async () => {
    const a = await intake.submit(ctx, letter());
    const cancelled = await intake.cancel(ctx, a.letter.id, 'fel mottagare');
    expect(cancelled.status).toBe('CANCELLED');
    const events = (await intake.events(ctx, [a.letter.id])).get(a.letter.id)!;
    expect(events.map((e) => [e.type, e.fromStatus, e.toStatus])).toEqual([
      ['ACCEPTED', null, 'ACCEPTED'],
      ['CANCELLED', 'ACCEPTED', 'CANCELLED'],
    ]);
    await expect(intake.cancel(ctx, a.letter.id)).rejects.toThrow(/already in state CANCELLED/);

    const b = await intake.submit(ctx, letter());
    await tenantDb.inTenant(ctx.tenantId, async (em) => {
      const l = await em.findOneOrFail(Letter, { id: b.letter.id });
      transition(em, l, 'ROUTING', 'ROUTING');
      transition(em, l, 'SIGNED', 'SIGNED');
      await em.flush();
    });
    await expect(intake.cancel(ctx, b.letter.id)).rejects.toBeInstanceOf(NotCancellableError);
    await expect(intake.cancel(ctx, b.letter.id)).rejects.toThrow(/already in state SIGNED/);
  });
});

describe('list', () => {
  it('pages newest first without gaps or repeats, and filters', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await intake.list(ctx, {}, 97, after);
      seen.push(...page.items.map((i) => i.letter.id));
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    const all = await ownerQuery<{ id: string }>(db, `select id from letter where tenant_id = $1 order by created_at desc, id desc`, [ctx.tenantId]);
    expect(seen).toEqual(all.map((r) => r.id));
    expect(await intake.count(ctx, {})).toBe(all.length);
    const cancelled = await intake.list(ctx, { status: ['CANCELLED'] }, 10);
    expect(cancelled.items.map((i) => i.letter.status)).toEqual(['CANCELLED']);
    const byRecipient = await intake.list(ctx, { recipient: '198101032385' }, 10);
    expect(byRecipient.items).toHaveLength(0);
    await expect(intake.list(ctx, {}, 201)).rejects.toThrow(/at most 200/);
  });
});
