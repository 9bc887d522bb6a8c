/**
 * The dispatch store's batched statements against real PostgreSQL (application role, row-level
 * security): claims and state changes of concurrent jobs go together in one statement, and each
 * letter still gets exactly the answer it would get alone.
 */
import { TenantDb } from '@hub/persistence';
import { eventsOf, HubDatabase, insertLetters, readLetters, startHubDatabase } from '../../../test/support';
import { DispatchStore, FinishedElsewhereError, LeaseLostError, LetterChange } from './dispatch-store';

jest.setTimeout(60_000);

const KIVRA = '198101032384';
const LEASE_MS = 60_000;

let hub: HubDatabase;
let db: TenantDb;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'dispatch-store' });
  db = new TenantDb(await hub.appOrm(4));
});

afterAll(() => hub?.drop());

/** A store that records the size of each statement it sends. */
function store(): { store: DispatchStore; statements: { statement: string; letters: number }[] } {
  const statements: { statement: string; letters: number }[] = [];
  return { store: new DispatchStore(db, LEASE_MS, { onBatch: (statement, letters) => statements.push({ statement, letters }) }), statements };
}

const sealed = (detail: Record<string, unknown> = {}): LetterChange => ({
  from: 'ACCEPTED',
  to: 'SEALED',
  set: { channel: 'DIGITAL', channel_decision: 'DIGITAL', operator_id: '165599000014', operator_name: 'Kivra', service_address: 'https://kivra.test/deliver' },
  events: [
    { type: 'REACHABILITY_CHECKED', from: 'ACCEPTED', to: 'ROUTING', detail: { deliverable: true } },
    { type: 'SIGNED', from: 'ROUTING', to: 'SIGNED', detail: { sender: '162120001231' } },
    { type: 'SEALED', from: 'SIGNED', to: 'SEALED', detail },
  ],
  lease: 'renew',
});

describe('claims of concurrent jobs', () => {
  it('go in one statement, and each job gets its own letter with what building its delivery needs', async () => {
    const ids = await insertLetters(db, hub, [{ recipientId: KIVRA }, { recipientId: '199001012385', caseReference: 'SN 2026-7' }, { recipientId: '200001012384' }], { enqueue: false });
    const { store: s, statements } = store();
    const claims = await Promise.all(ids.map((id, i) => s.claim(hub.demo.tenantId, id, `worker/job-${i}`)));
    expect(statements).toEqual([{ statement: 'claim', letters: 3 }]);
    claims.forEach((c, i) => {
      expect(c).toMatchObject({ letter: { id: ids[i], status: 'ACCEPTED', unit: { id: hub.demo.units.bygg.id, orgNumber: '162120001231' } } });
    });
    expect(claims.map((c) => ('letter' in c ? c.letter.recipientId : null))).toEqual([KIVRA, '199001012385', '200001012384']);
    expect(claims.map((c) => ('letter' in c ? c.letter.caseReference : null))).toEqual(['BN 2026-123', 'SN 2026-7', 'BN 2026-123']);
    const letters = await readLetters(hub, ids);
    expect(letters.map((l) => l.lease_owner)).toEqual(['worker/job-0', 'worker/job-1', 'worker/job-2']);
  });

  it('give a letter asked for twice in the same statement to one job only; the other finds it leased', async () => {
    const [id] = await insertLetters(db, hub, [{ recipientId: KIVRA }], { enqueue: false });
    const { store: s, statements } = store();
    const [a, b] = await Promise.all([s.claim(hub.demo.tenantId, id, 'worker/a'), s.claim(hub.demo.tenantId, id, 'worker/b')]);
    expect(statements).toEqual([{ statement: 'claim', letters: 2 }]);
    expect([a, b].filter((c) => 'letter' in c)).toHaveLength(1);
    expect([a, b].filter((c) => 'refusal' in c)).toEqual([{ refusal: 'LEASED', status: 'ACCEPTED' }]);
    const [letter] = await readLetters(hub, [id]);
    expect(['worker/a', 'worker/b']).toContain(letter.lease_owner);
  });

  it('answer each letter of a mixed statement on its own: unknown (another tenant’s), finished, claimable', async () => {
    const [mine, done] = await insertLetters(db, hub, [{ recipientId: KIVRA }, { recipientId: KIVRA }], { enqueue: false });
    const [theirs] = await insertLetters(db, hub, [{ recipientId: KIVRA, sendingUnitId: hub.other.unitId }], { enqueue: false, tenantId: hub.other.tenantId });
    await hub.ownerQuery(`update letter set status = 'DELIVERED' where id = $1`, [done]);
    const { store: s, statements } = store();
    const results = await Promise.all([theirs, done, mine].map((id) => s.claim(hub.demo.tenantId, id, `worker/${id}`)));
    expect(statements).toEqual([{ statement: 'claim', letters: 3 }]);
    expect(results[0]).toEqual({ refusal: 'NOT_FOUND' });
    expect(results[1]).toEqual({ refusal: 'TERMINAL', status: 'DELIVERED' });
    expect(results[2]).toMatchObject({ letter: { id: mine } });
    expect((await readLetters(hub, [theirs]))[0].lease_owner).toBeNull();
  });

  it('refuse a letter id that is not a UUID before anything is sent', async () => {
    const { store: s, statements } = store();
    await expect(s.claim(hub.demo.tenantId, 'not-a-uuid', 'worker/x')).rejects.toThrow('letter id "not-a-uuid" is not a UUID');
    expect(statements).toEqual([]);
  });
});

