import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BackgroundLoop } from '@hub/dispatch';
import { sql } from '@hub/letters';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import type { RetentionPurge } from './retention-purge';

export interface RetentionSchedulerOptions {
  db: TenantDb;
  purge: RetentionPurge;
  log: Logger;
  /** Local time of day the daily run starts, `HH:MM` (a tenant may set its own: `settings.retention.runAt`). */
  runAt: string;
  /** Time zone of `runAt` (IANA). */
  timeZone: string;
  /** How often the loop looks for tenants whose run is due. */
  checkIntervalMs: number;
  /** How long a claimed run is held before another worker may take it over (renewed after each rule). */
  leaseSeconds: number;
  /** This worker's name in the lease (default: random). */
  workerId?: string;
  now?: () => Date;
}

const RUN_AT = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** Refuses settings the scheduler cannot work with, naming them. */
export function checkSchedulerSettings(o: Pick<RetentionSchedulerOptions, 'runAt' | 'timeZone' | 'checkIntervalMs' | 'leaseSeconds'>): void {
  const problems: string[] = [];
  if (!RUN_AT.test(o.runAt)) problems.push(`runAt ${JSON.stringify(o.runAt)} must be a local time HH:MM (00:00–23:59)`);
  try {
    new Intl.DateTimeFormat('en', { timeZone: o.timeZone });
  } catch {
    problems.push(`timeZone ${JSON.stringify(o.timeZone)} must be an IANA time zone, e.g. Europe/Stockholm`);
  }
  if (!(Number.isInteger(o.checkIntervalMs) && o.checkIntervalMs >= 100)) problems.push('checkIntervalMs must be a whole number of at least 100');
  if (!(Number.isInteger(o.leaseSeconds) && o.leaseSeconds >= 10)) problems.push('leaseSeconds must be a whole number of at least 10');
  if (problems.length) throw new Error(`retention worker settings: ${problems.join('; ')}`);
}

/**
 * The daily retention run: every worker runs this loop; each tenant's run of a local day is claimed
 * by exactly one of them. A tenant is due once its local run time has passed on a day its run has
 * not finished (so a worker started after the run time catches up the same day). The claim is a row
 * of `retention_run` (tenant, local date) inserted in the tenant's scope; a second worker's insert
 * waits for the first and then finds it taken. A worker that dies leaves a lease that expires after
 * `leaseSeconds`; another worker then runs the day again (the purge is idempotent: what is done is
 * not found again).
 */
export class RetentionScheduler {
  private readonly loop: BackgroundLoop;
  private readonly now: () => Date;
  readonly workerId: string;

  constructor(private readonly options: RetentionSchedulerOptions) {
    checkSchedulerSettings(options);
    this.now = options.now ?? (() => new Date());
    this.workerId = options.workerId ?? `retention-${randomUUID()}`;
    this.loop = new BackgroundLoop('retention-scheduler', options.checkIntervalMs, () => this.tick().then(() => false), options.log);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One round: runs every due tenant this worker can claim; returns the tenants it ran. */
  async tick(): Promise<string[]> {
    const { db, log } = this.options;
    const due = await db.withoutTenant(
      async (em) =>
        (await sql<{ tenant_id: string; run_date: string }>(em as EntityManager, `select tenant_id, run_date::text as run_date from retention_tenants_due($1, $2, $3)`, [this.now(), this.options.timeZone, this.options.runAt]))
          .rows,
    );
    const ran: string[] = [];
    for (const t of due) {
      if (!(await this.claim(t.tenant_id, t.run_date))) continue;
      const started = Date.now();
      const records = await this.options.purge.run(
        { tenantId: t.tenant_id, actor: 'retention-schedule' },
        { dryRun: false, trigger: 'SCHEDULE', afterRule: () => this.renew(t.tenant_id, t.run_date) },
      );
      await db.inTenant(t.tenant_id, (em) =>
        sql(em, `update retention_run set finished_at = now() where tenant_id = $1 and run_date = $2::date and owner = $3`, [t.tenant_id, t.run_date, this.workerId]),
      );
      log.info({ tenantId: t.tenant_id, runDate: t.run_date, rules: records.length, failedRules: records.filter((r) => r.error).length, ms: Date.now() - started }, 'daily retention run done');
      ran.push(t.tenant_id);
    }
    return ran;
  }

  private claim(tenantId: string, runDate: string): Promise<boolean> {
    return this.options.db.inTenant(tenantId, async (em) => {
      const rows = (
        await sql(
          em,
          `insert into retention_run (tenant_id, run_date, owner, lease_until) values ($1, $2::date, $3, now() + make_interval(secs => $4))
           on conflict (tenant_id, run_date) do update set owner = excluded.owner, lease_until = excluded.lease_until, started_at = now()
            where retention_run.finished_at is null and retention_run.lease_until < now()
           returning owner`,
          [tenantId, runDate, this.workerId, this.options.leaseSeconds],
        )
      ).rows;
      return rows.length === 1;
    });
  }

  private async renew(tenantId: string, runDate: string): Promise<void> {
    await this.options.db.inTenant(tenantId, (em) =>
      sql(em, `update retention_run set lease_until = now() + make_interval(secs => $4) where tenant_id = $1 and run_date = $2::date and owner = $3`, [
        tenantId,
        runDate,
        this.workerId,
        this.options.leaseSeconds,
      ]),
    );
  }
}
