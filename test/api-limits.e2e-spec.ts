/**
 * The API's limits and its HTTP surface: query depth and complexity, request size, bulk size, page
 * size, GraphQL request errors, INTERNAL errors with an errorId that is also in the log, the request
 * log line (request id in and out, tenant id), /health and /metrics.
 */
import { Writable } from 'node:stream';
import type { RunningOidcIssuer } from '../apps/simulators/src/oidc/oidc-issuer';
import { createLogger } from '@hub/observability';
import { createTestDatabase, errorCode, getToken, gql, ok, ownerQuery, RunningApi, startApi, startTestIssuer, testConfig, TestDatabase } from './support/api-helpers';

// Real processes and a real database on a shared machine: seconds, not milliseconds.
jest.setTimeout(60_000);

let db: TestDatabase;
let issuer: RunningOidcIssuer;
let api: RunningApi;
let token: string;
const logLines: Record<string, unknown>[] = [];

const LIMITS = { GRAPHQL_MAX_DEPTH: '4', GRAPHQL_MAX_COMPLEXITY: '50', REQUEST_MAX_BYTES: '65536', BULK_MAX_LETTERS: '5', PAGE_SIZE_MAX: '10' };
const input = (i = 0) => ({ recipient: '198101032384', subject: `Beslut ${i}`, body: { text: 'Hej' }, protectionClass: 1 });
const SUBMIT = `mutation($input: LetterInput!) { submitLetter(input: $input) { id } }`;

beforeAll(async () => {
  [db, issuer] = await Promise.all([createTestDatabase('limits'), startTestIssuer()]);
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  api = await startApi(testConfig(db, issuer, LIMITS), { reachability: null, logger: createLogger('api', 'info', sink) });
  token = await getToken(issuer, 'demoCaseSystem');
  for (let i = 0; i < 3; i++) ok(await gql(api.graphqlUrl, token, SUBMIT, { input: input(i) }));
});

afterAll(async () => {
  await api?.close();
  await issuer?.close();
  await db?.drop();
});

describe('query limits', () => {
  it('refuses a query deeper than GRAPHQL_MAX_DEPTH', async () => {
    const r = await gql(api.graphqlUrl, token, `{ letters(first: 1) { edges { node { events { type } } } } }`);
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors![0].message).toMatch(/5 levels deep; at most 4/);
    ok(await gql(api.graphqlUrl, token, `{ letters(first: 1) { edges { node { id } } } }`));
  });

  it('refuses a query more complex than GRAPHQL_MAX_COMPLEXITY, counting the page size from the variables', async () => {
    const query = `query($n: Int) { letters(first: $n) { edges { node { id status subject recipient caseReference createdAt updatedAt } } } }`;
    const refused = await gql(api.graphqlUrl, token, query, { n: 10 });
    expect(errorCode(refused)).toBe('QUERY_TOO_COMPLEX');
    expect(refused.errors![0].message).toMatch(/complexity is \d+; at most 50/);
    ok(await gql(api.graphqlUrl, token, query, { n: 2 }));
  });

  it('caps the page size with PAGE_SIZE_EXCEEDED', async () => {
    const r = await gql(api.graphqlUrl, token, `{ letters(first: 11) { edges { node { id } } } }`);
    expect(errorCode(r)).toBe('PAGE_SIZE_EXCEEDED');
    expect(r.errors![0].message).toMatch(/first is 11; at most 10/);
    // Without `first`, the page is the default or PAGE_SIZE_MAX, whichever is smaller.
    ok(await gql(api.graphqlUrl, token, `{ letters { edges { node { id } } } }`));
  });

  it('refuses a bulk larger than BULK_MAX_LETTERS', async () => {
    const r = await gql(api.graphqlUrl, token, `mutation($inputs: [LetterInput!]!) { submitLetters(inputs: $inputs) { accepted } }`, { inputs: [0, 1, 2, 3, 4, 5].map(input) });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toMatch(/6 letters; at most 5 fit in one call: split them/);
  });
});

