/**
 * Webhooks and the letter event feed through the GraphQL API over real HTTP: a fresh database, the
 * local OIDC issuer for real tokens, the API in process. Admin-only fields refuse every other role;
 * every change is audited; the secret the API returns once is the one the worker signs with; the
 * feed pages in order within the caller's scope; another municipality sees nothing.
 */
import { KeyVault } from '@hub/keys';
import { startWebhookWorker } from '@hub/notifications';
import { createLogger } from '@hub/observability';
import { TenantDb } from '@hub/persistence';
import { OidcClientSeed, RunningOidcIssuer, startOidcIssuer } from '../../../../apps/simulators/src/oidc/oidc-issuer';
import { AUDIENCE, CLIENTS, createTestDatabase, errorCode, getToken, gql, ok, RunningApi, startApi, testConfig, TestDatabase } from '../../../../test/support/api-helpers';
import { insertLetters } from '../../../../test/support/letters';

jest.setTimeout(60_000);

const OTHER_ADMIN: OidcClientSeed = { clientId: 'annan-admin-app', clientSecret: 'test-secret-0123456789', tenant: 'annan-kommun', roles: ['tenant-admin'] };

let db: TestDatabase;
let issuer: RunningOidcIssuer;
let api: RunningApi;
let tenantDb: TenantDb;
const tokens: Record<'admin' | 'officer' | 'caseSystem' | 'otherCaseSystem' | 'otherAdmin', string> = {} as never;

beforeAll(async () => {
  db = await createTestDatabase('notifications-api');
  issuer = await startOidcIssuer({ port: 0, issuerPath: '/realms/dispatch-hub', audience: AUDIENCE, clients: [...Object.values(CLIENTS), OTHER_ADMIN] });
  api = await startApi(testConfig(db, issuer, { PAGE_SIZE_MAX: '5' }), { reachability: null });
  tenantDb = new TenantDb(await db.appOrm());
  tokens.admin = await getToken(issuer, 'demoAdmin');
  tokens.officer = await getToken(issuer, 'demoOfficer');
  tokens.caseSystem = await getToken(issuer, 'demoCaseSystem');
  tokens.otherCaseSystem = await getToken(issuer, 'otherCaseSystem');
  tokens.otherAdmin = await getToken(issuer, OTHER_ADMIN);
});

afterAll(async () => {
  await api?.close();
  await issuer?.close();
  await db?.drop();
});

