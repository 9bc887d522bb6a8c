/**
 * The admins' side of webhooks against a real PostgreSQL: subscriptions (secret shown once and
 * encrypted at rest), changes, rotation, deliveries and dead letters, the audit trail of every
 * change, and that another municipality can neither see nor change any of it, not even with raw SQL.
 */
import { KeyVault } from '@hub/keys';
import { IntakeError, IntakeErrorCode, sql } from '@hub/letters';
import { TenantDb } from '@hub/persistence';
import { HubDatabase, insertLetters, startHubDatabase } from '../../../test/support';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { secretContext, WebhookSubscriptionService } from './webhook-subscription.service';
import { WebhookValidationError } from './notification.errors';

jest.setTimeout(60_000);

let hub: HubDatabase;
let db: TenantDb;
let vault: KeyVault;
let service: WebhookSubscriptionService;
let deliveries: WebhookDeliveryService;
const demo = () => ({ tenantId: hub.demo.tenantId, actor: 'admin-anna' });
const other = () => ({ tenantId: hub.other.tenantId, actor: 'admin-other' });

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'webhook-admin' });
  db = new TenantDb(await hub.appOrm());
  vault = new KeyVault(hub.masterKey);
  service = new WebhookSubscriptionService(db, { vault, allowHttpLocalhost: false });
  deliveries = new WebhookDeliveryService(db, { pageSizeMax: 5 });
});
afterAll(() => hub?.drop());

const audit = (target: string) =>
  hub.ownerQuery<{ actor: string; action: string; detail: Record<string, unknown> }>(`select actor, action, detail from audit_log where target = $1 order by seq`, [target]);

/** Rejects with an IntakeError of this code (what the API maps to extensions.code). */
async function failsWith(p: Promise<unknown>, code: IntakeErrorCode, message?: RegExp): Promise<IntakeError> {
  const e = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(IntakeError);
  expect((e as IntakeError).code).toBe(code);
  if (message) expect((e as Error).message).toMatch(message);
  return e as IntakeError;
}

/** Deliveries arranged as the sender leaves them (as the owner): `n` of a subscription, some dead. */
async function arrangeDeliveries(subscriptionId: string, statuses: string[]): Promise<string[]> {
  const [letter] = await insertLetters(db, hub, [{ recipientId: '198101032384' }], { enqueue: false });
  const ids: string[] = [];
  for (const status of statuses) {
    const [e] = await hub.ownerQuery<{ id: string }>(`insert into letter_event (tenant_id, letter_id, type, to_status) values ($1, $2, 'HELD', 'HELD') returning id::text`, [hub.demo.tenantId, letter]);
    const [d] = await hub.ownerQuery<{ id: string }>(
      `insert into webhook_delivery (tenant_id, subscription_id, event_id, event_type, letter_id, status, attempts, total_attempts, dead_at, last_status_code, last_error)
       values ($1, $2, $3, 'letter.held', $4, $5, $6, $6, case when $5 = 'DEAD' then now() end, 503, 'answered HTTP 503') returning id::text`,
      [hub.demo.tenantId, subscriptionId, e.id, letter, status, status === 'PENDING' ? 0 : 7],
    );
    ids.push(d.id);
  }
  return ids;
}

