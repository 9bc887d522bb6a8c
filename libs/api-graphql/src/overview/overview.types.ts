import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { RESEND_REFUSALS } from '@hub/letters';
import type { LetterStatus, ResendRefusal } from '@hub/letters';
import { LetterStatusEnum } from '../letters/letter.types';

const asEnum = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const OverviewScopeEnum = { MUNICIPALITY: 'MUNICIPALITY', SENDING_UNIT: 'SENDING_UNIT' } as const;
export type OverviewScope = keyof typeof OverviewScopeEnum;
registerEnumType(OverviewScopeEnum, {
  name: 'OverviewScope',
  description: 'Whose letters the overview counts: the whole municipality (tenant admin) or one sending unit (a case officer: the unit their token names).',
});

export const OverviewChannelEnum = { DIGITAL: 'DIGITAL', PRINT: 'PRINT', NONE: 'NONE' } as const;
export type OverviewChannel = keyof typeof OverviewChannelEnum;
registerEnumType(OverviewChannelEnum, {
  name: 'OverviewChannel',
  description: 'DIGITAL or PRINT once the channel switch has chosen; NONE while it has not (yet), for a held letter and for one that could go neither way.',
});

export const CertificateStateEnum = { EXPIRED: 'EXPIRED', EXPIRING: 'EXPIRING', MISSING: 'MISSING' } as const;
export type CertificateState = keyof typeof CertificateStateEnum;
registerEnumType(CertificateStateEnum, {
  name: 'CertificateState',
  description: 'EXPIRED: past its end date (the unit cannot send digitally). EXPIRING: ends within the overview\'s window. MISSING: the unit has no certificate.',
});

export const ResendRefusalEnum = asEnum(RESEND_REFUSALS);
registerEnumType(ResendRefusalEnum, {
  name: 'ResendRefusal',
  description:
    'Why a letter cannot be resent: STATUS_NOT_RESENDABLE (it did not end without reaching the recipient: only FAILED, PRINT_FAILED and RETURNED letters can be), ' +
    'ALREADY_RESENT (see resentAs), CONTENT_PURGED (retention removed its content or recipient), CASE_TYPE_ARCHIVED (its case type takes no new letters).',
});

@ObjectType('ChannelStatusCount', { description: 'How many letters are in one state and channel.' })
export class ChannelStatusCountType {
  @Field(() => OverviewChannelEnum, { description: 'The channel.' })
  channel!: OverviewChannel;

  @Field(() => LetterStatusEnum, { description: 'The state.' })
  status!: LetterStatus;

  @Field(() => Int, { description: 'Letters in that state and channel.' })
  count!: number;
}

@ObjectType('KeyCount', { description: 'A count under a key (a channel or a state).' })
export class KeyCountType {
  @Field({ description: 'The channel (DIGITAL, PRINT, NONE) or the state (a LetterStatus).' })
  key!: string;

  @Field(() => Int, { description: 'Letters under the key.' })
  count!: number;
}

@ObjectType('LetterCounts', { description: 'Letters created in a period (Swedish calendar), counted by channel and state.' })
export class LetterCountsType {
  @Field({ description: 'The start of the period (midnight, Europe/Stockholm); it runs until now.' })
  from!: Date;

  @Field(() => Int, { description: 'Every letter created in the period.' })
  total!: number;

  @Field(() => [KeyCountType], { description: 'By channel: DIGITAL, PRINT and NONE, each present (0 when none).' })
  byChannel!: KeyCountType[];

  @Field(() => [KeyCountType], { description: 'By state, only the states that occur, in the state machine\'s order.' })
  byStatus!: KeyCountType[];

  @Field(() => [ChannelStatusCountType], { description: 'By channel and state together (for a chart).' })
  byChannelAndStatus!: ChannelStatusCountType[];
}

@ObjectType('OverviewLetter', { description: 'A letter in one of the overview\'s lists, with what the list needs to link to it.' })
export class OverviewLetterType {
  @Field(() => ID, { description: 'The letter id (open it with letter(id)).' })
  id!: string;

  @Field(() => LetterStatusEnum, { description: 'The state of the letter.' })
  status!: LetterStatus;

  @Field(() => String, { nullable: true, description: 'Why it is in its state (failure, hold or return reason).' })
  statusReason!: string | null;

  @Field(() => String, { nullable: true, description: 'The subject; null for protection class 3 (subjectWithheld), as in the delivery log.' })
  subject!: string | null;

  @Field({ description: 'true when the subject is left out because of the protection class (3).' })
  subjectWithheld!: boolean;

  @Field(() => String, { nullable: true, description: 'The case reference (diarienummer).' })
  caseReference!: string | null;

  @Field({ description: 'Sending unit code.' })
  sendingUnit!: string;

  @Field({ description: 'When the hub accepted the letter.' })
  createdAt!: Date;

  @Field({ description: 'When the letter last changed (for a failure: about when it failed).' })
  updatedAt!: Date;
}

@ObjectType('LettersNeedingAction', { description: 'How many letters are in a list, and the most recent few.' })
export class LettersNeedingActionType {
  @Field(() => Int, { description: 'How many letters are in the list (all of them, not only those returned).' })
  total!: number;

  @Field(() => Date, { nullable: true, description: 'Only letters created since then count (null: every letter in the state).' })
  since!: Date | null;

  @Field(() => [OverviewLetterType], { description: 'The most recently changed first.' })
  letters!: OverviewLetterType[];
}

@ObjectType('WaitingPrintBatch', { description: 'A print batch its vendor has not acknowledged yet.' })
export class WaitingPrintBatchType {
  @Field(() => ID, { description: 'The batch id.' })
  id!: string;

