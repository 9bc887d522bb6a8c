import type { Letter, LetterAttachment } from '@hub/letters';
import type { DeliveryInput } from '@hub/mina-meddelanden';
import type { SendingUnit } from '@hub/tenancy';

// Body/Body is required by the schema; a letter may carry its content in attachments only.
const ATTACHMENTS_ONLY_BODY = 'Meddelandet finns i den bifogade filen.';
const SUPPORT_INFO_MAX = 1024;

/**
 * The Mina meddelanden delivery of a letter. The message id is the letter id, so that a resend after
 * a crash is recognisably the same message (operators answer it with the first TransId and do not
 * store it twice); the letter id is the CorrelationId too, for the sender's own tracing. An event
 * message (händelsemeddelande) carries its OfficialMatter extension as the intake stored it.
 */
export function deliveryInputFor(
  letter: Pick<Letter, 'id' | 'recipientId' | 'caseReference' | 'subject' | 'bodyText' | 'bodyType' | 'officialMatter'>,
  unit: Pick<SendingUnit, 'orgNumber' | 'name' | 'postalAddress'>,
  attachments: Pick<LetterAttachment, 'filename' | 'contentType' | 'content' | 'position'>[],
): DeliveryInput {
  return {
    sender: { id: unit.orgNumber, name: unit.name },
    recipient: letter.recipientId,
    ...(letter.caseReference ? { reference: letter.caseReference } : {}),
    correlationId: letter.id,
    messages: [
      {
        id: letter.id,
        subject: letter.subject,
        supportInfo: { text: supportText(unit) },
        ...(letter.officialMatter ? { officialMatter: letter.officialMatter } : {}),
        body: {
          contentType: letter.bodyType === 'text/html' ? 'text/html' : 'text/plain',
          text: letter.bodyText && letter.bodyText.trim() !== '' ? letter.bodyText : ATTACHMENTS_ONLY_BODY,
        },
        attachments: [...attachments]
          .sort((a, b) => a.position - b.position)
          .map((a) => ({ contentType: a.contentType, filename: a.filename, content: a.content })),
      },
    ],
  };
}

/** Supportinfo/Text: who sent it and how to reach them (the unit's name and postal address). */
export function supportText(unit: Pick<SendingUnit, 'name' | 'postalAddress'>): string {
  const lines = unit.postalAddress?.lines ?? [];
  const text = [unit.name, ...lines].filter((l) => l && l.trim() !== '').join(', ');
  return text.length > SUPPORT_INFO_MAX ? text.slice(0, SUPPORT_INFO_MAX - 1) + '…' : text;
}
