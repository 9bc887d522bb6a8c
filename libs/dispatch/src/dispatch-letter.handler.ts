import { randomUUID } from 'node:crypto';
import { JobName, JobPayloads } from '@hub/jobs';
import { LetterStatus } from '@hub/letters';
import {
  DeliveryResult,
  DeliveryValidationError,
  Reachability,
  signAndSealDelivery,
  SigningCredential,
  TransportFailure,
} from '@hub/mina-meddelanden';
import { maskPersonalIds } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { ChannelDecision, decideChannel, DigitalFailureReason } from './channel-switch';
import { deliveryInputFor } from './delivery-input';
import type { DispatchMetrics } from './dispatch-metrics';
import { ClaimedLetter, DispatchStore, EventInput, FinishedElsewhereError, LeaseLostError, LetterChange } from './dispatch-store';
import type { JobContext } from './job-router';
import type { MmGateway } from './mm-gateway';
import { decideRetry, RetrySettings } from './retry-policy';
import { SenderCredentialError, SenderCredentials } from './sender-credentials';

/** Payload of {@link JobName.DispatchLetter}: ids only (Redis keeps job data in clear text). */
export type DispatchLetterPayload = JobPayloads[JobName.DispatchLetter];

/** What one run of the job did. `SKIPPED`: nothing to do (finished, or another worker has the letter). */
export type DispatchOutcome = 'DELIVERED' | 'PRINT_PENDING' | 'HELD' | 'FAILED' | 'RETRY_SCHEDULED' | 'SKIPPED';

/** Event types the dispatch writes to a letter's log (what the case officer sees). */
export const DispatchEvent = {
  /** FaR was asked; detail: deliverable, reason, operator. */
  REACHABILITY_CHECKED: 'REACHABILITY_CHECKED',
  /** The recipient cannot take digital mail from this sender; detail: FaR's reason. */
  NOT_REACHABLE: 'NOT_REACHABLE',
  SIGNED: 'SIGNED',
  SEALED: 'SEALED',
  DELIVERED: 'DELIVERED',
  /** A retryable failure; detail: code, attempt, nextAttemptAt. */
  RETRY_SCHEDULED: 'RETRY_SCHEDULED',
  /** Digital delivery was given up; detail: reason and the failure. */
  DELIVERY_FAILED: 'DELIVERY_FAILED',
  ROUTED_TO_PRINT: 'ROUTED_TO_PRINT',
  /** Held for manual handling; detail: holdReason and the channel reason. */
  HELD: 'HELD',
  /** Neither channel is possible; detail: reason and what blocks print. */
  FAILED: 'FAILED',
} as const;

/** Settings of the dispatch handler. */
export interface DispatchSettings extends RetrySettings {
  /**
   * How long a claim on a letter lasts. Longer than one FaR or operator call (the lease is renewed
   * between them): a worker that dies leaves the letter to others after this.
   */
  leaseMs: number;
}

export interface DispatchLetterDeps {
  db: TenantDb;
  gateway: Pick<MmGateway, 'isReachable' | 'deliver' | 'intermediary'>;
  /** Asks FaR about one recipient (default: one request per letter through the gateway; see ReachabilityBatcher). */
  reachability?: (senderOrgId: string, recipientId: string) => Promise<Reachability>;
  credentials: SenderCredentials;
  settings: DispatchSettings;
  /** Identifies this process in lease owners. */
  workerId: string;
  metrics?: DispatchMetrics;
  now?: () => Date;
}

/** One run's work on a letter: what the claim read, and who holds the lease. */
interface Work {
  letter: ClaimedLetter;
  owner: string;
  ctx: JobContext;
  /** Set once a committed step has given the lease up. */
  released: boolean;
}

const DIGITAL_WORK_STATES: LetterStatus[] = ['ACCEPTED', 'ROUTING', 'SIGNED'];

/** Mina meddelanden's application fault for a recipient with a protected identity. */
const PROTECTED_IDENTITY_FAULT = 6006;

