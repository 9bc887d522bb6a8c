export { MmGateway, MmGatewayError, MmGatewayOptions, INTERMEDIARY_CREDENTIAL } from './mm-gateway';
export { SenderCredentials, SenderCredentialError, SenderCredentialProblem } from './sender-credentials';
export { decideChannel, ChannelDecision, ChannelReason, ChannelSwitchInput, DigitalFailureReason, HoldReason, PrintBlockedBy } from './channel-switch';
export { deliveryInputFor, supportText } from './delivery-input';
export { retryDelayMs, decideRetry, RetryDecision, RetrySettings } from './retry-policy';
export {
  DispatchLetterHandler,
  DispatchLetterDeps,
  DispatchLetterPayload,
  DispatchOutcome,
  DispatchEvent,
  DispatchSettings,
} from './dispatch-letter.handler';
export { DispatchStore, DispatchStoreOptions, ClaimedLetter, ClaimRefusal, LeaseLostError, FinishedElsewhereError, LetterChange, EventInput, LetterColumns } from './dispatch-store';
export { StatementBatcher, StatementBatcherOptions, BatchRunner } from './statement-batcher';
export { JobRouter, JobContext, JobRegistration, JobRegistrationError, UnrunnableJobError, registerJob } from './job-router';
export { OutboxRelay, OutboxRelayOptions } from './outbox-relay';
export { ReachabilityBatcher, ReachabilityBatcherOptions, ReachabilityLookup } from './reachability-batcher';
export { Reconciler, ReconcilerOptions, reconcileJobId } from './reconciler';
export { DispatchMetrics, DispatchMetricsSources } from './dispatch-metrics';
export { LETTER_JOB_OPTIONS, redisConnection } from './queue-options';
export { startDispatchRuntime, DispatchRuntime, DispatchRuntimeOptions, DispatchConfig } from './dispatch-runtime';
export { BackgroundLoop } from './background-loop';
