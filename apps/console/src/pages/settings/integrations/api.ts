/** The GraphQL operations and answer shapes of the integration settings pages (see the API's schema). */

export const WEBHOOK_EVENTS = [
  'letter.delivered',
  'letter.not_reachable',
  'letter.routed_to_print',
  'letter.printed',
  'letter.posted',
  'letter.returned',
  'letter.failed',
  'letter.cancelled',
  'letter.held',
] as const;

export interface Webhook {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  active: boolean;
  createdBy: string;
  createdAt: string;
  secretRotatedAt: string | null;
  previousSecretValidUntil: string | null;
  pendingDeliveries: number;
  deadLetters: number;
}
const WEBHOOK = 'id url description events active createdBy createdAt secretRotatedAt previousSecretValidUntil pendingDeliveries deadLetters';
export const WEBHOOKS = `{ webhooks { ${WEBHOOK} } }`;
export const CREATE_WEBHOOK = `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { ${WEBHOOK} } } }`;
export const UPDATE_WEBHOOK = `mutation($id: ID!, $input: UpdateWebhookInput!) { updateWebhook(id: $id, input: $input) { ${WEBHOOK} } }`;
export const ROTATE_WEBHOOK = `mutation($id: ID!, $hours: Int) { rotateWebhookSecret(id: $id, previousSecretValidHours: $hours) { secret webhook { ${WEBHOOK} } } }`;
export const DELETE_WEBHOOK = `mutation($id: ID!) { deleteWebhook(id: $id) }`;

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  letterId: string;
  status: 'PENDING' | 'DELIVERED' | 'DEAD';
  attempts: number;
  totalAttempts: number;
  replays: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  deadAt: string | null;
  nextAttemptAt: string | null;
}
export interface DeliveryPage {
  edges: { cursor: string; node: WebhookDelivery }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
const DELIVERY = 'id webhookId eventId eventType letterId status attempts totalAttempts replays lastStatusCode lastError createdAt deliveredAt deadAt nextAttemptAt';
export const DELIVERIES = `query($id: ID!, $status: WebhookDeliveryStatus, $first: Int, $after: String) {
  webhookDeliveries(webhookId: $id, status: $status, first: $first, after: $after) { edges { cursor node { ${DELIVERY} } } pageInfo { hasNextPage endCursor } } }`;
export const DEAD_LETTERS = `query($first: Int, $after: String) { deadLetters(first: $first, after: $after) { edges { cursor node { ${DELIVERY} } } pageInfo { hasNextPage endCursor } } }`;
export const REPLAY = `mutation($id: ID!) { replayDeadLetter(id: $id) { ${DELIVERY} } }`;

export interface CaseTypeChoice {
  code: string;
  name: string;
}
export const CASE_TYPE_CHOICES = `{ caseTypes(includeArchived: true) { code name } }`;

export interface DiaryHook {
  id: string;
  name: string;
  caseTypeCode: string | null;
  url: string;
  enabled: boolean;
  includeRecipient: boolean;
  createdAt: string;
  updatedAt: string;
  secretRotatedAt: string | null;
}
export interface DiaryFailure {
  id: string;
  letterId: string;
  hookId: string;
  hookName: string;
  caseReference: string | null;
  caseTypeCode: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  lastHttpStatus: number | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  failedAt: string | null;
}
const HOOK = 'id name caseTypeCode url enabled includeRecipient createdAt updatedAt secretRotatedAt';
export const DIARY_PAGE = `query($retrying: Boolean) {
  diaryHooks { ${HOOK} }
  diaryFailures(first: 100, includeRetrying: $retrying) { id letterId hookId hookName caseReference caseTypeCode status attempts lastError lastHttpStatus lastAttemptAt nextAttemptAt failedAt }
  caseTypes(includeArchived: true) { code name } }`;
export const CREATE_DIARY_HOOK = `mutation($input: CreateDiaryHookInput!) { createDiaryHook(input: $input) { secret hook { ${HOOK} } } }`;
export const UPDATE_DIARY_HOOK = `mutation($id: ID!, $input: UpdateDiaryHookInput!) { updateDiaryHook(id: $id, input: $input) { secret hook { ${HOOK} } } }`;
export const DELETE_DIARY_HOOK = `mutation($id: ID!) { deleteDiaryHook(id: $id) }`;
export const RETRY_DIARY = `mutation($letterId: ID!) { retryDiaryRegistration(letterId: $letterId) { id status } }`;

export interface RetentionRule {
  id: string;
  caseTypeCode: string | null;
  protectionClass: number | null;
  contentAfterDays: number | null;
  identifiersAfterDays: number | null;
  identifiersAction: 'PSEUDONYMISE' | 'REMOVE';
  logAfterDays: number | null;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}
export interface RetentionCounts {
  contentLetters: number;
  contentAttachments: number;
  contentPrintPdfs: number;
  identifierLetters: number;
  logLetters: number;
  logEvents: number;
  logAttachments: number;
  logOutboxRows: number;
  logPrintItems: number;
  purgers: { name: string; count: number }[];
}
export interface PurgeRecord {
  id: string;
  ruleId: string;
  rule: Omit<RetentionRule, 'createdAt' | 'updatedAt'>;
  dryRun: boolean;
  trigger: string;
  actor: string;
  asOf: string;
  startedAt: string;
  finishedAt: string;
  counts: RetentionCounts;
  error: string | null;
}
const RULE = 'id caseTypeCode protectionClass contentAfterDays identifiersAfterDays identifiersAction logAfterDays description createdAt updatedAt';
const COUNTS = 'contentLetters contentAttachments contentPrintPdfs identifierLetters logLetters logEvents logAttachments logOutboxRows logPrintItems purgers { name count }';
const RECORD = `id ruleId rule { id caseTypeCode protectionClass contentAfterDays identifiersAfterDays identifiersAction logAfterDays description } dryRun trigger actor asOf startedAt finishedAt counts { ${COUNTS} } error`;
export const RETENTION_PAGE = `{ retentionRules { ${RULE} } caseTypes(includeArchived: true) { code name } }`;
export const CREATE_RULE = `mutation($input: RetentionRuleInput!) { createRetentionRule(input: $input) { ${RULE} } }`;
export const UPDATE_RULE = `mutation($id: ID!, $input: RetentionRuleInput!) { updateRetentionRule(id: $id, input: $input) { ${RULE} } }`;
export const DELETE_RULE = `mutation($id: ID!) { deleteRetentionRule(id: $id) { id } }`;
export const DRY_RUN = `query($ruleId: ID) { retentionDryRun(ruleId: $ruleId) { asOf rules { ${RECORD} } totals { ${COUNTS} } } }`;
export const PURGE_RECORDS = `query($first: Int, $after: String, $dryRun: Boolean) { purgeRecords(first: $first, after: $after, dryRun: $dryRun) { edges { cursor node { ${RECORD} } } pageInfo { hasNextPage endCursor } } }`;

export interface ApiClient {
  id: string;
  name: string;
  clientId: string;
  sendingUnit: string | null;
  sendingUnitName: string | null;
  createdAt: string;
  createdBy: string | null;
  secretRotatedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  managed: boolean;
  identityProviderRemovedAt: string | null;
  identityProviderError: string | null;
}
export interface ApiClientCredentials {
  clientId: string;
  clientSecret: string;
  tokenEndpoint: string | null;
  apiClient: ApiClient;
}
const API_CLIENT = 'id name clientId sendingUnit sendingUnitName createdAt createdBy secretRotatedAt revokedAt revokedBy managed identityProviderRemovedAt identityProviderError';
export const API_CLIENTS = `{ apiClients { ${API_CLIENT} } }`;
export const SENDING_UNIT_CHOICES = `{ sendingUnits { code name } }`;
export const CREATE_API_CLIENT = `mutation($name: String!, $sendingUnit: String) { createApiClient(name: $name, sendingUnit: $sendingUnit) { clientId clientSecret tokenEndpoint apiClient { ${API_CLIENT} } } }`;
export const ROTATE_API_CLIENT = `mutation($id: ID!) { rotateApiClientSecret(id: $id) { clientId clientSecret tokenEndpoint apiClient { ${API_CLIENT} } } }`;
export const REVOKE_API_CLIENT = `mutation($id: ID!) { revokeApiClient(id: $id) { ${API_CLIENT} } }`;

export interface AuditEntry {
  id: string;
  seq: number;
  actor: string;
  action: string;
  target: string;
  detail: unknown;
  createdAt: string;
}
export interface AuditPage {
  edges: { cursor?: string; node: AuditEntry }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
export interface AuditVerification {
  ok: boolean;
  entries: number;
  lastHash: string;
  firstBroken: { id: string; seq: number; problem: string; message: string; expected: string; actual: string } | null;
}
export const AUDIT_TRAIL = `query($first: Int, $after: String) { auditTrail(first: $first, after: $after) { edges { node { id seq actor action target detail createdAt } } pageInfo { hasNextPage endCursor } } }`;
export const VERIFY_AUDIT = `{ verifyAuditTrail { ok entries lastHash firstBroken { id seq problem message expected actual } } }`;