/**
 * Dispatches one letter: asks FaR, decides the channel, signs as the sending unit and seals as
 * förmedlare, delivers to the recipient's mailbox operator, and records each step with an event.
 *
 * Idempotent and safe to run twice, concurrently or after a crash:
 * - it claims the letter first (a lease, in a short transaction): another run finds it leased or
 *   finished and does nothing;
 * - no transaction stays open across a call to FaR or an operator; each step commits on its own,
 *   and only if this run still holds the lease and the letter is still where the claim found it;
 * - SEALED is committed before the operator is called. A letter found in SEALED may already be at
 *   the operator (the worker died after sending): it is sent again with the same message id (the
 *   letter id). This relies on the operators recognising a redelivery of the same message (sender,
 *   recipient, message id) and answering it with the first TransId without storing it twice, as
 *   Mina meddelanden operators (and the simulators) do.
 * - a retry is scheduled durably (an outbox row with `available_at`), not only in Redis.
 */
export class DispatchLetterHandler {
  private readonly now: () => Date;
  private readonly store: DispatchStore;
  private readonly reachability: (senderOrgId: string, recipientId: string) => Promise<Reachability>;

  constructor(private readonly deps: DispatchLetterDeps) {
    this.now = deps.now ?? (() => new Date());
    this.store = new DispatchStore(deps.db, deps.settings.leaseMs, { onBatch: (statement, letters) => deps.metrics?.dbBatchLetters.observe({ statement }, letters) });
    this.reachability = deps.reachability ?? (async (sender, id) => (await deps.gateway.isReachable(sender, [id]))[0]);
  }

  async handle(payload: DispatchLetterPayload, ctx: JobContext): Promise<DispatchOutcome> {
    const { tenantId, letterId } = payload;
    const owner = `${this.deps.workerId}/${ctx.jobId}/${randomUUID().slice(0, 8)}`;
    const claim = await this.timed('claim', () => this.store.claim(tenantId, letterId, owner));
    if (!('letter' in claim)) {
      ctx.log.info({ letterId, refusal: claim.refusal, status: claim.status }, 'nothing to do for this letter');
      return 'SKIPPED';
    }
    const work: Work = { letter: claim.letter, owner, ctx, released: false };
    try {
      return await this.run(work);
    } catch (e) {
      if (e instanceof LeaseLostError) {
        ctx.log.warn({ letterId }, 'lease lost: another worker has taken the letter over; leaving it to that worker');
        return 'SKIPPED';
      }
      if (e instanceof FinishedElsewhereError) {
        ctx.log.info({ letterId, status: e.status }, 'the letter was finished elsewhere meanwhile (e.g. cancelled)');
        return 'SKIPPED';
      }
      throw e;
    } finally {
      // Normally released by the step that committed last; this covers a step that threw.
      if (!work.released) {
        await this.store
          .release(tenantId, letterId, owner)
          .catch((e: unknown) => ctx.log.warn({ letterId, err: e }, 'could not release the lease; it expires by itself'));
      }
    }
  }

