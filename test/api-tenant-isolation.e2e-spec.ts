/**
 * One municipality cannot see or change another's data: through the API (tenant B's token against
 * tenant A's letter) and, as the backstop, through the API's own database connection in B's tenant
 * scope (row-level security), table by table.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '@hub/api-graphql';
import type { TenantDb } from '@hub/persistence';
import type { RunningOidcIssuer } from '../apps/simulators/src/oidc/oidc-issuer';
import { createTestDatabase, errorCode, getToken, gql, ok, ownerQuery, RunningApi, startApi, startTestIssuer, testConfig, TestDatabase, tinyPdf } from './support/api-helpers';

// Real processes and a real database on a shared machine: seconds, not milliseconds.
jest.setTimeout(60_000);

let db: TestDatabase;
let issuer: RunningOidcIssuer;
let api: RunningApi;
let tokenA: string;
let tokenB: string;
let letterA: string;
let letterB: string;
let appDb: TenantDb;
let A: string;
let B: string;

const SUBMIT = `mutation($input: LetterInput!) { submitLetter(input: $input) { id } }`;
const letterInput = (over: Record<string, unknown> = {}) => ({
  recipient: '198101032384',
  subject: 'Beslut',
  body: { text: 'Hej' },
  protectionClass: 1,
  idempotencyKey: 'same-key-in-both-municipalities',
  attachments: [{ filename: 'beslut.pdf', contentBase64: tinyPdf().toString('base64') }],
  ...over,
});

beforeAll(async () => {
  [db, issuer] = await Promise.all([createTestDatabase('isolation'), startTestIssuer()]);
  api = await startApi(testConfig(db, issuer), { reachability: null });
  [tokenA, tokenB] = await Promise.all([getToken(issuer, 'demoCaseSystem'), getToken(issuer, 'otherCaseSystem')]);
  letterA = ok(await gql<{ submitLetter: { id: string } }>(api.graphqlUrl, tokenA, SUBMIT, { input: letterInput() })).submitLetter.id;
  letterB = ok(await gql<{ submitLetter: { id: string } }>(api.graphqlUrl, tokenB, SUBMIT, { input: letterInput() })).submitLetter.id;
  // The very connection pool the API uses (application role: no ownership, no BYPASSRLS).
  appDb = api.app.get<ApiGraphqlOptions>(API_GRAPHQL_OPTIONS).tenantDb;
  A = db.demo.tenantId;
  B = db.other.tenantId;
});

afterAll(async () => {
  await api?.close();
  await issuer?.close();
  await db?.drop();
});

describe('through the API', () => {
  it('scopes idempotency keys per municipality: the same key made two letters', () => {
    expect(letterB).not.toBe(letterA);
  });

  it('answers NOT_FOUND when B reads A\'s letter, and lists none of A\'s letters to B', async () => {
    const read = await gql(api.graphqlUrl, tokenB, `query($id: ID!) { letter(id: $id) { id subject } }`, { id: letterA });
    expect(errorCode(read)).toBe('NOT_FOUND');
    expect(read.errors![0].message).not.toMatch(/Beslut/);
    const list = ok(await gql<{ letters: { edges: { node: { id: string } }[] } }>(api.graphqlUrl, tokenB, `{ letters(first: 200) { edges { node { id } } } }`));
    expect(list.letters.edges.map((e) => e.node.id)).toEqual([letterB]);
    const byRecipient = ok(await gql<{ letters: { totalCount: number } }>(api.graphqlUrl, tokenB, `{ letters(filter: { recipient: "198101032384" }) { totalCount } }`));
    expect(byRecipient.letters.totalCount).toBe(1);
  });

  it('answers NOT_FOUND when B cancels A\'s letter, and A\'s letter stays as it was', async () => {
    const cancel = await gql(api.graphqlUrl, tokenB, `mutation($id: ID!) { cancelLetter(id: $id) { id status } }`, { id: letterA });
    expect(errorCode(cancel)).toBe('NOT_FOUND');
    expect(await ownerQuery(db, 'select status from letter where id = $1', [letterA])).toEqual([{ status: 'ACCEPTED' }]);
    expect(await ownerQuery(db, `select count(*)::int as n from letter_event where letter_id = $1`, [letterA])).toEqual([{ n: 1 }]);
  });

  it('does not let B send as one of A\'s sending units', async () => {
    const r = await gql(api.graphqlUrl, tokenB, SUBMIT, { input: letterInput({ sendingUnit: 'social', idempotencyKey: null }) });
    expect(errorCode(r)).toBe('VALIDATION_FAILED');
    expect(r.errors![0].extensions!.fields![0]).toMatchObject({ path: 'sendingUnit', rule: 'unknown' });
  });
});

// Each tenant table: the column that names the tenant and an update that would change A's rows.
const TABLES: { table: string; column: string; update: string }[] = [
  { table: 'tenant', column: 'id', update: `update tenant set name = 'changed by B' where id = ?` },
  { table: 'sending_unit', column: 'tenant_id', update: `update sending_unit set name = 'changed by B' where tenant_id = ?` },
  { table: 'api_client', column: 'tenant_id', update: `update api_client set revoked_at = now() where tenant_id = ?` },
  { table: 'letter', column: 'tenant_id', update: `update letter set subject = 'changed by B', status = 'CANCELLED' where tenant_id = ?` },
  { table: 'letter_attachment', column: 'tenant_id', update: `update letter_attachment set filename = 'changed-by-b.pdf' where tenant_id = ?` },
  { table: 'letter_event', column: 'tenant_id', update: `update letter_event set type = 'CHANGED_BY_B' where tenant_id = ?` },
  { table: 'outbox', column: 'tenant_id', update: `update outbox set dispatched_at = now() where tenant_id = ?` },
];

/** Runs raw SQL (`?` placeholders) through the API's pool in a tenant transaction; returns rows, or the PostgreSQL error code. */
async function asTenant(tenantId: string, text: string, params: unknown[]): Promise<{ rows?: Record<string, unknown>[]; affected?: number; error?: string }> {
  try {
    return await appDb.inTenant(tenantId, async (em: EntityManager) => {
      const r = await em.getConnection().execute<{ affectedRows: number; rows: Record<string, unknown>[] }>(text, params, 'run', em.getTransactionContext());
      return { rows: r.rows, affected: r.affectedRows };
    });
  } catch (e) {
    return { error: (e as { code?: string }).code ?? (e as Error).message };
  }
}

