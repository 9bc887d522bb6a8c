import { createServer, Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkRecipientId, childElements, escapeText, NS, parseXml } from '@hub/mina-meddelanden';
import { FaultInjector } from './fault-injection';
import { Register } from './register';
import { OperatorSeed, SimulatorSeed } from './seed';
import { clientSerialNumber, readBody, sendFault, sendSoap, sleep, closeServer, listen, mutualTls } from './soap-http';

export interface TlsMaterial {
  key: string;
  cert: string;
  ca: string;
}

export interface FarStats {
  requests: number;
  recipients: number;
  faults: number;
}

/**
 * FaR (förmedlingsadressregistret) answering `isReachable` from a synthetic register, over HTTPS
 * with mutual TLS. Clients must present a certificate from the test CA whose serialNumber is a
 * registered client; others get applicationFault 5002.
 */
export class FarSimulator {
  readonly faults: FaultInjector;
  readonly stats: FarStats = { requests: 0, recipients: 0, faults: 0 };
  private server?: Server;

  constructor(
    private readonly seed: SimulatorSeed,
    private readonly register: Register,
    private readonly operatorUrl: (o: OperatorSeed) => string,
    private readonly tls: TlsMaterial,
  ) {
    this.faults = new FaultInjector(seed.far.faults);
  }

  async listen(): Promise<number> {
    this.server = createServer(
      mutualTls(this.tls),
      (req, res) => {
        this.handle(req, res).catch((e) => sendFault(res, 5000, `internal simulator error: ${(e as Error).message}`, false));
      },
    );
    return listen(this.server, this.seed.far.port, this.seed.host);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || !req.url?.startsWith('/Recipient/v3')) {
      res.writeHead(404).end();
      return;
    }
    this.stats.requests++;
    const client = clientSerialNumber(req);
    if (!client || !this.seed.far.clients.includes(client)) {
      this.stats.faults++;
      sendFault(res, 5002, `access denied: client certificate ${client ?? '(no serialNumber)'} is not a registered FaR client`);
      return;
    }
    const body = await readBody(req, 4 * 1024 * 1024);
    if (!body) {
      sendFault(res, 5005, 'request too large');
      return;
    }
    let senderOrgNr = '';
    let ids: string[] = [];
    try {
      const env = parseXml(body).documentElement!;
      const soapBody = childElements(env, NS.soap11, 'Body')[0];
      const op = soapBody && childElements(soapBody)[0];
      if (!op || op.namespaceURI !== NS.recipientV3 || op.localName !== 'isReachable') throw new Error('expected isReachable in the Recipient/v3 namespace');
      senderOrgNr = childElements(op, NS.recipientV3, 'senderOrgNr')[0]?.textContent ?? '';
      ids = childElements(op, NS.recipientV3, 'recipientId').map((e) => e.textContent ?? '');
    } catch (e) {
      this.stats.faults++;
      sendFault(res, 5001, `invalid input: ${(e as Error).message}`);
      return;
    }
    if (!/^16\d{10}$/.test(senderOrgNr)) {
      this.stats.faults++;
      sendFault(res, 5001, `invalid input: senderOrgNr "${senderOrgNr}" must be 16 + organisationsnummer`);
      return;
    }
    if (ids.length > 1000) {
      this.stats.faults++;
      sendFault(res, 5005, `max exceeded: ${ids.length} recipients in one call; at most 1000`);
      return;
    }
    const bad = ids.find((id) => !checkRecipientId(id).ok);
    if (bad !== undefined) {
      this.stats.faults++;
      sendFault(res, 5001, `invalid input: recipientId "${bad}" is not a valid personnummer, samordningsnummer or organisation id`);
      return;
    }
    if (this.faults.latencyMs) await sleep(this.faults.latencyMs);
    const fault = this.faults.draw(ids);
    if (fault?.mode === 'timeout') {
      await sleep(this.faults.timeoutHoldMs);
      req.socket.destroy();
      return;
    }
    if (fault?.mode === 'http5xx') {
      res.writeHead(fault.status ?? 503, { 'content-type': 'text/plain' }).end('simulated outage');
      return;
    }
    if (fault?.mode === 'fault') {
      this.stats.faults++;
      sendFault(res, fault.code ?? 5001, 'simulated fault', false);
      return;
    }
    this.stats.recipients += ids.length;
    sendSoap(res, 200, `<isReachableResponse xmlns="${NS.recipientV3}">${ids.map((id) => this.answer(id, senderOrgNr)).join('')}</isReachableResponse>`);
  }

  private answer(id: string, sender: string): string {
    const e = this.register.lookup(id);
    const op = e.type === 'Secure' ? this.seed.operators.find((o) => o.key === e.operator) : undefined;
    const accepted = e.type === 'Secure' && e.senderAccepted !== false && !(e.rejectedSenders ?? []).includes(sender);
    const supplier = op
      ? `<ServiceSupplier><Id>${op.id}</Id><Name>${escapeText(op.name)}</Name><ServiceAdress>${escapeText(this.operatorUrl(op))}</ServiceAdress>` +
        (op.uiAddress ? `<UIAdress>${escapeText(op.uiAddress)}</UIAdress>` : '') +
        `<InternalServiceAdress></InternalServiceAdress></ServiceSupplier>`
      : '';
    return (
      `<return><AccountStatus xmlns="${NS.recipient}"><RecipientId>${id}</RecipientId><Type>${e.type}</Type>` +
      `<Pending>${e.pending ? 'true' : 'false'}</Pending>${supplier}` +
      (e.type !== 'Not' ? `<LastRegistration>2024-03-01T10:00:00.000+01:00</LastRegistration>` : '') +
      `</AccountStatus><SenderAccepted xmlns="${NS.recipient}">${accepted ? 'true' : 'false'}</SenderAccepted></return>`
    );
  }
}
