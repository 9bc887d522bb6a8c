/**
 * Authentication and authorisation of the API with real tokens from the local OIDC issuer: missing,
 * expired, tampered, for another audience, from another issuer, of a municipality that is not a
 * tenant, of an unregistered case system, of a role that may not use the API.
 */
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { getNamedType, GraphQLInputType, GraphQLSchema, isEnumType, isInputObjectType, isListType, isNonNullType, isObjectType, isScalarType, lexicographicSortSchema, printSchema } from 'graphql';
import { printApiSchema } from '@hub/api-graphql';
import type { RunningOidcIssuer } from '../apps/simulators/src/oidc/oidc-issuer';
import { createTestDatabase, errorCode, getToken, gql, ok, RunningApi, startApi, startTestIssuer, testConfig, TestDatabase } from './support/api-helpers';

// Real processes and a real database on a shared machine: seconds, not milliseconds.
jest.setTimeout(60_000);

let db: TestDatabase;
let issuer: RunningOidcIssuer;
let otherIssuer: RunningOidcIssuer;
let api: RunningApi;
let apiForOtherAudience: RunningApi;
let letterA: string;

const SUBMIT = `mutation($input: LetterInput!) { submitLetter(input: $input) { id } }`;
const LETTERS = `{ letters(first: 1) { edges { node { id } } } }`;
const input = { recipient: '198101032384', subject: 'Beslut', body: { text: 'Hej' }, protectionClass: 1 };

beforeAll(async () => {
  [db, issuer, otherIssuer] = await Promise.all([createTestDatabase('auth'), startTestIssuer(), startTestIssuer()]);
  [api, apiForOtherAudience] = await Promise.all([
    startApi(testConfig(db, issuer), { reachability: null }),
    startApi(testConfig(db, issuer, { OIDC_AUDIENCE: 'another-api' }), { reachability: null }),
  ]);
  letterA = ok(await gql<{ submitLetter: { id: string } }>(api.graphqlUrl, await getToken(issuer, 'demoCaseSystem'), SUBMIT, { input })).submitLetter.id;
});

afterAll(async () => {
  await Promise.all([api?.close(), apiForOtherAudience?.close()]);
  await Promise.all([issuer?.close(), otherIssuer?.close()]);
  await db?.drop();
});

/** A syntactically valid value of an input type, so that a request reaches the resolver's guard. */
function sample(type: GraphQLInputType): string {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return `[${sample(type.ofType)}]`;
  if (isInputObjectType(type)) {
    const required = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return `{ ${required.map((f) => `${f.name}: ${sample(f.type)}`).join(', ')} }`;
  }
  if (isEnumType(type)) return type.getValues()[0].name;
  if (isScalarType(type)) return ({ Int: '1', Float: '1.5', Boolean: 'true' } as Record<string, string>)[type.name] ?? '"x"';
  return 'null';
}

/** One operation per root field of the running API's schema, with every required argument filled. */
function everyRootField(schema: GraphQLSchema): { field: string; query: string }[] {
  return (
    [
      ['query', schema.getQueryType()],
      ['mutation', schema.getMutationType()],
    ] as const
  ).flatMap(([kind, type]) =>
    Object.values(type?.getFields() ?? {}).map((f) => {
      const args = f.args.filter((a) => isNonNullType(a.type)).map((a) => `${a.name}: ${sample(a.type)}`);
      const selection = isObjectType(getNamedType(f.type)) ? ' { __typename }' : '';
      return { field: `${kind} ${f.name}`, query: `${kind} { ${f.name}${args.length ? `(${args.join(', ')})` : ''}${selection} }` };
    }),
  );
}

it('serves exactly the schema the guard-coverage test checks (built from API_RESOLVERS)', async () => {
  expect(printSchema(lexicographicSortSchema(api.app.get(GraphQLSchemaHost).schema))).toBe(await printApiSchema());
});

