import { Field, InputType, Int } from '@nestjs/graphql';
import { FileUpload, GraphQLUpload } from 'graphql-upload-minimal';
import type { ChannelPreference, LetterStatus, PostageClassName } from '@hub/letters';
import { ChannelPreferenceEnum, LetterStatusEnum, PostageClassEnum } from './letter.types';

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

  @Field(() => String, { nullable: true, description: 'Required. The subject line (ledtext), 1–255 characters, one line.' })
  subject?: string | null;

  @Field(() => LetterBodyInput, { nullable: true, description: 'Required.' })
  body?: LetterBodyInput | null;

  @Field(() => [AttachmentInput], { nullable: true, description: 'PDF attachments; with the body, at most 2 MB on the wire once base64-encoded and signed (about 1.5 MB of PDF).' })
  attachments?: AttachmentInput[] | null;

  @Field(() => Int, { nullable: true, description: 'Required. Skyddsklass 1, 2 or 3 (higher is more sensitive; class 2 and 3 subjects may not contain a personnummer).' })
  protectionClass?: number | null;

  @Field(() => ChannelPreferenceEnum, { nullable: true, defaultValue: 'AUTO' })
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

  @Field(() => Date, { nullable: true, description: 'Created at or after.' })
  createdFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Created before.' })
  createdTo?: Date | null;
}
