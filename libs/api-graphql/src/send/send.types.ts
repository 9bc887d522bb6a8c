import { Field, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { ChannelReason, HoldReason, PrintBlockedBy } from '@hub/dispatch';
import type { ChannelDecisionKind, ChannelPreference } from '@hub/letters';
import { PostalAddressInput } from '../letters/letter.inputs';
import { ChannelDecisionEnum, ChannelPreferenceEnum, MailboxOperatorType, SendingUnitType } from '../letters/letter.types';
import { CaseTypeType } from '../policies/policies.types';
import { ReachabilityType } from '../reachability/reachability.types';

// The GraphQL enums list the channel switch's codes; `satisfies` makes the compiler refuse a list
// that misses or invents one, so they cannot drift from libs/dispatch.
export const ChannelReasonEnum = {
  NOT_REGISTERED: 'NOT_REGISTERED',
  SENDER_NOT_ACCEPTED: 'SENDER_NOT_ACCEPTED',
  PENDING: 'PENDING',
  NO_SUPPLIER: 'NO_SUPPLIER',
  PRINT_ONLY: 'PRINT_ONLY',
  RETRIES_EXHAUSTED: 'RETRIES_EXHAUSTED',
  DEADLINE_PASSED: 'DEADLINE_PASSED',
  DELIVERED_FALSE: 'DELIVERED_FALSE',
  INVALID_DELIVERY: 'INVALID_DELIVERY',
  SENDER_CERTIFICATE_MISSING: 'SENDER_CERTIFICATE_MISSING',
  SENDER_CERTIFICATE_INVALID: 'SENDER_CERTIFICATE_INVALID',
  SENDER_CERTIFICATE_EXPIRED: 'SENDER_CERTIFICATE_EXPIRED',
  SENDER_CERTIFICATE_MISMATCH: 'SENDER_CERTIFICATE_MISMATCH',
  FAR_REFUSED: 'FAR_REFUSED',
  OPERATOR_REFUSED: 'OPERATOR_REFUSED',
} as const satisfies { [K in ChannelReason]: K };
registerEnumType(ChannelReasonEnum, {
  name: 'ChannelReason',
  description:
    'Why a letter does not go digitally: FaR\'s reason (NOT_REGISTERED, SENDER_NOT_ACCEPTED, PENDING, NO_SUPPLIER), the letter\'s own PRINT_ONLY, ' +
    'or why digital delivery cannot succeed (FAR_REFUSED, SENDER_CERTIFICATE_MISSING, SENDER_CERTIFICATE_EXPIRED, … as in Letter.statusReason).',
});

export const HoldReasonEnum = {
  PROTECTED_IDENTITY: 'PROTECTED_IDENTITY',
  NO_POSTAL_ADDRESS: 'NO_POSTAL_ADDRESS',
  PROTECTION_CLASS_POLICY: 'PROTECTION_CLASS_POLICY',
  DIGITAL_OUTCOME_UNKNOWN: 'DIGITAL_OUTCOME_UNKNOWN',
} as const satisfies { [K in HoldReason]: K };
registerEnumType(HoldReasonEnum, {
  name: 'HoldReason',
  description:
    'Why a letter that would go to print waits for a person (HELD): PROTECTED_IDENTITY (the tenant\'s rule for skyddade personuppgifter), ' +
    'NO_POSTAL_ADDRESS (no address given), PROTECTION_CLASS_POLICY (the tenant holds printed letters of this class), DIGITAL_OUTCOME_UNKNOWN.',
});

export const PrintBlockedByEnum = {
  DIGITAL_ONLY: 'DIGITAL_ONLY',
  PRINT_NOT_ALLOWED: 'PRINT_NOT_ALLOWED',
  FALLBACK_NOT_ALLOWED: 'FALLBACK_NOT_ALLOWED',
  PROTECTED_IDENTITY: 'PROTECTED_IDENTITY',
  NO_POSTAL_ADDRESS: 'NO_POSTAL_ADDRESS',
  PROTECTION_CLASS_POLICY: 'PROTECTION_CLASS_POLICY',
} as const satisfies { [K in PrintBlockedBy]: K };
registerEnumType(PrintBlockedByEnum, {
  name: 'PrintBlockedBy',
  description:
    'Why print is not possible either (UNDELIVERABLE): DIGITAL_ONLY (the letter or its case type), PRINT_NOT_ALLOWED (tenant printAllowed: false), ' +
    'FALLBACK_NOT_ALLOWED (tenant fallbackToPrint: false), PROTECTION_CLASS_POLICY (DENY for the class), PROTECTED_IDENTITY, NO_POSTAL_ADDRESS (tenant rules).',
});

@InputType('ChannelPreviewInput', {
  description:
    'The parts of a letter draft that decide its channel, as in LetterInput (same rules, same field paths in VALIDATION_FAILED). ' +
    'Subject, body and attachments do not change the channel and are not asked for.',
})
export class ChannelPreviewInputType {
  @Field(() => String, { nullable: true, description: 'Required. Personnummer, samordningsnummer or 16 + organisationsnummer, 12 digits (a dash is accepted).' })
  recipient?: string | null;

  @Field(() => String, { nullable: true, description: 'Code of the sending unit (FaR answers per sender). Required when your municipality has several.' })
  sendingUnit?: string | null;

  @Field(() => String, { nullable: true, description: 'Code of one of your case types: its class, allowed channels and archived state apply as in submitLetter.' })
  caseType?: string | null;

  @Field(() => Int, { nullable: true, description: 'Skyddsklass 1–3; required unless caseType gives it; never below the case type\'s.' })
  protectionClass?: number | null;

  @Field(() => ChannelPreferenceEnum, { nullable: true, defaultValue: 'AUTO', description: 'AUTO, DIGITAL_ONLY or PRINT_ONLY, narrowed to what the case type allows.' })
  channelPreference?: ChannelPreference | null;

  @Field(() => PostalAddressInput, { nullable: true, description: 'The address the letter would be printed with; checked as in submitLetter.' })
  postalAddress?: PostalAddressInput | null;

  @Field(() => Boolean, { nullable: true, description: 'The recipient has protected personal data (skyddade personuppgifter).' })
  protectedIdentity?: boolean | null;
}

@ObjectType('ChannelPreview', {
  description:
    'The channel the hub would choose for this letter if it were sent now: the dispatch\'s own channel switch, fed with FaR\'s live answer, ' +
    'the case type\'s narrowing as at intake, and your municipality\'s settings. The dispatch asks FaR again when the letter is sent.',
})
export class ChannelPreviewType {
  @Field(() => ChannelDecisionEnum, { description: 'DIGITAL, PRINT, HOLD (waits for a person) or UNDELIVERABLE.' })
  channel!: ChannelDecisionKind;

  @Field(() => ChannelReasonEnum, { nullable: true, description: 'Why not digital (every decision but DIGITAL).' })
  reason?: ChannelReason | null;

  @Field(() => HoldReasonEnum, { nullable: true, description: 'HOLD only: why the letter would wait for a person.' })
  holdReason?: HoldReason | null;

  @Field(() => PrintBlockedByEnum, { nullable: true, description: 'UNDELIVERABLE only: what stops print.' })
  printBlockedBy?: PrintBlockedBy | null;

  @Field({ description: 'The decision and its reasons in words (English).' })
  explanation!: string;

  @Field(() => MailboxOperatorType, { nullable: true, description: 'DIGITAL only: the mailbox operator FaR names.' })
  operator?: MailboxOperatorType | null;

  @Field(() => ReachabilityType, { nullable: true, description: 'FaR\'s answer for the recipient and this sender; null when FaR was not asked (PRINT_ONLY) or refused the question.' })
  reachability?: ReachabilityType | null;

  @Field({ description: 'The recipient id, normalised to 12 digits.' })
  recipient!: string;

  @Field(() => SendingUnitType, { description: 'The sending unit the letter would be sent as.' })
  sendingUnit!: SendingUnitType;

  @Field(() => Int, { description: 'The protection class the letter would have: the one given, or the case type\'s.' })
  protectionClass!: number;

  @Field({ description: 'True when the class comes from the case type (none was given).' })
  protectionClassFromCaseType!: boolean;

  @Field(() => ChannelPreferenceEnum, { description: 'The preference as asked for (AUTO when none).' })
  requestedChannelPreference!: ChannelPreference;

  @Field(() => ChannelPreferenceEnum, { description: 'The preference the hub applies: the one asked for, narrowed to what the case type allows.' })
  channelPreference!: ChannelPreference;

  @Field(() => CaseTypeType, { nullable: true, description: 'The case type the letter names, as it applies now.' })
  caseType?: CaseTypeType | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The municipality setting that held or stopped the letter, when one did: printAllowed, fallbackToPrint, printByProtectionClass.<class>, ' +
      'protectedIdentityRule or missingAddressRule (see tenantSettings / protectionClassPolicy).',
  })
  decidedByTenantSetting?: string | null;
}
