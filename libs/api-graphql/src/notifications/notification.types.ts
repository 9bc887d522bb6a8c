import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { WEBHOOK_DELIVERY_STATUSES, WebhookDeliveryStatus } from '@hub/notifications';
import { PageInfoType } from '../letters/letter.types';
import { GraphQLJSON } from '../scalars/json.scalar';

const EVENT_NAMES =
  'letter.delivered, letter.not_reachable, letter.routed_to_print, letter.printed, letter.posted, letter.returned, letter.failed, letter.cancelled, letter.held';

export const WebhookDeliveryStatusEnum = Object.fromEntries(WEBHOOK_DELIVERY_STATUSES.map((s) => [s, s])) as { [K in WebhookDeliveryStatus]: K };
registerEnumType(WebhookDeliveryStatusEnum, {
  name: 'WebhookDeliveryStatus',
  description: 'PENDING: waiting for its next attempt. DELIVERED: the receiver answered 2xx. DEAD: the retries ran out (a dead letter; replayDeadLetter sends it again).',
});

@ObjectType('WebhookSubscription', { description: 'A webhook endpoint of the municipality: the hub POSTs signed letter events to it.' })
export class WebhookSubscriptionType {
  @Field(() => ID)
  id!: string;

  @Field()
  url!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => [String], { description: `The events it receives: ${EVENT_NAMES}.` })
  events!: string[];

  @Field({ description: 'An inactive subscription receives nothing; events that happen meanwhile are not queued for it.' })
  active!: boolean;

  @Field({ description: 'Who created it (user or client id).' })
  createdBy!: string;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
  secretRotatedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'After a rotation: until when requests also carry a signature with the previous secret.' })
  previousSecretValidUntil!: Date | null;

  @Field(() => Int, { description: 'Deliveries waiting for their next attempt.' })
  pendingDeliveries!: number;

  @Field(() => Int, { description: 'Deliveries whose retries ran out.' })
  deadLetters!: number;
}

@ObjectType('WebhookSubscriptionWithSecret', { description: 'A subscription and its signing secret. The secret is shown only this once: store it in the receiver now.' })
export class WebhookWithSecretType {
  @Field(() => WebhookSubscriptionType)
  webhook!: WebhookSubscriptionType;

  @Field({ description: 'The HMAC-SHA256 signing secret (X-Hub-Signature). Not shown again.' })
  secret!: string;
}

@ObjectType('WebhookDelivery', { description: 'One letter event for one subscription, and how sending it went.' })
export class WebhookDeliveryType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  webhookId!: string;

  @Field(() => ID, { description: 'The event id (the payload\'s id and X-Hub-Event-Id).' })
  eventId!: string;

  @Field()
  eventType!: string;

  @Field(() => ID)
  letterId!: string;

  @Field(() => WebhookDeliveryStatusEnum)
  status!: WebhookDeliveryStatus;

  @Field(() => Int, { description: 'Attempts in the current series (a replay starts a new one).' })
  attempts!: number;

  @Field(() => Int)
  totalAttempts!: number;

  @Field(() => Int)
  replays!: number;

  @Field()
  seriesStartedAt!: Date;

  @Field(() => Date, { nullable: true })
  nextAttemptAt!: Date | null;

  @Field(() => Date, { nullable: true })
  lastAttemptAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'The receiver\'s HTTP status in the last attempt (null: no answer).' })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true, description: 'What went wrong in the last attempt.' })
  lastError!: string | null;

  @Field(() => Date, { nullable: true })
  deliveredAt!: Date | null;

  @Field(() => Date, { nullable: true })
  deadAt!: Date | null;

  @Field()
  createdAt!: Date;
}

@ObjectType('WebhookDeliveryEdge')
export class WebhookDeliveryEdgeType {
  @Field()
  cursor!: string;

  @Field(() => WebhookDeliveryType)
  node!: WebhookDeliveryType;
}

@ObjectType('WebhookDeliveryConnection', { description: 'A page of webhook deliveries, newest first.' })
export class WebhookDeliveryConnectionType {
  @Field(() => [WebhookDeliveryEdgeType])
  edges!: WebhookDeliveryEdgeType[];

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType;
}

@ObjectType('LetterNotification', {
  description:
    'A published letter event, the same as a webhook\'s JSON body. Never the recipient\'s personnummer; the subject only when the protection-class policy allows it.',
})
export class LetterNotificationType {
  @Field(() => ID, { description: 'The event id: increasing, unique; deduplicate on it.' })
  id!: string;

  @Field({ description: EVENT_NAMES })
  type!: string;

  @Field({ description: 'When it happened (for print statuses: as the vendor reported).' })
  occurredAt!: string;

  @Field({ description: 'When the hub recorded it.' })
  recordedAt!: string;

  @Field({ description: 'The municipality (tenant alias).' })
  tenant!: string;

  @Field(() => ID)
  letterId!: string;

  @Field(() => String, { nullable: true })
  caseReference!: string | null;

  @Field(() => String, { nullable: true })
  caseType!: string | null;

  @Field({ description: 'The sending unit\'s code.' })
  sendingUnit!: string;

  @Field(() => Int)
  protectionClass!: number;

  @Field({ description: 'The letter\'s state right after the event.' })
  status!: string;

  @Field(() => String, { nullable: true, description: 'DIGITAL, PRINT or null.' })
  channel!: string | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => String, { nullable: true, description: 'Null when the municipality\'s policy withholds subjects of this protection class (default: class 3).' })
  subject!: string | null;

  @Field(() => GraphQLJSON, { description: 'Per type: operatorId, operatorName, transId; vendorId, batchId; holdReason; printBlockedBy, stage.' })
  details!: Record<string, unknown>;
}

@ObjectType('LetterNotificationEdge')
export class LetterNotificationEdgeType {
  @Field({ description: 'Pass as `after` to continue after this event.' })
  cursor!: string;

  @Field(() => LetterNotificationType)
  node!: LetterNotificationType;
}

@ObjectType('LetterNotificationConnection', { description: 'A page of the letter event feed, oldest first.' })
export class LetterNotificationConnectionType {
  @Field(() => [LetterNotificationEdgeType])
  edges!: LetterNotificationEdgeType[];

  @Field(() => PageInfoType, { description: 'endCursor is the last event\'s cursor, or the given `after` when no new event has come: keep passing it.' })
  pageInfo!: PageInfoType;
}

@InputType('CreateWebhookInput')
export class CreateWebhookInputType {
  @Field(() => String, { nullable: true, description: 'https:// address the hub POSTs events to.' })
  url?: string | null;

  @Field(() => [String], { nullable: true, description: `At least one of: ${EVENT_NAMES}.` })
  events?: string[] | null;

  @Field(() => String, { nullable: true, description: 'At most 200 characters, e.g. which system receives.' })
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'Your own signing secret (24–256 printable characters); leave out to have the hub generate one.' })
  secret?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  active?: boolean | null;
}

@InputType('UpdateWebhookInput', { description: 'Only the fields given change.' })
export class UpdateWebhookInputType {
  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => [String], { nullable: true })
  events?: string[] | null;

  @Field(() => String, { nullable: true, description: 'An empty string removes it.' })
  description?: string | null;

  @Field(() => Boolean, { nullable: true })
  active?: boolean | null;
}