const WEBHOOK_FIELDS = 'id url description events active createdBy secretRotatedAt previousSecretValidUntil pendingDeliveries deadLetters';
const CREATE = `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { ${WEBHOOK_FIELDS} } } }`;
const LIST = `{ webhooks { ${WEBHOOK_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateWebhookInput!) { updateWebhook(id: $id, input: $input) { ${WEBHOOK_FIELDS} } }`;
const ROTATE = `mutation($id: ID!, $hours: Int) { rotateWebhookSecret(id: $id, previousSecretValidHours: $hours) { secret webhook { id previousSecretValidUntil } } }`;
const DELETE = `mutation($id: ID!) { deleteWebhook(id: $id) }`;
const DELIVERY_FIELDS = 'id webhookId eventId eventType letterId status attempts totalAttempts replays lastStatusCode lastError deadAt';
const DELIVERIES = `query($id: ID!, $status: WebhookDeliveryStatus, $first: Int, $after: String) {
  webhookDeliveries(webhookId: $id, status: $status, first: $first, after: $after) { edges { cursor node { ${DELIVERY_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const DEAD = `query($id: ID) { deadLetters(webhookId: $id) { edges { node { ${DELIVERY_FIELDS} } } } }`;
const REPLAY = `mutation($id: ID!) { replayDeadLetter(id: $id) { ${DELIVERY_FIELDS} } }`;
const FEED = `query($after: String, $first: Int, $types: [String!]) {
  letterEvents(after: $after, first: $first, types: $types) {
    edges { cursor node { id type occurredAt recordedAt tenant letterId caseReference caseType sendingUnit protectionClass status channel reason subject details } }
    pageInfo { hasNextPage endCursor } } }`;

type WebhookData = { id: string; url: string; events: string[]; active: boolean; deadLetters: number; pendingDeliveries: number; previousSecretValidUntil: string | null };

const audit = (target: string) => db.ownerQuery<{ actor: string; action: string }>(`select actor, action from audit_log where target = $1 order by seq`, [target]);

/** A letter event as the dispatch writes it, settled (older than the feed's settle time). */
async function logEvent(letterId: string, type: string, toStatus: string, tenantId = db.demo.tenantId): Promise<string> {
  const [row] = await db.ownerQuery<{ id: string }>(
    `insert into letter_event (tenant_id, letter_id, type, to_status, detail, created_at) values ($1, $2, $3, $4, '{}', now() - interval '1 minute') returning id::text`,
    [tenantId, letterId, type, toStatus],
  );
  return row.id;
}

describe('webhook subscriptions (tenant admins)', () => {
  it('creates (secret once), lists, changes, rotates and deletes a subscription, each change audited', async () => {
    const created = ok(await gql<{ createWebhook: { secret: string; webhook: WebhookData } }>(api.graphqlUrl, tokens.admin, CREATE, {
      input: { url: 'https://arende.demo.se/hub', events: ['letter.delivered', 'letter.returned'], description: 'Ärendesystemet' },
    })).createWebhook;
    expect(created.secret).toMatch(/^whsec_/);
    const id = created.webhook.id;
    expect(created.webhook).toMatchObject({ url: 'https://arende.demo.se/hub', events: ['letter.delivered', 'letter.returned'], active: true, createdBy: CLIENTS.demoAdmin.clientId, deadLetters: 0 });
    const listed = await gql(api.graphqlUrl, tokens.admin, LIST);
    expect(ok(listed as never)).toMatchObject({ webhooks: [expect.objectContaining({ id })] });
    expect(JSON.stringify(listed)).not.toContain(created.secret);

    const updated = ok(await gql<{ updateWebhook: WebhookData }>(api.graphqlUrl, tokens.admin, UPDATE, { id, input: { active: false, events: ['letter.held'] } })).updateWebhook;
    expect(updated).toMatchObject({ active: false, events: ['letter.held'], url: 'https://arende.demo.se/hub' });
    const rotated = ok(await gql<{ rotateWebhookSecret: { secret: string; webhook: WebhookData } }>(api.graphqlUrl, tokens.admin, ROTATE, { id, hours: 2 })).rotateWebhookSecret;
    expect(rotated.secret).not.toBe(created.secret);
    expect(new Date(rotated.webhook.previousSecretValidUntil!).getTime()).toBeGreaterThan(Date.now() + 3600_000);
    expect(ok(await gql(api.graphqlUrl, tokens.admin, DELETE, { id }))).toEqual({ deleteWebhook: true });
    expect(errorCode(await gql(api.graphqlUrl, tokens.admin, DELETE, { id }))).toBe('NOT_FOUND');

    expect(await audit(`webhook:${id}`)).toEqual(
      ['webhook.create', 'webhook.update', 'webhook.rotateSecret', 'webhook.delete'].map((action) => ({ actor: CLIENTS.demoAdmin.clientId, action })),
    );
  });

  it('refuses bad input with VALIDATION_FAILED and the path of each bad field', async () => {
    const r = await gql(api.graphqlUrl, tokens.admin, CREATE, { input: { url: 'http://arende.demo.se/hub', events: ['letter.delivered', 'letter.read'] } });
    expect(errorCode(r)).toBe('VALIDATION_FAILED');
    expect(r.errors![0].extensions!.fields!.map((f) => [f.path, f.rule])).toEqual([
      ['url', 'url'],
      ['events[1]', 'enum'],
    ]);
    expect(r.errors![0].message).toMatch(/url uses http; webhooks are sent over https only/);
    const rotate = await gql(api.graphqlUrl, tokens.admin, ROTATE, { id: '00000000-0000-4000-8000-000000000000', hours: 500 });
    expect(errorCode(rotate)).toBe('VALIDATION_FAILED');
  });

  it('is for tenant admins only: officers and case systems are refused every field', async () => {
    const { createWebhook } = ok(await gql<{ createWebhook: { webhook: WebhookData } }>(api.graphqlUrl, tokens.admin, CREATE, { input: { url: 'https://x.demo.se/h', events: ['letter.held'] } }));
    const id = createWebhook.webhook.id;
    const operations: [string, Record<string, unknown>][] = [
      [LIST, {}],
      [CREATE, { input: { url: 'https://evil.example/h', events: ['letter.held'] } }],
      [UPDATE, { id, input: { url: 'https://evil.example/h' } }],
      [ROTATE, { id }],
      [DELETE, { id }],
      [DELIVERIES, { id }],
      [DEAD, {}],
      [REPLAY, { id: '1' }],
    ];
    for (const token of [tokens.officer, tokens.caseSystem]) {
      for (const [query, variables] of operations) {
        const r = await gql(api.graphqlUrl, token, query, variables);
        expect({ query: query.slice(0, 40), code: errorCode(r) }).toEqual({ query: query.slice(0, 40), code: 'FORBIDDEN' });
      }
    }
    expect((await db.ownerQuery<{ url: string }>(`select url from webhook_subscription where id = $1`, [id]))[0].url).toBe('https://x.demo.se/h');
    expect(await db.ownerQuery(`select 1 from webhook_subscription where url like 'https://evil%'`)).toEqual([]);
  });

  it('shows another municipality’s admin none of them and lets it change none', async () => {
    const { createWebhook } = ok(await gql<{ createWebhook: { webhook: WebhookData } }>(api.graphqlUrl, tokens.admin, CREATE, { input: { url: 'https://y.demo.se/h', events: ['letter.held'] } }));
    const id = createWebhook.webhook.id;
    expect(ok(await gql<{ webhooks: WebhookData[] }>(api.graphqlUrl, tokens.otherAdmin, LIST)).webhooks).toEqual([]);
    for (const [query, variables] of [
      [UPDATE, { id, input: { active: false } }],
      [ROTATE, { id }],
      [DELETE, { id }],
      [DELIVERIES, { id }],
    ] as const) {
      expect(errorCode(await gql(api.graphqlUrl, tokens.otherAdmin, query, variables))).toBe('NOT_FOUND');
    }
    expect((await db.ownerQuery<{ active: boolean }>(`select active from webhook_subscription where id = $1`, [id]))[0].active).toBe(true);
  });
});

describe('deliveries and dead letters (tenant admins)', () => {
  it('lists deliveries, shows dead letters and replays one, audited; the secret given once is the one the worker signs with', async () => {
    // A receiver that fails first, then verifies signatures with the secret the API returned.
    const { createServer } = await import('node:http');
    const { verifyWebhookSignature } = await import('@hub/notifications');
    let secret = '';
    let failing = true;
    const verified: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (failing) return res.writeHead(503).end();
        const check = verifyWebhookSignature(secret, req.headers['x-hub-signature'] as string, Buffer.concat(chunks));
        if (check.ok) verified.push(req.headers['x-hub-event-id'] as string);
        res.writeHead(check.ok ? 204 : 401).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hub`;
    const created = ok(await gql<{ createWebhook: { secret: string; webhook: WebhookData } }>(api.graphqlUrl, tokens.admin, CREATE, { input: { url, events: ['letter.held'] } })).createWebhook;
    secret = created.secret;
    const id = created.webhook.id;

    // Earlier tests' subscriptions point at hosts that do not exist: pause them.
    await db.ownerQuery(`update webhook_subscription set active = false where id <> $1`, [id]);
    const worker = startWebhookWorker({
      db: tenantDb,
      vault: new KeyVault(db.masterKey),
      log: createLogger('t', process.env.TEST_LOG_LEVEL ?? 'silent'),
      pollMs: 20,
      settleMs: 0,
      allowHttpLocalhost: true,
      timeoutMs: 2000,
      retryBaseMs: 50,
      retryMaxMs: 100,
      retryWindowMs: 400,
    });
    try {
      const [letter] = await insertLetters(tenantDb, db, [{ recipientId: '198101032384' }], { enqueue: false });
      const [e] = await db.ownerQuery<{ id: string }>(`insert into letter_event (tenant_id, letter_id, type, to_status) values ($1, $2, 'HELD', 'HELD') returning id::text`, [db.demo.tenantId, letter]);
      const until = async (check: () => Promise<boolean>) => {
        const deadline = Date.now() + 15_000;
        while (!(await check())) {
          if (Date.now() > deadline) throw new Error('timed out');
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await until(async () => (await db.ownerQuery(`select 1 from webhook_delivery where subscription_id = $1 and status = 'DEAD'`, [id])).length === 1);

      const dead = ok(await gql<{ deadLetters: { edges: { node: { id: string; eventId: string; status: string; lastStatusCode: number; lastError: string } }[] } }>(api.graphqlUrl, tokens.admin, DEAD, { id })).deadLetters.edges;
      expect(dead.map((d) => d.node)).toEqual([expect.objectContaining({ eventId: e.id, status: 'DEAD', lastStatusCode: 503, lastError: 'answered HTTP 503' })]);
      const listed = ok(await gql<{ webhookDeliveries: { edges: { node: { id: string } }[] } }>(api.graphqlUrl, tokens.admin, DELIVERIES, { id, status: 'DEAD' })).webhookDeliveries.edges;
      expect(listed.map((d) => d.node.id)).toEqual([dead[0].node.id]);

      failing = false;
      const replayed = ok(await gql<{ replayDeadLetter: { status: string; replays: number } }>(api.graphqlUrl, tokens.admin, REPLAY, { id: dead[0].node.id })).replayDeadLetter;
      expect(replayed).toMatchObject({ status: 'PENDING', replays: 1 });
      await until(async () => verified.length === 1);
      expect(verified).toEqual([e.id]);
      expect(ok(await gql<{ webhookDeliveries: { edges: { node: { status: string } }[] } }>(api.graphqlUrl, tokens.admin, DELIVERIES, { id })).webhookDeliveries.edges.map((d) => d.node.status)).toEqual(['DELIVERED']);
      expect(await audit(`webhookDelivery:${dead[0].node.id}`)).toEqual([{ actor: CLIENTS.demoAdmin.clientId, action: 'webhookDelivery.replay' }]);
      expect(errorCode(await gql(api.graphqlUrl, tokens.admin, REPLAY, { id: dead[0].node.id }))).toBe('BAD_USER_INPUT');
    } finally {
      await worker.stop();
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('the letter event feed', () => {
  it('pages in order with an opaque cursor, within the caller’s municipality and sending unit', async () => {
    const [bygg, social] = await insertLetters(tenantDb, db, [{ recipientId: '198101032384' }, { recipientId: '198101032384', unit: 'social' }], { enqueue: false });
    const [other] = await insertLetters(tenantDb, db, [{ recipientId: '198101032384', sendingUnitId: db.other.unitId }], { enqueue: false, tenantId: db.other.tenantId });
    const ids = [
      await logEvent(bygg, 'ROUTED_TO_PRINT', 'PRINT_PENDING'),
      await logEvent(social, 'NOT_REACHABLE', 'ROUTING'),
      await logEvent(bygg, 'SIGNED', 'SIGNED'),
      await logEvent(other, 'DELIVERED', 'DELIVERED', db.other.tenantId),
      await logEvent(bygg, 'PRINTED', 'PRINTED'),
      await logEvent(social, 'HELD', 'HELD'),
      await logEvent(bygg, 'POSTED', 'POSTED'),
    ];
    type Feed = { letterEvents: { edges: { cursor: string; node: { id: string; type: string; letterId: string; sendingUnit: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    // Other tests' letters have events too: look at this test's letters.
    const mine = new Set([bygg, social, other]);
    const readAll = async (token: string) => {
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: Feed['letterEvents'] = ok(await gql<Feed>(api.graphqlUrl, token, FEED, { after, first: 2 })).letterEvents;
        seen.push(...page.edges.filter((e) => mine.has(e.node.letterId)).map((e) => `${e.node.id}:${e.node.type}:${e.node.sendingUnit}`));
        after = page.pageInfo.endCursor;
        if (!page.pageInfo.hasNextPage) return { seen, after };
      }
    };
    // The officer sees the whole municipality; the demo case system is bound to bygg.
    const officer = await readAll(tokens.officer);
    expect(officer.seen).toEqual([`${ids[0]}:letter.routed_to_print:bygg`, `${ids[1]}:letter.not_reachable:social`, `${ids[4]}:letter.printed:bygg`, `${ids[5]}:letter.held:social`, `${ids[6]}:letter.posted:bygg`]);
    expect((await readAll(tokens.caseSystem)).seen).toEqual([`${ids[0]}:letter.routed_to_print:bygg`, `${ids[4]}:letter.printed:bygg`, `${ids[6]}:letter.posted:bygg`]);
    expect((await readAll(tokens.admin)).seen).toEqual(officer.seen);
    expect((await readAll(tokens.otherCaseSystem)).seen).toEqual([`${ids[3]}:letter.delivered:bygg`]);
    // From the last cursor: nothing new, the same cursor back; then the next event.
    const again = ok(await gql<Feed>(api.graphqlUrl, tokens.officer, FEED, { after: officer.after })).letterEvents;
    expect(again).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: officer.after } });
    const next = await logEvent(social, 'CANCELLED', 'CANCELLED');
    expect(ok(await gql<Feed>(api.graphqlUrl, tokens.officer, FEED, { after: officer.after, types: ['letter.cancelled'] })).letterEvents.edges.map((e) => e.node.id)).toEqual([next]);
  });

  it('refuses a page above PAGE_SIZE_MAX, a bad cursor and an unknown type with their codes', async () => {
    expect(errorCode(await gql(api.graphqlUrl, tokens.officer, FEED, { first: 6 }))).toBe('PAGE_SIZE_EXCEEDED');
    expect(errorCode(await gql(api.graphqlUrl, tokens.officer, FEED, { after: 'nonsense' }))).toBe('BAD_USER_INPUT');
    const bad = await gql(api.graphqlUrl, tokens.officer, FEED, { types: ['letter.opened'] });
    expect(errorCode(bad)).toBe('VALIDATION_FAILED');
    expect(bad.errors![0].extensions!.fields).toEqual([expect.objectContaining({ path: 'types[0]', rule: 'enum' })]);
  });
});
