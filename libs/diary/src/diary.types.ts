/** Event types the diary hooks write to a letter's log (what the case officer sees). */
export const DiaryEvent = {
  /** The registry registered the dispatched document; detail: registrationNumber, hookId. */
  REGISTERED: 'DIARY_REGISTERED',
  /** The hub gave up registering it (retries used up, or the registry refused); detail: hookId, error, attempts. */
  FAILED: 'DIARY_REGISTRATION_FAILED',
} as const;

/** The letter events that mean "dispatched" (expedierad): delivered to a digital mailbox, or posted. */
export const DISPATCHED_EVENTS: readonly string[] = ['DELIVERED', 'POSTED'];

export type DiaryRegistrationStatus = 'PENDING' | 'REGISTERED' | 'FAILED' | 'CANCELLED';

/** A diary hook as tenant admins see it (never its secret). */
export interface DiaryHookView {
  id: string;
  name: string;
  /** null: every case type without a hook of its own (and letters without a case type). */
  caseTypeCode: string | null;
  url: string;
  enabled: boolean;
  includeRecipient: boolean;
  createdAt: Date;
  updatedAt: Date;
  secretRotatedAt: Date | null;
}

/** A new hook or a rotated secret: the secret is shown this once and never again. */
export interface DiaryHookWithSecret {
  hook: DiaryHookView;
  secret: string | null;
}

/** A letter's registration in one registry. */
export interface DiaryRegistrationView {
  id: string;
  letterId: string;
  hookId: string;
  status: DiaryRegistrationStatus;
  registrationNumber: string | null;
  registeredAt: Date | null;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  lastHttpStatus: number | null;
  lastAttemptAt: Date | null;
  failedAt: Date | null;
  createdAt: Date;
}

/** A registration that failed (or, when asked for, keeps failing while it is retried), for the admin. */
export interface DiaryFailureView extends DiaryRegistrationView {
  hookName: string;
  caseReference: string | null;
  caseTypeCode: string | null;
}

export interface CreateDiaryHookInput {
  name?: string | null;
  url?: string | null;
  caseTypeCode?: string | null;
  enabled?: boolean | null;
  includeRecipient?: boolean | null;
}

/** Absent fields stay as they are; `caseTypeCode: null` makes the hook tenant-wide. */
export interface UpdateDiaryHookInput {
  name?: string | null;
  url?: string | null;
  caseTypeCode?: string | null;
  enabled?: boolean | null;
  includeRecipient?: boolean | null;
  /** A new secret, returned once; the old one stops working at once. */
  rotateSecret?: boolean | null;
}
