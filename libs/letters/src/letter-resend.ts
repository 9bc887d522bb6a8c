import type { EntityManager } from '@mikro-orm/postgresql';
import type { OfficialMatterInput } from '@hub/mina-meddelanden';
import type { TenantDb } from '@hub/persistence';
import { IdempotencyConflictError, IntakeError, IntakeErrorCode, LetterNotFoundError, LetterValidationError } from './intake/intake.errors';
import { IntakeContext, LetterInput, LetterView, OfficialMatterFields, PostalAddressInput } from './intake/intake.types';
import { isUuid } from './intake/letter-cursor';
import { hasControlChars } from './intake/letter-input.validator';
import type { LetterIntakeService } from './intake/letter-intake.service';
import { sql } from './intake/sql';
import { LetterCategory, LetterStatus } from './letter-status';

/**
 * The states of a letter that ended without reaching its recipient and may be sent again: FAILED
 * (neither channel was possible), PRINT_FAILED (the vendor could not print it) and RETURNED (the post
 * brought it back). A CANCELLED letter is not among them: someone stopped it on purpose (a held
 * letter is released, not cancelled, when it should go out); a new letter is the way to send it after all.
 */
export const RESENDABLE_STATUSES: readonly LetterStatus[] = ['FAILED', 'PRINT_FAILED', 'RETURNED'];

/** Why a letter cannot be resent (the API answers with it as `extensions.reason`). */
export const RESEND_REFUSALS = ['STATUS_NOT_RESENDABLE', 'ALREADY_RESENT', 'CONTENT_PURGED', 'CASE_TYPE_ARCHIVED'] as const;
export type ResendRefusal = (typeof RESEND_REFUSALS)[number];

/** Whether a letter may be resent now, and if not, why (a code and words). */
export interface ResendCheck {
  allowed: boolean;
  refusal: ResendRefusal | null;
  message: string | null;
  /** The letter's resend, when it has one. */
  resentAs: string | null;
}

/** The idempotency key of a letter's resend: a retried or doubled resend finds the same new letter. */
export function resendKey(letterId: string): string {
  return `resend:${letterId}`;
}

/** A resend the rules refuse; `refusal` says which rule. */
export class ResendRefusedError extends IntakeError {
  constructor(
    readonly letterId: string,
    readonly refusal: ResendRefusal,
    message: string,
    readonly resentAs: string | null = null,
  ) {
    super(IntakeErrorCode.BadInput, message);
  }
}

interface CheckRow {
  id: string;
  status: LetterStatus;
  resent_as: string | null;
  content_purged_at: string | null;
  identifiers_purged_at: string | null;
  case_type_code: string | null;
  case_type_archived: boolean | null;
}

const CHECK_COLUMNS = `l.id, l.status, l.resent_as, l.content_purged_at::text, l.identifiers_purged_at::text, l.case_type_code,
  (select ct.archived_at is not null from case_type ct where ct.tenant_id = l.tenant_id and ct.code = l.case_type_code) as case_type_archived`;

/** The rules, in the order a person would want to hear them. */
function judge(r: CheckRow): ResendCheck {
  const refuse = (refusal: ResendRefusal, message: string): ResendCheck => ({ allowed: false, refusal, message, resentAs: r.resent_as });
  if (r.resent_as) return refuse('ALREADY_RESENT', `Letter ${r.id} was already resent as letter ${r.resent_as}; follow that letter (it can be resent in turn if it fails).`);
  if (!RESENDABLE_STATUSES.includes(r.status)) {
    return refuse(
      'STATUS_NOT_RESENDABLE',
      `Letter ${r.id} is ${r.status}; only a letter that ended without reaching its recipient (${RESENDABLE_STATUSES.join(', ')}) can be resent` +
        (r.status === 'CANCELLED' ? ' (a cancelled letter was stopped on purpose: send a new letter instead).' : '.'),
    );
  }
  if (r.content_purged_at || r.identifiers_purged_at) {
    return refuse(
      'CONTENT_PURGED',
      `The ${r.content_purged_at ? 'content' : 'recipient'} of letter ${r.id} was purged (gallrad) under the municipality's retention rules, so it cannot be sent again; send a new letter.`,
    );
  }
  if (r.case_type_archived) {
    return refuse('CASE_TYPE_ARCHIVED', `Letter ${r.id} was sent under case type "${r.case_type_code}", which is archived and takes no new letters; ask a tenant admin to restore it, or send a new letter under an active case type.`);
  }
  return { allowed: true, refusal: null, message: null, resentAs: null };
}

