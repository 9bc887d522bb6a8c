import type { Element } from '@xmldom/xmldom';
import { NS } from '../namespaces';
import { child, childElements, childText, MalformedXmlError } from '../xml/dom';
import { OfficialMatterInput, ParsedDelivery, ParsedMessage } from './delivery.model';

function req(el: Element, ns: string, name: string): string {
  const t = childText(el, ns, name);
  if (t === undefined) throw new MalformedXmlError(`${el.localName} has no ${name}`);
  return t;
}

/** Reads a `Delivery` element (Message/v3) into the typed model. */
export function parseDeliveryElement(delivery: Element): ParsedDelivery {
  const header = child(delivery, NS.messageV3, 'Header');
  if (!header) throw new MalformedXmlError('Delivery has no Header');
  const sender = child(header, NS.messageV2, 'Sender');
  if (!sender) throw new MalformedXmlError('Delivery Header has no Sender');
  const messages = childElements(delivery, NS.messageV3, 'Message').map(parseMessage);
  if (messages.length === 0) throw new MalformedXmlError('Delivery has no Message');
  return {
    sender: { id: req(sender, NS.sender, 'Id'), name: req(sender, NS.sender, 'Name'), attention: childText(sender, NS.sender, 'Attention') },
    recipient: req(header, NS.messageV2, 'Recipient'),
    reference: childText(header, NS.messageV2, 'Reference'),
    correlationId: childText(header, NS.messageV2, 'CorrelationId'),
    attention: childText(header, NS.messageV2, 'Attention'),
    messages,
  };
}

function parseMessage(m: Element): ParsedMessage {
  const v3 = NS.messageV3;
  const h = child(m, v3, 'Header');
  if (!h) throw new MalformedXmlError('Message has no Header');
  const si = child(h, v3, 'Supportinfo');
  if (!si) throw new MalformedXmlError('Message Header has no Supportinfo');
  const body = child(m, v3, 'Body');
  if (!body) throw new MalformedXmlError('Message has no Body');
  const om = child(h, v3, 'OfficialMatter');
  return {
    id: req(h, v3, 'Id'),
    subject: req(h, v3, 'Subject'),
    supportInfo: {
      text: req(si, v3, 'Text'),
      url: childText(si, v3, 'URL'),
      phoneNumber: childText(si, v3, 'PhoneNumber'),
      emailAddress: childText(si, v3, 'EmailAdress'),
    },
    officialMatter: om ? parseOfficialMatter(om) : undefined,
    metadata: childElements(h, v3, 'Metadata').map((md) => ({ tag: req(md, NS.message, 'Tag'), value: req(md, NS.message, 'Value') })),
    language: req(h, v3, 'Language'),
    body: {
      contentType: req(body, NS.message, 'ContentType'),
      text: Buffer.from(req(body, NS.message, 'Body'), 'base64').toString('utf8'),
    },
    attachments: childElements(m, v3, 'Attachment').map((a) => ({
      contentType: req(a, NS.message, 'ContentType'),
      filename: req(a, NS.message, 'Filename'),
      checksum: req(a, NS.message, 'Checksum'),
      content: Buffer.from(req(a, NS.message, 'Body'), 'base64'),
    })),
  };
}

function parseOfficialMatter(om: Element): OfficialMatterInput | undefined {
  const ext = child(om, NS.messageV3, 'OfficialMatterExtension');
  if (!ext) return undefined;
  const ns = NS.officialMatterV3;
  const identity = child(ext, ns, 'Identity');
  const status = childText(ext, ns, 'MatterStatus');
  return {
    timestamp: req(ext, ns, 'Timestamp'),
    eventId: identity ? childText(identity, ns, 'EventId') : undefined,
    officialMatterId: identity ? childText(identity, ns, 'OfficialMatterId') : undefined,
    precedingEventId: identity ? childText(identity, ns, 'PrecedingEventId') : undefined,
    matterSubject: childText(ext, ns, 'MatterSubject'),
    eventType: childText(ext, ns, 'EventType'),
    matterStatus: status as OfficialMatterInput['matterStatus'],
  };
}