/** A fingerprint of A's rows in a table, read as the owner (no row-level security). */
async function rowsOfA(table: string, column: string): Promise<string> {
  const rows = await ownerQuery(db, `select to_jsonb(t) as row from ${table} t where ${column} = $1 order by 1::text`, [A]);
  return JSON.stringify(rows);
}

describe.each(TABLES)('through the API\'s database connection, in B\'s tenant scope: $table', ({ table, column, update }) => {
  it('reads none of A\'s rows, only B\'s', async () => {
    expect(JSON.parse(await rowsOfA(table, column))).not.toHaveLength(0);
    const mine = await asTenant(B, `select ${column}::text as owner from ${table}`, []);
    expect(mine.error).toBeUndefined();
    expect(mine.rows!.length).toBeGreaterThan(0);
    expect(new Set(mine.rows!.map((r) => r.owner))).toEqual(new Set([B]));
    const theirs = await asTenant(B, `select count(*)::int as n from ${table} where ${column} = ?`, [A]);
    expect(theirs.rows).toEqual([{ n: 0 }]);
    // The same query in A's own scope does find A's rows: the zero above is isolation, not an empty table.
    const own = await asTenant(A, `select count(*)::int as n from ${table} where ${column} = ?`, [A]);
    expect(own.rows![0].n).toBeGreaterThan(0);
    // Without any tenant scope the table shows nothing at all.
    const none = await appDb.withoutTenant((em) => em.execute<{ n: number }[]>(`select count(*)::int as n from ${table}`));
    expect(none).toEqual([{ n: 0 }]);
  });

  it('changes none of A\'s rows', async () => {
    const before = await rowsOfA(table, column);
    const r = await asTenant(B, update, [A]);
    // Either row-level security hides A's rows (nothing updated), or the role may not update the table at all.
    if (r.error) expect(r.error).toBe('42501');
    else expect(r.affected).toBe(0);
    expect(await rowsOfA(table, column)).toBe(before);
  });
});

describe('writes into A from B\'s scope', () => {
  it('are refused by the row-level security policy', async () => {
    const r = await asTenant(B, `insert into outbox (tenant_id, job, payload) values (?, 'dispatch-letter', '{}')`, [A]);
    expect(r.error).toBe('42501');
    const d = await asTenant(B, `delete from letter_attachment where tenant_id = ?`, [A]);
    expect(d.affected).toBe(0);
    expect(await ownerQuery(db, 'select count(*)::int as n from letter_attachment where tenant_id = $1', [A])).toEqual([{ n: 1 }]);
  });
});
