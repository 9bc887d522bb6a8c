import { createServer, Server } from 'node:http';
import type { DispatchRuntime } from '@hub/dispatch';

/**
 * `/health` (database and Redis reachable, the worker running) and `/metrics` (Prometheus text) of
 * a worker process. Nothing else is served.
 */
export function startHealthServer(runtime: DispatchRuntime, host: string, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      runtime.metrics.registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': runtime.metrics.registry.contentType }).end(text))
        .catch((e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${e.message}\n`));
      return;
    }
    if (path === '/health') {
      void health(runtime).then((h) => res.writeHead(h.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h)));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /health or /metrics\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as { port: number };
      resolve({ server, url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}` });
    });
  });
}

async function health(runtime: DispatchRuntime): Promise<Record<string, string>> {
  const check = async (fn: () => Promise<unknown>): Promise<string> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([fn(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer within 2 s')), 2000)))]);
      return 'ok';
    } catch (e) {
      return `down: ${(e as Error).message}`;
    } finally {
      clearTimeout(timer);
    }
  };
  const [db, redis] = await Promise.all([
    check(() => runtime.db.withoutTenant((em) => em.execute('select 1'))),
    check(() => runtime.queue.getJobCounts('active')),
  ]);
  const worker = runtime.worker ? (runtime.worker.isRunning() ? 'ok' : 'down: not running') : 'ok';
  return { status: db === 'ok' && redis === 'ok' && worker === 'ok' ? 'ok' : 'down', workerId: runtime.workerId, db, redis, worker };
}
