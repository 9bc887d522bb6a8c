import { createReadStream, ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '@hub/letters';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import type {
  BatchStatusReport,
  LetterStatusReport,
  PrintBatchStatus,
  PrintBatchSummary,
  PrintLetterStatus,
  StatusReportResult,
} from '@hub/print';
import { BatchFileKind, BatchStorage, StoredBatchFiles } from '../batch-storage';
import { applyPrintStatus } from '../print-status';
import type { PrintVendor, PrintVendors } from '../print-vendors';

/** A refusal of the vendor API, with its HTTP status and a code and message for the body. */
export class VendorApiError extends Error {
  constructor(
    readonly httpStatus: 400 | 401 | 403 | 404 | 409 | 503,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BATCH_STATUSES: PrintBatchStatus[] = ['READY', 'ACKNOWLEDGED', 'PRINTED', 'POSTED', 'FAILED'];
const LETTER_STATUSES: PrintLetterStatus[] = ['PRINTED', 'POSTED', 'RETURNED', 'FAILED'];
export const MAX_REPORTS_PER_CALL = 1000;
const REASON = /^[A-Za-z0-9_ .,:;()\-/åäöÅÄÖ]{1,200}$/;

interface VendorBatchRow {
  id: string;
  tenant_id: string;
  tenant_name: string;
  postage_class: 'FIRST_CLASS' | 'ECONOMY';
  status: PrintBatchStatus;
  letters: number;
  pages: number;
  sheets: number;
  files: StoredBatchFiles | null;
  created_at: Date | string;
  ready_at: Date | string | null;
  acknowledge_by: Date | string | null;
  acknowledged_at: Date | string | null;
}

/**
 * The print-vendor pull API's operations (the REST controller is a thin layer over these). A vendor
 * is the print_vendor row whose client id the token was issued to; it sees only its own batches and
 * letters. Lookups across municipalities go through the SECURITY DEFINER functions of the print
 * migration; every change runs in the batch's tenant transaction under row-level security.
 */
export class PrintVendorService {
  constructor(
    private readonly deps: { db: TenantDb; vendors: PrintVendors; storage: BatchStorage; log: Logger },
  ) {}

  /** The vendor a token's client stands for, or 403. */
  async vendorFor(clientId: string | undefined): Promise<PrintVendor> {
    const vendor = clientId ? await this.deps.vendors.byClientId(clientId) : undefined;
    if (!vendor) {
      throw new VendorApiError(403, 'NOT_A_PRINT_VENDOR', `the client ${JSON.stringify(clientId ?? '')} is not registered as a print vendor with the hub`);
    }
    return vendor;
  }

  async listBatches(vendor: PrintVendor, status: string | undefined): Promise<PrintBatchSummary[]> {
    const wanted = status ?? 'READY';
    if (wanted !== 'ALL' && !BATCH_STATUSES.includes(wanted as PrintBatchStatus)) {
      throw new VendorApiError(400, 'BAD_REQUEST', `status must be one of ${[...BATCH_STATUSES, 'ALL'].join(', ')}`);
    }
    const rows = await this.deps.db.withoutTenant(async (em) =>
      (await sql<VendorBatchRow>(em as EntityManager, 'select * from print_vendor_batches($1, $2)', [vendor.id, wanted === 'ALL' ? null : wanted])).rows,
    );
    return rows.map(toSummary);
  }

  async getBatch(vendor: PrintVendor, batchId: string): Promise<PrintBatchSummary> {
    const tenantId = await this.ownBatch(vendor, batchId);
    const row = (await this.deps.db.withoutTenant(async (em) => (await sql<VendorBatchRow>(em as EntityManager, 'select * from print_vendor_batches($1, null)', [vendor.id])).rows)).find(
      (r) => r.id === batchId,
    );
    if (!row || row.tenant_id !== tenantId) throw new VendorApiError(404, 'NOT_FOUND', `batch ${batchId} is not ready yet or does not exist`);
    return toSummary(row);
  }

  /** A batch file to stream, with its size and checksum. */
  async openFile(vendor: PrintVendor, batchId: string, kind: BatchFileKind): Promise<{ stream: ReadStream; bytes: number; sha256: string; contentType: string; filename: string }> {
    const tenantId = await this.ownBatch(vendor, batchId);
    const files = await this.deps.db.inTenant(tenantId, async (em) => (await sql<{ files: StoredBatchFiles | null; status: string }>(em, 'select files, status from print_batch where id = $1', [batchId])).rows[0]);
    if (!files?.files) throw new VendorApiError(409, 'NOT_READY', `batch ${batchId} is still being assembled; list READY batches to see when it is ready`);
    const file = files.files[kind];
    const path = this.deps.storage.path(tenantId, file.name);
    try {
      const s = await stat(path);
      if (s.size !== file.bytes) throw new Error(`size ${s.size} differs from the recorded ${file.bytes}`);
    } catch (e) {
      this.deps.log.error({ batchId, kind, err: e }, 'a batch file is missing or damaged in the print storage');
      throw new VendorApiError(503, 'FILE_UNAVAILABLE', `the ${kind} of batch ${batchId} is not available right now; try again later`);
    }
    const contentType = kind === 'pdf' ? 'application/pdf' : kind === 'manifestJson' ? 'application/json' : 'text/csv; charset=utf-8; header=present';
    return { stream: createReadStream(path), bytes: file.bytes, sha256: file.sha256, contentType, filename: file.name };
  }

  /** Acknowledges receipt; idempotent (a second call returns the first acknowledgement). */
  async acknowledge(vendor: PrintVendor, batchId: string): Promise<PrintBatchSummary> {
    const tenantId = await this.ownBatch(vendor, batchId);
    const status = await this.deps.db.inTenant(tenantId, async (em) => {
      const row = (await sql<{ status: string }>(em, 'select status from print_batch where id = $1 for update', [batchId])).rows[0];
      if (row.status === 'ASSEMBLING') return row.status;
      if (row.status === 'READY') {
        await sql(em, `update print_batch set status = 'ACKNOWLEDGED', acknowledged_at = now(), status_at = now() where id = $1`, [batchId]);
        return 'ACKNOWLEDGED';
      }
      return row.status;
    });
    if (status === 'ASSEMBLING') throw new VendorApiError(409, 'NOT_READY', `batch ${batchId} is still being assembled`);
    this.deps.log.info({ batchId, vendorId: vendor.id }, 'print batch acknowledged');
    return this.getBatch(vendor, batchId);
  }

  /** A status for the whole batch: applied to each of its letters that has not reached it (or passed it). */
  async reportBatchStatus(vendor: PrintVendor, batchId: string, body: unknown): Promise<StatusReportResult> {
    const tenantId = await this.ownBatch(vendor, batchId);
    const report = parseBatchReport(body);
    return this.deps.db.inTenant(tenantId, async (em) => {
      const batch = (await sql<{ status: PrintBatchStatus }>(em, 'select status from print_batch where id = $1 for update', [batchId])).rows[0];
      if (batch.status === 'ASSEMBLING' || batch.status === 'READY') {
        throw new VendorApiError(409, 'NOT_ACKNOWLEDGED', `acknowledge batch ${batchId} before reporting its status`);
      }
      const letters = (await sql<{ letter_id: string }>(em, 'select letter_id from print_item where batch_id = $1 order by sequence', [batchId])).rows;
      const results: StatusReportResult['results'] = [];
      for (const l of letters) {
        const r = await applyPrintStatus(em, { tenantId, letterId: l.letter_id, status: report.status, reason: report.reason, occurredAt: report.occurredAt, vendorId: vendor.id, batchId, source: 'batch' });
        // Letters that went their own way (returned, failed) keep their status: not an error of the report.
        results.push(r.accepted ? { letterId: l.letter_id, accepted: true, ...(r.duplicate ? { duplicate: true } : {}) } : { letterId: l.letter_id, accepted: false, error: r.error });
      }
      const rank: Record<string, number> = { ACKNOWLEDGED: 0, PRINTED: 1, POSTED: 2 };
      if (report.status === 'FAILED' || (batch.status !== 'FAILED' && rank[report.status] > rank[batch.status])) {
        await sql(em, `update print_batch set status = $2, status_at = coalesce($3::timestamptz, now()), status_reason = $4 where id = $1`, [
          batchId,
          report.status,
          report.occurredAt?.toISOString() ?? null,
          report.reason ?? null,
        ]);
      }
      this.deps.log.info({ batchId, vendorId: vendor.id, status: report.status, letters: letters.length }, 'print batch status reported');
      return { results };
    });
  }

  /** Statuses per letter (at most 1,000 per call), each accepted or refused on its own. */
  async reportLetterStatuses(vendor: PrintVendor, body: unknown): Promise<StatusReportResult> {
    const reports = parseLetterReports(body);
    const ids = [...new Set(reports.filter((r) => UUID.test(r.letterId)).map((r) => r.letterId))];
    const owners = await this.deps.db.withoutTenant(async (em) =>
      (await sql<{ letter_id: string; tenant_id: string; batch_id: string | null; vendor_id: string }>(em as EntityManager, 'select * from print_vendor_letters($1, $2::uuid[])', [vendor.id, ids])).rows,
    );
    const byId = new Map(owners.map((o) => [o.letter_id, o]));
    const results: StatusReportResult['results'] = [];
    for (const r of reports) {
      const owner = byId.get(r.letterId);
      if (!UUID.test(r.letterId) || !owner) {
        results.push({ letterId: r.letterId, accepted: false, error: 'unknown letter id (the print job id is the letter id in the manifest)' });
        continue;
      }
      if (owner.vendor_id !== vendor.id) {
        results.push({ letterId: r.letterId, accepted: false, error: 'this letter is not one of your batches' });
        continue;
      }
      if (!owner.batch_id) {
        results.push({ letterId: r.letterId, accepted: false, error: 'the letter is not in a batch yet' });
        continue;
      }
      const batchId = owner.batch_id;
      const outcome = await this.deps.db.inTenant(owner.tenant_id, async (em) => {
        const batch = (await sql<{ status: string }>(em, 'select status from print_batch where id = $1', [batchId])).rows[0];
        if (batch.status === 'ASSEMBLING' || batch.status === 'READY') return { accepted: false as const, error: `acknowledge batch ${batchId} before reporting its letters` };
        return applyPrintStatus(em, { tenantId: owner.tenant_id, letterId: r.letterId, status: r.status, reason: r.reason, occurredAt: r.occurredAt, vendorId: vendor.id, batchId, source: 'letter' });
      });
      results.push(outcome.accepted ? { letterId: r.letterId, accepted: true, ...(outcome.duplicate ? { duplicate: true } : {}) } : { letterId: r.letterId, accepted: false, error: outcome.error });
    }
    return { results };
  }

  /** The tenant of one of this vendor's batches; 404 for an unknown batch, 403 for another vendor's. */
  private async ownBatch(vendor: PrintVendor, batchId: string): Promise<string> {
    if (!UUID.test(batchId)) throw new VendorApiError(404, 'NOT_FOUND', `no batch ${JSON.stringify(batchId)}: batch ids are UUIDs`);
    const row = await this.deps.db.withoutTenant(async (em) => (await sql<{ tenant_id: string; vendor_id: string }>(em as EntityManager, 'select * from print_vendor_batch($1, $2)', [vendor.id, batchId])).rows[0]);
    if (!row) throw new VendorApiError(404, 'NOT_FOUND', `no batch ${batchId}`);
    if (row.vendor_id !== vendor.id) throw new VendorApiError(403, 'FORBIDDEN', `batch ${batchId} is not one of your batches`);
    return row.tenant_id;
  }
}

function toSummary(r: VendorBatchRow): PrintBatchSummary {
  const base = `/print/v1/batches/${r.id}`;
  const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : undefined);
  const file = (href: string, contentType: string, f?: { bytes: number; sha256: string }) => ({ href, contentType, bytes: f?.bytes ?? 0, sha256: f?.sha256 ?? '' });
  return {
    id: r.id,
    tenant: { id: r.tenant_id, name: r.tenant_name },
    postageClass: r.postage_class,
    status: r.status,
    letters: r.letters,
    pages: r.pages,
    sheets: r.sheets,
    createdAt: iso(r.created_at)!,
    ...(r.ready_at ? { readyAt: iso(r.ready_at) } : {}),
    ...(r.acknowledged_at ? { acknowledgedAt: iso(r.acknowledged_at) } : {}),
    ...(r.acknowledge_by ? { acknowledgeBy: iso(r.acknowledge_by) } : {}),
    files: {
      pdf: file(`${base}/pdf`, 'application/pdf', r.files?.pdf),
      manifestJson: file(`${base}/manifest.json`, 'application/json', r.files?.manifestJson),
      manifestCsv: file(`${base}/manifest.csv`, 'text/csv', r.files?.manifestCsv),
    },
  };
}

function parseWhen(value: unknown, field: string, problems: string[]): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const d = typeof value === 'string' ? new Date(value) : undefined;
  if (!d || Number.isNaN(d.getTime())) {
    problems.push(`${field} must be an ISO 8601 date-time, e.g. 2026-11-26T14:00:00Z`);
    return undefined;
  }
  if (d.getTime() > Date.now() + 5 * 60_000) problems.push(`${field} is in the future`);
  return d;
}

function parseReason(value: unknown, field: string, required: boolean, problems: string[]): string | undefined {
  if (value === undefined || value === null || value === '') {
    if (required) problems.push(`${field} is required for this status, e.g. ADDRESSEE_UNKNOWN`);
    return undefined;
  }
  if (typeof value !== 'string' || !REASON.test(value)) {
    problems.push(`${field} must be 1–200 letters, digits, spaces or punctuation (no personal data)`);
    return undefined;
  }
  return value;
}

function parseBatchReport(body: unknown): { status: BatchStatusReport['status']; reason?: string; occurredAt?: Date } {
  const b = body as Record<string, unknown> | null;
  const problems: string[] = [];
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new VendorApiError(400, 'BAD_REQUEST', 'the body must be a JSON object { status, reason?, occurredAt? }');
  const status = b.status as BatchStatusReport['status'];
  if (!['PRINTED', 'POSTED', 'FAILED'].includes(status)) problems.push('status must be PRINTED, POSTED or FAILED');
  const reason = parseReason(b.reason, 'reason', status === 'FAILED', problems);
  const occurredAt = parseWhen(b.occurredAt, 'occurredAt', problems);
  if (problems.length) throw new VendorApiError(400, 'BAD_REQUEST', problems.join('; '), { problems });
  return { status, reason, occurredAt };
}

function parseLetterReports(body: unknown): (Omit<LetterStatusReport, 'occurredAt'> & { occurredAt?: Date })[] {
  const b = body as { reports?: unknown } | null;
  if (!b || typeof b !== 'object' || !Array.isArray(b.reports)) throw new VendorApiError(400, 'BAD_REQUEST', 'the body must be a JSON object { reports: [{ letterId, status, reason?, occurredAt? }] }');
  if (b.reports.length === 0) throw new VendorApiError(400, 'BAD_REQUEST', 'reports is empty');
  if (b.reports.length > MAX_REPORTS_PER_CALL) throw new VendorApiError(400, 'BAD_REQUEST', `reports has ${b.reports.length} entries; at most ${MAX_REPORTS_PER_CALL} per call`);
  const problems: string[] = [];
  const out = b.reports.map((raw, i) => {
    const r = raw as Record<string, unknown>;
    if (!r || typeof r !== 'object') {
      problems.push(`reports[${i}] must be an object`);
      return undefined;
    }
    if (typeof r.letterId !== 'string') problems.push(`reports[${i}].letterId is required (the print job id)`);
    const status = r.status as PrintLetterStatus;
    if (!LETTER_STATUSES.includes(status)) problems.push(`reports[${i}].status must be one of ${LETTER_STATUSES.join(', ')}`);
    const reason = parseReason(r.reason, `reports[${i}].reason`, status === 'RETURNED' || status === 'FAILED', problems);
    const occurredAt = parseWhen(r.occurredAt, `reports[${i}].occurredAt`, problems);
    return { letterId: String(r.letterId), status, ...(reason ? { reason } : {}), ...(occurredAt ? { occurredAt } : {}) };
  });
  if (problems.length) throw new VendorApiError(400, 'BAD_REQUEST', problems.join('; '), { problems });
  return out as (Omit<LetterStatusReport, 'occurredAt'> & { occurredAt?: Date })[];
}
