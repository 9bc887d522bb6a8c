import { IntakeContext, isUuid, LetterNotFoundError, LetterPostalAddress, sql } from '@hub/letters';
import type { TenantDb } from '@hub/persistence';
import { envelopeProfile, PrintValidationError, renderLetter } from '@hub/print';
import { htmlToPrintText } from '@hub/print-path';

/** What the console shows of a letter besides the letter view: its body, retention marks and resend links. */
export interface LetterExtras {
  bodyText: string | null;
  bodyType: string;
  contentPurgedAt: Date | null;
  identifiersPurgedAt: Date | null;
  resendOf: string | null;
  resentAs: string | null;
}

/** A letter's PDF: as the vendor printed it, or a rendition made now (a letter that did not go to print). */
export interface LetterPdf {
  pdf: Buffer;
  kind: 'AS_PRINTED' | 'RENDITION';
  /** false when an attachment could not be merged into the rendition (it is then left out: download it on its own). */
  attachmentsMerged: boolean;
  pages: number | null;
}

export interface LetterAttachmentFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** Retention removed what was asked for (HTTP 410). */
export class LetterContentGoneError extends Error {
  constructor(
    readonly letterId: string,
    readonly purgedAt: Date,
    what: string,
  ) {
    super(
      `The ${what} of letter ${letterId} was removed on ${purgedAt.toISOString()} by the municipality's retention rules (gallring); ` +
        'only the letter\'s history and delivery evidence remain.',
    );
  }
}

/** The letter has no attachment at that position (HTTP 404). */
export class AttachmentNotFoundError extends Error {
  constructor(letterId: string, position: string) {
    super(`Letter ${letterId} has no attachment ${JSON.stringify(position)}; its attachments are numbered from 0 in the order of Letter.attachments.`);
  }
}

/** The letter could not be drawn as a PDF at all (HTTP 422). */
export class RenditionFailedError extends Error {}

interface PdfRow {
  id: string;
  status: string;
  channel: 'DIGITAL' | 'PRINT' | null;
  subject: string;
  body_text: string | null;
  body_type: string;
  case_reference: string | null;
  postal_address: LetterPostalAddress | null;
  operator_name: string | null;
  created_at: string;
  dispatched_at: string | null;
  content_purged_at: string | null;
  unit_name: string;
  unit_address: { lines?: string[] } | null;
  has_item: boolean;
  pdf: Buffer | null;
  item_pages: number | null;
}

/**
 * The content of a municipality's letters as the console shows it: the body as accepted, the
 * attachments, and the letter as a PDF. Every read runs in the caller's tenant transaction, so
 * another municipality's letter is simply not found (row-level security).
 */
export class LetterContentService {
  constructor(private readonly db: TenantDb) {}

  async extras(ctx: IntakeContext, letterIds: readonly string[]): Promise<Map<string, LetterExtras>> {
    const ids = [...new Set(letterIds.filter(isUuid))];
    if (ids.length === 0) return new Map();
    const rows = await this.db.inTenant(
      ctx.tenantId,
      async (em) =>
        (
          await sql<{ id: string; body_text: string | null; body_type: string; content_purged_at: string | null; identifiers_purged_at: string | null; resend_of: string | null; resent_as: string | null }>(
            em,
            `select id, body_text, body_type, content_purged_at, identifiers_purged_at, resend_of, resent_as from letter where tenant_id = $1 and id = any($2::uuid[])`,
            [ctx.tenantId, ids],
          )
        ).rows,
      ctx.actor,
    );
    const date = (v: string | null) => (v ? new Date(v) : null);
    return new Map(
      rows.map((r) => [
        r.id,
        {
          bodyText: r.body_text,
          bodyType: r.body_type,
          contentPurgedAt: date(r.content_purged_at),
          identifiersPurgedAt: date(r.identifiers_purged_at),
          resendOf: r.resend_of,
          resentAs: r.resent_as,
        },
      ]),
    );
  }

