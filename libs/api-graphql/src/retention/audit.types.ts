import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { PageInfoType } from '../letters/letter.types';
import { GraphQLJSON } from '../scalars/json.scalar';

@ObjectType('AuditEntry', { description: 'One change in the municipality\'s audit trail (append-only, hash-chained).' })
export class AuditEntryType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Position in the municipality\'s chain, from 1.' })
  seq!: number;

  @Field({ description: 'Who: a user id or an API client id.' })
  actor!: string;

  @Field({ description: 'What, e.g. retentionRule.update, caseType.create.' })
  action!: string;

  @Field({ description: 'Which object, e.g. retentionRule:<id>.' })
  target!: string;

  @Field(() => GraphQLJSON, { description: 'The change (new and old values); never secrets.' })
  detail!: unknown;

  @Field()
  createdAt!: Date;

  @Field({ description: 'The previous entry\'s hash ("" for the first).' })
  prevHash!: string;

  @Field({ description: 'SHA-256 (hex) over prevHash and this entry\'s content.' })
  hash!: string;
}

@ObjectType('AuditEntryEdge')
export class AuditEntryEdgeType {
  @Field()
  cursor!: string;

  @Field(() => AuditEntryType)
  node!: AuditEntryType;
}

@ObjectType('AuditEntryConnection', { description: 'Audit trail entries, newest first (Relay connection).' })
export class AuditEntryConnectionType {
  @Field(() => [AuditEntryEdgeType])
  edges!: AuditEntryEdgeType[];

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType;
}

@ObjectType('AuditBreak', { description: 'The first entry of a chain that does not fit.' })
export class AuditBreakType {
  @Field(() => Int)
  seq!: number;

  @Field(() => ID)
  id!: string;

  @Field({
    description:
      'SEQ (entries before it were removed, or it was renumbered), PREV_HASH (its link does not match the previous entry: an entry before it was changed and rehashed, removed or reordered) or HASH (it was changed after it was written).',
  })
  problem!: string;

  @Field()
  message!: string;

  @Field()
  expected!: string;

  @Field()
  actual!: string;
}

@ObjectType('AuditVerification', { description: 'The result of recomputing the municipality\'s audit chain.' })
export class AuditVerificationType {
  @Field()
  ok!: boolean;

  @Field(() => Int, { description: 'Entries checked (up to and including the first broken one).' })
  entries!: number;

  @Field({ description: 'Hash of the last entry checked: the head of the chain when ok. Keep it elsewhere to detect removal of the newest entries later.' })
  lastHash!: string;

  @Field(() => AuditBreakType, { nullable: true })
  firstBroken!: AuditBreakType | null;
}
