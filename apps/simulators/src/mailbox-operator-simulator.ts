import { createHash, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { NS, SchemaValidator, SignatureVerificationError, subjectSerialNumber, TrustStore, VerifiedDelivery, verifyDelivery } from '@hub/mina-meddelanden';
import { FaultInjector } from './fault-injection';
import { TlsMaterial } from './far-simulator';
import { Register } from './register';
import { OperatorSeed, SimulatorSeed } from './seed';
import { readBody, sendFault, sendSoap, sleep, closeServer, listen, mutualTls } from './soap-http';

/** One delivery the operator accepted, as shown by the inspection API. */
export interface StoredDelivery {
  transId: string;
  receivedAt: string;
  senderId: string;
  senderName: string;
  recipient: string;
  messageIds: string[];
  subjects: string[];
  reference?: string;
  correlationId?: string;
  attachments: { filename: string; contentType: string; bytes: number; checksum: string }[];
  senderCertificate: string;
  sealCertificate: string;
  sealReceivedTime: string;
  signatureAlgorithm: string;
  /** How many times the same message was delivered again (and answered without storing it twice). */
  redeliveries: number;
  /** The SOAP request exactly as received. */
  raw: string;
}

export interface OperatorStats {
  requests: number;
  accepted: number;
  redeliveries: number;
  refused: Record<string, number>;
  injected: Record<string, number>;
}

const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const MAX_DELIVERY_BYTES = 2 * 1024 * 1024;

/**
 * The TLS client certificate's subject serialNumber ("16" + organisationsnummer), read as the verifier
 * reads a signer's. `getPeerCertificate()` builds a whole legacy object (raw DER, modulus, fingerprints)
 * for it, about a tenth of a millisecond per request; the X509Certificate costs a fraction of that.
 */
function peerSerialNumber(req: IncomingMessage): string | undefined {
  const cert = (req.socket as TLSSocket).getPeerX509Certificate?.();
  return cert ? subjectSerialNumber(cert) : undefined;
}

/**
 * A mailbox operator (brevlådeoperatör) answering `deliverSecure` over HTTPS with mutual TLS: it
 * validates against the XSDs, verifies the sender signature and the seal against its configured trust,
 * refuses bad deliveries with the fault a real operator gives, stores what it accepts, answers a
 * redelivery of the same message without storing it twice, and injects faults on demand.
 */
export class MailboxOperatorSimulator {
  readonly faults: FaultInjector;
  readonly stats: OperatorStats = { requests: 0, accepted: 0, redeliveries: 0, refused: {}, injected: {} };
  private readonly deliveries = new Map<string, StoredDelivery>();
  private readonly byMessageKey = new Map<string, string>();
  private server?: Server;

  constructor(
    readonly operator: OperatorSeed,
    private readonly seed: SimulatorSeed,
    private readonly register: Register,
    private readonly tls: TlsMaterial,
    private readonly senderTrust: TrustStore,
    private readonly sealTrust: TrustStore,
    private readonly schema: SchemaValidator,
  ) {
    this.faults = new FaultInjector(operator.faults);
  }

  async listen(): Promise<number> {
    this.server = createServer(
      mutualTls(this.tls),
      (req, res) => {
        this.handle(req, res).catch((e) => sendFault(res, 5000, `internal simulator error: ${(e as Error).message}`, false));
      },
    );
    return listen(this.server, this.operator.port, this.seed.host);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  list(filter: { recipient?: string; messageId?: string } = {}): StoredDelivery[] {
    return [...this.deliveries.values()].filter(
      (d) => (!filter.recipient || d.recipient === filter.recipient) && (!filter.messageId || d.messageIds.includes(filter.messageId)),
    );
  }

  get(transId: string): StoredDelivery | undefined {
    return this.deliveries.get(transId);
  }

  reset(): void {
    this.deliveries.clear();
    this.byMessageKey.clear();
    Object.assign(this.stats, { requests: 0, accepted: 0, redeliveries: 0, refused: {}, injected: {} });
  }

  private refuse(res: ServerResponse, code: number, reason: string, description: string): void {
    this.stats.refused[reason] = (this.stats.refused[reason] ?? 0) + 1;
    sendFault(res, code, description);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || !req.url?.startsWith('/service/v3')) {
      res.writeHead(404).end();
      return;
    }
    this.stats.requests++;
    const client = peerSerialNumber(req);
    if (!client || !this.seed.intermediaries.includes(client)) {
      return this.refuse(res, 5002, 'unknown-client', `access denied: ${client ?? 'a client without serialNumber'} is not an approved förmedlare`);
    }
    const body = await readBody(req, MAX_REQUEST_BYTES);
    if (!body) return this.refuse(res, 5005, 'too-large', `max exceeded: the request is larger than ${MAX_REQUEST_BYTES} bytes`);
    if (body.length > MAX_DELIVERY_BYTES) {
      return this.refuse(res, 5005, 'too-large', `max exceeded: the delivery is ${body.length} bytes; at most ${MAX_DELIVERY_BYTES}`);
    }
    const raw = body.toString('utf8');

    if (this.seed.validateSchema !== false) {
      const result = await this.schema.validate(raw, 'deliverSecure');
      if (!result.valid) {
        return this.refuse(res, 5001, 'schema', `invalid input: ${result.errors.slice(0, 3).map((e) => e.message).join('; ')}`);
      }
    }

    let verified: VerifiedDelivery;
    try {
      verified = verifyDelivery(raw, {
        senderTrust: this.senderTrust,
        sealTrust: this.sealTrust,
        requireSeal: true,
        allowSha1: this.seed.allowSha1 ?? false,
      });
    } catch (e) {
      if (e instanceof SignatureVerificationError) {
        const code = e.reason === 'untrusted-certificate' || e.reason === 'sender-mismatch' ? 5002 : 5012;
        return this.refuse(res, code, `signature:${e.layer}:${e.reason}`, `signature error: ${e.message}`);
      }
      throw e;
    }
    if (!this.seed.intermediaries.includes(verified.seal?.serialNumber ?? '')) {
      return this.refuse(res, 5002, 'seal-not-intermediary', `access denied: the seal is not by an approved förmedlare`);
    }
    const d = verified.delivery;
    for (const m of d.messages) {
      for (const a of m.attachments) {
        if (a.contentType !== 'application/pdf') {
          return this.refuse(res, 5019, 'mime', `unsupported MIME type ${a.contentType} (${a.filename})`);
        }
        const sum = createHash('md5').update(a.content).digest('hex').toUpperCase();
        if (sum !== a.checksum) return this.refuse(res, 5001, 'checksum', `invalid input: checksum of ${a.filename} does not match its content`);
      }
    }
    if (!this.register.holds(this.operator.key, d.recipient)) {
      return this.refuse(res, 5003, 'recipient', `not found: ${d.recipient.slice(0, 8)}**** has no mailbox at ${this.operator.name}`);
    }

    if (this.faults.latencyMs) await sleep(this.faults.latencyMs);
    const fault = this.faults.draw([d.recipient]);
    if (fault) {
      this.stats.injected[fault.mode] = (this.stats.injected[fault.mode] ?? 0) + 1;
      if (fault.mode === 'timeout') {
        await sleep(this.faults.timeoutHoldMs);
        req.socket.destroy();
        return;
      }
      if (fault.mode === 'http5xx') {
        res.writeHead(fault.status ?? 503, { 'content-type': 'text/html' }).end('<html><body>simulated outage</body></html>');
        return;
      }
      if (fault.mode === 'fault') {
        sendFault(res, fault.code ?? 5001, 'simulated fault', false);
        return;
      }
      return this.answer(res, randomUUID(), d.recipient, false);
    }

    const key = [d.sender.id, d.recipient, ...d.messages.map((m) => m.id)].join('|');
    const existing = this.byMessageKey.get(key);
    if (existing) {
      this.stats.redeliveries++;
      this.deliveries.get(existing)!.redeliveries++;
      return this.answer(res, existing, d.recipient, true);
    }
    const transId = randomUUID();
    this.byMessageKey.set(key, transId);
    this.deliveries.set(transId, {
      transId,
      receivedAt: new Date().toISOString(),
      senderId: d.sender.id,
      senderName: d.sender.name,
      recipient: d.recipient,
      messageIds: d.messages.map((m) => m.id),
      subjects: d.messages.map((m) => m.subject),
      reference: d.reference,
      correlationId: d.correlationId,
      attachments: d.messages.flatMap((m) => m.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, bytes: a.content.length, checksum: a.checksum }))),
      senderCertificate: verified.sender.subject,
      sealCertificate: verified.seal!.subject,
      sealReceivedTime: verified.seal!.receivedTime,
      signatureAlgorithm: verified.sender.signatureAlgorithm,
      redeliveries: 0,
      raw,
    });
    this.stats.accepted++;
    this.answer(res, transId, d.recipient, true);
  }

  private answer(res: ServerResponse, transId: string, recipient: string, delivered: boolean): void {
    sendSoap(
      res,
      200,
      `<deliverSecureResponse xmlns="${NS.serviceV3}"><return><TransId xmlns="${NS.service}">${transId}</TransId>` +
        `<Status xmlns="${NS.service}"><RecipientId>${recipient}</RecipientId><Delivered>${delivered}</Delivered></Status></return></deliverSecureResponse>`,
    );
  }
}
