import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { EntityManager } from '@mikro-orm/postgresql';
import { IntakeBadInputError, LetterValidationError, PageSizeExceededError, sql } from '@hub/letters';
import type { TenantDb } from '@hub/persistence';
import { LogAccess, LogCaller, logAccessFor } from './log-access';
import { LogRecord } from './log-columns';
import { LogAccessDeniedError, LogDownloadTooLargeError } from './log-errors';
import { LogFilter, LogFilterInput, parseLogFilter } from './log-filter';
import { exportPreamble, exportRow, LogExportFormat } from './log-format';
import { countStatement, decodeLogCursor, encodeLogCursor, exportStatement, LogDbRow, LogScope, searchStatement, toLogRecord } from './log-query';

export interface DeliveryLogOptions {
  /** Largest page of a search (PAGE_SIZE_MAX). */
  pageSizeMax: number;
  /** Page size when the caller gives none. Default 50 (or pageSizeMax when smaller). */
  defaultPageSize?: number;
  /** `totalCount` counts at most this many rows (then says it is not exact). Default 10,000. */
  countCap?: number;
  /** Rows per FETCH from the server-side cursor of an export. Default 2,000. */
  fetchSize?: number;
}

export interface LogPage {
  items: { cursor: string; record: LogRecord }[];
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface LogCount {
  /** Matching letters, or `cap` + 1 when there are more than `cap` (see `exact`). */
  count: number;
  exact: boolean;
}

/** What an export wrote. */
export interface LogExportResult {
  rows: number;
  bytes: number;
  /** SHA-256 of the bytes written, hex. */
  sha256: string;
}

export interface LogExportOptions {
  format: LogExportFormat;
  /** CSV only: start with a UTF-8 byte order mark (for Excel). */
  bom?: boolean;
  /** Called after every fetched batch with the rows written so far (export jobs renew their lease here). */
  onProgress?: (rows: number) => Promise<void> | void;
}

/** A checked request for the log: the caller's part of it and the filter. */
export interface LogRequest {
  tenantId: string;
  access: LogAccess;
  filter: LogFilter;
}

/** A node of PostgreSQL's JSON plan (the fields used here). */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

/** What {@link DeliveryLogService.explainSearch} found out about one search. */
export interface LogExplain {
  executionMs: number;
  planningMs: number;
  /** Indexes of `letter` the plan used. */
  indexes: string[];
  /** Tables the plan read in full. */
  sequentialScans: string[];
  rows: number;
  endCursor: string | null;
  plan: PlanNode;
}

/** The export's destination went away (the client disconnected, the file could not be written). */
export class LogSinkClosedError extends Error {}

/**
 * The delivery log (F4, F7) and its export (F5): searches a tenant's letters with a filter, in pages,
 * and writes the whole matching log as CSV or JSON Lines from a server-side cursor, so that memory
 * stays flat however many rows there are. Every query runs in the tenant's transaction under
 * row-level security and is narrowed to the caller's part of the log (see `logAccessFor`).
 */
export class DeliveryLogService {
  constructor(
    private readonly db: TenantDb,
    private readonly options: DeliveryLogOptions,
  ) {}

  /** Checks a caller and a filter (paths under `pathPrefix`) without running anything. */
  request(caller: LogCaller, input: LogFilterInput | null | undefined, pathPrefix = 'filter.'): LogRequest {
    const access = logAccessFor(caller);
    return { tenantId: caller.tenantId, access, filter: parseLogFilter(input, pathPrefix) };
  }

  /** One page, newest first by the filter's date field; follow `endCursor` with `after`. */
  async search(caller: LogCaller, input: LogFilterInput | null | undefined, first?: number | null, after?: string | null): Promise<LogPage> {
    const req = this.request(caller, input);
    const max = this.options.pageSizeMax;
    first ??= Math.min(this.options.defaultPageSize ?? 50, max);
    if (!Number.isInteger(first) || first < 1) throw new IntakeBadInputError(`first is ${first}; ask for at least 1 letter.`);
    if (first > max) throw new PageSizeExceededError(first, max);
    const cursor = after ? decodeLogCursor(after, req.filter.dateField) : undefined;
    const size = first;
    return this.db.inTenant(
      req.tenantId,
      async (em) => {
        const scope = await this.resolveScope(em, req, 'filter.');
        const statement = searchStatement(scope, req.filter, size + 1, cursor);
        const rows = (await sql<LogDbRow>(em, statement.text, statement.params)).rows;
        const items = rows.slice(0, size).map((r) => ({
          cursor: encodeLogCursor({ dateField: req.filter.dateField, at: r.sort_key!, id: r.id }),
          record: toLogRecord(r, scope.units),
        }));
        return { items, hasNextPage: rows.length > size, endCursor: items.length ? items[items.length - 1].cursor : null };
      },
      caller.actor,
    );
  }

