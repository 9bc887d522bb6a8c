import type { EntityManager } from '@mikro-orm/postgresql';
import { checkPostalAddress, IntakeBadInputError, IntakeContext, LetterNotFoundError, LetterPostalAddress, LetterValidationError, PostalAddressInput, sql } from '@hub/letters';
import { JobName } from '@hub/jobs';
import type { TenantDb } from '@hub/persistence';
import { enqueueJob, moveLetter, PrintEvent } from './print-events';

/** What the print path knows of one letter (GraphQL `Letter.print`). */
export interface LetterPrintView {
  letterId: string;
  vendorId: string;
  postageClass: 'FIRST_CLASS' | 'ECONOMY';
  status: string;
  pages: number;
  sheets: number;
  duplex: boolean;
  colour: boolean;
  envelopeProfile: string;
  renderedAt: Date;
  batch: PrintBatchView | null;
  firstPage: number | null;
  lastPage: number | null;
  history: { status: string; at: Date; reason: string | null }[];
}

export interface PrintBatchView {
  id: string;
  vendorId: string;
  postageClass: 'FIRST_CLASS' | 'ECONOMY';
  status: string;
  letters: number;
  pages: number;
  sheets: number;
  closeReason: string | null;
  createdAt: Date;
  readyAt: Date | null;
  acknowledgeBy: Date | null;
  acknowledgedAt: Date | null;
  notAcknowledgedInTime: boolean;
}

export interface UnacknowledgedBatchView {
  batchId: string;
  tenantId: string;
  tenantName: string;
  vendorId: string;
  letters: number;
  readyAt: Date | null;
  acknowledgeBy: Date;
  flaggedAt: Date;
}

const PRINT_HISTORY_EVENTS = [PrintEvent.RENDERED, PrintEvent.BATCHED, PrintEvent.PRINTED, PrintEvent.POSTED, PrintEvent.RETURNED, PrintEvent.PRINT_FAILED];

const BATCH_COLUMNS = `b.id, b.vendor_id, b.postage_class, b.status, b.letters, b.pages, b.sheets, b.close_reason, b.created_at, b.ready_at,
  b.acknowledge_by, b.acknowledged_at, b.ack_overdue_at`;

/**
 * The print path as the GraphQL API shows it to a municipality: a letter's print item, batch and
 * print history, the municipality's batches, and releasing a held letter to print.
 */
export class LetterPrintService {
  constructor(private readonly db: TenantDb) {}

  /** Print views of these letters (absent for letters that did not go to print), for a data loader. */
  async forLetters(ctx: IntakeContext, letterIds: readonly string[]): Promise<Map<string, LetterPrintView>> {
    return this.db.inTenant(ctx.tenantId, async (em) => {
      const items = (
        await sql<Record<string, unknown>>(
          em,
          `select i.letter_id, i.vendor_id, i.postage_class, i.status as item_status, i.pages as item_pages, i.sheets as item_sheets, i.duplex, i.colour,
                  i.envelope_profile, i.rendered_at, i.first_page, i.last_page, ${BATCH_COLUMNS.replace(/b\.(\w+)/g, 'b.$1 as b_$1')}
             from print_item i left join print_batch b on b.id = i.batch_id
            where i.letter_id = any($1::uuid[])`,
          [letterIds],
        )
      ).rows;
      const events = (
        await sql<{ letter_id: string; type: string; created_at: Date; detail: Record<string, unknown> }>(
          em,
          `select letter_id, type, created_at, detail from letter_event where letter_id = any($1::uuid[]) and type = any($2::text[]) order by id`,
          [letterIds, PRINT_HISTORY_EVENTS],
        )
      ).rows;
      const out = new Map<string, LetterPrintView>();
      for (const r of items) {
        const id = r.letter_id as string;
        out.set(id, {
          letterId: id,
          vendorId: r.vendor_id as string,
          postageClass: r.postage_class as 'FIRST_CLASS' | 'ECONOMY',
          status: r.item_status as string,
          pages: r.item_pages as number,
          sheets: r.item_sheets as number,
          duplex: r.duplex as boolean,
          colour: r.colour as boolean,
          envelopeProfile: r.envelope_profile as string,
          renderedAt: new Date(r.rendered_at as string),
          batch: r.b_id ? toBatch(Object.fromEntries(Object.entries(r).filter(([k]) => k.startsWith('b_')).map(([k, v]) => [k.slice(2), v]))) : null,
          firstPage: (r.first_page as number | null) ?? null,
          lastPage: (r.last_page as number | null) ?? null,
          history: events
            .filter((e) => e.letter_id === id)
            .map((e) => ({
              status: e.type,
              at: new Date((e.detail.occurredAt as string | undefined) ?? e.created_at),
              reason: (e.detail.reason as string | undefined) ?? null,
            })),
        });
      }
      return out;
    });
  }

