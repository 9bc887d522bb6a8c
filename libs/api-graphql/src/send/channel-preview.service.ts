import { ChannelDecision, ChannelReason, decideChannel, DigitalFailureReason } from '@hub/dispatch';
import { CaseTypeRef, FieldViolation, IntakeContext, LetterInput, LetterValidationError, SendingUnitRef, sql, validateLetter, ValidatedLetter } from '@hub/letters';
import { Reachability, TransportFailure } from '@hub/mina-meddelanden';
import type { TenantDb } from '@hub/persistence';
import { CaseTypeNotFoundError, CaseTypeService, CaseTypeView } from '@hub/policies';
import type { TenantSettings } from '@hub/tenancy';
import type { ReachabilityChecker } from '../api-graphql.options';
import { ApiError, ApiErrorCode } from '../errors/api-error-code';

/** The parts of a draft that decide its channel (as in a LetterInput). */
export type ChannelPreviewInput = Pick<LetterInput, 'recipient' | 'sendingUnit' | 'caseType' | 'protectionClass' | 'channelPreference' | 'postalAddress' | 'protectedIdentity'>;

/** What the preview answers (the GraphQL type's fields). */
export interface ChannelPreview {
  channel: ChannelDecision['channel'];
  reason: ChannelReason | null;
  holdReason: Extract<ChannelDecision, { channel: 'HOLD' }>['holdReason'] | null;
  printBlockedBy: Extract<ChannelDecision, { channel: 'UNDELIVERABLE' }>['printBlockedBy'] | null;
  explanation: string;
  operator: { id: string; name: string } | null;
  reachability: { recipient: string; deliverable: boolean; operator: { id: string; name: string } | null; reason: Reachability['reason'] | null } | null;
  recipient: string;
  sendingUnit: { id: string; code: string; name: string };
  protectionClass: number;
  protectionClassFromCaseType: boolean;
  requestedChannelPreference: ValidatedLetter['channelPreference'];
  channelPreference: ValidatedLetter['channelPreference'];
  caseType: CaseTypeView | null;
  decidedByTenantSetting: string | null;
}