describe('subscriptions', () => {
  it('creates one with a generated secret, shown once and stored only encrypted', async () => {
    const { webhook, secret } = await service.create(demo(), { url: 'https://arende.demo.se/hub-events?token=abc', events: ['letter.delivered', 'letter.returned'], description: 'Bygglovssystemet' });
    expect(secret).toMatch(/^whsec_/);
    expect(webhook).toMatchObject({ url: 'https://arende.demo.se/hub-events?token=abc', events: ['letter.delivered', 'letter.returned'], description: 'Bygglovssystemet', active: true, createdBy: 'admin-anna', pendingDeliveries: 0, deadLetters: 0 });
    expect(JSON.stringify(await service.list(demo()))).not.toContain(secret);
    const [row] = await hub.ownerQuery<{ secret_ciphertext: Buffer }>(`select secret_ciphertext from webhook_subscription where id = $1`, [webhook.id]);
    expect(row.secret_ciphertext.includes(Buffer.from(secret))).toBe(false);
    expect(vault.decrypt(row.secret_ciphertext, secretContext(webhook.id)).toString()).toBe(secret);
    // Audited, with the URL's query values hidden and no secret.
    const [entry] = await audit(`webhook:${webhook.id}`);
    expect(entry).toEqual({
      actor: 'admin-anna',
      action: 'webhook.create',
      detail: { url: 'https://arende.demo.se/hub-events?token=***', events: ['letter.delivered', 'letter.returned'], description: 'Bygglovssystemet', active: true, secret: 'generated' },
    });
  });

  it('takes a secret the municipality brings', async () => {
    const own = 'municipality-own-secret-0123456789';
    const { webhook, secret } = await service.create(demo(), { url: 'https://a.demo.se/h', events: ['letter.held'], secret: own });
    expect(secret).toBe(own);
    expect((await audit(`webhook:${webhook.id}`))[0].detail).toMatchObject({ secret: 'given' });
  });

  it('refuses bad input with every field path, and http unless this hub allows it for localhost', async () => {
    const e = await failsWith(
      service.create(demo(), { url: 'http://127.0.0.1:9000/h', events: ['letter.delivered', 'letter.read'], secret: 'too short' }),
      IntakeErrorCode.ValidationFailed,
      /url uses http to this machine, which this hub does not allow/,
    );
    expect((e as WebhookValidationError).fields.map((f) => f.path)).toEqual(['url', 'events[1]', 'secret']);
    await failsWith(service.create(demo(), { url: 'ftp://a.demo.se', events: ['letter.held'] }), IntakeErrorCode.ValidationFailed, /scheme ftp/);
    expect(await hub.ownerQuery(`select 1 from webhook_subscription where url like 'ftp%' or url like 'http:%'`)).toEqual([]);
  });

  it('changes only what is given, and audits what changed', async () => {
    const { webhook } = await service.create(demo(), { url: 'https://b.demo.se/h', events: ['letter.held'] });
    const changed = await service.update(demo(), webhook.id, { events: ['letter.held', 'letter.failed'], active: false });
    expect(changed).toMatchObject({ url: 'https://b.demo.se/h', events: ['letter.held', 'letter.failed'], active: false });
    expect(changed.updatedAt.getTime()).toBeGreaterThanOrEqual(webhook.updatedAt.getTime());
    const cleared = await service.update(demo(), webhook.id, { description: '', url: 'https://c.demo.se/h?k=v' });
    expect(cleared).toMatchObject({ url: 'https://c.demo.se/h?k=v', description: null, active: false });
    const entries = await audit(`webhook:${webhook.id}`);
    expect(entries.map((e) => e.action)).toEqual(['webhook.create', 'webhook.update', 'webhook.update']);
    expect(entries[1].detail).toEqual({ changes: { events: { from: ['letter.held'], to: ['letter.held', 'letter.failed'] }, active: { from: true, to: false } } });
    expect(entries[2].detail).toEqual({ changes: { url: { from: 'https://b.demo.se/h', to: 'https://c.demo.se/h?k=***' } } });
    await failsWith(service.update(demo(), webhook.id, {}), IntakeErrorCode.ValidationFailed, /changes nothing/);
    await failsWith(service.update(demo(), webhook.id, { events: [] }), IntakeErrorCode.ValidationFailed, /events needs at least one event/);
  });

  it('rotates the secret, keeping the previous one valid for the grace period, and audits it', async () => {
    const { webhook, secret: first } = await service.create(demo(), { url: 'https://d.demo.se/h', events: ['letter.held'] });
    const rotated = await service.rotateSecret(demo(), webhook.id);
    expect(rotated.secret).not.toBe(first);
    const until = rotated.webhook.previousSecretValidUntil!.getTime();
    expect(Math.abs(until - (Date.now() + 24 * 3600_000))).toBeLessThan(60_000);
    const [row] = await hub.ownerQuery<{ secret_ciphertext: Buffer; previous_secret_ciphertext: Buffer }>(`select secret_ciphertext, previous_secret_ciphertext from webhook_subscription where id = $1`, [webhook.id]);
    expect(vault.decrypt(row.secret_ciphertext, secretContext(webhook.id)).toString()).toBe(rotated.secret);
    expect(vault.decrypt(row.previous_secret_ciphertext, secretContext(webhook.id, 'previous')).toString()).toBe(first);
    const now = await service.rotateSecret(demo(), webhook.id, { secret: 'x'.repeat(30), previousValidHours: 0 });
    expect(now).toMatchObject({ secret: 'x'.repeat(30), webhook: { previousSecretValidUntil: null } });
    const entries = await audit(`webhook:${webhook.id}`);
    expect(entries.slice(1).map((e) => [e.action, e.detail.secret])).toEqual([
      ['webhook.rotateSecret', 'generated'],
      ['webhook.rotateSecret', 'given'],
    ]);
    expect(JSON.stringify(entries)).not.toContain(first);
    expect(JSON.stringify(entries)).not.toContain(rotated.secret);
    await failsWith(service.rotateSecret(demo(), webhook.id, { previousValidHours: 1000 }), IntakeErrorCode.ValidationFailed, /previousSecretValidHours is 1000/);
  });

  it('deletes a subscription with its deliveries, audited', async () => {
    const { webhook } = await service.create(demo(), { url: 'https://e.demo.se/h', events: ['letter.held'] });
    await arrangeDeliveries(webhook.id, ['PENDING', 'DEAD']);
    expect(await service.delete(demo(), webhook.id)).toBe(true);
    expect(await hub.ownerQuery(`select 1 from webhook_delivery where subscription_id = $1`, [webhook.id])).toEqual([]);
    expect((await audit(`webhook:${webhook.id}`)).at(-1)).toMatchObject({ action: 'webhook.delete', detail: { pendingDeliveries: 1, deadLetters: 1 } });
    await failsWith(service.delete(demo(), webhook.id), IntakeErrorCode.NotFound, /No webhook/);
    await failsWith(service.get(demo(), 'not-a-uuid'), IntakeErrorCode.NotFound);
  });
});

