export { NOTIFICATION_EVENT_TYPES, LOG_TO_NOTIFICATION, notificationTypeOf, isNotificationEventType } from './notification-events';
export type { NotificationEventType } from './notification-events';
export { subjectAllowed, maskPersonalIdentifiers, loadNotifications } from './notification-payload';
export type { LetterNotification } from './notification-payload';
export {
  verifyWebhookSignature,
  signWebhookPayload,
  generateWebhookSecret,
  SIGNATURE_HEADER,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  DELIVERY_ID_HEADER,
  DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
} from './webhook-signature';
export type { SignatureCheck } from './webhook-signature';
export { checkWebhookUrl } from './webhook-input';
export type { CreateWebhookInput, UpdateWebhookInput } from './webhook-input';
export { WebhookValidationError, NotificationNotFoundError, NotificationBadInputError, NotificationPageSizeError } from './notification.errors';
export { WebhookSubscriptionService } from './webhook-subscription.service';
export type { WebhookSubscriptionView, WebhookWithSecret, NotificationCaller, WebhookSubscriptionServiceOptions } from './webhook-subscription.service';
export { WebhookDeliveryService, WEBHOOK_DELIVERY_STATUSES } from './webhook-delivery.service';
export type { WebhookDeliveryView, WebhookDeliveryPage, WebhookDeliveryStatus } from './webhook-delivery.service';
export { LetterEventFeed } from './letter-event-feed.service';
export type { LetterEventFeedPage, LetterEventFeedOptions, FeedCaller } from './letter-event-feed.service';
export { WebhookFanout, WEBHOOK_CONSUMER } from './webhook-fanout';
export type { WebhookFanoutOptions } from './webhook-fanout';
export { WebhookSender } from './webhook-sender';
export type { WebhookSenderOptions, AttemptOutcome } from './webhook-sender';
export { afterFailure, DEFAULT_WEBHOOK_RETRY } from './webhook-retry';
export type { WebhookRetrySettings } from './webhook-retry';
export { startWebhookWorker } from './notifications-worker';
export type { WebhookWorker, WebhookWorkerSettings } from './notifications-worker';
