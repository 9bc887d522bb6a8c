import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import {
  CHANNEL_DECISIONS,
  CHANNEL_PREFERENCES,
  ChannelDecisionKind,
  ChannelPreference,
  LETTER_CATEGORIES,
  LETTER_STATUSES,
  LetterCategory,
  LetterStatus,
  POSTAGE_CLASSES,
  PostageClassName,
} from '@hub/letters';
import type { OfficialMatterInput } from '@hub/mina-meddelanden';
import { GraphQLJSON } from '../scalars/json.scalar';

const asEnum = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const LetterStatusEnum = asEnum(LETTER_STATUSES);
registerEnumType(LetterStatusEnum, {
  name: 'LetterStatus',
  description:
    'Where a letter is. Digital path: ACCEPTED → ROUTING → SIGNED → SEALED → DELIVERED. Print path: PRINT_PENDING (rendered, waiting for a batch) → ' +
    'BATCHED (in a print batch for the vendor) → PRINTED → POSTED, RETURNED when the post brings it back, PRINT_FAILED when the vendor could not print it. ' +
    'HELD: waiting for manual handling (see statusReason). FAILED: could go neither way (see statusReason). CANCELLED: cancelled by the sender before dispatch.',
});

export const ChannelDecisionEnum = asEnum(CHANNEL_DECISIONS);
registerEnumType(ChannelDecisionEnum, {
  name: 'ChannelDecision',
  description: 'The channel switch\'s decision: DIGITAL, PRINT, HOLD (manual handling) or UNDELIVERABLE; the reason is in statusReason and the events.',
});

export const PostageClassEnum = asEnum(POSTAGE_CLASSES);
registerEnumType(PostageClassEnum, { name: 'PostageClass', description: 'FIRST_CLASS or ECONOMY.' });

export const ChannelPreferenceEnum = asEnum(CHANNEL_PREFERENCES);
registerEnumType(ChannelPreferenceEnum, {
  name: 'ChannelPreference',
  description: 'AUTO: digital where the recipient can receive it, print otherwise. DIGITAL_ONLY: never print. PRINT_ONLY: always print (needs postalAddress).',
});

export const LetterCategoryEnum = asEnum(LETTER_CATEGORIES);
registerEnumType(LetterCategoryEnum, {
  name: 'LetterCategory',
  description:
    'CASE: a letter in a case (ärendemeddelande, the default). EVENT: a status update in a case (händelsemeddelande), sent with the OfficialMatter extension, ' +
    'digital only (submitEventMessage). SERVICE: general information to many recipients (servicemeddelande; submitServiceMessage or submitLetters).',
});

/** The v3 MatterStatus values (the schema's lower-case words) as GraphQL enum values. */
export const MatterStatusEnum = { SENDER_INITIATIVE: 'senderinitiative', RECIPIENT_INITIATIVE: 'recipientinitiative', CLOSED: 'closed' } as const;
registerEnumType(MatterStatusEnum, {
  name: 'MatterStatus',
  description: 'The state of the case after the event: SENDER_INITIATIVE (the authority acts next), RECIPIENT_INITIATIVE (the recipient should act), CLOSED.',
});

@ObjectType('OfficialMatter', { description: 'An event message\'s OfficialMatter extension, as sent.' })
export class OfficialMatterType {
  @Field({ description: 'The date of the event, YYYY-MM-DD.' })
  timestamp!: string;

  @Field(() => String, { nullable: true, description: 'This event\'s id (HändelseID); the letter id unless the case system gave one.' })
  eventId?: string | null;

  @Field(() => String, { nullable: true, description: 'The case\'s id (KundärendeID).' })
  officialMatterId?: string | null;

  @Field(() => String, { nullable: true, description: 'The event this one follows (KorrespondensID).' })
  precedingEventId?: string | null;

  @Field(() => String, { nullable: true })
  matterSubject?: string | null;

  @Field(() => String, { nullable: true })
  eventType?: string | null;