  /**
   * The letter as a PDF: the print item exactly as it went to the vendor when the letter was rendered
   * for print; otherwise a rendition made now with the print renderer, in the same layout (C5 window
   * envelope, A4), the window saying how the letter travelled (digitally, via which operator) or
   * holding its postal address. Attachments are merged when they can be; when one cannot (not A4, say)
   * the rendition holds the letter alone.
   */
  async pdf(ctx: IntakeContext, letterId: string): Promise<LetterPdf> {
    if (!isUuid(letterId)) throw new LetterNotFoundError(letterId);
    const { row, attachments } = await this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const found = (await sql<PdfRow>(em, READ_FOR_PDF, [ctx.tenantId, letterId])).rows[0];
        if (!found || found.has_item || found.content_purged_at) return { row: found, attachments: [] };
        const files = (await sql<{ filename: string; content_type: string; content: Buffer }>(em, 'select filename, content_type, content from letter_attachment where letter_id = $1 order by position', [letterId])).rows;
        return { row: found, attachments: files };
      },
      ctx.actor,
    );
    if (!row) throw new LetterNotFoundError(letterId);
    if (row.content_purged_at) throw new LetterContentGoneError(letterId, new Date(row.content_purged_at), 'content');
    if (row.has_item) {
      // A print item without its PDF: retention emptied it (content_purged_at is set in the same statement).
      if (!row.pdf || row.pdf.length === 0) throw new LetterContentGoneError(letterId, new Date(), 'printed PDF');
      return { pdf: row.pdf, kind: 'AS_PRINTED', attachmentsMerged: true, pages: row.item_pages };
    }
    return renditionOf(row, attachments);
  }

  /** One attachment's content, by its position (0-based, as in `Letter.attachments`). */
  async attachment(ctx: IntakeContext, letterId: string, position: string): Promise<LetterAttachmentFile> {
    if (!isUuid(letterId)) throw new LetterNotFoundError(letterId);
    if (!/^\d{1,3}$/.test(position)) throw new AttachmentNotFoundError(letterId, position);
    const found = await this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const letter = (await sql<{ content_purged_at: string | null }>(em, 'select content_purged_at from letter where tenant_id = $1 and id = $2', [ctx.tenantId, letterId])).rows[0];
        if (!letter) return undefined;
        const file = (await sql<{ filename: string; content_type: string; content: Buffer }>(em, 'select filename, content_type, content from letter_attachment where letter_id = $1 and position = $2', [letterId, Number(position)])).rows[0];
        return { letter, file };
      },
      ctx.actor,
    );
    if (!found) throw new LetterNotFoundError(letterId);
    if (found.letter.content_purged_at) throw new LetterContentGoneError(letterId, new Date(found.letter.content_purged_at), 'attachments');
    if (!found.file) throw new AttachmentNotFoundError(letterId, position);
    return { filename: found.file.filename, contentType: found.file.content_type, content: found.file.content };
  }
}

async function renditionOf(row: PdfRow, attachments: { filename: string; content_type: string; content: Buffer }[]): Promise<LetterPdf> {
  const digital = row.channel === 'DIGITAL';
  const address = row.postal_address;
  // The hub never makes up an address: the window says how the letter went, or holds the address it was given.
  const recipient = digital
    ? { name: row.status === 'DELIVERED' ? 'Levererat digitalt' : 'Digital post', lines: [row.operator_name ? `via ${row.operator_name}` : 'till digital brevlåda'], postalCode: '', city: '' }
    : address
      ? { name: address.name, lines: address.lines, postalCode: address.postalCode, city: address.city, ...(address.country ? { country: address.country } : {}) }
      : { name: 'Förhandsvisning', lines: ['ingen postadress'], postalCode: '', city: '' };
  const base = {
    id: row.id,
    sender: { name: row.unit_name, postalAddress: (row.unit_address?.lines ?? []).filter((l) => typeof l === 'string') },
    recipient,
    date: new Date(row.dispatched_at ?? row.created_at),
    ...(row.case_reference ? { caseReference: row.case_reference } : {}),
    subject: row.subject,
    bodyText: row.body_type === 'text/html' ? htmlToPrintText(row.body_text ?? '') : (row.body_text ?? ''),
  };
  const options = { profile: envelopeProfile('C5-H2'), duplex: false, colour: false };
  const pdfs = attachments.filter((a) => a.content_type === 'application/pdf');
  if (pdfs.length === attachments.length) {
    try {
      const r = await renderLetter({ ...base, attachments: pdfs.map((a) => ({ filename: a.filename, content: a.content })) }, options);
      return { pdf: r.pdf, kind: 'RENDITION', attachmentsMerged: true, pages: r.pages };
    } catch (e) {
      if (!(e instanceof PrintValidationError)) throw e;
    }
  }
  try {
    const r = await renderLetter({ ...base, attachments: [] }, options);
    return { pdf: r.pdf, kind: 'RENDITION', attachmentsMerged: attachments.length === 0, pages: r.pages };
  } catch (e) {
    if (!(e instanceof PrintValidationError)) throw e;
    throw new RenditionFailedError(`Letter ${row.id} could not be drawn as a PDF: ${e.problems.map((p) => p.message).join('; ')}`);
  }
}

const READ_FOR_PDF = `
  select l.id, l.status, l.channel, l.subject, l.body_text, l.body_type, l.case_reference, l.postal_address, l.operator_name,
         l.created_at, l.dispatched_at, l.content_purged_at, su.name as unit_name, su.postal_address as unit_address,
         i.letter_id is not null as has_item, i.pdf, i.pages as item_pages
    from letter l join sending_unit su on su.id = l.sending_unit_id
    left join print_item i on i.letter_id = l.id
   where l.tenant_id = $1 and l.id = $2`;
