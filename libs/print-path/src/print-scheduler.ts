import type { EntityManager } from '@mikro-orm/postgresql';
import { BackgroundLoop } from '@hub/dispatch';
import { JobName } from '@hub/jobs';
import { sql } from '@hub/letters';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { latestCutoff } from './cutoff';
import { enqueueJob, PrintEvent } from './print-events';
import type { PrintVendor, PrintVendors } from './print-vendors';

/** Why a batch was closed. */
export type CloseReason = 'SIZE' | 'CUTOFF' | 'MAX_WAIT';

export interface PrintSchedulerOptions {
  db: TenantDb;
  vendors: PrintVendors;
  intervalMs: number;
  /** Time zone of the vendors' cut-off times. */
  timeZone: string;
  log: Logger;
  /** A PRINT_PENDING letter without its print item this long had its job lost: enqueued again. */
  lostJobAfterMs?: number;
  /** A batch still ASSEMBLING this long had its assembly lost: enqueued again. */
  lostAssemblyAfterMs?: number;
  /** Called for each batch flagged as not acknowledged in time (metrics). */
  onUnacknowledged?: (batch: { tenantId: string; batchId: string; vendorId: string }) => void;
  now?: () => Date;
}

interface Group {
  tenant_id: string;
  vendor_id: string;
  postage_class: 'FIRST_CLASS' | 'ECONOMY';
  ready: string;
  oldest: Date | string;
}

/**
 * The print path's clock, run by every worker (safe to run in several: each step is a conditional
 * update or takes its rows with FOR UPDATE SKIP LOCKED):
 * - closes print batches per tenant, vendor and postage class when full (the vendor's size), at the
 *   vendor's cut-off times, or when the oldest letter has waited the vendor's longest wait;
 * - flags READY batches the vendor has not acknowledged in time (log at error level, metric) for the
 *   platform operator, once each;
 * - enqueues again the print jobs of letters and batches whose jobs were lost (e.g. Redis lost them).
 */
export class PrintScheduler {
  private readonly loop: BackgroundLoop;
  private readonly now: () => Date;

