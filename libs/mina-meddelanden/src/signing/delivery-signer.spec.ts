import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestPki, TestPki } from '@hub/testing';
import { DeliveryValidationError, SignatureVerificationError } from '../errors';
import { DeliveryInput } from '../model/delivery.model';
import { TrustStore } from '../verify/trust-store';
import { verifyDelivery, VerifyOptions } from '../verify/delivery-verifier';
import { SigningCredential } from './credential';
import { sealDelivery, signAndSealDelivery, signDelivery } from './delivery-signer';

const SAMPLE_PDF = Buffer.from(
  /<Attachment><ContentType[^>]*>application\/pdf<\/ContentType><Body[^>]*>([^<]+)</.exec(
    readFileSync(join(__dirname, '../../test-fixtures/wire-v3/kivra-deliverSecure-v3.xml'), 'utf8').replace(/p1:/g, '').replace(/p3:/g, ''),
  )![1],
  'base64',
);

let pki: TestPki;
let sender: SigningCredential;
let intermediary: SigningCredential;
let opts: VerifyOptions;

beforeAll(async () => {
  pki = await ensureTestPki(mkdtempSync(join(tmpdir(), 'pki-signer-')), {
    intermediary: { orgnr: '5591234561', name: 'Hubb Förmedling AB' },
    municipalities: [{ orgnr: '2120001231', name: 'Demo kommun' }],
    servers: [],
  });
  const m = pki.municipalities['2120001231'];
  sender = SigningCredential.fromPem(m.keyPem, m.certPem);
  intermediary = SigningCredential.fromPem(pki.intermediary.keyPem, pki.intermediary.certPem);
  const ca = new TrustStore({ cas: [pki.caCertPem] });
  opts = { senderTrust: ca, sealTrust: new TrustStore({ certificates: [pki.intermediary.certPem] }) };
});

function input(overrides: Partial<DeliveryInput> = {}): DeliveryInput {
  return {
    sender: { id: '162120001231', name: 'Demo kommun' },
    recipient: '198101032384',
    reference: 'BN 2026-123',
    correlationId: 'c0ffee',
    messages: [
      {
        id: 'msg-1',
        subject: 'Beslut om bygglov för Åkerö 1:23 & <garage>',
        supportInfo: { text: 'Frågor? Ring växeln.', url: 'https://demo.example/kontakt', phoneNumber: '0771-00 00 00', emailAddress: 'bygg@demo.example' },
        body: { contentType: 'text/plain', text: 'Hej!\r\nDitt ärende är beslutat. "Välkommen" åter.\n' },
        attachments: [{ contentType: 'application/pdf', filename: 'beslut.pdf', content: SAMPLE_PDF }],
      },
    ],
    ...overrides,
  };
}

function refusal(xml: string, o: VerifyOptions = opts): SignatureVerificationError {
  try {
    verifyDelivery(xml, o);
  } catch (e) {
    if (!(e instanceof SignatureVerificationError)) throw e;
    return e;
  }
  throw new Error('expected refusal');
}