describe('request errors', () => {
  it('refuses a body larger than REQUEST_MAX_BYTES with 413 in GraphQL\'s shape', async () => {
    const big = { ...input(), body: { text: 'x'.repeat(70_000) } };
    const res = await fetch(api.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: SUBMIT, variables: { input: big } }) });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toMatch(/at most 65536/);
  });

  it('refuses a too large multipart request before reading it', async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: SUBMIT, variables: { input: { ...input(), attachments: [{ filename: 'a.pdf', file: null }] } } }));
    form.set('map', JSON.stringify({ 0: ['variables.input.attachments.0.file'] }));
    form.set('0', new Blob([Buffer.alloc(100_000, 0x25)]), 'a.pdf');
    const res = await fetch(api.graphqlUrl, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' }, body: form });
    expect(res.status).toBe(413);
    // Chunked (no Content-Length) multipart is refused outright: its size could not be bounded up front.
    const body = new Response(form).body!;
    const chunked = await fetch(api.graphqlUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true', 'content-type': 'multipart/form-data; boundary=x' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(411);
  });

  it('answers BAD_USER_INPUT for JSON it cannot parse, a GraphQL syntax error and an unknown field', async () => {
    const res = await fetch(api.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(api.graphqlUrl, token, '{ letters( }'))).toBe('BAD_USER_INPUT');
    const unknown = await gql(api.graphqlUrl, token, '{ letters { edges { node { secret } } } }');
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0].message).toMatch(/Cannot query field "secret"/);
  });

  it('answers INTERNAL with an errorId that the log line carries, with the request id and the tenant id, and no details', async () => {
    await ownerQuery(db, 'revoke select on letter_event from hub_app');
    try {
      const [{ id }] = await ownerQuery<{ id: string }>(db, 'select id from letter limit 1');
      const r = await gql(api.graphqlUrl, token, `query($id: ID!) { letter(id: $id) { id events { type } } }`, { id }, { 'x-request-id': 'test-internal-1' });
      expect(r.headers.get('x-request-id')).toBe('test-internal-1');
      expect(errorCode(r)).toBe('INTERNAL');
      const errorId = r.errors![0].extensions!.errorId as string;
      expect(errorId).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.errors![0].message).not.toMatch(/permission|letter_event/);
      expect(r.errors![0].message).toContain(errorId);
      const logged = logLines.find((l) => l.errorId === errorId);
      expect(logged).toMatchObject({ level: 50, requestId: 'test-internal-1', tenantId: db.demo.tenantId, msg: 'internal error in a GraphQL request' });
      expect(JSON.stringify(logged)).toMatch(/permission denied/);
    } finally {
      await ownerQuery(db, 'grant select on letter_event to hub_app');
    }
  });
});

describe('HTTP surface', () => {
  it('echoes x-request-id or makes one, and logs one line per request with the tenant id and no personal data', async () => {
    const mine = await gql(api.graphqlUrl, token, SUBMIT, { input: input(9) }, { 'x-request-id': 'case-system-req-42' });
    expect(mine.headers.get('x-request-id')).toBe('case-system-req-42');
    const generated = await gql(api.graphqlUrl, token, '{ letters(first: 1) { edges { node { id } } } }', {}, { 'x-request-id': 'bad id with spaces' });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = logLines.find((l) => l.requestId === 'case-system-req-42' && l.msg === 'request');
    expect(line).toMatchObject({ method: 'POST', path: '/graphql', status: 200, tenantId: db.demo.tenantId });
    expect(JSON.stringify(logLines)).not.toContain('198101032384');
  });

  it('serves /health and /metrics without a token', async () => {
    const health = await fetch(`${api.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', checks: { database: { status: 'ok' }, redis: { status: 'ok' } } });
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/^hub_letters_accepted_total\{mode="single"\} [1-9]/m);
    expect(metrics).toMatch(/^hub_graphql_requests_total\{operation="anonymous",type="mutation",outcome="ok"\} [1-9]/m);
    expect(metrics).toMatch(/^hub_graphql_requests_total\{.*outcome="QUERY_TOO_COMPLEX"\} [1-9]/m);
    expect(metrics).toMatch(/^hub_http_requests_total\{method="POST",route="\/graphql",status="200"\} [1-9]/m);
    expect(metrics).toMatch(/^hub_http_request_duration_seconds_bucket\{le="0.1",method="POST",route="\/graphql"\} \d+/m);
    expect(metrics).toMatch(/^hub_api_process_cpu_seconds_total/m);
  });

  it('reports 503 when Redis is down', async () => {
    const down = await startApi(testConfig(db, issuer, { REDIS_URL: 'redis://127.0.0.1:1' }), { reachability: null });
    try {
      const res = await fetch(`${down.url}/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'down', checks: { database: { status: 'ok' }, redis: { status: 'down' } } });
    } finally {
      await down.close();
    }
  });
});
