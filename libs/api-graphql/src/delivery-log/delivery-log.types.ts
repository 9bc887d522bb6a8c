import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { LOG_DATE_FIELDS, LOG_EXPORT_FORMATS, LOG_EXPORT_STATUSES, LogDateField, LogExportFormat, LogExportStatus } from '@hub/delivery-log';
import type { ChannelDecisionKind, LetterStatus } from '@hub/letters';
import { ChannelDecisionEnum, ChannelEnum, LetterStatusEnum, PageInfoType } from '../letters/letter.types';
import { GraphQLJSON } from '../scalars/json.scalar';

const asEnum = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const LogDateFieldEnum = asEnum(LOG_DATE_FIELDS);
registerEnumType(LogDateFieldEnum, {
  name: 'LogDateField',
  description: 'CREATED: when the hub accepted the letter. DISPATCHED: when it left the hub (delivered to the mailbox operator, or posted); only dispatched letters match.',
});

export const LogExportFormatEnum = asEnum(LOG_EXPORT_FORMATS);
registerEnumType(LogExportFormatEnum, { name: 'LogExportFormat', description: 'CSV (RFC 4180, UTF-8, CRLF, a header row) or JSONL (JSON Lines: one object per line).' });

export const LogExportStatusEnum = asEnum(LOG_EXPORT_STATUSES);
registerEnumType(LogExportStatusEnum, {
  name: 'LogExportStatus',
  description: 'QUEUED, RUNNING, DONE (the file can be downloaded), FAILED (see error) or EXPIRED (the file was removed).',
});

@InputType('DeliveryLogFilter', { description: 'Every field is optional; the letters that match all given fields are returned.' })
export class DeliveryLogFilterInput {
  @Field(() => String, { nullable: true, description: 'Exact recipient id: personnummer, samordningsnummer or 16 + organisationsnummer (12 digits; a dash is accepted).' })
  recipient?: string | null;

  @Field(() => String, { nullable: true, description: 'Exact case reference (diarienummer).' })
  caseReference?: string | null;

  @Field(() => String, { nullable: true, description: 'Case type code (ärendetyp).' })
  caseType?: string | null;

  @Field(() => String, { nullable: true, description: 'Sending unit code, e.g. "bygg". A case officer may only name their own.' })
  sendingUnit?: string | null;

  @Field(() => ChannelEnum, { nullable: true })
  channel?: 'DIGITAL' | 'PRINT' | null;

  @Field(() => [LetterStatusEnum], { nullable: true, description: 'Any of these states.' })
  status?: LetterStatus[] | null;

  @Field(() => String, { nullable: true, description: 'Mailbox operator id (16 + organisationsnummer).' })
  operator?: string | null;

  @Field(() => LogDateFieldEnum, { nullable: true, defaultValue: 'CREATED', description: 'What from/to and the order refer to.' })
  dateField?: LogDateField | null;

  @Field(() => Date, { nullable: true, description: 'At or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Before this time.' })
  to?: Date | null;
}

@ObjectType('DeliveryLogEntry', { description: 'One letter in the delivery log: what was sent, to whom, how and with what outcome. The export columns have the same names.' })
export class DeliveryLogEntryType {
  @Field(() => ID)
  letterId!: string;

  @Field({ description: 'When the hub accepted the letter.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it left the hub: delivered to the mailbox operator, or posted by the print vendor.' })
  dispatchedAt?: Date | null;

  @Field({ description: 'The recipient id in full (12 digits), for your own municipality; the hub\'s logs mask it.' })
  recipient!: string;

  @Field()
  recipientKind!: string;

  @Field(() => String, { nullable: true })
  caseReference?: string | null;

  @Field(() => String, { nullable: true, description: 'Case type code (ärendetyp).' })
  caseType?: string | null;

  @Field({ description: 'Sending unit code.' })
  sendingUnit!: string;

  @Field()
  sendingUnitName!: string;

  @Field(() => String, { nullable: true, description: 'The subject line; null for protection class 3 (see subjectWithheld; the letter itself shows it).' })
  subject?: string | null;

  @Field()
  subjectWithheld!: boolean;

  @Field(() => Int)
  protectionClass!: number;

  @Field(() => ChannelEnum, { nullable: true })
  channel?: 'DIGITAL' | 'PRINT' | null;

  @Field(() => ChannelDecisionEnum, { nullable: true })
  channelDecision?: ChannelDecisionKind | null;

  @Field(() => LetterStatusEnum)
  status!: LetterStatus;

  @Field(() => String, { nullable: true })
  statusReason?: string | null;

  @Field(() => String, { nullable: true, description: 'Mailbox operator id (16 + organisationsnummer).' })
  operatorId?: string | null;

  @Field(() => String, { nullable: true })
  operatorName?: string | null;

  @Field(() => String, { nullable: true, description: 'The mailbox operator\'s receipt id.' })
  transId?: string | null;

  @Field(() => String, { nullable: true })
  printVendor?: string | null;

  @Field(() => String, { nullable: true })
  printBatchId?: string | null;
}

@ObjectType('DeliveryLogEdge')
export class DeliveryLogEdgeType {
  @Field({ description: 'Pass as `after` (with the same filter) to continue after this letter.' })
  cursor!: string;

  @Field(() => DeliveryLogEntryType)
  node!: DeliveryLogEntryType;
}

@ObjectType('DeliveryLogConnection', { description: 'A page of the delivery log, newest first by the filter\'s dateField (Relay connection).' })
export class DeliveryLogConnectionType {
  @Field(() => [DeliveryLogEdgeType])
  edges!: DeliveryLogEdgeType[];

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType;

  // totalCount and totalCountExact are resolved by DeliveryLogConnectionResolver (counted only when selected).
}

@ObjectType('LogExport', { description: 'An asynchronous export of the delivery log, for ranges too large to download directly.' })
export class LogExportType {
  @Field(() => ID)
  id!: string;

  @Field(() => LogExportStatusEnum)
  status!: LogExportStatus;

  @Field(() => LogExportFormatEnum)
  format!: LogExportFormat;

  @Field({ description: 'The CSV starts with a UTF-8 byte order mark (for Excel).' })
  bom!: boolean;

  @Field(() => GraphQLJSON, { description: 'The filter, as checked.' })
  filter!: Record<string, unknown>;

  @Field({ description: 'Who started it (user or API client id).' })
  requestedBy!: string;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  startedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the file is removed.' })
  expiresAt?: Date | null;

  @Field(() => Float, { nullable: true, description: 'Letters in the file.' })
  rows?: number | null;

  @Field(() => Float, { nullable: true, description: 'Size of the file in bytes.' })
  bytes?: number | null;

  @Field(() => String, { nullable: true, description: 'SHA-256 of the file, hex (also sent as X-Checksum-SHA256 with the download).' })
  sha256?: string | null;

  @Field(() => String, { nullable: true, description: 'Why it failed, or why the last attempt did.' })
  error?: string | null;

  @Field(() => String, { nullable: true, description: 'Once DONE: GET this path on the API with your bearer token to download the file.' })
  downloadUrl?: string | null;
}