  private async run(w: Work): Promise<DispatchOutcome> {
    const { letter } = w;
    if (letter.status === 'SEALED') {
      // Possibly already at the operator: send the same message again (see the class comment).
      if (!letter.serviceAddress) return this.giveUp(w, { digitalFailure: 'INVALID_DELIVERY' }, { problem: 'SEALED without a service address' });
      const sealed = await this.seal(w);
      if ('outcome' in sealed) return sealed.outcome;
      return this.deliver(w, letter.serviceAddress, sealed.xml, true);
    }
    if (!DIGITAL_WORK_STATES.includes(letter.status)) {
      w.ctx.log.warn({ letterId: letter.id, status: letter.status }, 'letter in a state the dispatch does not handle');
      return 'SKIPPED';
    }

    if (letter.channelPreference === 'PRINT_ONLY') return this.giveUp(w, {});
    if (this.now() >= letter.deadlineAt) return this.giveUp(w, { digitalFailure: 'DEADLINE_PASSED' });

    let reachability: Reachability;
    try {
      reachability = await this.timed('far', () => this.reachability(letter.unit.orgNumber, letter.recipientId));
    } catch (e) {
      if (!(e instanceof TransportFailure)) throw e;
      if (e.retryable) return this.retry(w, e, 'FaR');
      return this.giveUp(w, { digitalFailure: 'FAR_REFUSED' }, failureDetail(e, 'FaR'));
    }
    const decision = decideChannel({ letter, reachability, tenant: letter.tenantSettings });
    if (decision.channel !== 'DIGITAL') return this.giveUp(w, { reachability });

    const operator = decision.operator;
    const sealed = await this.seal(w, reachability);
    if ('outcome' in sealed) return sealed.outcome;
    const toRouting = this.toRouting(letter.status, reachability);
    await this.apply(w, {
      from: letter.status,
      to: 'SEALED',
      set: { channel: 'DIGITAL', channel_decision: 'DIGITAL', operator_id: operator.id, operator_name: operator.name, service_address: operator.serviceAddress },
      events: [
        toRouting,
        { type: DispatchEvent.SIGNED, from: 'ROUTING', to: 'SIGNED', detail: { sender: letter.unit.orgNumber } },
        {
          type: DispatchEvent.SEALED,
          from: 'SIGNED',
          to: 'SEALED',
          detail: { intermediary: this.deps.gateway.intermediary.serialNumber, bytes: Buffer.byteLength(sealed.xml) },
        },
      ],
      lease: 'renew',
    });
    w.letter = { ...letter, status: 'SEALED', operatorId: operator.id, operatorName: operator.name, serviceAddress: operator.serviceAddress };
    return this.deliver(w, operator.serviceAddress, sealed.xml, false);
  }

