/** XML namespaces of Mina meddelanden v3 (see PROTOCOL.md: v3 mixes versions). */
export const NS = {
  messageV3: 'http://minameddelanden.gov.se/schema/Message/v3',
  messageV2: 'http://minameddelanden.gov.se/schema/Message/v2',
  message: 'http://minameddelanden.gov.se/schema/Message',
  sender: 'http://minameddelanden.gov.se/schema/Sender',
  recipientV3: 'http://minameddelanden.gov.se/schema/Recipient/v3',
  recipient: 'http://minameddelanden.gov.se/schema/Recipient',
  serviceV3: 'http://minameddelanden.gov.se/schema/Service/v3',
  service: 'http://minameddelanden.gov.se/schema/Service',
  commonV3: 'http://minameddelanden.gov.se/schema/Common/v3',
  officialMatterV3: 'http://minameddelanden.gov.se/schema/OfficialMatter/v3',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
} as const;

/** Algorithm identifiers used in signatures. */
export const ALG = {
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
} as const;
