import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { HttpResponse as Response } from './http.types';
import { Registry } from 'prom-client';
import { Public } from '@hub/auth';

/** A dependency the API cannot work without, and how to ask whether it is up. */
export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<void>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

/** `/health` (PostgreSQL and Redis answer, else 503) and `/metrics` (Prometheus). Both without a token. */
@Controller()
@Public()
export class HealthController {
  constructor(
    @Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[],
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  @Get('health')
  @Header('cache-control', 'no-store')
  async health(@Res({ passthrough: true }) res: Response): Promise<{ status: 'ok' | 'down'; checks: Record<string, { status: 'ok' | 'down'; ms: number; error?: string }> }> {
    const results = await Promise.all(
      this.checks.map(async (c) => {
        const started = Date.now();
        try {
          await withTimeout(c.check(), CHECK_TIMEOUT_MS);
          return [c.name, { status: 'ok' as const, ms: Date.now() - started }] as const;
        } catch (e) {
          return [c.name, { status: 'down' as const, ms: Date.now() - started, error: (e as Error).message }] as const;
        }
      }),
    );
    const down = results.some(([, r]) => r.status === 'down');
    res.status(down ? 503 : 200);
    return { status: down ? 'down' : 'ok', checks: Object.fromEntries(results) };
  }

  @Get('metrics')
  async metrics(@Res() res: Response): Promise<void> {
    res.setHeader('content-type', this.registry.contentType);
    res.send(await this.registry.metrics());
  }
}