  @Field(() => MatterStatusEnum, { nullable: true })
  matterStatus?: OfficialMatterInput['matterStatus'] | null;
}

export const ChannelEnum = { DIGITAL: 'DIGITAL', PRINT: 'PRINT' } as const;
registerEnumType(ChannelEnum, { name: 'Channel', description: 'The channel the hub chose for a letter.' });

@ObjectType('SendingUnit', { description: 'A sending unit (nämnd/förvaltning) of the municipality, with its own organisation number.' })
export class SendingUnitType {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'The code used in submitLetter(input.sendingUnit), e.g. "bygg".' })
  code!: string;

  @Field()
  name!: string;
}

@ObjectType('MailboxOperator', { description: 'The recipient\'s digital mailbox operator (brevlådeoperatör), e.g. Kivra.' })
export class MailboxOperatorType {
  @Field({ description: 'The operator\'s id in FaR ("16" + organisationsnummer).' })
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;
}

@ObjectType('PostalAddress')
export class PostalAddressType {
  @Field()
  name!: string;

  @Field(() => [String])
  lines!: string[];

  @Field()
  postalCode!: string;

  @Field()
  city!: string;

  @Field(() => String, { nullable: true })
  country?: string | null;
}

@ObjectType('AttachmentInfo', { description: 'An attachment as stored (its content is not returned).' })
export class AttachmentInfoType {
  @Field(() => Int)
  position!: number;

  @Field()
  filename!: string;

  @Field()
  contentType!: string;

  @Field(() => Int)
  sizeBytes!: number;

  @Field({ description: 'SHA-256 of the content, hex.' })
  sha256!: string;
}

@ObjectType('LetterEvent', { description: 'One entry of a letter\'s append-only history.' })
export class LetterEventType {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'ACCEPTED, ROUTING, SIGNED, SEALED, DELIVERED, PRINT_PENDING, FAILED, CANCELLED, RETRY_SCHEDULED, …' })
  type!: string;

  @Field(() => String, { nullable: true })
  fromStatus?: string | null;

  @Field(() => String, { nullable: true })
  toStatus?: string | null;

  @Field(() => GraphQLJSON, { description: 'Details depending on the type (never personal data).' })
  detail!: Record<string, unknown>;

  @Field()
  createdAt!: Date;
}

@ObjectType('Letter', { description: 'A letter handed to the hub, and what has happened to it.' })
export class LetterType {
  @Field(() => ID)
  id!: string;

  @Field(() => LetterStatusEnum)
  status!: LetterStatus;

  @Field(() => String, { nullable: true, description: 'Why the letter is in its state (failure reason, fallback to print, cancellation).' })
  statusReason?: string | null;

  @Field(() => ChannelEnum, { nullable: true, description: 'The channel chosen, once the hub has decided.' })
  channel?: 'DIGITAL' | 'PRINT' | null;

  @Field(() => ChannelDecisionEnum, { nullable: true, description: 'The channel switch\'s decision, once made (with the reason in statusReason).' })
  channelDecision?: ChannelDecisionKind | null;

  @Field({ description: 'The recipient has protected personal data (said by the case system or by FaR).' })
  protectedIdentity!: boolean;

  @Field(() => PostageClassEnum, { nullable: true, description: 'The postage class asked for (print).' })
  postageClass?: PostageClassName | null;

  @Field({ description: 'The recipient id in full (12 digits). Shown to callers of the letter\'s own municipality only; the hub\'s logs mask it.' })
  recipient!: string;

  @Field({ description: 'personnummer, samordningsnummer or organisationsnummer.' })
  recipientKind!: string;

  @Field(() => SendingUnitType)
  sendingUnit!: SendingUnitType;

  @Field(() => String, { nullable: true, description: 'The case reference (diarienummer) the letter was submitted with.' })
  caseReference?: string | null;

  @Field({ description: 'The subject line (ledtext).' })
  subject!: string;

  @Field({ description: 'text/plain or text/html (sanitised).' })
  bodyType!: string;

