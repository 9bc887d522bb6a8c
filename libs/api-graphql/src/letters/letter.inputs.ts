import { Field, InputType, Int } from '@nestjs/graphql';
import { FileUpload, GraphQLUpload } from 'graphql-upload-minimal';
import type { ChannelPreference, LetterCategory, LetterStatus, PostageClassName } from '@hub/letters';
import type { OfficialMatterInput } from '@hub/mina-meddelanden';
import { ChannelPreferenceEnum, LetterCategoryEnum, LetterStatusEnum, MatterStatusEnum, PostageClassEnum } from './letter.types';

// The fields of a letter input are nullable in the schema on purpose: a letter missing a field is
// refused with that field's path (and, in submitLetters, on its own) instead of failing the whole
// request at variable coercion. The descriptions say which are required.

@InputType('LetterBodyInput')
export class LetterBodyInput {
  @Field(() => String, { nullable: true, defaultValue: 'text/plain', description: 'text/plain or text/html. HTML is reduced to p, br, strong, em, ul, ol, li, a (https/mailto), h1–h3.' })
  contentType?: string | null;

  @Field(() => String, { nullable: true, description: 'Required. The message text.' })
  text?: string | null;
}

@InputType('AttachmentInput', { description: 'A PDF attachment: its content either as base64 (contentBase64) or as a multipart upload (file).' })
export class AttachmentInput {
  @Field(() => String, { nullable: true, description: 'Required (for uploads, defaults to the uploaded file name). A file name, not a path.' })
  filename?: string | null;

  @Field(() => String, { nullable: true, defaultValue: 'application/pdf', description: 'Only application/pdf is accepted.' })
  contentType?: string | null;

  @Field(() => String, { nullable: true, description: 'The file as standard base64 (no line breaks). Give this or file.' })
  contentBase64?: string | null;

  @Field(() => GraphQLUpload, {
    nullable: true,
    description:
      'The file as a GraphQL multipart upload (multipart/form-data per the GraphQL multipart request spec). ' +
      'Send the header "apollo-require-preflight: true" (or "x-apollo-operation-name") with multipart requests: the API refuses simple requests as CSRF protection.',
  })
  file?: Promise<FileUpload> | null;
}

@InputType('PostalAddressInput', { description: 'The address printed in the envelope window. Required for PRINT_ONLY letters.' })
export class PostalAddressInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => [String], { nullable: true, description: 'One to three lines (street, c/o, box).' })
  lines?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Swedish postal code: five digits, e.g. "123 45".' })
  postalCode?: string | null;

  @Field(() => String, { nullable: true })
  city?: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 3166 alpha-2; default SE.' })
  country?: string | null;
}

@InputType('LetterInput', { description: 'One letter to send.' })
export class LetterInputType {
  @Field(() => String, { nullable: true, description: 'Required. Personnummer, samordningsnummer or 16 + organisationsnummer, 12 digits (a dash is accepted).' })
  recipient?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Code of the sending unit (e.g. "bygg"). A case system bound to a unit may omit it, and may not name another one.',
  })
  sendingUnit?: string | null;

  @Field(() => String, { nullable: true, description: 'The case reference (diarienummer), at most 255 characters.' })
  caseReference?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Code of one of your case types (ärendetyp, see the caseTypes query), e.g. "bygglov". It gives the protection class when you give none (and is the lowest you may give), ' +
      'the subject (and body) from its templates when you give none, and the channels the letter may use. Unknown or archived codes are refused.',
  })
  caseType?: string | null;

  @Field(() => LetterCategoryEnum, { nullable: true, defaultValue: 'CASE', description: 'CASE (default) or SERVICE. Event messages go through submitEventMessage.' })
  category?: LetterCategory | null;

  @Field(() => String, {
    nullable: true,
    description: 'The subject line (ledtext), 1–255 characters, one line, never a personnummer or samordningsnummer. Required unless caseType gives it from its template.',
  })
  subject?: string | null;

  @Field(() => LetterBodyInput, { nullable: true, description: 'Required, unless caseType has a body template.' })
  body?: LetterBodyInput | null;

  @Field(() => [AttachmentInput], { nullable: true, description: 'PDF attachments; with the body, at most 2 MB on the wire once base64-encoded and signed (about 1.5 MB of PDF).' })
  attachments?: AttachmentInput[] | null;

  @Field(() => Int, { nullable: true, description: 'Skyddsklass 1, 2 or 3 (higher is more sensitive). Required unless caseType gives it; never below the case type\'s class.' })
  protectionClass?: number | null;

  @Field(() => ChannelPreferenceEnum, {
    nullable: true,
    defaultValue: 'AUTO',
    description: 'Within what the case type allows: under a digital-only case type AUTO becomes DIGITAL_ONLY (PRINT_ONLY is refused); under a print-only one AUTO becomes PRINT_ONLY (DIGITAL_ONLY is refused).',
  })
  channelPreference?: ChannelPreference | null;

  @Field(() => PostalAddressInput, { nullable: true, description: 'Where a printed letter goes (the hub never looks one up or makes one up). Required for PRINT_ONLY.' })
  postalAddress?: PostalAddressInput | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'The recipient has protected personal data (skyddade personuppgifter). Such a letter that cannot go digitally follows the tenant\'s rule (held for manual handling by default).',
  })
  protectedIdentity?: boolean | null;

  @Field(() => PostageClassEnum, { nullable: true, description: 'Postage class when printed (default: the municipality\'s).' })
  postageClass?: PostageClassName | null;

  @Field(() => String, {
    nullable: true,
    description:
      'At most 200 characters. A retry with the same key and the same content returns the same letter; the same key with other content is refused with IDEMPOTENCY_CONFLICT.',
  })
  idempotencyKey?: string | null;
}

