/** Typed input of one v3 delivery: one recipient, one or more messages. */
export interface DeliveryInput {
  sender: {
    /** "16" + organisationsnummer (12 digits); a 10-digit organisationsnummer is accepted and prefixed. */
    id: string;
    /** 2–256 characters. */
    name: string;
    attention?: string;
  };
  /** Personnummer or samordningsnummer (YYYYMMDDNNNN) or "16" + organisationsnummer. */
  recipient: string;
  reference?: string;
  correlationId?: string;
  attention?: string;
  messages: MessageInput[];
}

export interface MessageInput {
  id: string;
  /** Ledtext, at most 255 characters. */
  subject: string;
  supportInfo: SupportInfoInput;
  officialMatter?: OfficialMatterInput;
  metadata?: { tag: string; value: string }[];
  /** Always "svSE" today. */
  language?: 'svSE';
  body: { contentType: 'text/plain' | 'text/html'; text: string };
  attachments?: AttachmentInput[];
}

export interface SupportInfoInput {
  /** Required, at most 1024 characters. */
  text: string;
  url?: string;
  phoneNumber?: string;
  emailAddress?: string;
}

/** The v3 OfficialMatter extension: makes the message an event message (händelsemeddelande). */
export interface OfficialMatterInput {
  /** xs:date, e.g. "2026-11-26". */
  timestamp: string;
  eventId?: string;
  officialMatterId?: string;
  precedingEventId?: string;
  matterSubject?: string;
  eventType?: string;
  matterStatus?: 'senderinitiative' | 'recipientinitiative' | 'closed';
}

export interface AttachmentInput {
  contentType: string;
  filename: string;
  content: Buffer;
}

/** A delivery as read back from a verified document (only what was signed). */
export interface ParsedDelivery {
  sender: { id: string; name: string; attention?: string };
  recipient: string;
  reference?: string;
  correlationId?: string;
  attention?: string;
  messages: ParsedMessage[];
}

export interface ParsedMessage {
  id: string;
  subject: string;
  supportInfo: SupportInfoInput;
  officialMatter?: OfficialMatterInput;
  metadata: { tag: string; value: string }[];
  language: string;
  body: { contentType: string; text: string };
  attachments: { contentType: string; filename: string; checksum: string; content: Buffer }[];
}

/** Limits and allow-lists the builder enforces. */
export interface DeliveryLimits {
  /** Bytes of the whole signed delivery, attachments included. Default 2 MB (2,097,152). */
  maxDeliveryBytes: number;
  /** Attachment content types accepted. Default: application/pdf only. */
  allowedAttachmentTypes: readonly string[];
}

export const DEFAULT_LIMITS: DeliveryLimits = {
  maxDeliveryBytes: 2 * 1024 * 1024,
  allowedAttachmentTypes: ['application/pdf'],
};
