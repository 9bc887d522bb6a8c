import type { Element } from '@xmldom/xmldom';
import { TransportFailure } from '../errors';
import { checkRecipientId, toOrganisationId } from '../identity/recipient-id';
import { NS } from '../namespaces';
import { FaultKindOverrides } from './failure-classification';
import { HttpsTransport, TlsClientOptions } from './https-transport';
import {
  badResponse,
  escapeXmlText,
  localChild,
  localChildren,
  soapPayload,
  soapPayloadOrThrow,
  SoapCallContext,
  SoapResponseError,
  toSoapEnvelope,
} from './soap-envelope';

/** Why a recipient cannot be reached digitally; the case officer is shown this. */
export type ReachabilityReason = 'NOT_REGISTERED' | 'SENDER_NOT_ACCEPTED' | 'PENDING' | 'NO_SUPPLIER';

/** A mailbox operator (ServiceSupplier) as FaR names it. */
export interface MailboxOperator {
  /** "16" + organisationsnummer. */
  id: string;
  name: string;
  /** Endpoint for deliverSecure; may be blank, then the recipient is not deliverable. */
  serviceAddress: string;
  uiAddress?: string;
}

/** FaR's answer for one recipient. */
export interface Reachability {
  recipientId: string;
  /** Secure account, sender accepted, not pending, and an operator with a service address. */
  deliverable: boolean;
  /** Set exactly when not deliverable. */
  reason?: ReachabilityReason;
  accountType: 'Secure' | 'Anonymous' | 'Not';
  pending: boolean;
  senderAccepted: boolean;
  operator?: MailboxOperator;
}

/** Options of {@link FarClient}. */
export interface FarClientOptions {
  /** FaR endpoint, e.g. `https://…/Recipient/v3`. */
  url: string;
  tls: TlsClientOptions;
  /** Per request (connect + response). Default 30 000 ms. */
  timeoutMs?: number;
  /** Recipient ids per isReachable request, 1–1000 (the schema's maximum). Default 1000. */
  batchSize?: number;
  maxResponseBytes?: number;
  /** Fault codes whose retryable/permanent decision differs from the built-in table. */
  faultKinds?: FaultKindOverrides;
}

const MAX_BATCH = 1000;

/** Client of FaR (Förmedlade adressregistret), the recipient register: `isReachable` v3. */
export class FarClient {
  private readonly transport: HttpsTransport;
  private readonly batchSize: number;
  private readonly ctx: SoapCallContext;

  constructor(private readonly options: FarClientOptions) {
    const batchSize = options.batchSize ?? MAX_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) {
      throw new TypeError(`batchSize must be an integer from 1 to ${MAX_BATCH}, got ${options.batchSize}`);
    }
    this.batchSize = batchSize;
    this.transport = new HttpsTransport({ tls: options.tls, timeoutMs: options.timeoutMs, maxResponseBytes: options.maxResponseBytes });
    this.ctx = { endpoint: options.url, service: 'FaR', faultKinds: options.faultKinds };
  }

  /**
   * Asks FaR whether each recipient can receive digital mail from `senderOrgId` ("16" + 10 digits).
   * Ids are checked first (a bad one is refused with `INVALID_REQUEST`, naming it), duplicates are
   * asked once, and the answers come back in input order. Batches of `batchSize` go one after another;
   * the first failing batch rejects the whole call.
   */
  async isReachable(senderOrgId: string, recipientIds: string[]): Promise<Reachability[]> {
    const sender = toOrganisationId(senderOrgId);
    if (!sender.ok) {
      throw new TransportFailure(`invalid sender organisation id "${senderOrgId}": ${sender.message}`, 'permanent', 'INVALID_REQUEST', {
        endpoint: this.options.url,
      });
    }
    const ids = recipientIds.map((raw, index) => ({ raw, index, check: checkRecipientId(raw) }));
    const bad = ids.filter((i) => !i.check.ok);
    if (bad.length > 0) {
      const listed = bad
        .slice(0, 10)
        .map((b) => `recipientIds[${b.index}] "${b.raw}": ${b.check.ok ? '' : b.check.message}`)
        .join('; ');
      throw new TransportFailure(
        `isReachable refused before sending: ${bad.length} invalid recipient id(s): ${listed}${bad.length > 10 ? '; …' : ''}`,
        'permanent',
        'INVALID_REQUEST',
        { endpoint: this.options.url },
      );
    }
    const normalised = ids.map((i) => (i.check.ok ? i.check.id : i.raw));
    const unique = [...new Set(normalised)];
    const answers = new Map<string, Reachability>();
    for (let i = 0; i < unique.length; i += this.batchSize) {
      const batch = unique.slice(i, i + this.batchSize);
      for (const r of await this.send(sender.ok ? sender.id : senderOrgId, batch)) answers.set(r.recipientId, r);
      const missing = batch.filter((id) => !answers.has(id));
      if (missing.length > 0) {
        throw badResponse(this.ctx, `no answer for ${missing.length} of ${batch.length} recipient ids (first: ${missing[0]})`);
      }
    }
    return normalised.map((id) => answers.get(id)!);
  }

  /** Closes the pooled connections. */
  close(): void {
    this.transport.close();
  }

  private async send(senderOrgNr: string, ids: string[]): Promise<Reachability[]> {
    const envelope = toSoapEnvelope(buildIsReachableBody(senderOrgNr, ids));
    const res = await this.transport.post(this.options.url, envelope);
    const payload = soapPayloadOrThrow(res.status, res.body, this.ctx);
    try {
      return parseIsReachablePayload(payload);
    } catch (e) {
      if (e instanceof SoapResponseError) throw badResponse(this.ctx, e.message, res.status);
      throw e;
    }
  }
}