describe('deliveries and dead letters', () => {
  it('lists a subscription’s deliveries newest first in pages, by status, and its dead letters', async () => {
    const { webhook } = await service.create(demo(), { url: 'https://f.demo.se/h', events: ['letter.held'] });
    const ids = await arrangeDeliveries(webhook.id, ['DELIVERED', 'DEAD', 'PENDING', 'DEAD', 'DELIVERED', 'DELIVERED', 'DEAD']);
    const page1 = await deliveries.deliveries(demo(), webhook.id, { first: 4 });
    expect(page1.items.map((i) => i.delivery.id)).toEqual(ids.slice(3).reverse());
    expect(page1.hasNextPage).toBe(true);
    const page2 = await deliveries.deliveries(demo(), webhook.id, { first: 4, after: page1.endCursor });
    expect(page2.items.map((i) => i.delivery.id)).toEqual(ids.slice(0, 3).reverse());
    expect(page2.hasNextPage).toBe(false);
    expect((await deliveries.deliveries(demo(), webhook.id, { status: 'DEAD' })).items.map((i) => i.delivery.id)).toEqual([ids[6], ids[3], ids[1]]);
    expect((await deliveries.deadLetters(demo(), { webhookId: webhook.id })).items.map((i) => [i.delivery.status, i.delivery.lastError])).toEqual([
      ['DEAD', 'answered HTTP 503'],
      ['DEAD', 'answered HTTP 503'],
      ['DEAD', 'answered HTTP 503'],
    ]);
    await failsWith(deliveries.deliveries(demo(), webhook.id, { first: 6 }), IntakeErrorCode.PageSizeExceeded, /at most 5/);
    await failsWith(deliveries.deliveries(demo(), webhook.id, { first: 0 }), IntakeErrorCode.BadInput);
    await failsWith(deliveries.deliveries(demo(), webhook.id, { after: 'bm90LWEtY3Vyc29y' }), IntakeErrorCode.BadInput, /not a cursor/);
    await failsWith(deliveries.deliveries(demo(), webhook.id, { status: 'LOST' as never }), IntakeErrorCode.BadInput, /PENDING, DELIVERED, DEAD/);
    await failsWith(deliveries.deliveries(demo(), '00000000-0000-4000-8000-000000000000'), IntakeErrorCode.NotFound);
  });

  it('replays only dead letters, as a new series, audited', async () => {
    const { webhook } = await service.create(demo(), { url: 'https://g.demo.se/h', events: ['letter.held'] });
    const [pending, dead] = await arrangeDeliveries(webhook.id, ['PENDING', 'DEAD']);
    await failsWith(deliveries.replay(demo(), pending), IntakeErrorCode.BadInput, /is PENDING, not DEAD/);
    const replayed = await deliveries.replay(demo(), dead);
    expect(replayed).toMatchObject({ id: dead, status: 'PENDING', attempts: 0, totalAttempts: 7, replays: 1, deadAt: null });
    expect(Math.abs(replayed.seriesStartedAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect(await audit(`webhookDelivery:${dead}`)).toEqual([
      { actor: 'admin-anna', action: 'webhookDelivery.replay', detail: { webhookId: webhook.id, eventId: replayed.eventId, eventType: 'letter.held', replay: 1, attemptsBefore: 7 } },
    ]);
    await failsWith(deliveries.replay(demo(), '987654321'), IntakeErrorCode.NotFound);
    await failsWith(deliveries.replay(demo(), 'abc'), IntakeErrorCode.NotFound);
  });
});

describe('another municipality', () => {
  it('can neither see nor change a municipality’s subscriptions and deliveries through the services', async () => {
    const { webhook } = await service.create(demo(), { url: 'https://h.demo.se/h', events: ['letter.held'] });
    const [dead] = await arrangeDeliveries(webhook.id, ['DEAD']);
    expect((await service.list(other())).map((w) => w.id)).not.toContain(webhook.id);
    await failsWith(service.get(other(), webhook.id), IntakeErrorCode.NotFound);
    await failsWith(service.update(other(), webhook.id, { active: false }), IntakeErrorCode.NotFound);
    await failsWith(service.rotateSecret(other(), webhook.id), IntakeErrorCode.NotFound);
    await failsWith(service.delete(other(), webhook.id), IntakeErrorCode.NotFound);
    await failsWith(deliveries.deliveries(other(), webhook.id), IntakeErrorCode.NotFound);
    expect((await deliveries.deadLetters(other())).items).toEqual([]);
    await failsWith(deliveries.replay(other(), dead), IntakeErrorCode.NotFound);
    expect(await service.get(demo(), webhook.id)).toMatchObject({ active: true, deadLetters: 1 });
  });

  it('can neither read nor change them with raw SQL on the application connection', async () => {
    const { webhook } = await service.create(demo(), { url: 'https://i.demo.se/h', events: ['letter.held'] });
    const [delivery] = await arrangeDeliveries(webhook.id, ['DEAD']);
    const asOther = <T>(fn: (em: Parameters<Parameters<TenantDb['inTenant']>[1]>[0]) => Promise<T>) => db.inTenant(hub.other.tenantId, fn);
    expect(await asOther(async (em) => (await sql(em, `select * from webhook_subscription where id = $1`, [webhook.id])).rows)).toEqual([]);
    expect(await asOther(async (em) => (await sql(em, `select * from webhook_delivery where id = $1`, [delivery])).rows)).toEqual([]);
    expect(await asOther(async (em) => (await sql(em, `update webhook_subscription set url = 'https://evil.example/' where id = $1`, [webhook.id])).rowCount)).toBe(0);
    expect(await asOther(async (em) => (await sql(em, `update webhook_delivery set status = 'PENDING' where id = $1`, [delivery])).rowCount)).toBe(0);
    expect(await asOther(async (em) => (await sql(em, `delete from webhook_subscription where id = $1`, [webhook.id])).rowCount)).toBe(0);
    await expect(
      asOther((em) => sql(em, `insert into webhook_subscription (id, tenant_id, url, events, secret_ciphertext, created_by) values (gen_random_uuid(), $1, 'https://evil.example/', '{letter.held}', '\\x00', 'x')`, [hub.demo.tenantId])),
    ).rejects.toThrow(/row-level security/);
    await expect(
      asOther((em) => sql(em, `insert into webhook_delivery (tenant_id, subscription_id, event_id, event_type, letter_id) values ($1, $2, 1, 'letter.held', gen_random_uuid())`, [hub.demo.tenantId, webhook.id])),
    ).rejects.toThrow(/row-level security|violates foreign key/);
    // Without any tenant, nothing at all is visible.
    expect(await db.withoutTenant(async (em) => (await sql(em, `select count(*)::int as n from webhook_subscription`)).rows[0])).toEqual({ n: 0 });
    expect(await db.withoutTenant(async (em) => (await sql(em, `select count(*)::int as n from webhook_delivery`)).rows[0])).toEqual({ n: 0 });
    const [after] = await hub.ownerQuery<{ url: string; status: string }>(`select s.url, d.status from webhook_subscription s join webhook_delivery d on d.subscription_id = s.id where d.id = $1`, [delivery]);
    expect(after).toEqual({ url: 'https://i.demo.se/h', status: 'DEAD' });
  });
});
