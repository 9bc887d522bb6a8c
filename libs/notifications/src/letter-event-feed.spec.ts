/** The ordered letter event feed against a real PostgreSQL: order, cursors, filters, scope and isolation. */
import { IntakeErrorCode } from '@hub/letters';
import { TenantDb } from '@hub/persistence';
import { HubDatabase, insertLetters, startHubDatabase } from '../../../test/support';
import { LetterEventFeed } from './letter-event-feed.service';

jest.setTimeout(60_000);

let hub: HubDatabase;
let db: TenantDb;
let feed: LetterEventFeed;
const demo = () => ({ tenantId: hub.demo.tenantId, actor: 'officer' });

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'event-feed' });
  db = new TenantDb(await hub.appOrm());
  feed = new LetterEventFeed(db, { pageSizeMax: 3, settleMs: 0 });
});
afterAll(() => hub?.drop());

async function logEvent(letterId: string, type: string, toStatus: string, tenantId = hub.demo.tenantId, detail: Record<string, unknown> = {}): Promise<string> {
  const [row] = await hub.ownerQuery<{ id: string }>(
    `insert into letter_event (tenant_id, letter_id, type, to_status, detail) values ($1, $2, $3, $4, $5) returning id::text`,
    [tenantId, letterId, type, toStatus, JSON.stringify(detail)],
  );
  return row.id;
}

/** Reads the whole feed from `after` on, page by page; returns the events and the last cursor. */
async function readAll(read: (after: string | null) => ReturnType<LetterEventFeed['page']>, after: string | null = null) {
  const events = [];
  for (;;) {
    const page = await read(after);
    events.push(...page.items.map((i) => i.event));
    after = page.endCursor;
    if (!page.hasNextPage) return { events, after };
  }
}

it('pages through the published events in order and picks up new ones from the last cursor', async () => {
  const [bygg, social] = await insertLetters(db, hub, [{ recipientId: '198101032384' }, { recipientId: '198101032384', unit: 'social', protectionClass: 3 }], { enqueue: false });
  const [otherLetter] = await insertLetters(db, hub, [{ recipientId: '198101032384', sendingUnitId: hub.other.unitId }], { enqueue: false, tenantId: hub.other.tenantId });
  const ids = [
    await logEvent(bygg, 'NOT_REACHABLE', 'ROUTING', undefined, { reason: 'NOT_REGISTERED' }),
    await logEvent(bygg, 'SIGNED', 'SIGNED'),
    await logEvent(bygg, 'ROUTED_TO_PRINT', 'PRINT_PENDING'),
    await logEvent(otherLetter, 'DELIVERED', 'DELIVERED', hub.other.tenantId),
    await logEvent(social, 'HELD', 'HELD'),
    await logEvent(bygg, 'PRINTED', 'PRINTED'),
    await logEvent(social, 'CANCELLED', 'CANCELLED'),
  ];
  const first = await feed.page(demo(), { first: 2 });
  expect(first.items.map((i) => i.event.id)).toEqual([ids[0], ids[2]]);
  expect(first.hasNextPage).toBe(true);
  const { events, after } = await readAll((a) => feed.page(demo(), { first: 2, after: a }), first.endCursor);
  expect(events.map((e) => [e.id, e.type])).toEqual([
    [ids[4], 'letter.held'],
    [ids[5], 'letter.printed'],
    [ids[6], 'letter.cancelled'],
  ]);
  // The same payload as a webhook's: the class-3 letter's subject withheld.
  expect(events[0]).toMatchObject({ tenant: 'demo-kommun', letterId: social, sendingUnit: 'social', protectionClass: 3, subject: null, status: 'HELD' });
  expect(first.items[0].event).toMatchObject({ reason: 'NOT_REGISTERED', subject: 'Beslut om bygglov' });

  // Nothing new: the cursor stays where it was.
  const empty = await feed.page(demo(), { after });
  expect(empty).toEqual({ items: [], hasNextPage: false, endCursor: after });
  const next = await logEvent(bygg, 'POSTED', 'POSTED');
  expect((await feed.page(demo(), { after })).items.map((i) => [i.event.id, i.event.type])).toEqual([[next, 'letter.posted']]);

  // The other municipality sees its own event only.
  expect((await readAll((a) => feed.page({ tenantId: hub.other.tenantId, actor: 'x' }, { after: a }))).events.map((e) => [e.id, e.tenant])).toEqual([[ids[3], 'annan-kommun']]);
  // A case system bound to a sending unit sees that unit's letters.
  const boundToSocial = { ...demo(), boundSendingUnitId: hub.demo.units.social.id };
  expect((await readAll((a) => feed.page(boundToSocial, { after: a }))).events.map((e) => e.id)).toEqual([ids[4], ids[6]]);
  // Only some events.
  expect((await feed.page(demo(), { types: ['letter.printed', 'letter.posted'] })).items.map((i) => i.event.id)).toEqual([ids[5], next]);
});

it('refuses a page that is too large, a bad cursor and an unknown event type, saying what to do', async () => {
  await expect(feed.page(demo(), { first: 4 })).rejects.toMatchObject({ code: IntakeErrorCode.PageSizeExceeded, message: expect.stringMatching(/at most 3/) });
  await expect(feed.page(demo(), { first: -1 })).rejects.toMatchObject({ code: IntakeErrorCode.BadInput });
  await expect(feed.page(demo(), { after: 'garbage' })).rejects.toMatchObject({ code: IntakeErrorCode.BadInput, message: expect.stringMatching(/pageInfo.endCursor/) });
  // A cursor of another list (webhook deliveries) is not a feed cursor.
  await expect(feed.page(demo(), { after: Buffer.from('wd:12').toString('base64url') })).rejects.toMatchObject({ code: IntakeErrorCode.BadInput });
  await expect(feed.page(demo(), { types: ['letter.held', 'letter.opened'] })).rejects.toMatchObject({
    code: IntakeErrorCode.ValidationFailed,
    fields: [{ path: 'types[1]', rule: 'enum', message: expect.stringMatching(/letter\.opened/) }],
  });
});

it('lists an event only once it has settled, so that a late commit with a smaller id is never skipped', async () => {
  const settled = new LetterEventFeed(db, { pageSizeMax: 50, settleMs: 1500 });
  const { after } = await readAll((a) => feed.page(demo(), { after: a }));
  const [letter] = await insertLetters(db, hub, [{ recipientId: '198101032384' }], { enqueue: false });
  const id = await logEvent(letter, 'CANCELLED', 'CANCELLED');
  expect((await settled.page(demo(), { after })).items).toEqual([]);
  await new Promise((r) => setTimeout(r, 1600));
  expect((await settled.page(demo(), { after })).items.map((i) => i.event.id)).toEqual([id]);
});
