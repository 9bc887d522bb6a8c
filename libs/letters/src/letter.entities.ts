import { EntitySchema } from '@mikro-orm/core';
import type { OfficialMatterInput } from '@hub/mina-meddelanden';
import { ChannelDecisionKind, ChannelPreference, LetterCategory, LetterStatus, PostageClassName } from './letter-status';

export interface LetterPostalAddress {
  name: string;
  lines: string[];
  postalCode: string;
  city: string;
  country?: string;
}

export class Letter {
  id!: string;
  tenantId!: string;
  sendingUnitId!: string;
  apiClientId?: string;
  idempotencyKey?: string;
  contentHash!: string;
  recipientId!: string;
  recipientKind!: string;
  caseReference?: string;
  subject!: string;
  bodyText?: string;
  bodyType!: string;
  protectionClass!: number;
  channelPreference!: ChannelPreference;
  postalAddress?: LetterPostalAddress;
  status!: LetterStatus;
  statusReason?: string;
  channel?: 'DIGITAL' | 'PRINT';
  channelDecision?: ChannelDecisionKind;
  protectedIdentity!: boolean;
  postageClass?: PostageClassName;
  /** The tenant's case type (ärendetyp) the letter was sent under, by its code. */
  caseTypeCode?: string;
  /** CASE (ärendemeddelande, the default), EVENT (händelsemeddelande) or SERVICE (servicemeddelande). */
  category!: LetterCategory;
  /** An event message's v3 OfficialMatter data, exactly as it goes into the delivery (EVENT letters only). */
  officialMatter?: OfficialMatterInput;
  operatorId?: string;
  operatorName?: string;
  serviceAddress?: string;
  transId?: string;
  attempts!: number;
  nextAttemptAt?: Date;
  deadlineAt!: Date;
  createdAt!: Date;
  updatedAt!: Date;
  dispatchedAt?: Date;
  version!: number;
}

export class LetterAttachment {
  id!: string;
  tenantId!: string;
  letterId!: string;
  position!: number;
  filename!: string;
  contentType!: string;
  content!: Buffer;
  sizeBytes!: number;
  sha256!: string;
}

export class LetterEvent {
  id!: string;
  tenantId!: string;
  letterId!: string;
  type!: string;
  fromStatus?: string;
  toStatus?: string;
  detail!: Record<string, unknown>;
  createdAt!: Date;
}

export class OutboxEntry {
  id!: string;
  tenantId!: string;
  letterId?: string;
  job!: string;
  payload!: Record<string, unknown>;
  availableAt!: Date;
  createdAt!: Date;
  dispatchedAt?: Date;
}

const column = <T extends string>(type: T, fieldName?: string, nullable = false) => ({ type, nullable, ...(fieldName ? { fieldName } : {}) });
const uuid = (fieldName?: string, nullable = false) => column('uuid', fieldName, nullable);
const text = (fieldName?: string, nullable = false) => column('text', fieldName, nullable);
const date = (fieldName: string, nullable = false) => column('datetime', fieldName, nullable);

export const LetterSchema = new EntitySchema<Letter>({
  class: Letter,
  tableName: 'letter',
  properties: {
    id: { type: 'uuid', primary: true },
    tenantId: uuid('tenant_id'),
    sendingUnitId: uuid('sending_unit_id'),
    apiClientId: uuid('api_client_id', true),
    idempotencyKey: text('idempotency_key', true),
    contentHash: text('content_hash'),
    recipientId: text('recipient_id'),
    recipientKind: text('recipient_kind'),
    caseReference: text('case_reference', true),
    subject: text(),
    bodyText: { type: 'text', fieldName: 'body_text', nullable: true, lazy: true },
    bodyType: text('body_type'),
    protectionClass: { type: 'smallint', fieldName: 'protection_class' },
    channelPreference: text('channel_preference') as never,
    postalAddress: { type: 'json', fieldName: 'postal_address', nullable: true },
    status: text() as never,
    statusReason: text('status_reason', true),
    channel: text(undefined, true) as never,
    channelDecision: text('channel_decision', true) as never,
    protectedIdentity: { type: 'boolean', fieldName: 'protected_identity', default: false },
    postageClass: text('postage_class', true) as never,
    caseTypeCode: text('case_type_code', true),
    category: { type: 'text', default: 'CASE' } as never,
    officialMatter: { type: 'json', fieldName: 'official_matter', nullable: true },
    operatorId: text('operator_id', true),
    operatorName: text('operator_name', true),
    serviceAddress: text('service_address', true),
    transId: text('trans_id', true),
    attempts: { type: 'integer' },
    nextAttemptAt: date('next_attempt_at', true),
    deadlineAt: date('deadline_at'),
    createdAt: date('created_at'),
    updatedAt: date('updated_at'),
    dispatchedAt: date('dispatched_at', true),
    version: { type: 'integer', version: true },
  },
});

export const LetterAttachmentSchema = new EntitySchema<LetterAttachment>({
  class: LetterAttachment,
  tableName: 'letter_attachment',
  properties: {
    id: { type: 'uuid', primary: true },
    tenantId: uuid('tenant_id'),
    letterId: uuid('letter_id'),
    position: { type: 'smallint' },
    filename: text(),
    contentType: text('content_type'),
    content: { type: 'blob', lazy: true },
    sizeBytes: { type: 'integer', fieldName: 'size_bytes' },
    sha256: text(),
  },
});

export const LetterEventSchema = new EntitySchema<LetterEvent>({
  class: LetterEvent,
  tableName: 'letter_event',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    tenantId: uuid('tenant_id'),
    letterId: uuid('letter_id'),
    type: text(),
    fromStatus: text('from_status', true),
    toStatus: text('to_status', true),
    detail: { type: 'json' },
    createdAt: { type: 'datetime', fieldName: 'created_at', defaultRaw: 'now()' },
  },
});

export const OutboxSchema = new EntitySchema<OutboxEntry>({
  class: OutboxEntry,
  tableName: 'outbox',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    tenantId: uuid('tenant_id'),
    letterId: uuid('letter_id', true),
    job: text(),
    payload: { type: 'json' },
    availableAt: { type: 'datetime', fieldName: 'available_at', defaultRaw: 'now()' },
    createdAt: { type: 'datetime', fieldName: 'created_at', defaultRaw: 'now()' },
    dispatchedAt: date('dispatched_at', true),
  },
});

export const LETTER_ENTITIES = [LetterSchema, LetterAttachmentSchema, LetterEventSchema, OutboxSchema];