/** A letter as the resend reads it: everything its intake input needs. */
interface SourceRow extends CheckRow {
  api_client_id: string | null;
  recipient_id: string;
  unit_code: string;
  case_reference: string | null;
  subject: string;
  body_text: string | null;
  body_type: string;
  protection_class: number;
  channel_preference: LetterInput['channelPreference'];
  postal_address: PostalAddressInput | null;
  protected_identity: boolean;
  postage_class: LetterInput['postageClass'];
  category: LetterCategory;
  official_matter: OfficialMatterInput | null;
}

export interface ResendOptions {
  /** Why it is sent again (kept in both letters' history); one line, at most 500 characters. */
  reason?: string | null;
  /** A corrected postal address for the new letter (else the original's). */
  postalAddress?: PostalAddressInput | null;
}

export interface ResendResult {
  letter: LetterView;
  originalId: string;
  /** false when an earlier (interrupted or doubled) resend of the same letter was found and linked. */
  created: boolean;
}

/**
 * Sends a letter that ended without reaching its recipient (see {@link RESENDABLE_STATUSES}) again,
 * as a new letter with the same content, recipient, sending unit, case type, protection class,
 * channel preference and postal address (or a corrected one), through the normal intake: every rule
 * (validation, case type, protection class, subject rules) applies again, and the new letter is
 * routed afresh by the channel switch.
 *
 * The two letters are linked both ways (`resent_as` on the original, `resend_of` on the new one) with
 * an event on each (`RESENT`, `RESEND_OF`). The new letter keeps the original's API client, so a case
 * system still sees it in its own part of the log; the actor is the person who resent it. Its
 * idempotency key is {@link resendKey}: a resend interrupted between the intake and the link, or
 * clicked twice, finds the same new letter instead of sending a second one.
 */
export class LetterResendService {
  constructor(
    private readonly db: TenantDb,
    private readonly intake: LetterIntakeService,
  ) {}

  /** Whether each of these letters (of the caller's tenant) may be resent; letters not found are absent. */
  async check(ctx: IntakeContext, letterIds: readonly string[]): Promise<Map<string, ResendCheck>> {
    const ids = [...new Set(letterIds.filter(isUuid))];
    if (ids.length === 0) return new Map();
    const rows = await this.db.inTenant(ctx.tenantId, async (em) => (await sql<CheckRow>(em, `select ${CHECK_COLUMNS} from letter l where l.tenant_id = $1 and l.id = any($2::uuid[])`, [ctx.tenantId, ids])).rows, ctx.actor);
    return new Map(rows.map((r) => [r.id, judge(r)]));
  }

