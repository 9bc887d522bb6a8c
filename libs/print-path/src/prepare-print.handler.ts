import type { EntityManager } from '@mikro-orm/postgresql';
import { LetterPostalAddress, sql } from '@hub/letters';
import { maskPersonalIds, Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { defineEnvelopeProfile, EnvelopeProfile, envelopeProfile, PrintValidationError, renderLetter } from '@hub/print';
import type { TenantSettings } from '@hub/tenancy';
import { htmlToPrintText } from './html-to-text';
import { moveLetter, PrintEvent } from './print-events';
import type { PrintVendor, PrintVendors } from './print-vendors';

/** What one run of the prepare-print job did. */
export type PrepareOutcome = 'READY' | 'HELD' | 'SKIPPED';

/** Why the print path holds a letter it was given (besides the channel switch's reasons). */
export type PrintHoldReason = 'PRINT_REFUSED' | 'NO_PRINT_VENDOR' | 'NO_POSTAL_ADDRESS';

interface LetterRow {
  id: string;
  tenant_id: string;
  status: string;
  subject: string;
  body_text: string | null;
  body_type: string;
  case_reference: string | null;
  postal_address: LetterPostalAddress | null;
  postage_class: 'FIRST_CLASS' | 'ECONOMY' | null;
  unit_name: string;
  unit_address: { lines: string[] } | null;
  settings: TenantSettings | null;
  has_item: boolean;
}

export interface PreparePrintDeps {
  db: TenantDb;
  vendors: PrintVendors;
  now?: () => Date;
}

/**
 * Renders a letter that the channel switch sent to print into its print-ready PDF (libs/print),
 * checked against the vendor's envelope window, printable area and page limit, and stores it as the
 * letter's print item, which then waits for a batch. A letter that cannot be printed as it is
 * (an encrypted or non-A4 attachment, an address that does not fit the window…) is held for manual
 * handling with the problems in its event, so that the officer learns what to fix.
 *
 * Idempotent: it does nothing for a letter that is no longer PRINT_PENDING or already has its item,
 * and the write re-checks both under the letter's row lock. Rendering is synchronous CPU work of a
 * few milliseconds for a typical letter (see bench:print), far below BullMQ's lock renewal period,
 * so it runs inline like the signing of the digital path.
 */
export class PreparePrintHandler {
  private readonly now: () => Date;

  constructor(private readonly deps: PreparePrintDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async handle(payload: { tenantId: string; letterId: string }, log: Logger): Promise<PrepareOutcome> {
    const { tenantId, letterId } = payload;
    const { letter, attachments } = await this.deps.db.inTenant(tenantId, async (em) => {
      const row = (await sql<LetterRow>(em, READ_LETTER, [letterId])).rows[0];
      if (!row || row.status !== 'PRINT_PENDING' || row.has_item) return { letter: row, attachments: [] };
      const files = await sql<{ filename: string; content: Buffer }>(em, 'select filename, content from letter_attachment where letter_id = $1 order by position', [letterId]);
      return { letter: row, attachments: files.rows };
    });
    if (!letter || letter.status !== 'PRINT_PENDING' || letter.has_item) {
      log.info({ letterId, status: letter?.status, rendered: letter?.has_item }, 'nothing to prepare for print');
      return 'SKIPPED';
    }
    const settings = letter.settings ?? {};
    const vendor = await this.deps.vendors.forTenant(settings.print?.vendorId);
    if (!vendor) {
      const problem = settings.print?.vendorId
        ? `the print vendor "${settings.print.vendorId}" is not registered or not active`
        : 'no print vendor is configured for the municipality (none named, and not exactly one active)';
      return this.hold(tenantId, letterId, 'NO_PRINT_VENDOR', { problem }, log);
    }
    if (!letter.postal_address) return this.hold(tenantId, letterId, 'NO_POSTAL_ADDRESS', {}, log);

    let profile: EnvelopeProfile;
    try {
      profile = profileFor(vendor, settings);
    } catch (e) {
      return this.hold(tenantId, letterId, 'PRINT_REFUSED', { problems: [{ code: 'INVALID_PROFILE', message: (e as Error).message }] }, log);
    }
    const duplex = settings.print?.duplex ?? vendor.duplex;
    const colour = settings.print?.colour ?? vendor.colour;
    const postageClass = letter.postage_class ?? settings.print?.postageClass ?? 'ECONOMY';
    if (!vendor.postageClasses.includes(postageClass)) {
      return this.hold(tenantId, letterId, 'NO_PRINT_VENDOR', { problem: `the print vendor "${vendor.id}" does not handle postage class ${postageClass}` }, log);
    }
    const address = letter.postal_address;
    let rendered;
    try {
      rendered = await renderLetter(
        {
          id: letter.id,
          sender: { name: letter.unit_name, postalAddress: letter.unit_address?.lines ?? [] },
          recipient: { name: address.name, lines: address.lines, postalCode: address.postalCode, city: address.city, ...(address.country ? { country: address.country } : {}) },
          date: this.now(),
          ...(letter.case_reference ? { caseReference: letter.case_reference } : {}),
          subject: letter.subject,
          bodyText: letter.body_type === 'text/html' ? htmlToPrintText(letter.body_text ?? '') : (letter.body_text ?? ''),
          attachments,
        },
        { profile, duplex, colour, maxPages: vendor.maxPages },
      );
    } catch (e) {
      if (!(e instanceof PrintValidationError)) throw e;
      // Messages name what to fix; they never carry a personnummer into the log (masked anyway).
      const problems = e.problems.map((p) => ({ code: p.code, message: maskPersonalIds(p.message), ...(p.field ? { field: p.field } : {}), ...(p.page ? { page: p.page } : {}) }));
      return this.hold(tenantId, letterId, 'PRINT_REFUSED', { problems }, log);
    }

    const stored = await this.deps.db.inTenant(tenantId, async (em) => {
      const current = (await sql<{ status: string; has_item: boolean }>(
        em,
        `select status, exists(select 1 from print_item i where i.letter_id = l.id) as has_item from letter l where id = $1 for update`,
        [letterId],
      )).rows[0];
      if (!current || current.status !== 'PRINT_PENDING' || current.has_item) return false;
      await sql(
        em,
        `insert into print_item (letter_id, tenant_id, vendor_id, postage_class, status, pdf, pdf_sha256, pages, sheets, duplex, colour,
                                 envelope_profile, address_lines, return_address)
         values ($1, $2, $3, $4, 'READY', $5, encode(sha256($5), 'hex'), $6, $7, $8, $9, $10, $11, $12)`,
        [letterId, tenantId, vendor.id, postageClass, rendered.pdf, rendered.pages, rendered.sheets, rendered.duplex, rendered.colour, profile.id,
          JSON.stringify(rendered.addressLines), JSON.stringify([letter.unit_name, ...(letter.unit_address?.lines ?? [])].slice(0, 4))],
      );
      await sql(em, `update letter set updated_at = now() where id = $1`, [letterId]);
      await sql(
        em,
        `insert into letter_event (tenant_id, letter_id, type, from_status, to_status, detail, created_at)
         values ($1, $2, $3, 'PRINT_PENDING', 'PRINT_PENDING', $4, clock_timestamp())`,
        [tenantId, letterId, PrintEvent.RENDERED, JSON.stringify({ vendorId: vendor.id, postageClass, pages: rendered.pages, sheets: rendered.sheets, duplex, colour, envelopeProfile: profile.id })],
      );
      return true;
    });
    if (!stored) return 'SKIPPED';
    log.info({ letterId, vendorId: vendor.id, pages: rendered.pages, sheets: rendered.sheets }, 'rendered for print');
    return 'READY';
  }

  private async hold(tenantId: string, letterId: string, holdReason: PrintHoldReason, detail: Record<string, unknown>, log: Logger): Promise<PrepareOutcome> {
    const moved = await this.deps.db.inTenant(tenantId, (em: EntityManager) =>
      moveLetter(em, { tenantId, id: letterId }, 'PRINT_PENDING', 'HELD', { type: PrintEvent.HELD, detail: { holdReason, ...detail } }, { statusReason: holdReason, channelDecision: 'HOLD' }),
    );
    if (moved) log.warn({ letterId, holdReason, ...detail }, 'letter held: it cannot be printed as it is');
    return moved ? 'HELD' : 'SKIPPED';
  }
}

/** The envelope profile for a tenant's letters: the tenant's own or chosen one, else the vendor's own or named one. */
export function profileFor(vendor: PrintVendor, settings: TenantSettings): EnvelopeProfile {
  if (settings.print?.customEnvelopeProfile) return defineEnvelopeProfile(settings.print.customEnvelopeProfile as never);
  if (settings.print?.envelopeProfile) return envelopeProfile(settings.print.envelopeProfile);
  if (vendor.customEnvelopeProfile) return defineEnvelopeProfile(vendor.customEnvelopeProfile as never);
  return envelopeProfile(vendor.envelopeProfile);
}

const READ_LETTER = `
  select l.id, l.tenant_id, l.status, l.subject, l.body_text, l.body_type, l.case_reference, l.postal_address, l.postage_class,
         u.name as unit_name, u.postal_address as unit_address, t.settings,
         exists(select 1 from print_item i where i.letter_id = l.id) as has_item
    from letter l join sending_unit u on u.id = l.sending_unit_id join tenant t on t.id = l.tenant_id
   where l.id = $1`;