  /** Builds, signs and seals the letter's delivery; on a problem that no retry fixes, ends the digital attempt instead. */
  private async seal(w: Work, reachability?: Reachability): Promise<{ xml: string } | { outcome: DispatchOutcome }> {
    let sender: SigningCredential;
    try {
      sender = await this.deps.credentials.forUnit(w.letter.unit, this.now());
    } catch (e) {
      if (!(e instanceof SenderCredentialError)) throw e;
      w.ctx.log.error({ letterId: w.letter.id, sendingUnitId: w.letter.unit.id, problem: e.problem, detail: e.message }, 'the sending unit cannot sign');
      return { outcome: await this.giveUp(w, { digitalFailure: e.problem, reachability }, { problem: e.message }) };
    }
    const input = deliveryInputFor(w.letter, w.letter.unit, w.letter.attachments);
    const started = process.hrtime.bigint();
    try {
      // Synchronous CPU work, about 1.5 ms for a small letter and tens of ms for 1.5 MB of PDF
      // (see bench:sign and the hub_dispatch_seal_seconds histogram): far below BullMQ's lock
      // renewal period (15 s), so it runs inline rather than in a worker thread.
      return { xml: signAndSealDelivery(input, sender, this.deps.gateway.intermediary, { receivedAt: this.now() }) };
    } catch (e) {
      if (!(e instanceof DeliveryValidationError)) throw e;
      const fields = e.violations.map((v) => `${v.field}: ${v.rule}`);
      w.ctx.log.error({ letterId: w.letter.id, violations: fields }, 'the letter cannot become a valid delivery');
      return { outcome: await this.giveUp(w, { digitalFailure: 'INVALID_DELIVERY', reachability }, { violations: fields }) };
    } finally {
      this.deps.metrics?.sealSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private async deliver(w: Work, serviceAddress: string, sealedXml: string, resend: boolean): Promise<DispatchOutcome> {
    let result: DeliveryResult;
    try {
      result = await this.timed('deliver', () => this.deps.gateway.deliver(serviceAddress, sealedXml));
    } catch (e) {
      if (!(e instanceof TransportFailure)) throw e;
      if (e.retryable) return this.retry(w, e, 'operator');
      return this.giveUp(w, { digitalFailure: 'OPERATOR_REFUSED' }, failureDetail(e, 'operator'));
    }
    if (!result.delivered) return this.giveUp(w, { digitalFailure: 'DELIVERED_FALSE' }, { transId: result.transId });
    const { letter } = w;
    const now = this.now();
    await this.apply(w, {
      from: 'SEALED',
      to: 'DELIVERED',
      set: { trans_id: result.transId, dispatched_at: now, next_attempt_at: null, status_reason: null },
      events: [
        {
          type: DispatchEvent.DELIVERED,
          from: 'SEALED',
          to: 'DELIVERED',
          detail: { transId: result.transId, operatorId: letter.operatorId, operatorName: letter.operatorName, ...(resend ? { resent: true } : {}) },
        },
      ],
      lease: 'release',
    });
    this.deps.metrics?.deliveryLatency.observe((now.getTime() - letter.createdAt.getTime()) / 1000);
    w.ctx.log.info({ letterId: letter.id, transId: result.transId, operatorId: letter.operatorId, resend }, 'delivered');
    return 'DELIVERED';
  }

  /** A retryable failure: schedule the next attempt durably, or give up when attempts or time are used up. */
  private async retry(w: Work, failure: TransportFailure, service: 'FaR' | 'operator'): Promise<DispatchOutcome> {
    const { letter } = w;
    const now = this.now();
    const attempt = letter.attempts + 1;
    const decision = decideRetry(attempt, letter.deadlineAt, now, this.deps.settings);
    const detail = { ...failureDetail(failure, service), attempt };
    if (decision.action === 'give-up') {
      w.ctx.log.warn({ letterId: letter.id, code: failure.code, attempt, reason: decision.reason }, 'digital delivery given up');
      // The last attempt of a sealed letter may have reached the operator without an answer coming
      // back (earlier ones would have been answered with their TransId when sent again): never print it then.
      return this.giveUp(w, { digitalFailure: decision.reason, digitalOutcomeUnknown: letter.status === 'SEALED' && mayHaveArrived(failure) }, detail, true);
    }
    // A FaR failure before routing moves the letter to ROUTING: it is being worked on.
    const to: LetterStatus = letter.status === 'ACCEPTED' ? 'ROUTING' : letter.status;
    await this.apply(w, {
      from: letter.status,
      to,
      set: { next_attempt_at: decision.at },
      incrementAttempts: true,
      events: [{ type: DispatchEvent.RETRY_SCHEDULED, from: letter.status, to, detail: { ...detail, nextAttemptAt: decision.at.toISOString() } }],
      outbox: { job: JobName.DispatchLetter, payload: { tenantId: letter.tenantId, letterId: letter.id }, at: decision.at },
      lease: 'release',
    });
    w.ctx.log.info({ letterId: letter.id, code: failure.code, attempt, nextAttemptAt: decision.at }, 'retry scheduled');
    return 'RETRY_SCHEDULED';
  }

  /**
   * Ends the digital attempt without delivery (or never starts it): records FaR's answer when there
   * is one and the failure when there is one, then lets the channel switch choose print or failure.
   */
  private async giveUp(
    w: Work,
    input: { reachability?: Reachability; digitalFailure?: DigitalFailureReason; digitalOutcomeUnknown?: boolean },
    failure?: Record<string, unknown>,
    countAttempt = false,
  ): Promise<DispatchOutcome> {
    const { letter } = w;
    const events: EventInput[] = [];
    let at = letter.status;
    if (input.reachability) {
      events.push(this.toRouting(at, input.reachability));
      at = 'ROUTING';
      if (!input.reachability.deliverable) events.push({ type: DispatchEvent.NOT_REACHABLE, from: at, to: at, detail: { reason: input.reachability.reason } });
    }
    if (input.digitalFailure && failure) events.push({ type: DispatchEvent.DELIVERY_FAILED, from: at, to: at, detail: { reason: input.digitalFailure, ...failure } });
    // FaR's fault 6006 says what the case system may not have: the recipient's identity is protected.
    const protectedIdentity = letter.protectedIdentity || failure?.faultCode === PROTECTED_IDENTITY_FAULT;
    const decision = decideChannel({
      letter: { ...letter, protectedIdentity },
      reachability: input.reachability,
      digitalFailure: input.digitalFailure,
      digitalOutcomeUnknown: input.digitalOutcomeUnknown,
      tenant: letter.tenantSettings,
    });
    const { to, event, set } = outcomeOf(decision);
    events.push({ ...event, from: at });
    await this.apply(w, {
      from: letter.status,
      to,
      set: { ...set, next_attempt_at: null },
      incrementAttempts: countAttempt,
      events,
      lease: 'release',
      // The print path renders the letter and puts it in a batch (a durable job, as every other).
      ...(to === 'PRINT_PENDING' ? { outbox: { job: JobName.PreparePrint, payload: { tenantId: letter.tenantId, letterId: letter.id }, at: this.now() } } : {}),
    });
    w.ctx.log.info({ letterId: letter.id, status: to, reason: set.status_reason }, 'not sent digitally');
    return to === 'PRINT_PENDING' ? 'PRINT_PENDING' : to === 'HELD' ? 'HELD' : 'FAILED';
  }

  /** The event of moving to ROUTING with FaR's answer (from ACCEPTED, or staying in ROUTING). */
  private toRouting(from: LetterStatus, reachability: Reachability): EventInput {
    return { type: DispatchEvent.REACHABILITY_CHECKED, from, to: 'ROUTING', detail: reachabilityDetail(reachability) };
  }

  private async apply(w: Work, change: LetterChange): Promise<void> {
    await this.timed('commit', () => this.store.apply(w.letter.tenantId, w.letter.id, w.owner, change));
    if (change.lease === 'release') w.released = true;
  }

  private async timed<T>(step: string, fn: () => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    try {
      return await fn();
    } finally {
      this.deps.metrics?.stepSeconds.observe({ step }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }
}

/** The state, event and columns of a decision other than DIGITAL: PRINT_PENDING (the print path takes over), HELD or FAILED. */
function outcomeOf(decision: ChannelDecision): {
  to: LetterStatus;
  event: Omit<EventInput, 'from'>;
  set: { status_reason: string; channel?: 'PRINT'; channel_decision: 'PRINT' | 'HOLD' | 'UNDELIVERABLE' };
} {
  switch (decision.channel) {
    case 'DIGITAL':
      throw new Error('outcomeOf() is for decisions other than DIGITAL');
    case 'PRINT':
      return {
        to: 'PRINT_PENDING',
        event: { type: DispatchEvent.ROUTED_TO_PRINT, to: 'PRINT_PENDING', detail: { reason: decision.reason } },
        set: { status_reason: decision.reason, channel: 'PRINT', channel_decision: 'PRINT' },
      };
    case 'HOLD':
      return {
        to: 'HELD',
        event: { type: DispatchEvent.HELD, to: 'HELD', detail: { holdReason: decision.holdReason, reason: decision.reason } },
        set: { status_reason: decision.holdReason, channel_decision: 'HOLD' },
      };
    case 'UNDELIVERABLE':
      return {
        to: 'FAILED',
        event: { type: DispatchEvent.FAILED, to: 'FAILED', detail: { reason: decision.reason, printBlockedBy: decision.printBlockedBy } },
        set: { status_reason: decision.reason, channel_decision: 'UNDELIVERABLE' },
      };
  }
}

/**
 * Whether a failed call may still have delivered the message: a timeout or a connection lost after
 * it was made. An answer (a fault, an HTTP status) or a connection never made means it did not.
 */
function mayHaveArrived(e: TransportFailure): boolean {
  if (e.code === 'TIMEOUT') return true;
  return e.code === 'NETWORK' && !/\b(ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)\b/.test(e.message);
}

function reachabilityDetail(r: Reachability): Record<string, unknown> {
  return {
    deliverable: r.deliverable,
    ...(r.reason ? { reason: r.reason } : {}),
    accountType: r.accountType,
    ...(r.operator ? { operatorId: r.operator.id, operatorName: r.operator.name, serviceAddress: r.operator.serviceAddress } : {}),
  };
}

/** What the log of the letter keeps of a failure: codes, never personal data (descriptions are masked). */
function failureDetail(e: TransportFailure, service: 'FaR' | 'operator'): Record<string, unknown> {
  const d = e.details;
  return {
    service,
    code: e.code,
    kind: e.kind,
    ...(d.httpStatus !== undefined ? { httpStatus: d.httpStatus } : {}),
    ...(d.faultCode !== undefined ? { faultCode: d.faultCode } : {}),
    ...(d.description ? { description: maskPersonalIds(d.description).slice(0, 500) } : {}),
    ...(d.callId ? { callId: d.callId } : {}),
  };
}
