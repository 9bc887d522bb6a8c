/**
 * The policies part of the GraphQL schema: the fields exist with the arguments the README documents,
 * and each root field is open to exactly the roles the issue gives it (admins change, the rest read).
 */
import { RESOLVER_NAME_METADATA } from '@nestjs/graphql';
import { GraphQLInputObjectType, GraphQLObjectType, GraphQLSchema } from 'graphql';
import { ROLES_METADATA } from '@hub/auth';
import { LetterResolver } from '../letters/letter.resolver';
import { buildApiSchema } from '../schema-printer';
import { POLICY_RESOLVERS } from '.';

jest.setTimeout(30_000);

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildApiSchema();
});

function rolesOf(cls: { prototype: object }, method: string): string[] {
  const fn = (cls.prototype as Record<string, unknown>)[method] as object;
  expect(Reflect.getMetadata(RESOLVER_NAME_METADATA, fn) ?? method).toBe(method);
  return [...((Reflect.getMetadata(ROLES_METADATA, fn) as string[]) ?? [])].sort();
}

it('lets tenant admins alone change case types and the protection-class policy, and everyone who sends read case types', () => {
  const byMethod = new Map<string, string[]>();
  for (const cls of POLICY_RESOLVERS) {
    for (const m of Object.getOwnPropertyNames(cls.prototype)) if (m !== 'constructor') byMethod.set(m, rolesOf(cls, m));
  }
  const readers = ['case-officer', 'case-system', 'tenant-admin'];
  expect(Object.fromEntries(byMethod)).toEqual({
    caseTypes: readers,
    caseType: readers,
    createCaseType: ['tenant-admin'],
    updateCaseType: ['tenant-admin'],
    archiveCaseType: ['tenant-admin'],
    restoreCaseType: ['tenant-admin'],
    protectionClassPolicy: ['tenant-admin'],
    setProtectionClassPolicy: ['tenant-admin'],
  });
  expect(rolesOf(LetterResolver, 'submitEventMessage')).toEqual(readers);
  expect(rolesOf(LetterResolver, 'submitServiceMessage')).toEqual(readers);
});

it('has the fields and arguments of case types, the policy, event and service messages', () => {
  const query = schema.getQueryType()!.getFields();
  const mutation = schema.getMutationType()!.getFields();
  expect(query.caseTypes.args.map((a) => a.name)).toEqual(['includeArchived']);
  expect(String(query.protectionClassPolicy.type)).toBe('[ProtectionClassRule!]!');
  expect(mutation.updateCaseType.args.map((a) => `${a.name}:${String(a.type)}`)).toEqual(['code:String!', 'input:CaseTypeUpdateInput!']);
  expect(mutation.submitEventMessage.args.map((a) => `${a.name}:${String(a.type)}`)).toEqual(['input:EventMessageInput!']);
  expect(mutation.submitServiceMessage.args.map((a) => `${a.name}:${String(a.type)}`)).toEqual(['message:ServiceMessageInput!', 'recipients:[ServiceRecipientInput!]!']);
  expect(Object.keys((schema.getType('OfficialMatterInput') as GraphQLInputObjectType).getFields()).sort()).toEqual(
    ['eventId', 'eventType', 'matterStatus', 'matterSubject', 'officialMatterId', 'precedingEventId', 'timestamp'],
  );
  const letter = (schema.getType('Letter') as GraphQLObjectType).getFields();
  expect(['caseType', 'category', 'officialMatter'].map((f) => `${f}:${String(letter[f].type)}`)).toEqual(['caseType:String', 'category:LetterCategory!', 'officialMatter:OfficialMatter']);
  const input = (schema.getType('LetterInput') as GraphQLInputObjectType).getFields();
  expect(String(input.caseType.type)).toBe('String');
  expect(input.category.defaultValue).toBe('CASE');
});