  /** The municipality's print batches, newest first. */
  async batches(ctx: IntakeContext, filter: { status?: string | null; first?: number | null }): Promise<PrintBatchView[]> {
    const first = Math.min(Math.max(filter.first ?? 50, 1), 200);
    return this.db.inTenant(ctx.tenantId, async (em) =>
      (
        await sql<Record<string, unknown>>(em, `select ${BATCH_COLUMNS} from print_batch b where ($1::text is null or b.status = $1) order by b.created_at desc, b.id limit $2`, [
          filter.status ?? null,
          first,
        ])
      ).rows.map(toBatch),
    );
  }

  /** Batches flagged as not acknowledged in time, across municipalities (the platform operator's view). */
  async unacknowledged(): Promise<UnacknowledgedBatchView[]> {
    return this.db.withoutTenant(async (em) =>
      (await sql<Record<string, unknown>>(em as EntityManager, 'select * from print_batches_unacknowledged()')).rows.map((r) => ({
        batchId: r.batch_id as string,
        tenantId: r.tenant_id as string,
        tenantName: r.tenant_name as string,
        vendorId: r.vendor_id as string,
        letters: r.letters as number,
        readyAt: r.ready_at ? new Date(r.ready_at as string) : null,
        acknowledgeBy: new Date(r.acknowledge_by as string),
        flaggedAt: new Date(r.flagged_at as string),
      })),
    );
  }

  /**
   * Releases a HELD letter to print, optionally with the postal address to use (required when the
   * letter has none). The decision and who made it are kept in the letter's history; the letter is
   * then rendered and batched like any other.
   */
  async releaseToPrint(ctx: IntakeContext, letterId: string, postalAddress?: PostalAddressInput | null, note?: string | null): Promise<void> {
    let address: LetterPostalAddress | undefined;
    if (postalAddress) {
      const checked = checkPostalAddress(postalAddress);
      if (!checked.ok) throw new LetterValidationError(checked.fields.map((f) => ({ ...f, path: f.path.replace(/^postalAddress/, 'postalAddress') })), 'The postal address was refused');
      address = checked.address;
    }
    await this.db.inTenant(ctx.tenantId, async (em) => {
      const row = (await sql<{ status: string; status_reason: string | null; has_address: boolean; channel_preference: string }>(
        em,
        'select status, status_reason, postal_address is not null as has_address, channel_preference from letter where id = $1 for update',
        [letterId],
      )).rows[0];
      if (!row) throw new LetterNotFoundError(letterId);
      if (row.status !== 'HELD') throw new IntakeBadInputError(`Letter ${letterId} is ${row.status}, not HELD: only a held letter can be released to print.`);
      if (row.channel_preference === 'DIGITAL_ONLY') {
        throw new IntakeBadInputError(`Letter ${letterId} may only go digitally (DIGITAL_ONLY, e.g. an event message or a digital-only case type): it cannot be released to print; cancel it instead.`);
      }
      if (!address && !row.has_address) {
        throw new LetterValidationError([{ path: 'postalAddress', rule: 'required', message: 'is required: the letter has no postal address, and the hub never makes one up' }], 'The letter cannot be released');
      }
      if (address) await sql(em, 'update letter set postal_address = $2 where id = $1', [letterId, JSON.stringify(address)]);
      await sql(em, `update letter set channel = 'PRINT' where id = $1`, [letterId]);
      await moveLetter(
        em,
        { tenantId: ctx.tenantId, id: letterId },
        'HELD',
        'PRINT_PENDING',
        { type: PrintEvent.RELEASED, detail: { actor: ctx.actor, heldFor: row.status_reason, addressGiven: !!address, ...(note ? { note: note.slice(0, 500) } : {}) } },
        { statusReason: 'RELEASED_TO_PRINT', channelDecision: 'PRINT' },
      );
      await enqueueJob(em, ctx.tenantId, letterId, JobName.PreparePrint, { tenantId: ctx.tenantId, letterId });
    }, ctx.actor);
  }
}

function toBatch(r: Record<string, unknown>): PrintBatchView {
  const date = (v: unknown) => (v ? new Date(v as string) : null);
  return {
    id: r.id as string,
    vendorId: r.vendor_id as string,
    postageClass: r.postage_class as 'FIRST_CLASS' | 'ECONOMY',
    status: r.status as string,
    letters: r.letters as number,
    pages: r.pages as number,
    sheets: r.sheets as number,
    closeReason: (r.close_reason as string | null) ?? null,
    createdAt: new Date(r.created_at as string),
    readyAt: date(r.ready_at),
    acknowledgeBy: date(r.acknowledge_by),
    acknowledgedAt: date(r.acknowledged_at),
    notAcknowledgedInTime: !!r.ack_overdue_at,
  };
}