describe('sign and seal round trips', () => {
  it('a case message with an attachment verifies in both layers and reads back as built', () => {
    const signed = signDelivery(input(), sender);
    const sealed = sealDelivery(signed, intermediary, { receivedAt: new Date('2026-07-01T22:30:00Z') });
    const v = verifyDelivery(sealed, opts);
    expect(v.sender.serialNumber).toBe('162120001231');
    expect(v.seal?.receivedTime).toBe('2026-07-02+02:00');
    const m = v.delivery.messages[0];
    expect(m.subject).toBe('Beslut om bygglov för Åkerö 1:23 & <garage>');
    expect(m.body.text).toBe('Hej!\r\nDitt ärende är beslutat. "Välkommen" åter.\n');
    expect(m.attachments[0].content.equals(SAMPLE_PDF)).toBe(true);
    expect(m.attachments[0].checksum).toBe('DDB0C170A9145291740E6D9B7253C6A1');
    expect(v.signedDeliveryXml).toBe(signed);
  });

  it.each([
    ['html body, no attachment', { messages: [{ id: 'a', subject: 's', supportInfo: { text: 't' }, body: { contentType: 'text/html' as const, text: '<p>Hej</p>' } }] }],
    [
      'event message (OfficialMatter) with metadata',
      {
        messages: [
          {
            id: 'ev-1',
            subject: 'Ditt ärende har fått en handläggare',
            supportInfo: { text: 'Kontakta oss' },
            officialMatter: { timestamp: '2026-11-26', eventId: 'e2', officialMatterId: 'BN 2026-123', precedingEventId: 'e1', matterStatus: 'senderinitiative' as const, eventType: 'Handläggare tilldelad' },
            metadata: [{ tag: 'caseType', value: 'bygglov' }],
            body: { contentType: 'text/plain' as const, text: 'Handläggare: Anna' },
          },
        ],
      },
    ],
    [
      'two messages, organisation recipient, attentions',
      {
        recipient: '162021005448',
        attention: 'Registrator',
        sender: { id: '2120001231', name: 'Demo kommun', attention: 'Bygglovsenheten' },
        messages: [
          { id: '1', subject: 'Ett', supportInfo: { text: 't' }, body: { contentType: 'text/plain' as const, text: 'ett' } },
          { id: '2', subject: 'Två', supportInfo: { text: 't' }, body: { contentType: 'text/plain' as const, text: 'två' } },
        ],
      },
    ],
    ['samordningsnummer recipient', { recipient: '202001612395' }],
  ])('%s', (_name, o) => {
    const sealed = sealDelivery(signDelivery(input(o as Partial<DeliveryInput>), sender), intermediary);
    const v = verifyDelivery(sealed, opts);
    expect(v.delivery.messages.length).toBe((o as DeliveryInput).messages?.length ?? 1);
    if ((o as DeliveryInput).messages?.[0].officialMatter) {
      expect(v.delivery.messages[0].officialMatter).toMatchObject({ eventId: 'e2', precedingEventId: 'e1', matterStatus: 'senderinitiative' });
      expect(v.delivery.messages[0].metadata).toEqual([{ tag: 'caseType', value: 'bygglov' }]);
    }
  });

  it('signAndSealDelivery writes the same bytes as the two steps, also with attachments sliced for base64', () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(300_001, 0xe5)]);
    const o = input({ messages: [{ ...input().messages[0], body: { contentType: 'text/plain', text: 'å'.repeat(70_000) }, attachments: [{ contentType: 'application/pdf', filename: 'big.pdf', content: big }] }] });
    const receivedAt = new Date('2026-11-26T10:00:00Z');
    const one = signAndSealDelivery(o, sender, intermediary, { receivedAt });
    expect(one).toBe(sealDelivery(signDelivery(o, sender), intermediary, { receivedAt }));
    const v = verifyDelivery(one, opts);
    expect(v.delivery.messages[0].attachments[0].content.equals(big)).toBe(true);
    expect(v.delivery.messages[0].body.text).toBe('å'.repeat(70_000));
  });

  it('still verifies with prefixes added on the wire', () => {
    const sealed = sealDelivery(signDelivery(input(), sender), intermediary);
    const prefixed = addPrefixes(sealed);
    expect(prefixed).toContain('<p3:SignedDelivery');
    expect(verifyDelivery(prefixed, opts).delivery.recipient).toBe('198101032384');
  });
});