  /**
   * Runs the very statement of {@link search} under `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`, for the
   * index checks and the benchmark: which indexes PostgreSQL used, which tables it read in full, and
   * how long it took. Also returns the page's end cursor, to explain the next page.
   */
  async explainSearch(caller: LogCaller, input: LogFilterInput | null | undefined, first = 50, after?: string | null): Promise<LogExplain> {
    const req = this.request(caller, input);
    const cursor = after ? decodeLogCursor(after, req.filter.dateField) : undefined;
    return this.db.inTenant(req.tenantId, async (em) => {
      const scope = await this.resolveScope(em, req, 'filter.');
      const statement = searchStatement(scope, req.filter, first + 1, cursor);
      const [{ 'QUERY PLAN': [result] }] = (await sql<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number; 'Planning Time': number }] }>(em, `explain (analyze, buffers, format json) ${statement.text}`, statement.params)).rows;
      const rows = (await sql<LogDbRow>(em, statement.text, statement.params)).rows.slice(0, first);
      const last = rows[rows.length - 1];
      const nodes: PlanNode[] = [];
      const walk = (n: PlanNode) => {
        nodes.push(n);
        (n.Plans ?? []).forEach(walk);
      };
      walk(result.Plan);
      return {
        executionMs: result['Execution Time'],
        planningMs: result['Planning Time'],
        indexes: [...new Set(nodes.filter((n) => n['Index Name'] && n['Relation Name'] === 'letter').map((n) => n['Index Name']!))],
        sequentialScans: [...new Set(nodes.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']!))],
        rows: rows.length,
        endCursor: last ? encodeLogCursor({ dateField: req.filter.dateField, at: last.sort_key!, id: last.id }) : null,
        plan: result.Plan,
      };
    });
  }

  /** How many letters match (at most `countCap` are counted). */
  async count(caller: LogCaller, input: LogFilterInput | null | undefined): Promise<LogCount> {
    const req = this.request(caller, input);
    return this.countRequest(req, this.options.countCap ?? 10_000, 'filter.');
  }

  /**
   * For a direct download: checks the request and that at most `maxRows` letters match, before the
   * response starts (so a refusal can still be an error status). Throws {@link LogDownloadTooLargeError}.
   */
  async checkDownload(caller: LogCaller, input: LogFilterInput | null | undefined, maxRows: number, pathPrefix = ''): Promise<LogRequest> {
    const req = this.request(caller, input, pathPrefix);
    const { exact } = await this.countRequest(req, maxRows, pathPrefix);
    if (!exact) throw new LogDownloadTooLargeError(maxRows);
    return req;
  }

  /**
   * Writes every matching letter to `sink` (oldest first) as CSV or JSON Lines, fetching
   * `fetchSize` rows at a time from a server-side cursor in one tenant transaction (one consistent
   * snapshot) and waiting for the sink to drain before fetching more. Does not end the sink. Throws
   * {@link LogSinkClosedError} when the sink is destroyed or fails midway.
   */
  async exportTo(req: LogRequest, sink: Writable, options: LogExportOptions): Promise<LogExportResult> {
    const fetchSize = this.options.fetchSize ?? 2_000;
    const hash = createHash('sha256');
    let bytes = 0;
    let rows = 0;
    const out = watchSink(sink);
    const write = async (text: string) => {
      const chunk = Buffer.from(text, 'utf8');
      hash.update(chunk);
      bytes += chunk.length;
      await out.write(chunk);
    };
    const toText = exportRow(options.format);
    try {
      await this.db.inTenant(req.tenantId, async (em) => {
        const scope = await this.resolveScope(em, req, '');
        const statement = exportStatement(scope, req.filter);
        await sql(em, `declare delivery_log_export no scroll cursor for ${statement.text}`, statement.params);
        await write(exportPreamble(options.format, options.bom ?? false));
        for (;;) {
          const batch = (await sql<LogDbRow>(em, `fetch ${fetchSize} from delivery_log_export`)).rows;
          if (batch.length === 0) break;
          let text = '';
          for (const r of batch) text += toText(toLogRecord(r, scope.units));
          rows += batch.length;
          await write(text);
          await options.onProgress?.(rows);
          if (batch.length < fetchSize) break;
        }
        await sql(em, 'close delivery_log_export');
      });
    } finally {
      out.dispose();
    }
    return { rows, bytes, sha256: hash.digest('hex') };
  }

