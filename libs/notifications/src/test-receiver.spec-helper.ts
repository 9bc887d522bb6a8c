/**
 * A webhook receiver for tests, over real HTTP, written the way README-receiver.md tells a
 * municipality to write one: it verifies the signature over the raw body (timing-safe, with
 * verifyWebhookSignature), refuses timestamps older than 5 minutes, and processes each event id once
 * (a second request with the same id is acknowledged but not processed again).
 */
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LetterNotification } from './notification-payload';
import { verifyWebhookSignature } from './webhook-signature';

export type ReceiverMode = 'ok' | 'fail' | 'hang';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** What the receiver answered (null while hanging). */
  status: number | null;
}

export interface TestReceiver {
  baseUrl: string;
  /** Every request, in arrival order. */
  requests: ReceivedRequest[];
  /** Events accepted and processed (signature valid, not seen before), per path. */
  processed: { path: string; event: LetterNotification }[];
  /** The secret an endpoint verifies with (one per subscription). */
  secrets: Map<string, string>;
  modes: Map<string, ReceiverMode>;
  close(): Promise<void>;
}

export async function startTestReceiver(): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  const processed: TestReceiver['processed'] = [];
  const secrets = new Map<string, string>();
  const modes = new Map<string, ReceiverMode>();
  const seen = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const entry: ReceivedRequest = { path, headers: req.headers, body: Buffer.concat(chunks), status: null };
      requests.push(entry);
      const answer = (status: number, json: unknown) => {
        entry.status = status;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      };
      const mode = modes.get(path) ?? 'ok';
      if (mode === 'hang') return;
      if (mode === 'fail') return answer(500, { error: 'receiver down' });
      const secret = secrets.get(path);
      if (!secret) return answer(404, { error: 'no such endpoint' });
      const check = verifyWebhookSignature(secret, req.headers['x-hub-signature'] as string | undefined, entry.body, new Date(), 300);
      if (!check.ok) return answer(401, { error: check.reason });
      const event = JSON.parse(entry.body.toString('utf8')) as LetterNotification;
      if (event.id !== req.headers['x-hub-event-id']) return answer(400, { error: 'event id header and body differ' });
      const key = `${path} ${event.id}`;
      if (seen.has(key)) return answer(200, { duplicate: true });
      seen.add(key);
      processed.push({ path, event });
      return answer(200, { ok: true });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    processed,
    secrets,
    modes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