/** Re-serialises the standalone form as a SOAP envelope whose elements all carry prefixes. */
function addPrefixes(sealed: string): string {
  const prefixes: Record<string, string> = {
    'http://minameddelanden.gov.se/schema/Message': 'p1',
    'http://minameddelanden.gov.se/schema/Message/v2': 'p2',
    'http://minameddelanden.gov.se/schema/Message/v3': 'p3',
    'http://minameddelanden.gov.se/schema/Sender': 'p4',
    'http://www.w3.org/2000/09/xmldsig#': 'p7',
  };
  const stack: string[] = [];
  const body = sealed
    .replace(/^<SealedDelivery xmlns="[^"]+">/, '')
    .replace(/<\/SealedDelivery>$/, '')
    .replace(/<(\/?)([A-Za-z0-9]+)((?: [A-Za-z]+="[^"]*")*)>/g, (_m, close: string, name: string, attrs: string) => {
      if (close) return `</${stack.pop()}:${name}>`;
      const ns = /xmlns="([^"]+)"/.exec(attrs)?.[1];
      const prefix = ns ? prefixes[ns] : stack[stack.length - 1] ?? 'p3';
      stack.push(prefix);
      return `<${prefix}:${name}${attrs.replace(/ xmlns="[^"]+"/, '')}>`;
    });
  const decls = Object.entries(prefixes).map(([ns, p]) => ` xmlns:${p}="${ns}"`).join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?><p6:Envelope${decls} xmlns:p5="http://minameddelanden.gov.se/schema/Service/v3" xmlns:p6="http://schemas.xmlsoap.org/soap/envelope/">` +
    `<p6:Body><p5:deliverSecure><p5:deliverSecure>${body}</p5:deliverSecure></p5:deliverSecure></p6:Body></p6:Envelope>`
  );
}

describe('tampering is refused', () => {
  let sealed: string;
  beforeAll(() => {
    sealed = sealDelivery(signDelivery(input(), sender), intermediary);
  });

  it('a changed subject', () => {
    const e = refusal(sealed.replace('Beslut om bygglov', 'Beslut om rivning'));
    expect(e.layer).toBe('sender');
    expect(e.reason).toBe('invalid-signature');
  });

  it('one changed attachment byte', () => {
    const b64 = SAMPLE_PDF.toString('base64');
    const changed = Buffer.from(SAMPLE_PDF);
    changed[200] ^= 1;
    expect(refusal(sealed.replace(b64, changed.toString('base64'))).reason).toBe('invalid-signature');
  });

  it('a swapped certificate (another trusted key in KeyInfo)', () => {
    const other = pki.intermediary.certPem.replace(/-----[^-]+-----|\s/g, '');
    const swapped = sealed.replace(sender.certificateBase64, other);
    const e = refusal(swapped, { ...opts, requireSenderIdMatch: false });
    expect(e.layer).toBe('sender');
    expect(e.reason).toBe('invalid-signature');
  });

  it('a certificate that is merely present in KeyInfo is not trusted', () => {
    const e = refusal(sealed, { ...opts, senderTrust: new TrustStore({ certificates: [pki.intermediary.certPem] }) });
    expect(e.reason).toBe('untrusted-certificate');
  });

  it('a second Signature', () => {
    const sig = /<Signature xmlns="http:\/\/www.w3.org\/2000\/09\/xmldsig#">.*?<\/Signature>/.exec(sealed)![0];
    const doubled = sealed.replace('</Delivery>', `</Delivery>${sig}`);
    expect(refusal(doubled).layer).toBe('document');
  });

  it('a wrapped or duplicated Delivery', () => {
    const delivery = /<Delivery>.*<\/Delivery>/.exec(sealed)![0];
    expect(refusal(sealed.replace(delivery, delivery + delivery)).reason).toBe('structure');
    expect(refusal(sealed.replace(delivery, `<Wrapper>${delivery}</Wrapper>`)).reason).toBe('structure');
    const evil = delivery.replace('Beslut om bygglov', 'Betala 10 000 kr');
    expect(refusal(sealed.replace('<Seal>', `<Delivery>${evil.slice(10)}<Seal>`)).reason).toBe('structure');
  });

  it('a comment inside DigestValue', () => {
    const withComment = sealed.replace(/<DigestValue>(.{10})/, '<DigestValue>$1<!-- x -->');
    expect(refusal(withComment).reason).toBe('comment');
  });

  it('re-indentation after signing', () => {
    const indented = sealed.replace(/></g, '>\n  <');
    expect(refusal(indented).reason).toBe('invalid-signature');
  });

  it('a changed seal date', () => {
    const e = refusal(sealed.replace(/<ReceivedTime xmlns="[^"]+">[^<]+</, (m) => m.replace(/\d{4}-/, '2001-')));
    expect(e.layer).toBe('seal');
  });

  it('a sender id that does not match the signing certificate', () => {
    const other = sealDelivery(signDelivery(input({ sender: { id: '162021005448', name: 'Skatteverket' } }), sender), intermediary);
    expect(refusal(other).reason).toBe('sender-mismatch');
  });
});

describe('builder rules', () => {
  function violations(o: Partial<DeliveryInput>): { field: string; rule: string }[] {
    try {
      signDelivery(input(o), sender);
    } catch (e) {
      expect(e).toBeInstanceOf(DeliveryValidationError);
      return (e as DeliveryValidationError).violations.map(({ field, rule }) => ({ field, rule }));
    }
    throw new Error('expected violations');
  }
  const msg = (m: object) => ({ messages: [{ ...input().messages[0], ...m }] });

  it('names each field and rule', () => {
    expect(violations({ recipient: '198101032385' })).toEqual([{ field: 'recipient', rule: 'luhn' }]);
    expect(violations({ recipient: '19810231238' })).toEqual([{ field: 'recipient', rule: 'format' }]);
    expect(violations({ recipient: '198102312384' })).toEqual([{ field: 'recipient', rule: 'date' }]);
    expect(violations({ sender: { id: '123', name: 'X' } })).toEqual([
      { field: 'sender.id', rule: 'format' },
      { field: 'sender.name', rule: 'minLength' },
    ]);
    expect(violations(msg({ subject: 'x'.repeat(256) }))).toEqual([{ field: 'messages[0].subject', rule: 'maxLength' }]);
    expect(violations(msg({ supportInfo: { text: '' } }))).toEqual([{ field: 'messages[0].supportInfo.text', rule: 'required' }]);
    expect(violations(msg({ supportInfo: { text: 'y'.repeat(1025) } }))).toEqual([{ field: 'messages[0].supportInfo.text', rule: 'maxLength' }]);
    expect(violations(msg({ body: { contentType: 'text/rtf', text: 'x' } }))).toEqual([{ field: 'messages[0].body.contentType', rule: 'contentType' }]);
    expect(violations(msg({ attachments: [{ contentType: 'image/png', filename: 'a.png', content: Buffer.from('png') }] }))).toEqual([
      { field: 'messages[0].attachments[0].contentType', rule: 'contentType' },
    ]);
    expect(violations(msg({ attachments: [{ contentType: 'application/pdf', filename: 'a.pdf', content: Buffer.from('not a pdf') }] }))).toEqual([
      { field: 'messages[0].attachments[0].content', rule: 'contentType' },
    ]);
    expect(violations(msg({ subject: 'bell \u0007' }))).toEqual([{ field: 'messages[0].subject', rule: 'characters' }]);
    expect(violations({ messages: [] })).toEqual([{ field: 'messages', rule: 'required' }]);
  });

  it('enforces the 2 MB limit on the wire size', () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(1_600_000, 65)]);
    expect(violations(msg({ attachments: [{ contentType: 'application/pdf', filename: 'big.pdf', content: big }] }))).toEqual([
      { field: 'messages', rule: 'maxSize' },
    ]);
    const ok = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(1_500_000, 65)]);
    const sealed = sealDelivery(signDelivery(input(msg({ attachments: [{ contentType: 'application/pdf', filename: 'ok.pdf', content: ok }] })), sender), intermediary);
    expect(Buffer.byteLength(sealed)).toBeLessThan(2 * 1024 * 1024);
  });

  it('accepts a configured allow-list', () => {
    const png = { contentType: 'image/png', filename: 'a.png', content: Buffer.from('png') };
    const signed = signDelivery(input(msg({ attachments: [png] })), sender, { maxDeliveryBytes: 2 * 1024 * 1024, allowedAttachmentTypes: ['application/pdf', 'image/png'] });
    expect(signed).toContain('image/png');
  });
});

describe('credentials', () => {
  it('loads PKCS#12 and refuses a wrong password', () => {
    const p12 = readFileSync(pki.intermediary.p12Path!);
    const cred = SigningCredential.fromPkcs12(p12, 'changeit');
    expect(cred.serialNumber).toBe('165591234561');
    expect(() => SigningCredential.fromPkcs12(p12, 'wrong')).toThrow(/PKCS#12/);
  });
  it('refuses a key that does not belong to the certificate', () => {
    expect(() => SigningCredential.fromPem(pki.intermediary.keyPem, pki.municipalities['2120001231'].certPem)).toThrow(/does not belong/);
  });
});