  private async countRequest(req: LogRequest, cap: number, pathPrefix: string): Promise<LogCount> {
    return this.db.inTenant(req.tenantId, async (em) => {
      const scope = await this.resolveScope(em, req, pathPrefix);
      const statement = countStatement(scope, req.filter, cap);
      const n = Number((await sql<{ n: number }>(em, statement.text, statement.params)).rows[0].n);
      return n > cap ? { count: n, exact: false } : { count: n, exact: true };
    });
  }

  /**
   * The caller's part of the log with the sending units resolved (codes to ids), in the tenant
   * transaction. Refuses an officer's unknown unit or another unit in the filter, and an unknown
   * `sendingUnit` in the filter (field path under `pathPrefix`).
   */
  async resolveScope(em: EntityManager, req: LogRequest, pathPrefix: string): Promise<LogScope> {
    const units = (await sql<{ id: string; code: string; name: string }>(em, 'select id, code, name from sending_unit where tenant_id = $1 order by code', [req.tenantId])).rows;
    const byCode = new Map(units.map((u) => [u.code, u]));
    const scope: LogScope = { tenantId: req.tenantId, units: new Map(units.map((u) => [u.id, { code: u.code, name: u.name }])) };
    if (req.access.kind === 'unit') {
      const own = byCode.get(req.access.unitCode);
      if (!own) {
        throw new LogAccessDeniedError(
          `Your token names the sending unit ${JSON.stringify(req.access.unitCode)}, which is not a sending unit of your municipality; ` +
            'ask the identity provider administrator to correct your sending_unit attribute.',
        );
      }
      scope.unitId = own.id;
      if (req.filter.sendingUnit && req.filter.sendingUnit !== own.code) {
        throw new LogAccessDeniedError(
          `A case officer sees the letters of their own sending unit (${own.code}) only; ${pathPrefix}sendingUnit asks for ${JSON.stringify(req.filter.sendingUnit)}. ` +
            'Leave sendingUnit out, or ask a tenant admin.',
        );
      }
    }
    if (req.access.kind === 'client') scope.apiClientId = req.access.apiClientId;
    if (req.filter.sendingUnit) {
      const unit = byCode.get(req.filter.sendingUnit);
      if (!unit) {
        throw new LetterValidationError(
          [{ path: `${pathPrefix}sendingUnit`, rule: 'unknown', message: `no sending unit ${JSON.stringify(req.filter.sendingUnit)} in your municipality; its units are ${units.map((u) => u.code).join(', ')}` }],
          'The delivery log filter was refused',
        );
      }
      scope.filterUnitId = unit.id;
    }
    return scope;
  }
}

/**
 * Writes to a sink with backpressure: waits for `drain` when its buffer is full, and fails (instead
 * of waiting forever) once it closes or errors, e.g. when an HTTP client goes away mid-download.
 */
function watchSink(sink: Writable): { write(chunk: Buffer): Promise<void>; dispose(): void } {
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const onClose = () => {
    failure ??= new LogSinkClosedError('the export destination closed before the export finished');
    wake?.();
  };
  const onError = (e: Error) => {
    failure ??= new LogSinkClosedError(`the export destination failed: ${e.message}`);
    wake?.();
  };
  const onDrain = () => wake?.();
  sink.on('close', onClose);
  sink.on('error', onError);
  sink.on('drain', onDrain);
  return {
    async write(chunk) {
      if (!failure && (sink.destroyed || sink.writableEnded)) failure = new LogSinkClosedError('the export destination closed before the export finished');
      if (failure) throw failure;
      if (sink.write(chunk)) return;
      if (!failure) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (failure) throw failure;
    },
    dispose() {
      sink.off('close', onClose);
      sink.off('drain', onDrain);
      // The error listener stays: an error after the export must not crash the process.
    },
  };
}