  constructor(private readonly options: PrintSchedulerOptions) {
    this.now = options.now ?? (() => new Date());
    this.loop = new BackgroundLoop('print-scheduler', options.intervalMs, () => this.tick(), options.log);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One round; true when more work is waiting right away (a full batch was closed). */
  async tick(): Promise<boolean> {
    await this.redoLostJobs();
    const more = await this.closeDueBatches();
    await this.flagUnacknowledged();
    return more;
  }

  /** Closes every batch that is due; returns true when a group still has a full batch waiting. */
  async closeDueBatches(): Promise<boolean> {
    const { db, log } = this.options;
    const groups = await db.withoutTenant(async (em) => (await sql<Group>(em as EntityManager, 'select * from print_batch_groups()')).rows);
    let more = false;
    for (const g of groups) {
      const vendor = await this.options.vendors.byId(g.vendor_id);
      if (!vendor) continue;
      const ready = Number(g.ready);
      const reason = this.dueReason(vendor, ready, new Date(g.oldest));
      if (!reason) continue;
      const batch = await this.closeBatch(g.tenant_id, vendor, g.postage_class, reason);
      if (batch) {
        log.info({ tenantId: g.tenant_id, batchId: batch.id, vendorId: vendor.id, postageClass: g.postage_class, letters: batch.letters, reason }, 'print batch closed');
        if (ready - batch.letters >= vendor.maxBatchLetters) more = true;
      }
    }
    return more;
  }

  dueReason(vendor: PrintVendor, ready: number, oldest: Date): CloseReason | undefined {
    const now = this.now();
    if (ready >= vendor.maxBatchLetters) return 'SIZE';
    const cutoff = latestCutoff(vendor.cutoffTimes, now, this.options.timeZone);
    if (cutoff && oldest.getTime() < cutoff.getTime()) return 'CUTOFF';
    if (vendor.maxWaitSeconds && now.getTime() - oldest.getTime() >= vendor.maxWaitSeconds * 1000) return 'MAX_WAIT';
    return undefined;
  }

  /**
   * Closes one batch: takes up to the vendor's batch size of READY items whose letters are still
   * PRINT_PENDING (oldest first, rows locked so that a concurrent cancel or another worker waits or
   * skips them), numbers them, moves their letters to BATCHED with an event, and enqueues the
   * assembly, all in one tenant transaction.
   */
  async closeBatch(tenantId: string, vendor: PrintVendor, postageClass: 'FIRST_CLASS' | 'ECONOMY', reason: CloseReason): Promise<{ id: string; letters: number } | undefined> {
    return this.options.db.inTenant(tenantId, async (em) => {
      const picked = (
        await sql<{ letter_id: string; pages: number; sheets: number }>(
          em,
          `select i.letter_id, i.pages, i.sheets from print_item i join letter l on l.id = i.letter_id
            where i.status = 'READY' and i.vendor_id = $1 and i.postage_class = $2 and l.status = 'PRINT_PENDING'
            order by i.rendered_at, i.letter_id limit $3
            for update of i, l skip locked`,
          [vendor.id, postageClass, vendor.maxBatchLetters],
        )
      ).rows;
      if (picked.length === 0) return undefined;
      let page = 0;
      let sheet = 0;
      const ranges = picked.map((p, i) => {
        const r = { id: p.letter_id, sequence: i + 1, firstPage: page + 1, lastPage: page + p.pages, firstSheet: sheet + 1, lastSheet: sheet + p.sheets };
        page += p.pages;
        sheet += p.sheets;
        return r;
      });
      const batch = (
        await sql<{ id: string }>(
          em,
          `insert into print_batch (tenant_id, vendor_id, postage_class, status, letters, pages, sheets, close_reason)
           values ($1, $2, $3, 'ASSEMBLING', $4, $5, $6, $7) returning id`,
          [tenantId, vendor.id, postageClass, picked.length, page, sheet, reason],
        )
      ).rows[0];
      await sql(
        em,
        `update print_item i set status = 'BATCHED', batch_id = $1, sequence = r.sequence, first_page = r.first_page, last_page = r.last_page,
                first_sheet = r.first_sheet, last_sheet = r.last_sheet, updated_at = now()
           from unnest($2::uuid[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[]) as r(letter_id, sequence, first_page, last_page, first_sheet, last_sheet)
          where i.letter_id = r.letter_id`,
        [batch.id, ranges.map((r) => r.id), ranges.map((r) => r.sequence), ranges.map((r) => r.firstPage), ranges.map((r) => r.lastPage), ranges.map((r) => r.firstSheet), ranges.map((r) => r.lastSheet)],
      );
      await sql(em, `update letter set status = 'BATCHED', updated_at = now(), version = version + 1 where id = any($1::uuid[]) and status = 'PRINT_PENDING'`, [ranges.map((r) => r.id)]);
      await sql(
        em,
        `insert into letter_event (tenant_id, letter_id, type, from_status, to_status, detail, created_at)
         select $1, r.letter_id, $2, 'PRINT_PENDING', 'BATCHED',
                jsonb_build_object('batchId', $3::text, 'vendorId', $4::text, 'postageClass', $5::text, 'sequence', r.sequence), clock_timestamp()
           from unnest($6::uuid[], $7::int[]) as r(letter_id, sequence)`,
        [tenantId, PrintEvent.BATCHED, batch.id, vendor.id, postageClass, ranges.map((r) => r.id), ranges.map((r) => r.sequence)],
      );
      await enqueueJob(em, tenantId, null, JobName.AssemblePrintBatch, { tenantId, batchId: batch.id });
      return { id: batch.id, letters: picked.length };
    });
  }

  private async redoLostJobs(): Promise<void> {
    const { db, log } = this.options;
    const now = this.now().getTime();
    const letters = await db.withoutTenant(async (em) =>
      (await sql<{ tenant_id: string; letter_id: string }>(em as EntityManager, 'select * from print_letters_to_prepare($1, 500)', [new Date(now - (this.options.lostJobAfterMs ?? 60_000))])).rows,
    );
    for (const l of letters) {
      await db.inTenant(l.tenant_id, async (em) => {
        // Touching the letter keeps it out of the next rounds while the new job waits in the queue.
        await sql(em, `update letter set updated_at = now() where id = $1 and status = 'PRINT_PENDING'`, [l.letter_id]);
        await enqueueJob(em, l.tenant_id, l.letter_id, JobName.PreparePrint, { tenantId: l.tenant_id, letterId: l.letter_id });
      });
    }
    const batches = await db.withoutTenant(async (em) =>
      (await sql<{ tenant_id: string; batch_id: string }>(em as EntityManager, 'select * from print_batches_to_assemble($1)', [new Date(now - (this.options.lostAssemblyAfterMs ?? 300_000))])).rows,
    );
    for (const b of batches) {
      await db.inTenant(b.tenant_id, (em) => enqueueJob(em, b.tenant_id, null, JobName.AssemblePrintBatch, { tenantId: b.tenant_id, batchId: b.batch_id }));
    }
    if (letters.length || batches.length) log.warn({ letters: letters.length, batches: batches.length }, 'print jobs enqueued again (their jobs were lost)');
  }

  private async flagUnacknowledged(): Promise<void> {
    const flagged = await this.options.db.withoutTenant(async (em) =>
      (await sql<{ tenant_id: string; batch_id: string; vendor_id: string; acknowledge_by: Date }>(em as EntityManager, 'select * from print_flag_unacknowledged_batches()')).rows,
    );
    for (const b of flagged) {
      this.options.log.error(
        { tenantId: b.tenant_id, batchId: b.batch_id, vendorId: b.vendor_id, acknowledgeBy: b.acknowledge_by, alert: 'PRINT_BATCH_NOT_ACKNOWLEDGED' },
        'print batch not acknowledged by its vendor in time',
      );
      this.options.onUnacknowledged?.({ tenantId: b.tenant_id, batchId: b.batch_id, vendorId: b.vendor_id });
    }
  }
}
