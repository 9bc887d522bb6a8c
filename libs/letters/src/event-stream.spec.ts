/** The letter event stream against a real PostgreSQL: every tenant's events in order, a cursor per consumer. */
import { TenantDb } from '@hub/persistence';
import { HubDatabase, insertLetters, startHubDatabase } from '../../../test/support';
import { LetterEventStream } from './event-stream';

jest.setTimeout(60_000);

let hub: HubDatabase;
let db: TenantDb;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'event-stream' });
  db = new TenantDb(await hub.appOrm());
});
afterAll(() => hub?.drop());

it('hands each consumer every tenant’s settled events in id order, from its own cursor', async () => {
  const [a] = await insertLetters(db, hub, [{ recipientId: '198101032384' }]);
  const [b] = await insertLetters(db, hub, [{ recipientId: '198101032384', sendingUnitId: hub.other.unitId }], { tenantId: hub.other.tenantId });
  for (const [tenant, id] of [[hub.demo.tenantId, a], [hub.other.tenantId, b]]) {
    await hub.ownerQuery(`insert into letter_event (tenant_id, letter_id, type, from_status, to_status, detail, created_at) values ($1, $2, 'CANCELLED', 'ACCEPTED', 'CANCELLED', '{}', now() - interval '1 minute')`, [tenant, id]);
  }
  // Not settled yet: a transaction that commits later could still fill in a smaller id.
  await hub.ownerQuery(`insert into letter_event (tenant_id, letter_id, type, from_status, to_status, detail) values ($1, $2, 'FRESH', 'CANCELLED', 'CANCELLED', '{}')`, [hub.demo.tenantId, a]);

  const one = new LetterEventStream(db, 'test-one', { settleMs: 5000 });
  const events = await one.next();
  expect(events.map((e) => [e.letterId, e.type])).toEqual([
    [a, 'CANCELLED'],
    [b, 'CANCELLED'],
  ]);
  expect(events.map((e) => e.tenantId)).toEqual([hub.demo.tenantId, hub.other.tenantId]);
  expect(Number(events[1].id)).toBeGreaterThan(Number(events[0].id));
  await one.commit(events[0].id);
  expect((await one.next()).map((e) => e.letterId)).toEqual([b]);
  await one.commit(events[1].id);
  await one.commit(events[0].id); // never backwards
  expect(await one.next()).toEqual([]);
  // Another consumer starts from the beginning.
  expect(await new LetterEventStream(db, 'test-two', { settleMs: 5000 }).next()).toHaveLength(2);
  expect((await new LetterEventStream(db, 'test-three', { settleMs: 0 }).next()).map((e) => e.type)).toEqual(['CANCELLED', 'CANCELLED', 'FRESH']);
});
