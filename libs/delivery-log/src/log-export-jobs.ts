import { createReadStream, createWriteStream, ReadStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { appendAudit } from '@hub/audit';
import { IntakeBadInputError, IntakeError, isUuid, sql, uuidv7 } from '@hub/letters';
import { maskPersonalIds, Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { DeliveryLogService, LogRequest } from './delivery-log.service';
import { LogAccess, LogCaller } from './log-access';
import { LogExportNotFoundError, LogExportUnavailableError } from './log-errors';
import { filterFromJson, filterToJson, LogFilter, LogFilterInput } from './log-filter';
import { exportContentType, exportExtension, LOG_EXPORT_FORMATS, LogExportFormat } from './log-format';

export const LOG_EXPORT_STATUSES = ['QUEUED', 'RUNNING', 'DONE', 'FAILED', 'EXPIRED'] as const;
export type LogExportStatus = (typeof LOG_EXPORT_STATUSES)[number];

/** Where export downloads are served (the REST controller's route). */
export const LOG_EXPORT_DOWNLOAD_BASE = '/delivery-log/v1/exports';

/** An export job as its owner (or a tenant admin) sees it. */
export interface LogExportView {
  id: string;
  status: LogExportStatus;
  format: LogExportFormat;
  bom: boolean;
  /** The filter as given (checked and normalised); dates as ISO text. */
  filter: Record<string, unknown>;
  requestedBy: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** When the file is removed (DONE) or the job forgotten (FAILED). */
  expiresAt: Date | null;
  rows: number | null;
  bytes: number | null;
  sha256: string | null;
  /** Why it failed (FAILED), or why the last attempt did (a retry is pending). */
  error: string | null;
  /** Where to download the file (GET with the bearer token), once DONE. */
  downloadPath: string | null;
}

interface JobRow {
  id: string;
  status: LogExportStatus;
  format: LogExportFormat;
  bom: boolean;
  filter: Record<string, unknown>;
  access: LogAccess;
  requested_by: string;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  expires_at: Date | string | null;
  rows: string | null;
  bytes: string | null;
  sha256: string | null;
  error: string | null;
  file_name: string | null;
}

const date = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

function toView(r: JobRow): LogExportView {
  return {
    id: r.id,
    status: r.status,
    format: r.format,
    bom: r.bom,
    filter: r.filter,
    requestedBy: r.requested_by,
    createdAt: new Date(r.created_at),
    startedAt: date(r.started_at),
    finishedAt: date(r.finished_at),
    expiresAt: date(r.expires_at),
    rows: r.rows === null ? null : Number(r.rows),
    bytes: r.bytes === null ? null : Number(r.bytes),
    sha256: r.sha256,
    error: r.error,
    downloadPath: r.status === 'DONE' ? `${LOG_EXPORT_DOWNLOAD_BASE}/${r.id}/download` : null,
  };
}

/**
 * Where export files live: `<dir>/<tenant id>/<job id>-<attempt>.<csv|jsonl>`. The worker writes
 * them, the API streams them: both must see the same directory.
 */
export class ExportStorage {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  path(tenantId: string, name: string): string {
    return join(this.root, safe(tenantId), safe(name));
  }

  async ensureTenantDir(tenantId: string): Promise<void> {
    await mkdir(join(this.root, safe(tenantId)), { recursive: true });
  }
}

// Names come from the database, never from a request; still, nothing may leave the root.
function safe(part: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(part) || part.includes('..')) throw new Error(`not a safe file name: ${JSON.stringify(part)}`);
  return part;
}

/** The filter as the audit trail keeps it: personnummer masked (the trail holds no personal data). */
export function auditFilter(filter: LogFilter): Record<string, unknown> {
  return JSON.parse(maskPersonalIds(JSON.stringify(filterToJson(filter)))) as Record<string, unknown>;
}

/**
 * Records in the tenant's audit trail that someone took a copy of the log out of the hub (a direct
 * download or an export job): who, which format, which filter (personnummer masked).
 */
export async function auditLogExport(em: EntityManager, req: LogRequest, actor: string, target: string, format: LogExportFormat): Promise<void> {
  await appendAudit(em, {
    tenantId: req.tenantId,
    actor,
    action: 'deliveryLog.export',
    target,
    detail: { format, access: req.access.kind === 'unit' ? `unit:${req.access.unitCode}` : req.access.kind, filter: auditFilter(req.filter) },
  });
}

/**
 * Asynchronous log exports, for ranges too large to download directly: a caller starts a job (it
 * runs with the caller's part of the log, fixed when started), follows it, and downloads its file
 * once DONE. Jobs are visible to whoever started them and to tenant admins.
 */
export class LogExportJobs {
  constructor(
    private readonly db: TenantDb,
    private readonly service: DeliveryLogService,
    /** Where the files are (needed for downloads only). */
    private readonly storage?: ExportStorage,
  ) {}

  async start(caller: LogCaller, input: LogFilterInput | null | undefined, format: string, options: { bom?: boolean | null } = {}): Promise<LogExportView> {
    if (!(LOG_EXPORT_FORMATS as readonly string[]).includes(format)) throw new IntakeBadInputError(`format must be one of ${LOG_EXPORT_FORMATS.join(', ')}.`);
    const req = this.service.request(caller, input);
    const id = uuidv7();
    return this.db.inTenant(
      caller.tenantId,
      async (em) => {
        // Refuses a filter naming an unknown unit (or an officer's token naming one) now, not in the worker.
        await this.service.resolveScope(em, req, 'filter.');
        const { rows } = await sql<JobRow>(
          em,
          `insert into log_export (id, tenant_id, requested_by, access, filter, format, bom, status)
           values ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, 'QUEUED') returning *`,
          [id, caller.tenantId, caller.actor, JSON.stringify(req.access), JSON.stringify(filterToJson(req.filter)), format, format === 'CSV' && Boolean(options.bom)],
        );
        await auditLogExport(em, req, caller.actor, `logExport:${id}`, format as LogExportFormat);
        return toView(rows[0]);
      },
      caller.actor,
    );
  }

  async get(caller: LogCaller, id: string): Promise<LogExportView> {
    return toView(await this.find(caller, id));
  }

  /** The caller's export jobs (a tenant admin: everyone's), newest first. */
  async list(caller: LogCaller, first = 50): Promise<LogExportView[]> {
    const limit = Math.max(1, Math.min(first, 200));
    const admin = caller.roles.includes('tenant-admin');
    return this.db.inTenant(
      caller.tenantId,
      async (em) =>
        (
          await sql<JobRow>(
            em,
            `select * from log_export where tenant_id = $1 and ($2::boolean or requested_by = $3) order by created_at desc, id desc limit $4`,
            [caller.tenantId, admin, caller.actor, limit],
          )
        ).rows.map(toView),
      caller.actor,
    );
  }

  /** The finished file to stream. {@link LogExportUnavailableError} unless the job is DONE and its file is there. */
  async openDownload(caller: LogCaller, id: string): Promise<{ stream: ReadStream; bytes: number; sha256: string; contentType: string; filename: string }> {
    const job = await this.find(caller, id);
    if (job.status === 'EXPIRED') throw new LogExportUnavailableError(id, job.status, `Export ${id} has expired and its file was removed; start a new export.`, 410);
    if (job.status === 'FAILED') throw new LogExportUnavailableError(id, job.status, `Export ${id} failed (${job.error ?? 'no reason recorded'}); start a new export.`, 409);
    if (job.status !== 'DONE' || !job.file_name) {
      throw new LogExportUnavailableError(id, job.status, `Export ${id} is ${job.status}, not done yet; ask logExport(id) until its status is DONE.`, 409);
    }
    if (!this.storage) throw new Error('LogExportJobs was made without an ExportStorage: it cannot serve downloads');
    const path = this.storage.path(caller.tenantId, job.file_name);
    try {
      const s = await stat(path);
      if (s.size !== Number(job.bytes)) throw new Error(`size ${s.size} differs from the recorded ${job.bytes}`);
    } catch {
      throw new LogExportUnavailableError(id, job.status, `The file of export ${id} is not available on this server; start a new export.`, 410);
    }
    const created = new Date(job.created_at).toISOString().replace(/[-:]/g, '').slice(0, 15);
    return {
      stream: createReadStream(path),
      bytes: Number(job.bytes),
      sha256: job.sha256!,
      contentType: exportContentType(job.format),
      filename: `delivery-log-${created}-${id.slice(0, 8)}.${exportExtension(job.format)}`,
    };
  }

  private async find(caller: LogCaller, id: string): Promise<JobRow> {
    if (!isUuid(id)) throw new LogExportNotFoundError(id);
    const admin = caller.roles.includes('tenant-admin');
    const row = await this.db.inTenant(
      caller.tenantId,
      async (em) => (await sql<JobRow>(em, `select * from log_export where tenant_id = $1 and id = $2 and ($3::boolean or requested_by = $4)`, [caller.tenantId, id, admin, caller.actor])).rows[0],
      caller.actor,
    );
    if (!row) throw new LogExportNotFoundError(id);
    return row;
  }
}

export interface LogExportRunnerOptions {
  db: TenantDb;
  service: DeliveryLogService;
  storage: ExportStorage;
  log: Logger;
  /** Identifies this worker in leases. */
  owner: string;
  /** How long a finished file is kept (and a failed job shown) before it expires. */
  ttlMs: number;
  /** A running job's lease; renewed while it runs, taken over by another worker when it lapses. */
  leaseSeconds: number;
  /** Attempts before a job that keeps being interrupted is given up. */
  maxAttempts: number;
}

/**
 * The worker side of export jobs: claims the oldest waiting job (across tenants, through
 * `log_export_claim`), writes its file in the job's tenant scope, and removes expired files.
 * A job is idempotent: each attempt writes its own file, and only the attempt holding the lease
 * may mark the job DONE.
 */
export class LogExportRunner {
  private interrupted = false;

  constructor(private readonly o: LogExportRunnerOptions) {}

  /**
   * Stops a running export at its next batch (a stopping worker must not wait for a long export):
   * the job goes back to the queue without the attempt counting, for another worker to redo.
   */
  interrupt(): void {
    this.interrupted = true;
  }

  /** Runs one waiting job, if there is one; true when it did (there may be more). */
  async runOnce(): Promise<boolean> {
    if (this.interrupted) return false;
    const claimed = await this.o.db.withoutTenant(
      async (em) =>
        (await sql<{ tenant_id: string; id: string; attempts: number }>(em as EntityManager, 'select * from log_export_claim($1, $2)', [this.o.owner, this.o.leaseSeconds])).rows[0],
    );
    if (!claimed) return false;
    await this.run(claimed.tenant_id, claimed.id, Number(claimed.attempts));
    return true;
  }

  /** Removes the files of jobs past their expiry time and marks them EXPIRED; returns how many. */
  async expire(limit = 100): Promise<number> {
    const due = await this.o.db.withoutTenant(async (em) => (await sql<{ tenant_id: string; id: string }>(em as EntityManager, 'select * from log_exports_expired($1)', [limit])).rows);
    for (const job of due) {
      await this.o.db.inTenant(job.tenant_id, async (em) => {
        const row = (await sql<{ file_name: string | null }>(em, `select file_name from log_export where id = $1 and status in ('DONE','FAILED') for update`, [job.id])).rows[0];
        if (!row) return;
        if (row.file_name) await unlink(this.o.storage.path(job.tenant_id, row.file_name)).catch(ignoreMissing);
        // The job's row stays (who exported what, when); a recipient in its filter is masked like in logs.
        await sql(
          em,
          `update log_export set status = 'EXPIRED',
                  filter = case when filter ? 'recipient' then jsonb_set(filter, '{recipient}', to_jsonb(left(filter->>'recipient', 8) || '-****')) else filter end
            where id = $1`,
          [job.id],
        );
      });
    }
    return due.length;
  }

  private async run(tenantId: string, id: string, attempt: number): Promise<void> {
    const { db, storage, owner } = this.o;
    const log = this.o.log.child({ exportId: id, tenantId, attempt });
    if (attempt > this.o.maxAttempts) {
      await this.finish(tenantId, id, 'FAILED', { error: `gave up after ${this.o.maxAttempts} attempts that did not finish (the worker stopped or lost its lease each time)` });
      log.warn('log export given up');
      return;
    }
    const job = await db.inTenant(tenantId, async (em) => (await sql<JobRow>(em, 'select * from log_export where id = $1 and lease_owner = $2', [id, owner])).rows[0]);
    if (!job) return;
    const fileName = `${id}-${attempt}.${exportExtension(job.format)}`;
    const path = storage.path(tenantId, fileName);
    const partial = `${path}.part`;
    let renewedAt = Date.now();
    try {
      const filter = filterFromJson(job.filter);
      await storage.ensureTenantDir(tenantId);
      const file = createWriteStream(partial);
      let result;
      try {
        result = await this.o.service.exportTo({ tenantId, access: job.access, filter }, file, {
          format: job.format,
          bom: job.bom,
          onProgress: async () => {
            if (this.interrupted) throw new ExportInterrupted();
            if (Date.now() - renewedAt < (this.o.leaseSeconds * 1000) / 3) return;
            renewedAt = Date.now();
            await this.renewLease(tenantId, id);
          },
        });
        file.end();
        await finished(file);
      } catch (e) {
        file.destroy();
        await finished(file).catch(() => undefined);
        throw e;
      }
      await rename(partial, path);
      const done = await this.finish(tenantId, id, 'DONE', { rows: result.rows, bytes: result.bytes, sha256: result.sha256, fileName });
      if (!done) {
        await unlink(path).catch(ignoreMissing);
        log.warn('log export finished after its lease was taken over; its file was discarded');
        return;
      }
      log.info({ rows: result.rows, bytes: result.bytes }, 'log export done');
    } catch (e) {
      await unlink(partial).catch(ignoreMissing);
      if (e instanceof ExportInterrupted) {
        await this.finish(tenantId, id, 'QUEUED', { error: null, uncountAttempt: true });
        log.info('log export interrupted (the worker is stopping); back in the queue');
        return;
      }
      // A filter that no longer holds (e.g. the unit is gone) will not get better with retries.
      const permanent = e instanceof IntakeError || attempt >= this.o.maxAttempts;
      const message = e instanceof Error ? e.message : String(e);
      await this.finish(tenantId, id, permanent ? 'FAILED' : 'QUEUED', { error: message });
      log.error({ err: e, permanent }, 'log export failed');
    }
  }

  private async renewLease(tenantId: string, id: string): Promise<void> {
    const renewed = await this.o.db.inTenant(tenantId, async (em) =>
      (await sql(em, `update log_export set lease_until = now() + make_interval(secs => $3) where id = $1 and lease_owner = $2 and status = 'RUNNING'`, [id, this.o.owner, this.o.leaseSeconds])).rowCount,
    );
    if (!renewed) throw new Error('lost the lease on the export job (another worker took it over)');
  }

  /** Ends this attempt; false when the lease was no longer ours. */
  private async finish(
    tenantId: string,
    id: string,
    status: 'DONE' | 'FAILED' | 'QUEUED',
    r: { rows?: number; bytes?: number; sha256?: string; fileName?: string; error?: string | null; uncountAttempt?: boolean },
  ): Promise<boolean> {
    const ttlSeconds = this.o.ttlMs / 1000;
    return this.o.db.inTenant(tenantId, async (em) => {
      const { rowCount } = await sql(
        em,
        `update log_export set status = $3, rows = $4, bytes = $5, sha256 = $6, file_name = $7, error = $8,
                finished_at = case when $3 = 'QUEUED' then null else now() end,
                expires_at = case when $3 = 'QUEUED' then null else now() + make_interval(secs => $9) end,
                lease_owner = null, lease_until = null, attempts = attempts - $10::int
          where id = $1 and lease_owner = $2 and status = 'RUNNING'`,
        [id, this.o.owner, status, r.rows ?? null, r.bytes ?? null, r.sha256 ?? null, r.fileName ?? null, r.error ?? null, ttlSeconds, r.uncountAttempt ? 1 : 0],
      );
      return rowCount > 0;
    });
  }
}

/** A running export stopped because its worker is stopping. */
class ExportInterrupted extends Error {}

function ignoreMissing(e: NodeJS.ErrnoException): void {
  if (e.code !== 'ENOENT') throw e;
}
