import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { sql } from '@hub/letters';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { assembleBatch, BatchEntry } from '@hub/print';
import { BatchStorage, StoredBatchFiles } from './batch-storage';
import type { PrintVendors } from './print-vendors';

export type AssembleOutcome = 'READY' | 'SKIPPED';

interface BatchRow {
  id: string;
  tenant_id: string;
  vendor_id: string;
  postage_class: 'FIRST_CLASS' | 'ECONOMY';
  status: string;
  created_at: Date | string;
  tenant_name: string;
}

/** Letters read per round trip while streaming a batch (their PDFs are in the rows). */
const PAGE = 50;

/**
 * Writes a closed batch's files: the merged PDF, the JSON and CSV manifests, with their SHA-256
 * (libs/print, streaming: the letters' PDFs are read from the database a page at a time, so a
 * 10,000-letter batch never sits in memory), then offers the batch to its vendor (READY, with the
 * time by which it must be acknowledged).
 *
 * Two runs may overlap (a job redone after its worker seemed lost): each writes into its own
 * folder, and only the run that finds the batch still ASSEMBLING under its row lock moves its files
 * into place and marks it READY; the other throws its files away.
 */
export class AssembleBatchHandler {
  constructor(
    private readonly deps: { db: TenantDb; vendors: PrintVendors; storage: BatchStorage; now?: () => Date },
  ) {}

  async handle(payload: { tenantId: string; batchId: string }, log: Logger): Promise<AssembleOutcome> {
    const { tenantId, batchId } = payload;
    const { db, storage } = this.deps;
    const batch = await db.inTenant(tenantId, async (em) =>
      (await sql<BatchRow>(em, `select b.*, t.name as tenant_name from print_batch b join tenant t on t.id = b.tenant_id where b.id = $1`, [batchId])).rows[0],
    );
    if (!batch || batch.status !== 'ASSEMBLING') {
      log.info({ batchId, status: batch?.status }, 'nothing to assemble');
      return 'SKIPPED';
    }
    const vendor = await this.deps.vendors.byId(batch.vendor_id);
    const workDir = join(storage.tenantDir(tenantId), `.assembling-${batchId}-${randomUUID().slice(0, 8)}`);
    await mkdir(workDir, { recursive: true });
    const started = Date.now();
    try {
      const assembled = await assembleBatch({
        batchId,
        dir: workDir,
        entries: this.entries(tenantId, batchId),
        header: { tenant: { id: tenantId, name: batch.tenant_name }, vendorId: batch.vendor_id, postageClass: batch.postage_class, createdAt: new Date(batch.created_at) },
      });
      const files: StoredBatchFiles = {
        pdf: { name: basename(assembled.pdf.path), bytes: assembled.pdf.bytes, sha256: assembled.pdf.sha256, pages: assembled.pdf.pages, sheets: assembled.pdf.sheets },
        manifestJson: { name: basename(assembled.manifestJson.path), bytes: assembled.manifestJson.bytes, sha256: assembled.manifestJson.sha256 },
        manifestCsv: { name: basename(assembled.manifestCsv.path), bytes: assembled.manifestCsv.bytes, sha256: assembled.manifestCsv.sha256 },
      };
      const ackMinutes = vendor?.ackDeadlineMinutes ?? 240;
      const won = await db.inTenant(tenantId, async (em) => {
        const current = (await sql<{ status: string }>(em, 'select status from print_batch where id = $1 for update', [batchId])).rows[0];
        if (current?.status !== 'ASSEMBLING') return false;
        for (const f of [assembled.pdf, assembled.manifestJson, assembled.manifestCsv]) await rename(f.path, storage.path(tenantId, basename(f.path)));
        await sql(
          em,
          `update print_batch set status = 'READY', files = $2, ready_at = now(), status_at = now(),
                  acknowledge_by = now() + make_interval(mins => $3), letters = $4, pages = $5, sheets = $6
            where id = $1`,
          [batchId, JSON.stringify(files), ackMinutes, assembled.letters, assembled.pdf.pages, assembled.pdf.sheets],
        );
        return true;
      });
      if (!won) {
        log.info({ batchId }, 'another run assembled the batch meanwhile');
        return 'SKIPPED';
      }
      log.info({ batchId, vendorId: batch.vendor_id, letters: assembled.letters, pages: assembled.pdf.pages, bytes: assembled.pdf.bytes, ms: Date.now() - started }, 'print batch ready for its vendor');
      return 'READY';
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  /** The batch's letters in order, a page of rows per short transaction. */
  private async *entries(tenantId: string, batchId: string): AsyncGenerator<BatchEntry> {
    let after = 0;
    for (;;) {
      const rows = await this.deps.db.inTenant(tenantId, async (em) =>
        (
          await sql<{
            letter_id: string;
            sequence: number;
            pdf: Buffer;
            pages: number;
            sheets: number;
            duplex: boolean;
            colour: boolean;
            postage_class: 'FIRST_CLASS' | 'ECONOMY';
            address_lines: string[];
            return_address: string[];
          }>(
            em,
            `select letter_id, sequence, pdf, pages, sheets, duplex, colour, postage_class, address_lines, return_address
               from print_item where batch_id = $1 and sequence > $2 order by sequence limit $3`,
            [batchId, after, PAGE],
          )
        ).rows,
      );
      for (const r of rows) {
        yield {
          letterId: r.letter_id,
          pdf: r.pdf,
          pages: r.pages,
          sheets: r.sheets,
          duplex: r.duplex,
          colour: r.colour,
          postageClass: r.postage_class,
          addressLines: r.address_lines,
          returnAddress: r.return_address,
        };
      }
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1].sequence;
    }
  }
}