  @Field(() => Int, { description: 'Skyddsklass 1–3 (higher is more sensitive): the letter\'s, or its case type\'s when it gave none.' })
  protectionClass!: number;

  @Field(() => String, { nullable: true, description: 'The code of the case type (ärendetyp) the letter was sent under.' })
  caseType?: string | null;

  @Field(() => LetterCategoryEnum)
  category!: LetterCategory;

  @Field(() => OfficialMatterType, { nullable: true, description: 'Event messages only: the OfficialMatter data sent with it.' })
  officialMatter?: OfficialMatterType | null;

  @Field(() => ChannelPreferenceEnum, { description: 'The preference the hub applies: the letter\'s, narrowed to what its case type allows (DIGITAL_ONLY for event messages).' })
  channelPreference!: ChannelPreference;

  @Field(() => PostalAddressType, { nullable: true })
  postalAddress?: PostalAddressType | null;

  @Field(() => MailboxOperatorType, { nullable: true, description: 'The mailbox operator the letter went to (digital path).' })
  operator?: MailboxOperatorType | null;

  @Field(() => String, { nullable: true, description: 'The mailbox operator\'s receipt id (TransId) once delivered.' })
  transId?: string | null;

  @Field(() => Int, { description: 'Delivery attempts so far.' })
  attempts!: number;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string | null;

  @Field(() => [AttachmentInfoType])
  attachments!: AttachmentInfoType[];

  @Field({ description: 'Until when the hub tries digital delivery before it fails or goes to print.' })
  deadlineAt!: Date;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
  dispatchedAt?: Date | null;

  // `events` is resolved by LetterResolver.events (batched per response).
}

@ObjectType('LetterEdge')
export class LetterEdgeType {
  @Field({ description: 'Pass as `after` to continue after this letter.' })
  cursor!: string;

  @Field(() => LetterType)
  node!: LetterType;
}

@ObjectType('PageInfo')
export class PageInfoType {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType('LetterConnection', { description: 'A page of letters, newest first (Relay connection).' })
export class LetterConnectionType {
  @Field(() => [LetterEdgeType])
  edges!: LetterEdgeType[];

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType;

  // `totalCount` is resolved by LetterConnectionResolver (counted only when selected).
}

@ObjectType('FieldError', { description: 'One broken rule of a letter input.' })
export class FieldErrorType {
  @Field({ description: 'Path of the field in the letter input, e.g. "recipient", "attachments[0].content", "postalAddress.postalCode".' })
  path!: string;

  @Field({ description: 'The rule: required, format, luhn, date, maxLength, maxSize, contentType, bound, unknown, personalData, idempotencyConflict, …' })
  rule!: string;

  @Field({ description: 'What is wrong and how to fix it.' })
  message!: string;
}

@ObjectType('BulkLetterResult', { description: 'The outcome of one letter of submitLetters, by its position in `inputs`.' })
export class BulkLetterResultType {
  @Field(() => Int, { description: 'Position of the letter in `inputs` (0-based).' })
  index!: number;

  @Field(() => LetterType, { nullable: true, description: 'The letter, when accepted (or returned again for an idempotent retry).' })
  letter?: LetterType | null;

  @Field(() => Boolean, { nullable: true, description: 'false when an earlier letter with the same idempotency key and content was returned.' })
  created?: boolean | null;

  @Field(() => String, { nullable: true, description: 'VALIDATION_FAILED or IDEMPOTENCY_CONFLICT when refused.' })
  code?: string | null;

  @Field(() => [FieldErrorType], { nullable: true, description: 'Why the letter was refused, field by field (paths relative to inputs[index]).' })
  errors?: FieldErrorType[] | null;
}

@ObjectType('BulkSubmitResult')
export class BulkSubmitResultType {
  @Field(() => Int)
  accepted!: number;

  @Field(() => Int)
  refused!: number;

  @Field(() => [BulkLetterResultType], { description: 'One result per input, in input order.' })
  results!: BulkLetterResultType[];
}
