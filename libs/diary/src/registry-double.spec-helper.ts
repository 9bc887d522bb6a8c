/**
 * A municipality's registry system (diarium) as a real HTTP server, for tests: it checks the hub's
 * signature the way a receiver would (its own HMAC code, not the hub's), refuses stale timestamps
 * and replayed signatures, answers with a registration number, and recognises a registration it
 * has already registered by its `X-Hub-Delivery` id (so a resend gets the same number).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
  /** What the double concluded about the signature. */
  verdict: 'ok' | 'no-secret' | 'missing' | 'malformed' | 'stale' | 'mismatch' | 'replay';
}

export interface ScriptedAnswer {
  status: number;
  body?: unknown;
}

export class RegistryDouble {
  readonly requests: ReceivedRequest[] = [];
  private server?: Server;
  private readonly secrets = new Map<string, string>();
  private readonly scripts = new Map<string, ScriptedAnswer[]>();
  private readonly seenSignatures = new Set<string>();
  private readonly registered = new Map<string, string>();
  private next = 100;
  url = '';

  /** The secret the registry was given for the hook at `path` (as the admin would paste it in). */
  setSecret(path: string, secret: string): void {
    this.secrets.set(path, secret);
  }

  /** The next answers at `path`, in order, before it registers normally again. */
  script(path: string, ...answers: ScriptedAnswer[]): void {
    this.scripts.set(path, [...(this.scripts.get(path) ?? []), ...answers]);
  }

  at(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '/';
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          body = {};
        }
        const verdict = this.check(path, raw, req.headers['x-hub-signature'] as string | undefined);
        this.requests.push({ path, headers: req.headers, raw, body, verdict });
        const send = (status: number, answer: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(answer));
        };
        if (verdict !== 'ok') return send(401, { error: `signature refused: ${verdict}` });
        const scripted = this.scripts.get(path)?.shift();
        if (scripted) return send(scripted.status, scripted.body ?? { error: 'scripted' });
        const delivery = req.headers['x-hub-delivery'] as string;
        const number = this.registered.get(delivery) ?? `KS 2026/${this.next++}`;
        this.registered.set(delivery, number);
        send(201, { registrationNumber: number });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private check(path: string, raw: string, header: string | undefined): ReceivedRequest['verdict'] {
    const secret = this.secrets.get(path);
    if (!secret) return 'no-secret';
    if (!header) return 'missing';
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    if (!m) return 'malformed';
    const t = Number(m[1]);
    if (Math.abs(Date.now() / 1000 - t) > 300) return 'stale';
    const expected = createHmac('sha256', secret).update(`${m[1]}.${raw}`, 'utf8').digest();
    if (!timingSafeEqual(expected, Buffer.from(m[2], 'hex'))) return 'mismatch';
    if (this.seenSignatures.has(m[2])) return 'replay';
    this.seenSignatures.add(m[2]);
    return 'ok';
  }

  /** Sends a request exactly as it was received before (a replay by someone who captured it). */
  async replay(request: ReceivedRequest): Promise<number> {
    const response = await fetch(`${this.url}${request.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature': request.headers['x-hub-signature'] as string, 'x-hub-delivery': request.headers['x-hub-delivery'] as string },
      body: request.raw,
    });
    await response.text();
    return response.status;
  }
}