  @Field({ description: 'The id of the print vendor.' })
  vendorId!: string;

  @Field(() => String, { nullable: true, description: 'The name of the print vendor.' })
  vendorName!: string | null;

  @Field({ description: 'ASSEMBLING (the files are being written) or READY (the vendor may pull it).' })
  status!: string;

  @Field(() => Int, { description: 'Letters in the batch.' })
  letters!: number;

  @Field(() => Int, { description: 'Pages of the batch PDF.' })
  pages!: number;

  @Field({ description: 'Since when it waits: ready time, or creation while still assembling.' })
  waitingSince!: Date;

  @Field(() => Int, { description: 'Minutes it has waited so far.' })
  ageMinutes!: number;

  @Field(() => Date, { nullable: true, description: 'The vendor must acknowledge it before this time.' })
  acknowledgeBy!: Date | null;

  @Field({ description: 'The acknowledgement deadline passed (the platform operator was alerted).' })
  overdue!: boolean;
}

@ObjectType('PrintBatchesWaiting', { description: 'Print batches waiting for their vendor, oldest first.' })
export class PrintBatchesWaitingType {
  @Field(() => Int, { description: 'How many batches wait (all of them).' })
  total!: number;

  @Field(() => [WaitingPrintBatchType], { description: 'At most 20, oldest first.' })
  batches!: WaitingPrintBatchType[];
}

@ObjectType('CertificateAlert', { description: 'A sending unit whose sender certificate has expired, expires soon, or is missing.' })
export class CertificateAlertType {
  @Field({ description: 'Sending unit code.' })
  unitCode!: string;

  @Field({ description: 'Sending unit name.' })
  unitName!: string;

  @Field(() => CertificateStateEnum, { description: 'Expired, expiring soon, or missing.' })
  state!: CertificateState;

  @Field(() => Date, { nullable: true, description: 'The certificate\'s end of validity (null when missing).' })
  notAfter!: Date | null;

  @Field(() => Int, { nullable: true, description: 'Whole days left (negative when expired; null when missing).' })
  daysLeft!: number | null;
}

@ObjectType('Overview', { description: 'The console\'s start page: today\'s and this week\'s letters, what needs action, print batches waiting, certificates.' })
export class OverviewType {
  @Field(() => OverviewScopeEnum, { description: 'Whose letters are counted.' })
  scope!: OverviewScope;

  @Field(() => String, { nullable: true, description: 'The sending unit counted (SENDING_UNIT scope).' })
  sendingUnit!: string | null;

  @Field({ description: 'When the figures were read.' })
  generatedAt!: Date;

  @Field(() => LetterCountsType, { description: 'Letters created today (since midnight, Swedish time).' })
  today!: LetterCountsType;

  @Field(() => LetterCountsType, { description: 'Letters created this week (since Monday midnight, Swedish time).' })
  week!: LetterCountsType;

  @Field(() => LettersNeedingActionType, {
    description: 'FAILED, PRINT_FAILED and RETURNED letters created in the last 30 days that were not resent, most recently changed first.',
  })
  failures!: LettersNeedingActionType;

  @Field(() => LettersNeedingActionType, { description: 'HELD letters (waiting for a person to release or cancel them), whatever their age.' })
  held!: LettersNeedingActionType;

  @Field(() => PrintBatchesWaitingType, { description: 'The municipality\'s print batches not yet acknowledged by their vendor.' })
  printBatchesWaiting!: PrintBatchesWaitingType;

  @Field(() => [CertificateAlertType], {
    nullable: true,
    description: 'Tenant admins: sending units whose certificate expired, expires within 30 days, or is missing, soonest first. Null for a case officer.',
  })
  certificates!: CertificateAlertType[] | null;
}

@ObjectType('SendingUnitOption', { description: 'A sending unit to filter by.' })
export class SendingUnitOptionType {
  @Field({ description: 'The unit code (sendingUnit in the filter).' })
  code!: string;

  @Field({ description: 'The name of the unit.' })
  name!: string;
}

@ObjectType('MailboxOperatorOption', { description: 'A mailbox operator the municipality\'s letters went to.' })
export class MailboxOperatorOptionType {
  @Field({ description: '16 + organisationsnummer, as in the delivery log filter\'s operator.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'The name of the operator, as the letters recorded it.' })
  name!: string | null;
}

@ObjectType('LetterSearchOptions', { description: 'The choices of the console\'s letter search form.' })
export class LetterSearchOptionsType {
  @Field(() => [SendingUnitOptionType], { description: 'The units the caller may search: every unit for a tenant admin, their own for a case officer.' })
  sendingUnits!: SendingUnitOptionType[];

  @Field(() => [MailboxOperatorOptionType], { description: 'The mailbox operators the municipality\'s letters have gone to.' })
  operators!: MailboxOperatorOptionType[];
}

@ObjectType('LetterBody', { description: 'A letter\'s body as the hub accepted it (HTML already reduced to the safe subset).' })
export class LetterBodyType {
  @Field({ description: 'text/plain or text/html.' })
  contentType!: string;

  @Field({ description: 'The body text (HTML for text/html).' })
  text!: string;
}

@ObjectType('ResendCheck', { description: 'Whether a letter may be resent now, and if not, why.' })
export class ResendCheckType {
  @Field({ description: 'resendLetter would send it again now.' })
  allowed!: boolean;

  @Field(() => ResendRefusalEnum, { nullable: true, description: 'Why not, as a code (null when allowed).' })
  refusal!: ResendRefusal | null;

  @Field(() => String, { nullable: true, description: 'Why not, in words.' })
  message!: string | null;
}
