import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { CASE_TYPE_CHANNELS, CaseTypeChannel } from '@hub/letters';
import { PRINT_RULES, PrintRule } from '@hub/policies';

const asEnum = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const CaseTypeChannelEnum = asEnum(CASE_TYPE_CHANNELS);
registerEnumType(CaseTypeChannelEnum, { name: 'CaseTypeChannel', description: 'A channel a case type may allow its letters: DIGITAL (Mina meddelanden) or PRINT (paper).' });

export const PrintRuleEnum = asEnum(PRINT_RULES);
registerEnumType(PrintRuleEnum, {
  name: 'PrintRule',
  description: 'A letter of the class that would go to print: ALLOW (it goes), HOLD (it waits for a person, releaseHeldLetter), DENY (it fails as undeliverable).',
});

const TEMPLATE_HELP = 'Placeholders: {caseReference}, {caseType} (its name), {sendingUnit} (the unit\'s name), {date} (YYYY-MM-DD); "{{" and "}}" for literal braces.';

@ObjectType('CaseType', { description: 'A case type (ärendetyp) of your municipality: templates, protection class and channels of its letters.' })
export class CaseTypeType {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'The code letters name it by (LetterInput.caseType), e.g. "bygglov". Never changes.' })
  code!: string;

  @Field()
  name!: string;

  @Field(() => Int, { description: 'Skyddsklass of its letters when they give none, and the lowest they may give.' })
  defaultProtectionClass!: number;

  @Field({ description: `The subject of a letter that gives none. ${TEMPLATE_HELP}` })
  subjectTemplate!: string;

  @Field(() => String, { nullable: true, description: 'The body (text/plain) of a letter that gives none.' })
  bodyTemplate?: string | null;

  @Field(() => [CaseTypeChannelEnum], { description: 'The channels its letters may use.' })
  allowedChannels!: CaseTypeChannel[];

  @Field({ description: 'Whether its letters may go to print (PRINT is among allowedChannels).' })
  printAllowed!: boolean;

  @Field(() => ID, { nullable: true, description: 'The retention rule of its letters; null: the municipality\'s default.' })
  retentionRuleId?: string | null;

  @Field({ description: 'Whether its dispatched letters are registered in the diary (diarieföring).' })
  diaryEnabled!: boolean;

  @Field({ description: 'False once archived: an archived case type takes no new letters.' })
  active!: boolean;

  @Field(() => Date, { nullable: true })
  archivedAt?: Date | null;

  @Field(() => Int, { description: 'Goes up by one with every change.' })
  version!: number;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

@InputType('CaseTypeInput', { description: 'A new case type. Fields are checked one by one and refused with VALIDATION_FAILED and their paths.' })
export class CaseTypeInputType {
  @Field(() => String, { nullable: true, description: 'Required. 1–63 lower-case letters, digits and "-", unique in your municipality; cannot change later.' })
  code?: string | null;

  @Field(() => String, { nullable: true, description: 'Required. At most 200 characters.' })
  name?: string | null;

  @Field(() => Int, { nullable: true, description: 'Required. 1, 2 or 3.' })
  defaultProtectionClass?: number | null;

  @Field(() => String, { nullable: true, description: `Required. One line, at most 255 characters, no personnummer. ${TEMPLATE_HELP} Unknown placeholders are refused.` })
  subjectTemplate?: string | null;

  @Field(() => String, { nullable: true, description: `Optional, text/plain. ${TEMPLATE_HELP}` })
  bodyTemplate?: string | null;

  @Field(() => [CaseTypeChannelEnum], { nullable: true, description: 'Default [DIGITAL, PRINT].' })
  allowedChannels?: CaseTypeChannel[] | null;

  @Field(() => ID, { nullable: true })
  retentionRuleId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  diaryEnabled?: boolean | null;
}

@InputType('CaseTypeUpdateInput', { description: 'A change to a case type: fields left out stay as they are; null clears bodyTemplate and retentionRuleId.' })
export class CaseTypeUpdateInputType {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Int, { nullable: true })
  defaultProtectionClass?: number | null;

  @Field(() => String, { nullable: true })
  subjectTemplate?: string | null;

  @Field(() => String, { nullable: true })
  bodyTemplate?: string | null;

  @Field(() => [CaseTypeChannelEnum], { nullable: true })
  allowedChannels?: CaseTypeChannel[] | null;

  @Field(() => ID, { nullable: true })
  retentionRuleId?: string | null;

  @Field(() => Boolean, { nullable: true })
  diaryEnabled?: boolean | null;
}

@ObjectType('ProtectionClassRule', { description: 'What one protection class (skyddsklass) allows in your municipality (SK3).' })
export class ProtectionClassRuleType {
  @Field(() => Int)
  protectionClass!: number;

  @Field(() => PrintRuleEnum, { description: 'A letter of this class that would go to print.' })
  print!: PrintRule;

  @Field({ description: 'Whether notification texts may include the letter\'s subject. Never for class 3.' })
  notificationMayIncludeSubject!: boolean;

  @Field({ description: 'Digital delivery goes only to the recipient\'s secure digital mailbox: true for every class.' })
  digitalSecureMailboxOnly!: boolean;
}

@InputType('ProtectionClassRuleInput', { description: 'A change to one class: fields left out stay as they are.' })
export class ProtectionClassRuleInputType {
  @Field(() => Int, { nullable: true, description: 'Required. 1, 2 or 3.' })
  protectionClass?: number | null;

  @Field(() => PrintRuleEnum, { nullable: true })
  print?: PrintRule | null;

  @Field(() => Boolean, { nullable: true, description: 'Cannot be true for class 3.' })
  notificationMayIncludeSubject?: boolean | null;
}