describe('without a valid token', () => {
  it('refuses every root field of the schema with UNAUTHENTICATED', async () => {
    const operations = everyRootField(api.app.get(GraphQLSchemaHost).schema);
    expect(operations.map((o) => o.field)).toEqual(expect.arrayContaining(['query letter', 'query letters', 'query checkReachability', 'mutation submitLetter', 'mutation submitLetters', 'mutation cancelLetter']));
    for (const op of operations) {
      const r = await gql(api.graphqlUrl, undefined, op.query);
      expect({ field: op.field, code: errorCode(r), data: r.data }).toEqual({ field: op.field, code: 'UNAUTHENTICATED', data: null });
      expect(r.errors![0].message).toMatch(/Authorization: Bearer/);
    }
  });

  it('refuses a malformed Authorization header', async () => {
    const r = await gql(api.graphqlUrl, undefined, LETTERS, {}, { authorization: 'Basic ZGVtbzpkZW1v' });
    expect(errorCode(r)).toBe('UNAUTHENTICATED');
    expect(r.errors![0].message).toMatch(/Basic scheme/);
  });

  it('refuses an expired token', async () => {
    const token = await getToken(issuer, 'shortLived');
    expect(errorCode(await gql(api.graphqlUrl, token, LETTERS))).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const r = await gql(api.graphqlUrl, token, LETTERS);
    expect(errorCode(r)).toBe('UNAUTHENTICATED');
    expect(r.errors![0].message).toMatch(/expired/);
    expect(r.errors![0].extensions!.reason).toBe('expired');
  });

  it('refuses a token for another audience', async () => {
    const r = await gql(apiForOtherAudience.graphqlUrl, await getToken(issuer, 'demoCaseSystem'), LETTERS);
    expect(errorCode(r)).toBe('UNAUTHENTICATED');
    expect(r.errors![0].message).toMatch(/not for this API \(another-api\)/);
  });

  it('refuses a token from another issuer (same clients, same claims, other keys)', async () => {
    const r = await gql(api.graphqlUrl, await getToken(otherIssuer, 'demoCaseSystem'), LETTERS);
    expect(errorCode(r)).toBe('UNAUTHENTICATED');
    expect(r.errors![0].extensions!.reason).toBe('wrong-issuer');
  });

  it('refuses a token whose claims were altered', async () => {
    const token = await getToken(issuer, 'otherCaseSystem');
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    claims.organization = ['demo-kommun'];
    const forged = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    const r = await gql(api.graphqlUrl, forged, `query($id: ID!) { letter(id: $id) { id } }`, { id: letterA });
    expect(errorCode(r)).toBe('UNAUTHENTICATED');
    expect(r.errors![0].extensions!.reason).toBe('bad-signature');
  });
});

describe('with a valid token that may not do this', () => {
  it('refuses a role that may not use the letters API (FORBIDDEN, naming the roles)', async () => {
    const r = await gql(api.graphqlUrl, await getToken(issuer, 'printVendor'), LETTERS);
    expect(errorCode(r)).toBe('FORBIDDEN');
    expect(r.errors![0].message).toMatch(/requires one of the roles case-system, case-officer, tenant-admin; the token carries print-vendor/);
  });

  it('refuses a token that names no municipality', async () => {
    const r = await gql(api.graphqlUrl, await getToken(issuer, 'noTenant'), LETTERS);
    expect(errorCode(r)).toBe('FORBIDDEN');
    expect(r.errors![0].message).toMatch(/names no organisation/);
  });

  it('refuses a token of a municipality that is not a tenant', async () => {
    const r = await gql(api.graphqlUrl, await getToken(issuer, 'unknownTenant'), LETTERS);
    expect(errorCode(r)).toBe('FORBIDDEN');
    expect(r.errors![0].message).toMatch(/"ingen-kommun" in your token is not a tenant/);
  });

  it('refuses a case system that is not registered as an API client of its municipality', async () => {
    const r = await gql(api.graphqlUrl, await getToken(issuer, 'unregisteredCaseSystem'), SUBMIT, { input });
    expect(errorCode(r)).toBe('FORBIDDEN');
    expect(r.errors![0].message).toMatch(/"rogue-case-system" is not registered as an API client of Demo kommun/);
  });

  it('lets another municipality\'s token neither read nor cancel the letter (NOT_FOUND)', async () => {
    const token = await getToken(issuer, 'otherCaseSystem');
    expect(errorCode(await gql(api.graphqlUrl, token, `query($id: ID!) { letter(id: $id) { id } }`, { id: letterA }))).toBe('NOT_FOUND');
    expect(errorCode(await gql(api.graphqlUrl, token, `mutation($id: ID!) { cancelLetter(id: $id) { id } }`, { id: letterA }))).toBe('NOT_FOUND');
  });

  it('lets an officer and an admin of the municipality read it', async () => {
    for (const client of ['demoOfficer', 'demoAdmin'] as const) {
      const r = ok(await gql<{ letter: { id: string } }>(api.graphqlUrl, await getToken(issuer, client), `query($id: ID!) { letter(id: $id) { id } }`, { id: letterA }));
      expect(r.letter.id).toBe(letterA);
    }
  });
});
