import type { AttachmentInput as IntakeAttachment, EventMessageInput, LetterEventView, LetterInput, LetterView, ServiceMessageInput } from '@hub/letters';
import { decodeBase64, readUpload } from '../uploads/attachment-content';
import { AttachmentInput, EventMessageInputType, LetterInputType, ServiceMessageInputType, ServiceRecipientInputType } from './letter.inputs';
import { LetterEventType, LetterType } from './letter.types';

/** The GraphQL shape of a letter view. */
export function toLetterType(view: LetterView): LetterType {
  const { recipientId, tenantId: _tenantId, ...rest } = view;
  return { ...rest, recipient: recipientId };
}

export function toEventType(event: LetterEventView): LetterEventType {
  return { id: event.id, type: event.type, fromStatus: event.fromStatus, toStatus: event.toStatus, detail: event.detail, createdAt: event.createdAt };
}

/**
 * A GraphQL letter input as the intake takes it: attachments decoded from base64 or read from their
 * multipart uploads (all uploads of a request are read together, since they arrive in request order),
 * with a decoding problem kept for the validator to report under the attachment's path.
 */
export async function toIntakeInputs(inputs: readonly (LetterInputType | null)[]): Promise<LetterInput[]> {
  return Promise.all(
    inputs.map(async (input) => {
      if (!input) return input as unknown as LetterInput;
      return { ...input, attachments: await toIntakeAttachments(input.attachments) } as LetterInput;
    }),
  );
}

/** An event message as the intake takes it (attachments read like a letter's). */
export async function toEventInput(input: EventMessageInputType): Promise<EventMessageInput> {
  return { ...input, attachments: await toIntakeAttachments(input.attachments) } as EventMessageInput;
}

/** A service message and its recipients as the intake takes them (the message's attachments read once). */
export async function toServiceInput(message: ServiceMessageInputType, recipients: readonly (ServiceRecipientInputType | null)[]): Promise<ServiceMessageInput> {
  return { message: { ...message, attachments: await toIntakeAttachments(message.attachments) }, recipients: [...recipients] } as ServiceMessageInput;
}

async function toIntakeAttachments(attachments: AttachmentInput[] | null | undefined): Promise<(IntakeAttachment | null)[] | null | undefined> {
  if (!attachments) return attachments;
  return Promise.all(
    attachments.map(async (a): Promise<IntakeAttachment | null> => {
      if (!a) return null;
      const base = { filename: a.filename, contentType: a.contentType };
      if (a.file && a.contentBase64) {
        return { ...base, contentError: 'has both file and contentBase64: give the content one way only' };
      }
      if (a.file) {
        const read = await readUpload(a.file);
        const filename = a.filename ?? read.filename;
        return 'error' in read ? { ...base, filename, contentError: read.error } : { ...base, filename, content: read.content };
      }
      if (a.contentBase64) {
        const decoded = decodeBase64(a.contentBase64);
        return 'error' in decoded ? { ...base, contentError: decoded.error } : { ...base, content: decoded.content };
      }
      return { ...base, content: null };
    }),
  );
}
