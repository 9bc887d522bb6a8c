import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IDENTIFIER_ACTIONS, IdentifierAction } from '@hub/retention';
import { PageInfoType } from '../letters/letter.types';

export const IdentifierActionEnum = Object.fromEntries(IDENTIFIER_ACTIONS.map((a) => [a, a])) as { [K in IdentifierAction]: K };
registerEnumType(IdentifierActionEnum, {
  name: 'RetentionIdentifierAction',
  description:
    'What the identifier step does with the recipient id: PSEUDONYMISE (a keyed pseudonym, HMAC-SHA256 under the municipality\'s key: letters to one person still group) or REMOVE.',
});

const SCOPE_DOC = {
  caseTypeCode: 'The case type (ärendetyp) code the rule governs; null: every case type, and letters without one.',
  protectionClass: 'The protection class (skyddsklass, 1–3) the rule governs; null: every class.',
  contentAfterDays:
    'N: days after which the content goes: body, subject (it names the matter), attachments and the rendered print PDF (its checksum stays). Null: no content step.',
  identifiersAfterDays:
    'M: days after which the recipient id is pseudonymised or removed, and the postal address (also on the print item) and the case reference removed. Null: no identifier step.',
  logAfterDays: 'K: days after which the letter is deleted with its events, outbox rows and print item. Null: kept. N ≤ M ≤ K.',
};

@ObjectType('RetentionRule', {
  description:
    'A retention rule (gallringsregel). A letter is governed by its most specific matching rule (case type and class > case type > class > every letter); ' +
    'only finished letters (DELIVERED, POSTED, RETURNED, PRINT_FAILED, FAILED, CANCELLED) are purged, days counted from dispatchedAt (else createdAt).',
})
export class RetentionRuleType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: SCOPE_DOC.caseTypeCode })
  caseTypeCode!: string | null;

  @Field(() => Int, { nullable: true, description: SCOPE_DOC.protectionClass })
  protectionClass!: number | null;

  @Field(() => Int, { nullable: true, description: SCOPE_DOC.contentAfterDays })
  contentAfterDays!: number | null;

  @Field(() => Int, { nullable: true, description: SCOPE_DOC.identifiersAfterDays })
  identifiersAfterDays!: number | null;

  @Field(() => IdentifierActionEnum)
  identifiersAction!: IdentifierAction;

  @Field(() => Int, { nullable: true, description: SCOPE_DOC.logAfterDays })
  logAfterDays!: number | null;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

@InputType('RetentionRuleInput', { description: 'A retention rule. On update the rule is replaced: fields left out are not set (null).' })
export class RetentionRuleInputType {
  @Field(() => String, { nullable: true, description: SCOPE_DOC.caseTypeCode })
  caseTypeCode?: string | null;

  @Field(() => Int, { nullable: true, description: SCOPE_DOC.protectionClass })
  protectionClass?: number | null;

  @Field(() => Int, { nullable: true, description: SCOPE_DOC.contentAfterDays })
  contentAfterDays?: number | null;

  @Field(() => Int, { nullable: true, description: SCOPE_DOC.identifiersAfterDays })
  identifiersAfterDays?: number | null;

  @Field(() => IdentifierActionEnum, { nullable: true, description: 'Default PSEUDONYMISE.' })
  identifiersAction?: IdentifierAction | null;

  @Field(() => Int, { nullable: true, description: SCOPE_DOC.logAfterDays })
  logAfterDays?: number | null;

  @Field(() => String, { nullable: true, description: 'Free text for the admins (e.g. the archive authority\'s decision it implements), at most 500 characters.' })
  description?: string | null;
}

@ObjectType('RetentionRuleSnapshot', { description: 'A rule as it was when a purge ran (the rule may have changed or been deleted since).' })
export class RetentionRuleSnapshotType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  caseTypeCode!: string | null;

  @Field(() => Int, { nullable: true })
  protectionClass!: number | null;

  @Field(() => Int, { nullable: true })
  contentAfterDays!: number | null;

  @Field(() => Int, { nullable: true })
  identifiersAfterDays!: number | null;

  @Field(() => IdentifierActionEnum)
  identifiersAction!: IdentifierAction;

  @Field(() => Int, { nullable: true })
  logAfterDays!: number | null;

  @Field(() => String, { nullable: true })
  description!: string | null;
}

@ObjectType('RetentionPurgerCount', { description: 'What a purger of another part of the hub removed (e.g. webhook deliveries), by its name.' })
export class RetentionPurgerCountType {
  @Field()
  name!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType('RetentionCounts', { description: 'What a purge removed, or a dry-run would remove, per step.' })
export class RetentionCountsType {
  @Field(() => Int, { description: 'Content step: letters whose body and subject were removed.' })
  contentLetters!: number;

  @Field(() => Int, { description: 'Content step: attachments removed.' })
  contentAttachments!: number;

  @Field(() => Int, { description: 'Content step: rendered print PDFs removed.' })
  contentPrintPdfs!: number;

  @Field(() => Int, { description: 'Identifier step: letters whose recipient id was pseudonymised or removed.' })
  identifierLetters!: number;

  @Field(() => Int, { description: 'Log step: letters deleted.' })
  logLetters!: number;

  @Field(() => Int, { description: 'Log step: letter events deleted.' })
  logEvents!: number;

  @Field(() => Int, { description: 'Log step: outbox rows deleted.' })
  logOutboxRows!: number;

  @Field(() => Int, { description: 'Log step: print items deleted.' })
  logPrintItems!: number;

  @Field(() => Int, { description: 'Log step: attachments deleted (rules without a content step).' })
  logAttachments!: number;

  @Field(() => [RetentionPurgerCountType])
  purgers!: RetentionPurgerCountType[];
}

@ObjectType('PurgeRecord', { description: 'One rule\'s purge run, real or dry: kept for good (never purged, never changed).' })
export class PurgeRecordType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  ruleId!: string;

  @Field(() => RetentionRuleSnapshotType)
  rule!: RetentionRuleSnapshotType;

  @Field()
  dryRun!: boolean;

  @Field({ description: 'SCHEDULE (the daily run) or MANUAL (an admin\'s dry-run).' })
  trigger!: string;

  @Field({ description: 'Who ran it: the admin, or retention-schedule.' })
  actor!: string;

  @Field({ description: 'The instant the rule\'s periods were counted back from.' })
  asOf!: Date;

  @Field()
  startedAt!: Date;

  @Field()
  finishedAt!: Date;

  @Field(() => RetentionCountsType)
  counts!: RetentionCountsType;

  @Field(() => String, { nullable: true, description: 'Why the run stopped early; the counts are what it did before.' })
  error!: string | null;
}

@ObjectType('PurgeRecordEdge')
export class PurgeRecordEdgeType {
  @Field()
  cursor!: string;

  @Field(() => PurgeRecordType)
  node!: PurgeRecordType;
}

@ObjectType('PurgeRecordConnection', { description: 'Purge records, newest first (Relay connection).' })
export class PurgeRecordConnectionType {
  @Field(() => [PurgeRecordEdgeType])
  edges!: PurgeRecordEdgeType[];

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType;
}

@ObjectType('RetentionDryRun', { description: 'What the rules would remove now. Nothing is changed; each rule\'s dry-run is kept as a purge record.' })
export class RetentionDryRunType {
  @Field(() => Date, { nullable: true, description: 'The instant counted back from (null when there are no rules).' })
  asOf!: Date | null;

  @Field(() => [PurgeRecordType], { description: 'Per rule.' })
  rules!: PurgeRecordType[];

  @Field(() => RetentionCountsType)
  totals!: RetentionCountsType;
}
