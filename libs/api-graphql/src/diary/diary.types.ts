import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { DiaryRegistrationStatus } from '@hub/diary';

export const DiaryRegistrationStatusEnum = { PENDING: 'PENDING', REGISTERED: 'REGISTERED', FAILED: 'FAILED', CANCELLED: 'CANCELLED' } as const satisfies Record<DiaryRegistrationStatus, DiaryRegistrationStatus>;
registerEnumType(DiaryRegistrationStatusEnum, {
  name: 'DiaryRegistrationStatus',
  description:
    'PENDING: being sent to the registry (retried with backoff for up to 24 hours). REGISTERED: the registry answered with a registration number. ' +
    'FAILED: the registry refused it or the retries ran out (see lastError; an admin can retryDiaryRegistration). CANCELLED: its diary hook was deleted.',
});

@ObjectType('DiaryHook', {
  description:
    'Where the municipality\'s registry system (diarium) receives dispatched letters (diarieföring): a signed HTTPS POST per letter once it is delivered ' +
    'digitally or posted. A hook applies to one case type, or (caseTypeCode null) to every case type without a hook of its own.',
})
export class DiaryHookType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true, description: 'The case type (ärendetyp) code it applies to; null: every case type without its own hook, and letters without a case type.' })
  caseTypeCode!: string | null;

  @Field({ description: 'The registry endpoint (https).' })
  url!: string;

  @Field({ description: 'A disabled hook registers no newly dispatched letters (of its case type: a disabled case-type hook also keeps the tenant-wide hook away); its waiting registrations pause.' })
  enabled!: boolean;

  @Field({ description: 'Whether the recipient\'s personnummer/organisationsnummer (and name) go with the document; the registry records the party. Default true.' })
  includeRecipient!: boolean;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
  secretRotatedAt!: Date | null;
}

@ObjectType('DiaryHookWithSecret', { description: 'A diary hook, with its signing secret when it was just created or rotated.' })
export class DiaryHookWithSecretType {
  @Field(() => DiaryHookType)
  hook!: DiaryHookType;

  @Field(() => String, {
    nullable: true,
    description: 'The HMAC-SHA256 signing secret (header X-Hub-Signature: t=<unix>,v1=<hex over "<unix>.<body>">). Shown only now: give it to the registry. Null when not changed.',
  })
  secret!: string | null;
}

@InputType('CreateDiaryHookInput')
export class CreateDiaryHookInputType {
  @Field(() => String, { nullable: true, description: 'Required: a name the admins recognise, e.g. "Diariet (Public 360)".' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Required: the registry endpoint, https.' })
  url?: string | null;

  @Field(() => String, { nullable: true, description: 'A case type code; leave out for a hook for every case type. One hook per case type, and one for all.' })
  caseTypeCode?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  enabled?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Send the recipient\'s identity with the document. Default true.' })
  includeRecipient?: boolean | null;
}

@InputType('UpdateDiaryHookInput', { description: 'Only the fields given change. caseTypeCode: null makes the hook apply to every case type.' })
export class UpdateDiaryHookInputType {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => String, { nullable: true })
  caseTypeCode?: string | null;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  includeRecipient?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'A new signing secret, returned once; the old one stops working at once.' })
  rotateSecret?: boolean | null;
}

@ObjectType('DiaryRegistration', { description: 'A letter\'s registration in the municipality\'s registry (diarieföring) after it was dispatched.' })
export class DiaryRegistrationType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  hookId!: string;

  @Field(() => DiaryRegistrationStatusEnum)
  status!: DiaryRegistrationStatus;

  @Field(() => String, { nullable: true, description: 'The registration number (diarienummer) the registry gave, e.g. "KS 2026/123".' })
  number!: string | null;

  @Field(() => Date, { nullable: true })
  registeredAt!: Date | null;

  @Field(() => Int, { description: 'Requests made so far.' })
  attempts!: number;

  @Field(() => Date, { nullable: true, description: 'When a PENDING registration is tried next.' })
  nextAttemptAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'What went wrong last (the registry\'s status and answer, or why it could not be reached).' })
  lastError!: string | null;

  @Field(() => Date, { nullable: true })
  lastAttemptAt!: Date | null;

  @Field(() => Date, { nullable: true })
  failedAt!: Date | null;
}

@ObjectType('DiaryFailure', { description: 'A registration that failed (or keeps failing while it is retried), for the admin.' })
export class DiaryFailureType extends DiaryRegistrationType {
  @Field(() => ID)
  letterId!: string;

  @Field()
  hookName!: string;

  @Field(() => String, { nullable: true })
  caseReference!: string | null;

  @Field(() => String, { nullable: true })
  caseTypeCode!: string | null;

  @Field(() => Int, { nullable: true, description: 'The HTTP status of the registry\'s last answer, if it answered.' })
  lastHttpStatus!: number | null;
}