describe('state changes of concurrent jobs', () => {
  it('go in one statement; each letter moves with its own columns and events, or is refused on its own', async () => {
    const ids = await insertLetters(db, hub, [{ recipientId: KIVRA }, { recipientId: KIVRA }, { recipientId: KIVRA }], { enqueue: false });
    const { store: s, statements } = store();
    await Promise.all(ids.map((id) => s.claim(hub.demo.tenantId, id, `worker/${id}`)));
    // Another worker took the third letter over (its lease had run out, say).
    await hub.ownerQuery(`update letter set lease_owner = 'worker/other' where id = $1`, [ids[2]]);
    const results = await Promise.allSettled(ids.map((id, i) => s.apply(hub.demo.tenantId, id, `worker/${id}`, sealed({ bytes: 1000 + i }))));
    expect(statements).toEqual([
      { statement: 'claim', letters: 3 },
      { statement: 'apply', letters: 3 },
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(LeaseLostError);

    const letters = await readLetters(hub, ids);
    expect(letters.map((l) => [l.status, l.operator_id, l.lease_owner])).toEqual([
      ['SEALED', '165599000014', `worker/${ids[0]}`],
      ['SEALED', '165599000014', `worker/${ids[1]}`],
      ['ACCEPTED', null, 'worker/other'],
    ]);
    for (const [i, id] of ids.slice(0, 2).entries()) {
      const events = await eventsOf(hub, id);
      expect(events.map((e) => [e.type, e.from_status, e.to_status])).toEqual([
        ['REACHABILITY_CHECKED', 'ACCEPTED', 'ROUTING'],
        ['SIGNED', 'ROUTING', 'SIGNED'],
        ['SEALED', 'SIGNED', 'SEALED'],
      ]);
      expect(events[2].detail).toEqual({ bytes: 1000 + i });
    }
    expect(await eventsOf(hub, ids[2])).toEqual([]);
  });

  it('say when a letter was finished elsewhere (cancelled) in the same statement as letters that move', async () => {
    const ids = await insertLetters(db, hub, [{ recipientId: KIVRA }, { recipientId: KIVRA }], { enqueue: false });
    const { store: s } = store();
    await Promise.all(ids.map((id) => s.claim(hub.demo.tenantId, id, `worker/${id}`)));
    await hub.ownerQuery(`update letter set status = 'CANCELLED' where id = $1`, [ids[0]]);
    const results = await Promise.allSettled(ids.map((id) => s.apply(hub.demo.tenantId, id, `worker/${id}`, sealed())));
    expect((results[0] as PromiseRejectedResult).reason).toEqual(new FinishedElsewhereError(ids[0], 'CANCELLED'));
    expect(results[1].status).toBe('fulfilled');
    expect((await readLetters(hub, ids)).map((l) => l.status)).toEqual(['CANCELLED', 'SEALED']);
  });

  it('go on for the other letters when the database refuses one letter’s change: that one fails alone, nothing of it written', async () => {
    const ids = await insertLetters(db, hub, [{ recipientId: KIVRA }, { recipientId: KIVRA }, { recipientId: KIVRA }], { enqueue: false });
    const { store: s, statements } = store();
    await Promise.all(ids.map((id) => s.claim(hub.demo.tenantId, id, `worker/${id}`)));
    // PostgreSQL's jsonb refuses the NUL character: the whole statement fails, then each letter is run alone.
    const details = [{ ok: 1 }, { text: 'bad \u0000 byte' }, { ok: 3 }];
    const results = await Promise.allSettled(ids.map((id, i) => s.apply(hub.demo.tenantId, id, `worker/${id}`, sealed(details[i]))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: '22P05' });
    expect(statements.filter((x) => x.statement === 'apply')).toEqual([
      { statement: 'apply', letters: 3 },
      { statement: 'apply', letters: 1 },
      { statement: 'apply', letters: 1 },
      { statement: 'apply', letters: 1 },
    ]);
    expect((await readLetters(hub, ids)).map((l) => l.status)).toEqual(['SEALED', 'ACCEPTED', 'SEALED']);
    expect(await eventsOf(hub, ids[1])).toEqual([]);
  });

  it('check each change against the state machine before anything is sent', async () => {
    const [id] = await insertLetters(db, hub, [{ recipientId: KIVRA }], { enqueue: false });
    const { store: s, statements } = store();
    await s.claim(hub.demo.tenantId, id, 'worker/sm');
    await expect(
      s.apply(hub.demo.tenantId, id, 'worker/sm', { from: 'ACCEPTED', to: 'DELIVERED', events: [{ type: 'DELIVERED', from: 'ACCEPTED', to: 'DELIVERED', detail: {} }], lease: 'release' }),
    ).rejects.toThrow('a letter in state ACCEPTED cannot become DELIVERED');
    expect(statements).toEqual([{ statement: 'claim', letters: 1 }]);
  });
});
