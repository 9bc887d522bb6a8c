import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { FaultConfig } from './fault-injection';
import { FarSimulator } from './far-simulator';
import { MailboxOperatorSimulator } from './mailbox-operator-simulator';
import type { PrintVendorSimulator } from './print-vendor/print-vendor-simulator';
import { closeServer, listen, readBody, sendJson } from './soap-http';

/**
 * Inspection and control over plain HTTP on the loopback address: what the operators stored,
 * counters, fault injection, and what the print vendor has seen and reported. It is the simulators'
 * back door for tests and people; the real parties have no such thing.
 */
export class AdminServer {
  private server?: Server;

  constructor(
    private readonly far: FarSimulator,
    private readonly operators: Map<string, MailboxOperatorSimulator>,
    private readonly info: () => unknown,
    private readonly printVendor?: PrintVendorSimulator,
  ) {}

  async listen(port: number, host: string): Promise<number> {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((e) => sendJson(res, 500, { error: (e as Error).message }));
    });
    return listen(this.server, port, host);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    const parts = url.pathname.split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    if (parts.length === 0 || parts[0] === 'health') return sendJson(res, 200, { status: 'ok', ...(this.info() as object) });
    if (parts[0] === 'far') {
      if (parts[1] === 'faults') return this.faults(req, res, method, this.far.faults);
      return sendJson(res, 200, { stats: this.far.stats, faults: this.far.faults.current });
    }
    if (parts[0] === 'operators') {
      if (parts.length === 1) {
        return sendJson(
          res,
          200,
          [...this.operators.values()].map((o) => ({ key: o.operator.key, id: o.operator.id, name: o.operator.name, stats: o.stats, faults: o.faults.current })),
        );
      }
      const op = this.operators.get(parts[1]);
      if (!op) return sendJson(res, 404, { error: `no operator "${parts[1]}"; known: ${[...this.operators.keys()].join(', ')}` });
      if (parts[2] === 'faults') return this.faults(req, res, method, op.faults);
      if (parts[2] === 'deliveries') {
        if (parts.length === 3) {
          if (method === 'DELETE') {
            op.reset();
            return sendJson(res, 200, { reset: true });
          }
          const list = op.list({ recipient: url.searchParams.get('recipient') ?? undefined, messageId: url.searchParams.get('messageId') ?? undefined });
          return sendJson(res, 200, list.map(({ raw: _raw, ...rest }) => rest));
        }
        const d = op.get(parts[3]);
        if (!d) return sendJson(res, 404, { error: `no delivery with TransId ${parts[3]}` });
        if (parts[4] === 'raw') {
          res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(d.raw);
          return;
        }
        return sendJson(res, 200, d);
      }
      return sendJson(res, 200, { key: op.operator.key, stats: op.stats, faults: op.faults.current });
    }
    if (parts[0] === 'print-vendor' && parts.length === 1) {
      if (!this.printVendor) return sendJson(res, 404, { error: 'no print vendor: the seed has no printVendor section' });
      return sendJson(res, 200, this.printVendor.state());
    }
    sendJson(res, 404, { error: `unknown path ${url.pathname}; try /health, /far, /operators, /operators/<key>/deliveries, /operators/<key>/faults, /print-vendor` });
  }

  private async faults(req: IncomingMessage, res: ServerResponse, method: string, injector: { set(c: FaultConfig): void; current: FaultConfig }): Promise<void> {
    if (method === 'PUT' || method === 'POST') {
      const body = await readBody(req, 1024 * 1024);
      try {
        const config = JSON.parse(body?.toString('utf8') || '{}') as FaultConfig;
        if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new Error('must be a JSON object');
        injector.set(config);
      } catch (e) {
        return sendJson(res, 400, { error: `fault config: ${(e as Error).message}` });
      }
    } else if (method === 'DELETE') injector.set({});
    sendJson(res, 200, injector.current);
  }
}
