import type { OfficialMatterInput } from '@hub/mina-meddelanden';
import { CaseTypeChannel, ChannelDecisionKind, ChannelPreference, LetterCategory, LetterStatus, PostageClassName } from '../letter-status';
import { LetterPostalAddress } from '../letter.entities';
import { FieldViolation } from './intake.errors';

/**
 * Who submits, already established by the API layer from the verified token: the tenant the work
 * runs in, and for a case system its API client row and the sending unit it is bound to.
 */
export interface IntakeContext {
  tenantId: string;
  /** For events and logs: the API client id or the user id. */
  actor: string;
  /** The `api_client` row of a case system: scopes idempotency keys and is recorded on the letter. */
  apiClientId?: string;
  /** A client bound to a sending unit may omit the unit and may not choose another. */
  boundSendingUnitId?: string;
}

/** An attachment as received: bytes (base64 already decoded or an upload already read) and a name. */
export interface AttachmentInput {
  filename?: string | null;
  /** Default `application/pdf`. */
  contentType?: string | null;
  content?: Buffer | null;
  /** Set by the API when the base64 text was not valid base64 (the content is then absent). */
  contentError?: string;
}

export interface PostalAddressInput {
  name?: string | null;
  lines?: (string | null)[] | null;
  postalCode?: string | null;
  city?: string | null;
  /** ISO 3166 alpha-2; default SE. */
  country?: string | null;
}

/**
 * One letter as a caller submits it. Every field is optional here so that a letter missing a field
 * is refused with that field's path (and, in a bulk, on its own) rather than failing the whole request.
 */
export interface LetterInput {
  /** Personnummer, samordningsnummer or 16 + organisationsnummer (12 digits). */
  recipient?: string | null;
  /** Sending unit code; may be omitted by a client bound to a unit. */
  sendingUnit?: string | null;
  caseReference?: string | null;
  subject?: string | null;
  body?: { contentType?: string | null; text?: string | null } | null;
  attachments?: (AttachmentInput | null)[] | null;
  /** Skyddsklass 1–3. */
  protectionClass?: number | null;
  channelPreference?: ChannelPreference | null;
  postalAddress?: PostalAddressInput | null;
  /** The recipient has protected personal data (skyddade personuppgifter), as the case system knows from the population register. */
  protectedIdentity?: boolean | null;
  /** FIRST_CLASS or ECONOMY when printed (default: the tenant's). */
  postageClass?: PostageClassName | null;
  /** ≤ 200 characters; a retry with the same key and content returns the same letter. */
  idempotencyKey?: string | null;
  /**
   * Code of one of the tenant's case types (ärendetyp), e.g. "bygglov": it gives the default (and
   * lowest) protection class, the subject (and body) when the letter gives none, and the channels
   * the letter may use.
   */
  caseType?: string | null;
  /** CASE (default) or SERVICE; EVENT letters come only through `submitEvent`. */
  category?: LetterCategory | null;
  /** An event message's official-matter data (`submitEvent` only). */
  officialMatter?: OfficialMatterFields | null;
}

/**
 * The v3 OfficialMatter data of an event message (händelsemeddelande), with the protocol library's
 * field names. Defaults: `eventId` the letter's id, `officialMatterId` the letter's case reference,
 * `timestamp` the day of submission (Swedish time).
 */
export interface OfficialMatterFields {
  /** This event's id (HändelseID), unique; at most 255 characters. */
  eventId?: string | null;
  /** The case's id (KundärendeID); at most 255 characters. */
  officialMatterId?: string | null;
  /** The event this one follows (KorrespondensID); at most 255 characters. */
  precedingEventId?: string | null;
  /** What the matter concerns (Kundämne); at most 2,000 characters. */
  matterSubject?: string | null;
  /** The state change the event describes (Händelsetyp); at most 2,000 characters. */
  eventType?: string | null;
  /** senderinitiative, recipientinitiative or closed. */
  matterStatus?: OfficialMatterInput['matterStatus'] | null;
  /** xs:date, YYYY-MM-DD. */
  timestamp?: string | null;
}

/** An event message: a letter in a case that carries the OfficialMatter extension; digital only, never printed. */
export type EventMessageInput = Omit<LetterInput, 'category' | 'officialMatter' | 'channelPreference' | 'postalAddress' | 'postageClass' | 'protectedIdentity'> & {
  officialMatter?: OfficialMatterFields | null;
};

/** A service message (servicemeddelande): one message to many recipients, each becoming a SERVICE letter of a bulk. */
export interface ServiceMessageInput {
  /** The letter every recipient gets (its `recipient`, `postalAddress` and `protectedIdentity` come per recipient). */
  message?: (Omit<LetterInput, 'recipient' | 'postalAddress' | 'protectedIdentity' | 'category' | 'officialMatter'>) | null;
  recipients?: (ServiceRecipientInput | null)[] | null;
}

export interface ServiceRecipientInput {
  recipient?: string | null;
  postalAddress?: PostalAddressInput | null;
  protectedIdentity?: boolean | null;
}

/** A case type as the intake applies it to a letter. */
export interface CaseTypeRef {
  code: string;
  name: string;
  defaultProtectionClass: number;
  subjectTemplate: string;
  bodyTemplate: string | null;
  allowedChannels: CaseTypeChannel[];
  archived: boolean;
}

/** A letter as the intake returns it (no body or attachment content). */
export interface LetterView {
  id: string;
  tenantId: string;
  status: LetterStatus;
  statusReason?: string | null;
  channel?: 'DIGITAL' | 'PRINT' | null;
  channelDecision?: ChannelDecisionKind | null;
  protectedIdentity: boolean;
  postageClass?: PostageClassName | null;
  recipientId: string;
  recipientKind: string;
  sendingUnit: { id: string; code: string; name: string };
  caseReference?: string | null;
  subject: string;
  bodyType: string;
  protectionClass: number;
  channelPreference: ChannelPreference;
  postalAddress?: LetterPostalAddress | null;
  caseType: string | null;
  category: LetterCategory;
  officialMatter: OfficialMatterInput | null;
  operator?: { id: string; name: string | null } | null;
  transId?: string | null;
  attempts: number;
  idempotencyKey?: string | null;
  attachments: { position: number; filename: string; contentType: string; sizeBytes: number; sha256: string }[];
  deadlineAt: Date;
  createdAt: Date;
  updatedAt: Date;
  dispatchedAt?: Date | null;
}

export interface LetterEventView {
  id: string;
  letterId: string;
  type: string;
  fromStatus?: string | null;
  toStatus?: string | null;
  detail: Record<string, unknown>;
  createdAt: Date;
}

/** The outcome of one submitted letter. `created` is false when an idempotent retry returned an existing letter. */
export interface SubmitResult {
  letter: LetterView;
  created: boolean;
}

/** The outcome of one letter of a bulk, by its position in the input. */
export type BulkItemResult =
  | { index: number; ok: true; letter: LetterView; created: boolean }
  | { index: number; ok: false; code: 'VALIDATION_FAILED' | 'IDEMPOTENCY_CONFLICT'; message: string; fields: FieldViolation[] };

export interface LetterFilter {
  status?: LetterStatus[] | null;
  /** Exact recipient id (12 digits). */
  recipient?: string | null;
  caseReference?: string | null;
  /** Sending unit code. */
  sendingUnit?: string | null;
  /** Case type code. */
  caseType?: string | null;
  category?: LetterCategory[] | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
}

export interface LetterPage {
  items: { cursor: string; letter: LetterView }[];
  hasNextPage: boolean;
  endCursor: string | null;
}