  /**
   * Resends one letter. Throws {@link LetterNotFoundError}, {@link ResendRefusedError} (with the
   * rule), or the intake's {@link LetterValidationError} when the letter breaks a rule today (e.g. a
   * corrected address that is incomplete: paths `postalAddress.*`).
   */
  async resend(ctx: IntakeContext, letterId: string, options: ResendOptions = {}): Promise<ResendResult> {
    if (!isUuid(letterId)) throw new LetterNotFoundError(letterId);
    const reason = checkReason(options.reason);
    const { row, attachments } = await this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const found = (await sql<SourceRow>(em, READ_SOURCE, [ctx.tenantId, letterId])).rows[0];
        if (!found) return { row: undefined, attachments: [] };
        const files = (await sql<{ filename: string; content_type: string; content: Buffer }>(em, 'select filename, content_type, content from letter_attachment where letter_id = $1 order by position', [letterId])).rows;
        return { row: found, attachments: files };
      },
      ctx.actor,
    );
    if (!row) throw new LetterNotFoundError(letterId);
    const verdict = judge(row);
    if (!verdict.allowed) throw new ResendRefusedError(letterId, verdict.refusal!, verdict.message!, verdict.resentAs);
    if (row.category === 'EVENT' && options.postalAddress) {
      throw new LetterValidationError([{ path: 'postalAddress', rule: 'notAllowed', message: 'is not used: an event message goes digitally only' }], 'The resend was refused');
    }

    const input: LetterInput = {
      recipient: row.recipient_id,
      sendingUnit: row.unit_code,
      caseReference: row.case_reference,
      subject: row.subject,
      ...(row.body_text !== null ? { body: { contentType: row.body_type, text: row.body_text } } : {}),
      attachments: attachments.map((a) => ({ filename: a.filename, contentType: a.content_type, content: a.content })),
      protectionClass: Number(row.protection_class),
      channelPreference: row.channel_preference,
      postalAddress: options.postalAddress ?? row.postal_address,
      protectedIdentity: row.protected_identity,
      postageClass: row.postage_class,
      caseType: row.case_type_code,
      category: row.category,
      idempotencyKey: resendKey(letterId),
    };
    // The original's client: its key space, and the case system's part of the log.
    const intakeCtx: IntakeContext = { tenantId: ctx.tenantId, actor: ctx.actor, ...(row.api_client_id ? { apiClientId: row.api_client_id } : {}) };
    let submitted: { letter: LetterView; created: boolean };
    try {
      if (row.category === 'EVENT') {
        // An event message goes digitally only and carries its OfficialMatter data (the same event again).
        const { category: _category, channelPreference: _channel, postalAddress: _address, postageClass: _postage, protectedIdentity: _protected, ...event } = input;
        submitted = await this.intake.submitEvent(intakeCtx, { ...event, officialMatter: row.official_matter as OfficialMatterFields | null });
      } else {
        submitted = await this.intake.submit(intakeCtx, input);
      }
    } catch (e) {
      // The key is taken by an earlier resend of this letter with other content (another corrected address).
      if (e instanceof IdempotencyConflictError) {
        await this.link(ctx, letterId, e.existingLetterId, reason, false);
        throw new ResendRefusedError(letterId, 'ALREADY_RESENT', `Letter ${letterId} was already resent as letter ${e.existingLetterId}; follow that letter.`, e.existingLetterId);
      }
      throw e;
    }
    await this.link(ctx, letterId, submitted.letter.id, reason, !!options.postalAddress);
    return { letter: submitted.letter, originalId: letterId, created: submitted.created };
  }

  /** Links the original and its resend both ways with an event on each; nothing when they are linked already. */
  private async link(ctx: IntakeContext, originalId: string, newId: string, reason: string | null, addressCorrected: boolean): Promise<void> {
    await this.db.inTenant(
      ctx.tenantId,
      async (em: EntityManager) => {
        const current = (await sql<{ resent_as: string | null }>(em, 'select resent_as from letter where id = $1 for update', [originalId])).rows[0];
        if (!current) throw new LetterNotFoundError(originalId);
        if (current.resent_as === newId) return;
        if (current.resent_as) {
          throw new ResendRefusedError(originalId, 'ALREADY_RESENT', `Letter ${originalId} was already resent as letter ${current.resent_as}; follow that letter.`, current.resent_as);
        }
        await sql(em, 'update letter set resent_as = $2 where id = $1', [originalId, newId]);
        await sql(em, 'update letter set resend_of = $2 where id = $1 and resend_of is null', [newId, originalId]);
        const detail = (other: Record<string, string>) => JSON.stringify({ actor: ctx.actor, ...other, ...(reason ? { reason } : {}), ...(addressCorrected ? { addressCorrected: true } : {}) });
        await sql(
          em,
          `insert into letter_event (tenant_id, letter_id, type, from_status, to_status, detail, created_at)
           select tenant_id, id, case when id = $1 then 'RESENT' else 'RESEND_OF' end, status, status, case when id = $1 then $3::jsonb else $4::jsonb end, clock_timestamp()
             from letter where id = any(array[$1, $2]::uuid[]) order by (id = $2)`,
          [originalId, newId, detail({ resentAs: newId }), detail({ resendOf: originalId })],
        );
      },
      ctx.actor,
    );
  }
}

function checkReason(reason: string | null | undefined): string | null {
  if (reason === undefined || reason === null) return null;
  const trimmed = reason.trim();
  if (trimmed === '') return null;
  if (trimmed.length > 500) throw new LetterValidationError([{ path: 'reason', rule: 'maxLength', message: `is ${trimmed.length} characters; at most 500` }], 'The resend was refused');
  if (hasControlChars(trimmed)) throw new LetterValidationError([{ path: 'reason', rule: 'format', message: 'must be one line without control characters' }], 'The resend was refused');
  return trimmed;
}

const READ_SOURCE = `
  select ${CHECK_COLUMNS}, l.api_client_id, l.recipient_id, su.code as unit_code, l.case_reference, l.subject, l.body_text, l.body_type,
         l.protection_class, l.channel_preference, l.postal_address, l.protected_identity, l.postage_class, l.category, l.official_matter
    from letter l join sending_unit su on su.id = l.sending_unit_id
   where l.tenant_id = $1 and l.id = $2`;