/** `rcp3:isReachable` with the sender and up to 1000 recipient ids, in schema order. */
export function buildIsReachableBody(senderOrgNr: string, recipientIds: string[]): string {
  const ids = recipientIds.map((id) => `<recipientId>${escapeXmlText(id)}</recipientId>`).join('');
  return `<isReachable xmlns="${NS.recipientV3}"><senderOrgNr>${escapeXmlText(senderOrgNr)}</senderOrgNr>${ids}</isReachable>`;
}

/** Parses a whole `isReachableResponse` envelope (e.g. a stored sample). Throws `SoapResponseError`. */
export function parseIsReachableResponse(envelopeXml: string): Reachability[] {
  return parseIsReachablePayload(soapPayload(envelopeXml));
}

/** Parses the `isReachableResponse` payload element (any prefixes) into {@link Reachability} values. */
export function parseIsReachablePayload(payload: Element): Reachability[] {
  if (payload.localName !== 'isReachableResponse') {
    throw new SoapResponseError(`expected isReachableResponse, got ${payload.localName}`);
  }
  return localChildren(payload, 'return').map((ret, i) => parseReachabilityStatus(ret, i));
}

function parseReachabilityStatus(ret: Element, index: number): Reachability {
  const where = `return[${index}]`;
  const text = (el: Element, name: string, path: string): string => {
    const c = localChild(el, name);
    if (!c) throw new SoapResponseError(`${path} has no ${name}`);
    return (c.textContent ?? '').trim();
  };
  const account = localChild(ret, 'AccountStatus');
  if (!account) throw new SoapResponseError(`${where} has no AccountStatus`);
  const recipientId = text(account, 'RecipientId', `${where}/AccountStatus`);
  const type = text(account, 'Type', `${where}/AccountStatus`);
  if (type !== 'Secure' && type !== 'Anonymous' && type !== 'Not') {
    throw new SoapResponseError(`${where}/AccountStatus/Type is "${type}", expected Secure, Anonymous or Not`);
  }
  const pending = xsBoolean(text(account, 'Pending', `${where}/AccountStatus`), `${where}/AccountStatus/Pending`);
  const senderAccepted = xsBoolean(text(ret, 'SenderAccepted', where), `${where}/SenderAccepted`);

  let operator: MailboxOperator | undefined;
  const supplier = localChild(account, 'ServiceSupplier');
  if (supplier) {
    const optional = (name: string): string | undefined => {
      const v = localChild(supplier, name)?.textContent?.trim();
      return v ? v : undefined;
    };
    operator = {
      id: optional('Id') ?? '',
      name: optional('Name') ?? '',
      serviceAddress: optional('ServiceAdress') ?? '',
    };
    const ui = optional('UIAdress');
    if (ui) operator.uiAddress = ui;
  }
  return decideReachability({ recipientId, accountType: type, pending, senderAccepted, operator });
}

/**
 * Applies the delivery rule (Sundsvall's, plus SUNET's `Type == Secure`). Reason priority:
 * not registered (Not/Anonymous), pending, sender not accepted, no operator address.
 */
export function decideReachability(status: Omit<Reachability, 'deliverable' | 'reason'>): Reachability {
  let reason: ReachabilityReason | undefined;
  if (status.accountType !== 'Secure') reason = 'NOT_REGISTERED';
  else if (status.pending) reason = 'PENDING';
  else if (!status.senderAccepted) reason = 'SENDER_NOT_ACCEPTED';
  else if (!status.operator || status.operator.serviceAddress.trim() === '') reason = 'NO_SUPPLIER';
  const result: Reachability = { ...status, deliverable: reason === undefined };
  if (reason) result.reason = reason;
  if (!result.operator) delete result.operator;
  return result;
}

function xsBoolean(value: string, path: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new SoapResponseError(`${path} is "${value}", not an xs:boolean`);
}
