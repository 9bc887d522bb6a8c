export { DiaryEvent, DISPATCHED_EVENTS } from './diary.types';
export type {
  CreateDiaryHookInput,
  DiaryFailureView,
  DiaryHookView,
  DiaryHookWithSecret,
  DiaryRegistrationStatus,
  DiaryRegistrationView,
  UpdateDiaryHookInput,
} from './diary.types';
export { DiaryHookService, DiaryHookNotFoundError, DiaryRegistrationNotFoundError, DEFAULT_DIARY_RETRY_TOTAL_MS, hookSecretContext } from './diary-hook.service';
export type { DiaryApiOptions, DiaryHookServiceOptions } from './diary-hook.service';
export { DIARY_SIGNATURE_HEADER, signDiaryBody, verifyDiarySignature } from './diary-signature';
export type { SignatureCheck, SignatureRefusal } from './diary-signature';
export { hookUrlProblem, displayUrl } from './hook-url';
export { postToRegistry, MAX_REGISTRATION_NUMBER_LENGTH } from './registry-client';
export type { RegistryClientOptions, RegistryOutcome } from './registry-client';
export { buildDispatchedDocument, DIARY_DOCUMENT_SCHEMA } from './dispatched-document';
export { DiaryEventConsumer, DIARY_CONSUMER } from './diary-consumer';
export type { DiaryConsumerOptions } from './diary-consumer';
export { DiarySender, diaryRetryDelayMs } from './diary-sender';
export type { DiarySenderOptions, SendOutcome } from './diary-sender';
export { startDiaryWorker } from './diary-worker';
export type { DiaryWorker, DiaryWorkerOptions, DiaryWorkerSettings } from './diary-worker';