@InputType('OfficialMatterInput', { description: 'The v3 OfficialMatter extension of an event message (händelsemeddelande).' })
export class OfficialMatterInputType {
  @Field(() => String, { nullable: true, description: 'This event\'s id (HändelseID), at most 255 characters, unique. Default: the letter\'s id.' })
  eventId?: string | null;

  @Field(() => String, { nullable: true, description: 'The case\'s id (KundärendeID), at most 255 characters. Default: caseReference; one of them is required.' })
  officialMatterId?: string | null;

  @Field(() => String, { nullable: true, description: 'The event this one follows (KorrespondensID), at most 255 characters.' })
  precedingEventId?: string | null;

  @Field(() => String, { nullable: true, description: 'What the case concerns (Kundämne), at most 2,000 characters, never a personnummer.' })
  matterSubject?: string | null;

  @Field(() => String, { nullable: true, description: 'The state change of the event (Händelsetyp), at most 2,000 characters, never a personnummer.' })
  eventType?: string | null;

  @Field(() => MatterStatusEnum, { nullable: true })
  matterStatus?: OfficialMatterInput['matterStatus'] | null;

  @Field(() => String, { nullable: true, description: 'The date of the event, YYYY-MM-DD. Default: today (Swedish time).' })
  timestamp?: string | null;
}

@InputType('EventMessageInput', { description: 'An event message (händelsemeddelande): a status update in a case. Digital only: a recipient who cannot take it digitally makes it FAILED, never printed.' })
export class EventMessageInputType {
  @Field(() => String, { nullable: true, description: 'Required. Personnummer, samordningsnummer or 16 + organisationsnummer, 12 digits.' })
  recipient?: string | null;

  @Field(() => String, { nullable: true, description: 'Code of the sending unit (see LetterInput.sendingUnit).' })
  sendingUnit?: string | null;

  @Field(() => String, { nullable: true, description: 'The case reference (diarienummer); the default officialMatterId.' })
  caseReference?: string | null;

  @Field(() => String, { nullable: true, description: 'Code of a case type that allows digital delivery (see LetterInput.caseType).' })
  caseType?: string | null;

  @Field(() => String, { nullable: true, description: 'The subject line; required unless caseType gives it.' })
  subject?: string | null;

  @Field(() => LetterBodyInput, { nullable: true, description: 'Required, unless caseType has a body template.' })
  body?: LetterBodyInput | null;

  @Field(() => [AttachmentInput], { nullable: true })
  attachments?: AttachmentInput[] | null;

  @Field(() => Int, { nullable: true, description: 'Skyddsklass 1–3; required unless caseType gives it.' })
  protectionClass?: number | null;

  @Field(() => OfficialMatterInputType, { nullable: true, description: 'Required. The event\'s OfficialMatter data.' })
  officialMatter?: OfficialMatterInputType | null;

  @Field(() => String, { nullable: true, description: 'At most 200 characters; a retry with the same key and content returns the same letter.' })
  idempotencyKey?: string | null;
}

@InputType('ServiceMessageInput', { description: 'A service message (servicemeddelande): the letter every recipient of submitServiceMessage gets.' })
export class ServiceMessageInputType {
  @Field(() => String, { nullable: true })
  sendingUnit?: string | null;

  @Field(() => String, { nullable: true })
  caseReference?: string | null;

  @Field(() => String, { nullable: true })
  caseType?: string | null;

  @Field(() => String, { nullable: true, description: 'Required unless caseType gives it.' })
  subject?: string | null;

  @Field(() => LetterBodyInput, { nullable: true })
  body?: LetterBodyInput | null;

  @Field(() => [AttachmentInput], { nullable: true, description: 'Sent to every recipient (each letter keeps its own copy).' })
  attachments?: AttachmentInput[] | null;

  @Field(() => Int, { nullable: true })
  protectionClass?: number | null;

  @Field(() => ChannelPreferenceEnum, { nullable: true, defaultValue: 'AUTO' })
  channelPreference?: ChannelPreference | null;

  @Field(() => PostageClassEnum, { nullable: true })
  postageClass?: PostageClassName | null;

  @Field(() => String, {
    nullable: true,
    description: 'At most 187 characters. Each recipient\'s letter is keyed "<key>:<recipient>", so a retried call returns the same letters instead of sending again.',
  })
  idempotencyKey?: string | null;
}

@InputType('ServiceRecipientInput')
export class ServiceRecipientInputType {
  @Field(() => String, { nullable: true, description: 'Required. Personnummer, samordningsnummer or 16 + organisationsnummer.' })
  recipient?: string | null;

  @Field(() => PostalAddressInput, { nullable: true, description: 'Where the letter goes when printed.' })
  postalAddress?: PostalAddressInput | null;

  @Field(() => Boolean, { nullable: true })
  protectedIdentity?: boolean | null;
}

@InputType('LetterFilter')
export class LetterFilterInput {
  @Field(() => [LetterStatusEnum], { nullable: true })
  status?: LetterStatus[] | null;

  @Field(() => String, { nullable: true, description: 'Exact recipient id (12 digits).' })
  recipient?: string | null;

  @Field(() => String, { nullable: true, description: 'Exact case reference.' })
  caseReference?: string | null;

  @Field(() => String, { nullable: true, description: 'Sending unit code.' })
  sendingUnit?: string | null;

  @Field(() => String, { nullable: true, description: 'Case type code.' })
  caseType?: string | null;

  @Field(() => [LetterCategoryEnum], { nullable: true })
  category?: LetterCategory[] | null;

  @Field(() => Date, { nullable: true, description: 'Created at or after.' })
  createdFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Created before.' })
  createdTo?: Date | null;
}