/** The fields of a letter whose rules the preview applies; the rest of the draft does not change the channel. */
const PREVIEW_FIELD = /^(recipient|sendingUnit|caseType|protectionClass|channelPreference|postalAddress|protectedIdentity)(\.|\[|$)/;
/**
 * Stand-ins for the subject and body, which the preview does not ask for: they let the intake's
 * validator run unchanged (so its rules are not copied here), and are never stored or shown.
 */
const STAND_IN = 'channel preview';
/** Mina meddelanden's application fault for a recipient with a protected identity (as the dispatch reads it). */
const PROTECTED_IDENTITY_FAULT = 6006;

interface UnitRow {
  id: string;
  code: string;
  name: string;
  org_number: string;
  has_certificate: boolean;
  has_key: boolean;
  certificate_expired: boolean;
}

/**
 * Which channel the hub would choose for a letter draft now, by the same code as the real path:
 * the intake's validator (`validateLetter`: the recipient id, the sending unit, the case type's
 * class and channel narrowing, the postal address) and the dispatch's channel switch
 * (`decideChannel`) fed with FaR's live answer and the tenant's settings as stored. Like the
 * dispatch, a digital decision is reconsidered when the sending unit cannot sign (no certificate
 * or key, or an expired one), and FaR's fault 6006 marks the recipient as having a protected identity.
 */
export class ChannelPreviewService {
  private readonly caseTypes: CaseTypeService;

  constructor(
    private readonly db: TenantDb,
    private readonly far: ReachabilityChecker | undefined,
  ) {
    this.caseTypes = new CaseTypeService(db);
  }

  /** The sending units of the caller's municipality, by code (what a letter's sendingUnit may name). */
  async sendingUnits(ctx: IntakeContext): Promise<{ id: string; code: string; name: string }[]> {
    const units = await this.units(ctx);
    return units.map(({ id, code, name }) => ({ id, code, name }));
  }

  /**
   * Throws {@link LetterValidationError} (the paths submitLetter would name), `UPSTREAM_UNAVAILABLE`
   * when FaR cannot be asked or does not answer.
   */
  async preview(ctx: IntakeContext, input: ChannelPreviewInput): Promise<ChannelPreview> {
    const [units, caseType] = await Promise.all([this.units(ctx), this.caseType(ctx, input.caseType)]);
    const unitRefs = new Map<string, SendingUnitRef>(units.map((u) => [u.code, { id: u.id, code: u.code, name: u.name, orgNumber: u.org_number }]));
    const caseTypes = new Map<string, CaseTypeRef>(caseType ? [[caseType.code, toCaseTypeRef(caseType)]] : []);
    const draft: LetterInput = {
      recipient: input.recipient,
      sendingUnit: input.sendingUnit,
      caseType: input.caseType,
      protectionClass: input.protectionClass,
      channelPreference: input.channelPreference,
      postalAddress: input.postalAddress,
      protectedIdentity: input.protectedIdentity,
      subject: STAND_IN,
      body: { contentType: 'text/plain', text: STAND_IN },
    };
    const out = validateLetter(draft, ctx, unitRefs, { caseTypes });
    if (!out.ok) {
      const fields: FieldViolation[] = out.fields.filter((f) => PREVIEW_FIELD.test(f.path));
      // Every rule that can fail on the stand-ins is one of the fields above; anything else is a bug here.
      if (fields.length === 0) throw new Error(`channel preview: the draft was refused on ${out.fields.map((f) => f.path).join(', ')} only`);
      throw new LetterValidationError(fields, 'The letter would be refused');
    }
    const letter = out.letter;
    const unit = units.find((u) => u.id === letter.sendingUnit.id)!;
    const tenant = await this.tenantSettings(ctx);
    const switchLetter = {
      channelPreference: letter.channelPreference,
      protectionClass: letter.protectionClass,
      hasPostalAddress: letter.postalAddress !== null,
      protectedIdentity: letter.protectedIdentity,
    };

    let reachability: Reachability | undefined;
    let digitalFailure: DigitalFailureReason | undefined;
    let farFault: number | undefined;
    if (letter.channelPreference !== 'PRINT_ONLY') {
      if (!this.far) {
        throw new ApiError(ApiErrorCode.UpstreamUnavailable, 'The hub is not connected to FaR right now (no förmedlare credential loaded), so it cannot tell the channel; try again later or contact the hub\'s operator.');
      }
      try {
        [reachability] = await this.far.isReachable(letter.sendingUnit.orgNumber, [letter.recipientId]);
      } catch (e) {
        // A retryable failure propagates (UPSTREAM_UNAVAILABLE); a refusal ends the digital path, as in the dispatch.
        if (!(e instanceof TransportFailure) || e.retryable) throw e;
        digitalFailure = 'FAR_REFUSED';
        farFault = e.details.faultCode;
      }
    }
    if (farFault === PROTECTED_IDENTITY_FAULT) switchLetter.protectedIdentity = true;
    let decision = decideChannel({ letter: switchLetter, reachability, digitalFailure, tenant });
    if (decision.channel === 'DIGITAL') {
      // The dispatch signs before it delivers; a unit that cannot sign sends the letter the other way.
      const problem = signingProblem(unit);
      if (problem) decision = decideChannel({ letter: switchLetter, reachability, digitalFailure: problem, tenant });
    }

    return {
      channel: decision.channel,
      reason: decision.channel === 'DIGITAL' ? null : decision.reason,
      holdReason: decision.channel === 'HOLD' ? decision.holdReason : null,
      printBlockedBy: decision.channel === 'UNDELIVERABLE' ? decision.printBlockedBy : null,
      explanation: explain(decision, { unitName: unit.name, protectionClass: letter.protectionClass, farFault }),
      operator: decision.channel === 'DIGITAL' ? { id: decision.operator.id, name: decision.operator.name } : null,
      reachability: reachability
        ? {
            recipient: reachability.recipientId,
            deliverable: reachability.deliverable,
            operator: reachability.operator ? { id: reachability.operator.id, name: reachability.operator.name } : null,
            reason: reachability.reason ?? null,
          }
        : null,
      recipient: letter.recipientId,
      sendingUnit: { id: unit.id, code: unit.code, name: unit.name },
      protectionClass: letter.protectionClass,
      protectionClassFromCaseType: 'protectionClassFromCaseType' in letter.policyNotes,
      requestedChannelPreference: input.channelPreference ?? 'AUTO',
      channelPreference: letter.channelPreference,
      caseType: letter.caseTypeCode ? caseType : null,
      decidedByTenantSetting: tenantSettingOf(decision, letter.protectionClass),
    };
  }

  private async units(ctx: IntakeContext): Promise<UnitRow[]> {
    return this.db.inTenant(
      ctx.tenantId,
      async (em) =>
        (
          await sql<UnitRow>(
            em,
            `select id, code, name, org_number, certificate_pem is not null as has_certificate, key_ciphertext is not null as has_key,
                    coalesce(certificate_not_after <= now(), false) as certificate_expired
               from sending_unit where tenant_id = $1 order by code`,
            [ctx.tenantId],
          )
        ).rows,
      ctx.actor,
    );
  }

  /** The case type the draft names (archived ones too, so that the validator refuses them as archived); null when unknown. */
  private async caseType(ctx: IntakeContext, code: string | null | undefined): Promise<CaseTypeView | null> {
    if (typeof code !== 'string' || code.trim() === '') return null;
    try {
      return await this.caseTypes.get(ctx, code.trim());
    } catch (e) {
      if (e instanceof CaseTypeNotFoundError) return null;
      throw e;
    }
  }

  private async tenantSettings(ctx: IntakeContext): Promise<TenantSettings> {
    const rows = await this.db.inTenant(ctx.tenantId, async (em) => (await sql<{ settings: TenantSettings | null }>(em, 'select settings from tenant where id = $1', [ctx.tenantId])).rows, ctx.actor);
    return rows[0]?.settings ?? {};
  }
}

function toCaseTypeRef(c: CaseTypeView): CaseTypeRef {
  return {
    code: c.code,
    name: c.name,
    defaultProtectionClass: c.defaultProtectionClass,
    subjectTemplate: c.subjectTemplate,
    bodyTemplate: c.bodyTemplate,
    allowedChannels: c.allowedChannels,
    archived: !c.active,
  };
}

/** What the dispatch's signing step would fail on, when it can be told without decrypting the key. */
function signingProblem(unit: UnitRow): DigitalFailureReason | null {
  if (!unit.has_certificate || !unit.has_key) return 'SENDER_CERTIFICATE_MISSING';
  if (unit.certificate_expired) return 'SENDER_CERTIFICATE_EXPIRED';
  return null;
}

/** The tenant setting a decision's code names (the channel switch reads exactly these). */
function tenantSettingOf(decision: ChannelDecision, protectionClass: number): string | null {
  const code = decision.channel === 'HOLD' ? decision.holdReason : decision.channel === 'UNDELIVERABLE' ? decision.printBlockedBy : null;
  switch (code) {
    case 'PRINT_NOT_ALLOWED':
      return 'printAllowed';
    case 'FALLBACK_NOT_ALLOWED':
      return 'fallbackToPrint';
    case 'PROTECTION_CLASS_POLICY':
      return `printByProtectionClass.${protectionClass}`;
    case 'PROTECTED_IDENTITY':
      return 'protectedIdentityRule';
    case 'NO_POSTAL_ADDRESS':
      return 'missingAddressRule';
    default:
      return null;
  }
}

const REASON_WORDS: Record<ChannelReason, string> = {
  NOT_REGISTERED: 'FaR says the recipient has no secure digital mailbox',
  SENDER_NOT_ACCEPTED: 'FaR says the recipient does not accept digital mail from this sender',
  PENDING: 'FaR says the recipient’s digital mailbox is not active yet',
  NO_SUPPLIER: 'FaR names no mailbox operator for the recipient',
  PRINT_ONLY: 'the letter is to go on paper only (PRINT_ONLY)',
  RETRIES_EXHAUSTED: 'digital delivery was tried too many times',
  DEADLINE_PASSED: 'the time for digital delivery ran out',
  DELIVERED_FALSE: 'the mailbox operator did not accept the letter',
  INVALID_DELIVERY: 'the letter cannot become a valid digital delivery',
  SENDER_CERTIFICATE_MISSING: 'the sending unit has no certificate (and key) to sign with: a tenant admin must install one',
  SENDER_CERTIFICATE_INVALID: 'the sending unit’s key cannot be used',
  SENDER_CERTIFICATE_EXPIRED: 'the sending unit’s certificate has expired: a tenant admin must install a new one',
  SENDER_CERTIFICATE_MISMATCH: 'the sending unit’s certificate is issued to another organisation',
  FAR_REFUSED: 'FaR refused the question',
  OPERATOR_REFUSED: 'the mailbox operator refused the delivery',
};

const HOLD_WORDS: Record<Extract<ChannelDecision, { channel: 'HOLD' }>['holdReason'], string> = {
  PROTECTED_IDENTITY: 'the recipient has a protected identity (skyddade personuppgifter), and by your municipality’s rule such a letter waits for a person',
  NO_POSTAL_ADDRESS: 'there is no postal address to print it with (the hub never makes one up)',
  PROTECTION_CLASS_POLICY: 'your municipality holds printed letters of protection class {class}',
  DIGITAL_OUTCOME_UNKNOWN: 'the digital attempt may have reached the operator',
};

const BLOCKED_WORDS: Record<Extract<ChannelDecision, { channel: 'UNDELIVERABLE' }>['printBlockedBy'], string> = {
  DIGITAL_ONLY: 'the letter may only go digitally (DIGITAL_ONLY, by its own preference or its case type)',
  PRINT_NOT_ALLOWED: 'your municipality does not print letters (printAllowed is off)',
  FALLBACK_NOT_ALLOWED: 'your municipality does not fall back to print after a failed digital delivery',
  PROTECTED_IDENTITY: 'the recipient has a protected identity and your municipality does not deliver such letters on paper',
  NO_POSTAL_ADDRESS: 'there is no postal address and your municipality does not hold such letters',
  PROTECTION_CLASS_POLICY: 'your municipality does not print letters of protection class {class}',
};

function explain(decision: ChannelDecision, ctx: { unitName: string; protectionClass: number; farFault?: number }): string {
  const fill = (text: string) => text.replace('{class}', String(ctx.protectionClass));
  if (decision.channel === 'DIGITAL') {
    return `Digital: FaR says the recipient can receive digital mail from ${ctx.unitName}; the letter goes to their mailbox at ${decision.operator.name}.`;
  }
  const why = REASON_WORDS[decision.reason] + (decision.reason === 'FAR_REFUSED' && ctx.farFault !== undefined ? ` (fault ${ctx.farFault})` : '');
  switch (decision.channel) {
    case 'PRINT':
      return `Paper: ${why}. The letter is printed and posted to the address given.`;
    case 'HOLD':
      return `Held for manual handling: ${why}, and ${fill(HOLD_WORDS[decision.holdReason])}. A case officer can release it to print or cancel it.`;
    case 'UNDELIVERABLE':
      return `Cannot be delivered: ${why}, and ${fill(BLOCKED_WORDS[decision.printBlockedBy])}.`;
  }
}
