import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '@hub/letters';
import { envelopeProfile, PrintValidationError, renderLetter } from '@hub/print';
import { htmlToPrintText } from '@hub/print-path';

/** Version of the JSON document a registry receives (the `schema` field). */
export const DIARY_DOCUMENT_SCHEMA = 'dispatch-hub/diary-registration/v1';

/** Everything about one registration the sender needs, read in the letter's tenant. */
export interface RegistrationWork {
  registrationId: string;
  tenantId: string;
  letterId: string;
  hookId: string;
  attempts: number;
  giveUpAt: Date;
  hook: { name: string; url: string; secretCiphertext: Buffer; includeRecipient: boolean };
  tenant: { name: string; orgNumber: string };
  letter: {
    caseReference: string | null;
    caseTypeCode: string | null;
    subject: string;
    bodyText: string | null;
    bodyType: string;
    protectionClass: number;
    recipientId: string;
    recipientKind: string;
    recipientName: string | null;
    createdAt: Date;
    dispatchedAt: Date | null;
    operatorId: string | null;
    operatorName: string | null;
    transId: string | null;
  };
  unit: { code: string; name: string; orgNumber: string; addressLines: string[] };
  /** The event that made the letter dispatched: DELIVERED (digital) or POSTED (paper). */
  event: { type: string; detail: Record<string, unknown>; createdAt: Date };
  /** Paper: the print item as it went to the vendor. */
  print?: { pdf: Buffer; sha256: string; pages: number; sheets: number; postageClass: string; vendorId: string; vendorName: string | null; batchId: string | null; printedAt: string | null };
  /** Digital: the attachments that went with the message. */
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

/**
 * Reads a registration the caller holds the lease on, with its hook, letter, sending unit, the
 * dispatch event and the content to send; undefined when it is no longer this worker's to send
 * (registered, failed, cancelled, or leased by another worker after this one's lease ran out).
 */
export async function loadRegistrationWork(em: EntityManager, registrationId: string, owner: string): Promise<RegistrationWork | undefined> {
  const r = (await sql<Record<string, unknown>>(em, READ_REGISTRATION, [registrationId, owner])).rows[0];
  if (!r) return undefined;
  const letterId = r.letter_id as string;
  const event = { type: r.event_type as string, detail: (r.event_detail as Record<string, unknown>) ?? {}, createdAt: new Date(r.event_created_at as string) };
  let print: RegistrationWork['print'];
  let attachments: RegistrationWork['attachments'] = [];
  if (event.type === 'POSTED') {
    const item = (
      await sql<{ pdf: Buffer; pdf_sha256: string; pages: number; sheets: number; postage_class: string; vendor_id: string; vendor_name: string | null; batch_id: string | null }>(
        em,
        `select i.pdf, i.pdf_sha256, i.pages, i.sheets, i.postage_class, i.vendor_id, v.name as vendor_name, i.batch_id
           from print_item i left join print_vendor v on v.id = i.vendor_id where i.letter_id = $1`,
        [letterId],
      )
    ).rows[0];
    if (item) {
      const printed = (await sql<{ at: string }>(em, `select coalesce(detail->>'occurredAt', created_at::text) as at from letter_event where letter_id = $1 and type = 'PRINTED' order by id limit 1`, [letterId]))
        .rows[0];
      print = {
        pdf: item.pdf,
        sha256: item.pdf_sha256,
        pages: item.pages,
        sheets: item.sheets,
        postageClass: item.postage_class,
        vendorId: item.vendor_id,
        vendorName: item.vendor_name,
        batchId: item.batch_id,
        printedAt: printed ? new Date(printed.at).toISOString() : null,
      };
    }
  } else {
    attachments = (
      await sql<{ filename: string; content_type: string; content: Buffer }>(em, `select filename, content_type, content from letter_attachment where letter_id = $1 order by position`, [letterId])
    ).rows.map((a) => ({ filename: a.filename, contentType: a.content_type, content: a.content }));
  }
  const address = r.postal_address as { name?: string } | null;
  return {
    registrationId,
    tenantId: r.tenant_id as string,
    letterId,
    hookId: r.hook_id as string,
    attempts: r.attempts as number,
    giveUpAt: new Date(r.give_up_at as string),
    hook: { name: r.hook_name as string, url: r.url as string, secretCiphertext: r.secret_ciphertext as Buffer, includeRecipient: r.include_recipient as boolean },
    tenant: { name: r.tenant_name as string, orgNumber: r.tenant_org_number as string },
    letter: {
      caseReference: (r.case_reference as string | null) ?? null,
      caseTypeCode: (r.case_type_code as string | null) ?? null,
      subject: r.subject as string,
      bodyText: (r.body_text as string | null) ?? null,
      bodyType: r.body_type as string,
      protectionClass: r.protection_class as number,
      recipientId: r.recipient_id as string,
      recipientKind: r.recipient_kind as string,
      recipientName: address?.name ?? null,
      createdAt: new Date(r.letter_created_at as string),
      dispatchedAt: r.dispatched_at ? new Date(r.dispatched_at as string) : null,
      operatorId: (r.operator_id as string | null) ?? null,
      operatorName: (r.operator_name as string | null) ?? null,
      transId: (r.trans_id as string | null) ?? null,
    },
    unit: {
      code: r.unit_code as string,
      name: r.unit_name as string,
      orgNumber: r.unit_org_number as string,
      addressLines: ((r.unit_address as { lines?: string[] } | null)?.lines ?? []).filter((l) => typeof l === 'string'),
    },
    event,
    ...(print ? { print } : {}),
    attachments,
  };
}

/** A registration that cannot be built (e.g. the print PDF is no longer stored): retrying will not help. */
export class DocumentUnavailableError extends Error {}

/**
 * The JSON document for the registry: metadata, the PDF (base64) and the delivery evidence.
 *
 * - Paper: the PDF is the print item exactly as the vendor printed it (`kind: AS_SENT`).
 * - Digital: what reached the mailbox was the subject, the body and the attachments, not a PDF; the
 *   PDF is a rendition of them made with the print renderer (`kind: RENDITION`), attachments merged.
 *   When an attachment cannot be merged (not A4, say) the rendition holds the letter alone and the
 *   attachments follow as they were sent, in `attachments`.
 * - The recipient's identity (and name, when the letter had a postal address) is included only when
 *   the hook says so (`includeRecipient`, default on: the registry records the party).
 */
export async function buildDispatchedDocument(work: RegistrationWork, sentAt: Date): Promise<Record<string, unknown>> {
  const { letter, event } = work;
  const digital = event.type === 'DELIVERED';
  let document: Record<string, unknown>;
  let separate: RegistrationWork['attachments'] = [];
  if (digital) {
    const rendition = await renderDigitalRendition(work);
    separate = rendition.merged ? [] : work.attachments;
    document = {
      kind: 'RENDITION',
      description:
        'A PDF rendition of the message delivered to the recipient\'s digital mailbox (Mina meddelanden): subject, body' +
        (rendition.merged ? ' and attachments' : '; the attachments follow as sent, in attachments') +
        '. The delivered message itself was not a PDF.',
      ...pdfPart(`${work.letterId}.pdf`, rendition.pdf),
      pages: rendition.pages,
      attachmentsMerged: rendition.merged,
    };
  } else {
    if (!work.print) throw new DocumentUnavailableError('the letter\'s print PDF is no longer stored (purged?), so the dispatched document cannot be sent');
    document = {
      kind: 'AS_SENT',
      description: 'The print-ready PDF exactly as the print vendor printed and posted it.',
      ...pdfPart(`${work.letterId}.pdf`, work.print.pdf),
      pages: work.print.pages,
    };
  }
  const evidence = digital
    ? {
        channel: 'DIGITAL',
        operator: { id: letter.operatorId ?? str(event.detail.operatorId), name: letter.operatorName ?? str(event.detail.operatorName) },
        transId: letter.transId ?? str(event.detail.transId),
        deliveredAt: (letter.dispatchedAt ?? event.createdAt).toISOString(),
      }
    : {
        channel: 'PRINT',
        vendor: { id: work.print?.vendorId ?? str(event.detail.vendorId), name: work.print?.vendorName ?? null },
        batchId: str(event.detail.batchId) ?? work.print?.batchId ?? null,
        postageClass: work.print?.postageClass ?? null,
        sheets: work.print?.sheets ?? null,
        printedAt: work.print?.printedAt ?? null,
        postedAt: str(event.detail.occurredAt) ?? (letter.dispatchedAt ?? event.createdAt).toISOString(),
      };
  return {
    schema: DIARY_DOCUMENT_SCHEMA,
    registrationId: work.registrationId,
    hook: { id: work.hookId, name: work.hook.name },
    organisation: { name: work.tenant.name, orgNumber: work.tenant.orgNumber },
    letter: {
      id: work.letterId,
      caseReference: letter.caseReference,
      caseType: letter.caseTypeCode,
      sendingUnit: { code: work.unit.code, name: work.unit.name, orgNumber: work.unit.orgNumber },
      subject: letter.subject,
      protectionClass: letter.protectionClass,
      submittedAt: letter.createdAt.toISOString(),
      ...(work.hook.includeRecipient
        ? { recipient: { id: letter.recipientId, kind: letter.recipientKind, ...(letter.recipientName ? { name: letter.recipientName } : {}) } }
        : {}),
    },
    document,
    attachments: separate.map((a) => ({ filename: a.filename, contentType: a.contentType, ...contentPart(a.content) })),
    evidence,
    sentAt: sentAt.toISOString(),
  };
}

async function renderDigitalRendition(work: RegistrationWork): Promise<{ pdf: Buffer; pages: number; merged: boolean }> {
  const { letter } = work;
  const base = {
    id: work.letterId,
    sender: { name: work.unit.name, postalAddress: work.unit.addressLines },
    // No postal address went anywhere: the window says how the letter travelled instead.
    recipient: { name: 'Levererat digitalt', lines: [letter.operatorName ? `via ${letter.operatorName}` : 'till digital brevlåda'], postalCode: '', city: '' },
    date: letter.dispatchedAt ?? work.event.createdAt,
    ...(letter.caseReference ? { caseReference: letter.caseReference } : {}),
    subject: letter.subject,
    bodyText: letter.bodyType === 'text/html' ? htmlToPrintText(letter.bodyText ?? '') : (letter.bodyText ?? ''),
  };
  const options = { profile: envelopeProfile('C5-H2'), duplex: false, colour: false };
  const pdfs = work.attachments.filter((a) => a.contentType === 'application/pdf');
  if (pdfs.length === work.attachments.length) {
    try {
      const r = await renderLetter({ ...base, attachments: pdfs.map((a) => ({ filename: a.filename, content: a.content })) }, options);
      return { pdf: r.pdf, pages: r.pages, merged: true };
    } catch (e) {
      if (!(e instanceof PrintValidationError)) throw e;
    }
  }
  try {
    const r = await renderLetter({ ...base, attachments: [] }, options);
    return { pdf: r.pdf, pages: r.pages, merged: work.attachments.length === 0 };
  } catch (e) {
    if (!(e instanceof PrintValidationError)) throw e;
    throw new DocumentUnavailableError(`the letter could not be rendered as a PDF: ${e.problems.map((p) => p.code).join(', ')}`);
  }
}

function pdfPart(filename: string, pdf: Buffer): Record<string, unknown> {
  return { filename, contentType: 'application/pdf', ...contentPart(pdf) };
}

function contentPart(content: Buffer): { bytes: number; sha256: string; content: string } {
  return { bytes: content.length, sha256: createHash('sha256').update(content).digest('hex'), content: content.toString('base64') };
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

const READ_REGISTRATION = `
  select r.id, r.tenant_id, r.letter_id, r.hook_id, r.attempts, r.give_up_at,
         h.name as hook_name, h.url, h.secret_ciphertext, h.include_recipient,
         t.name as tenant_name, t.org_number as tenant_org_number,
         l.case_reference, l.case_type_code, l.subject, l.body_text, l.body_type, l.protection_class, l.recipient_id, l.recipient_kind,
         l.postal_address, l.created_at as letter_created_at, l.dispatched_at, l.operator_id, l.operator_name, l.trans_id,
         u.code as unit_code, u.name as unit_name, u.org_number as unit_org_number, u.postal_address as unit_address,
         e.type as event_type, e.detail as event_detail, e.created_at as event_created_at
    from diary_registration r
    join diary_hook h on h.id = r.hook_id
    join letter l on l.id = r.letter_id
    join sending_unit u on u.id = l.sending_unit_id
    join tenant t on t.id = l.tenant_id
    join letter_event e on e.id = r.event_id
   where r.id = $1 and r.status = 'PENDING' and r.lease_owner = $2 and r.lease_until > now()
     and h.enabled and h.deleted_at is null`;
