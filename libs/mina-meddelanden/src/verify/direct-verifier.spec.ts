import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, sign, X509Certificate } from 'node:crypto';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { ensureTestPki, TestPki } from '@hub/testing';
import { C14nCanonicalization, ExclusiveCanonicalization } from 'xml-crypto';
import { DeliveryInput } from '../model/delivery.model';
import { ALG, NS } from '../namespaces';
import { SigningCredential } from '../signing/credential';
import { sealDelivery, signAndSealDelivery, signDelivery } from '../signing/delivery-signer';
import { toDeliverSecureEnvelope } from '../soap/mailbox-operator-client';
import { verifyDelivery } from './delivery-verifier';
import { childElements } from '../xml/dom';
import { readDeliveryStructure } from './delivery-structure';
import { rebuildPrefixFree } from './normalize';
import { verifyStructureDirect } from './direct-verifier';
import { verifyDeliveryReference } from './reference-verifier';
import { TrustStore } from './trust-store';
import { VerifiedDelivery, VerifyOptions } from './verification.types';

/*
 * The direct path (parse once, digest the written bytes) against the reference path (re-parse each
 * layer, xml-crypto), which is what verifyDelivery was before: same results, same refusals (layer,
 * reason and message), on the samples, on generated deliveries and on many tampered variants.
 */

const fx = (p: string) => readFileSync(join(__dirname, '../../test-fixtures', p), 'utf8');
const SAMPLE_PDF = Buffer.from(
  /<Attachment><ContentType[^>]*>application\/pdf<\/ContentType><Body[^>]*>([^<]+)</.exec(fx('wire-v3/kivra-deliverSecure-v3.xml').replace(/p1:/g, '').replace(/p3:/g, ''))![1],
  'base64',
);

type Outcome =
  | { ok: Record<string, unknown> }
  | { error: { name: string; layer?: string; reason?: string; message: string } };

function plain(v: VerifiedDelivery): Record<string, unknown> {
  const signer = (s: VerifiedDelivery['sender']) => ({ ...s, certificate: s.certificate.raw.toString('base64') });
  return {
    ...v,
    delivery: JSON.parse(JSON.stringify(v.delivery)),
    sender: signer(v.sender),
    seal: v.seal && { ...signer(v.seal), receivedTime: v.seal.receivedTime, signaturesOk: v.seal.signaturesOk },
  };
}

function outcome(run: () => VerifiedDelivery): Outcome {
  try {
    return { ok: plain(run()) };
  } catch (e) {
    const err = e as Error & { layer?: string; reason?: string };
    return { error: { name: err.constructor.name, layer: err.layer, reason: err.reason, message: err.message } };
  }
}

/** Which path decided: the direct one, the reference one (the direct path gave up), or neither (refused while reading the structure). */
function pathOf(xml: string, options: VerifyOptions): 'direct' | 'reference' | 'structure' {
  let structure;
  try {
    structure = readDeliveryStructure(xml, options.requireSeal ?? true);
  } catch {
    return 'structure';
  }
  try {
    return verifyStructureDirect(structure, options) ? 'direct' : 'reference';
  } catch {
    return 'direct';
  }
}

function expectSame(xml: string, options: VerifyOptions): Outcome {
  const reference = outcome(() => verifyDeliveryReference(xml, options));
  const direct = outcome(() => verifyDelivery(xml, options));
  expect(direct).toEqual(reference);
  return direct;
}

let pki: TestPki;
let sender: SigningCredential;
let intermediary: SigningCredential;
let opts: VerifyOptions;

beforeAll(async () => {
  pki = await ensureTestPki(mkdtempSync(join(tmpdir(), 'pki-direct-')), {
    intermediary: { orgnr: '5591234561', name: 'Hubb Förmedling AB' },
    municipalities: [{ orgnr: '2120001231', name: 'Demo kommun' }],
    servers: [],
  });
  const m = pki.municipalities['2120001231'];
  sender = SigningCredential.fromPem(m.keyPem, m.certPem);
  intermediary = SigningCredential.fromPem(pki.intermediary.keyPem, pki.intermediary.certPem);
  opts = { senderTrust: new TrustStore({ cas: [pki.caCertPem] }), sealTrust: new TrustStore({ certificates: [pki.intermediary.certPem] }) };
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
        supportInfo: { text: 'Frågor? Ring växeln.', url: 'https://demo.example/kontakt' },
        body: { contentType: 'text/plain', text: 'Hej!\r\nDitt ärende är beslutat. "Välkommen" åter.\n' },
        attachments: [{ contentType: 'application/pdf', filename: 'beslut.pdf', content: SAMPLE_PDF }],
      },
    ],
    ...overrides,
  };
}

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
      const prefix = ns ? prefixes[ns] : (stack[stack.length - 1] ?? 'p3');
      stack.push(prefix);
      return `<${prefix}:${name}${attrs.replace(/ xmlns="[^"]+"/, '')}>`;
    });
  const decls = Object.entries(prefixes)
    .map(([ns, p]) => ` xmlns:${p}="${ns}"`)
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?><p6:Envelope${decls} xmlns:p5="http://minameddelanden.gov.se/schema/Service/v3" xmlns:p6="http://schemas.xmlsoap.org/soap/envelope/">` +
    `<p6:Body><p5:deliverSecure><p5:deliverSecure>${body}</p5:deliverSecure></p5:deliverSecure></p6:Body></p6:Envelope>`
  );
}

type XmlCryptoNode = Parameters<ExclusiveCanonicalization['process']>[0];

/** A layer rebuilt standalone and prefix-free, parsed again: what the reference path hands xml-crypto. */
function standalone(el: Element, localName: string): Element {
  return new DOMParser().parseFromString(rebuildPrefixFree(el, { localName, namespace: NS.messageV3 }), 'text/xml').documentElement!;
}

/**
 * Signs both layers of `xml` again, as they stand (prefixes, whitespace, CDATA, odd content and all),
 * over the bytes the reference path digests (the standalone layer without its Signature, canonicalised
 * by xml-crypto), replacing DigestValue and SignatureValue in the text. So a changed document is
 * validly signed again, and both paths must accept (or refuse) it alike.
 */
function resign(xml: string): string {
  for (const layer of ['sender', 'seal'] as const) {
    const layerOf = (x: string) => {
      const st = readDeliveryStructure(x, false);
      return layer === 'sender' ? { el: st.signedEl, sig: st.senderSigEl, name: 'SignedDelivery' } : st.sealSigEl && { el: st.element, sig: st.sealSigEl, name: 'SealedDelivery' };
    };
    const before = layerOf(xml);
    if (!before) break;
    const root = standalone(before.el, before.name);
    root.removeChild(childElements(root, NS.dsig, 'Signature').at(-1)!);
    const exc = [...before.sig.getElementsByTagNameNS(NS.dsig, 'Transform')].some((t) => t.getAttribute('Algorithm') === ALG.excC14n);
    const canonical = (exc ? new ExclusiveCanonicalization() : new C14nCanonicalization()).process(root as unknown as XmlCryptoNode, {});
    const oldDigest = before.sig.getElementsByTagNameNS(NS.dsig, 'DigestValue')[0].textContent!;
    xml = xml.replace(`>${oldDigest}<`, `>${createHash('sha256').update(canonical).digest('base64')}<`);

    const after = layerOf(xml)!;
    const signedInfo = childElements(standalone(after.el, after.name), NS.dsig, 'Signature').at(-1)!.getElementsByTagNameNS(NS.dsig, 'SignedInfo')[0];
    const signedInfoCanon = new ExclusiveCanonicalization().process(signedInfo as unknown as XmlCryptoNode, {});
    const key = layer === 'sender' ? sender.privateKey : intermediary.privateKey;
    const oldValue = after.sig.getElementsByTagNameNS(NS.dsig, 'SignatureValue')[0].textContent!;
    xml = xml.replace(`>${oldValue}<`, `>${sign('sha256', Buffer.from(signedInfoCanon), key).toString('base64')}<`);
  }
  return xml;
}

describe('the direct path verifies as the reference path does', () => {
  describe('samples', () => {
    const sealedWithSig = fx('signed-v3/SealedDeliveryWithSignature.xml');
    const kommunA = () => new TrustStore({ certificates: [new X509Certificate(Buffer.from(/X509Certificate>([^<]+)</.exec(sealedWithSig)![1], 'base64')).toString()] });
    const at = new Date('2020-05-28T12:00:00Z');
    const kivra = () => new TrustStore({ certificates: [fx('wire-v3/kivra-test-cert.pem')] });

    it.each([
      ['SealedDeliveryWithSignature', 'signed-v3/SealedDeliveryWithSignature.xml', true],
      ['SealedDelivery (no seal signature)', 'signed-v3/SealedDelivery.xml', false],
      ['SignedDelivery', 'signed-v3/SignedDelivery.xml', false],
      ['SignedDeliveryWithSignature (pretty-printed)', 'signed-v3/SignedDeliveryWithSignature.xml', false],
      ['SignedDeliveryWithoutSignature', 'signed-v3/SignedDeliveryWithoutSignature.xml', false],
    ])('%s', (_name, file, sealed) => {
      const xml = fx(file);
      for (const options of [
        { senderTrust: kommunA(), sealTrust: kommunA(), at },
        { senderTrust: kommunA(), requireSeal: false, at },
        { senderTrust: kommunA(), sealTrust: kommunA() },
        { senderTrust: kivra(), sealTrust: kommunA(), at },
        { senderTrust: kommunA(), sealTrust: kommunA(), at, allowSha1: true, requireSenderIdMatch: false },
      ]) {
        expectSame(xml, options);
      }
      if (sealed) {
        const v = expectSame(xml, { senderTrust: kommunA(), sealTrust: kommunA(), at });
        expect('ok' in v).toBe(true);
        expect(pathOf(xml, { senderTrust: kommunA(), sealTrust: kommunA(), at })).toBe('direct');
      }
    });

    it("the mailbox operator's prefixed wire envelope (SHA-1)", () => {
      const wire = fx('wire-v3/kivra-deliverSecure-v3.xml');
      const v = expectSame(wire, { senderTrust: kivra(), sealTrust: kivra(), allowSha1: true });
      expect('ok' in v).toBe(true);
      expect(pathOf(wire, { senderTrust: kivra(), sealTrust: kivra(), allowSha1: true })).toBe('direct');
      expectSame(wire, { senderTrust: kivra(), sealTrust: kivra() });
      expectSame(wire, { senderTrust: kivra(), sealTrust: kivra(), allowSha1: true, at: new Date('2000-01-01') });
      expectSame(wire, { senderTrust: kivra(), allowSha1: true });
      expectSame(fx('soap/deliverSecure-kivra.xml'), { senderTrust: kivra(), sealTrust: kivra(), allowSha1: true });
    });
  });

  describe('generated deliveries', () => {
    const variants: [string, () => string][] = [
      ['sealed, standalone', () => sealDelivery(signDelivery(input(), sender), intermediary)],
      ['sealed, in the deliverSecure envelope', () => toDeliverSecureEnvelope(signAndSealDelivery(input(), sender, intermediary))],
      ['sealed, prefixed on the wire', () => addPrefixes(sealDelivery(signDelivery(input(), sender), intermediary))],
      [
        'event message, two messages, html body, no attachment',
        () =>
          signAndSealDelivery(
            input({
              messages: [
                {
                  id: 'ev-1',
                  subject: 'Ditt ärende',
                  supportInfo: { text: 'Kontakta oss' },
                  officialMatter: { timestamp: '2026-11-26', eventId: 'e2', officialMatterId: 'BN 2026-123', precedingEventId: 'e1', matterStatus: 'senderinitiative' },
                  metadata: [{ tag: 'caseType', value: 'bygglov' }],
                  body: { contentType: 'text/html', text: '<p>Hej &amp; välkommen</p>' },
                },
                { id: 'm2', subject: 'Två', supportInfo: { text: 't' }, body: { contentType: 'text/plain', text: 'två' } },
              ],
            }),
            sender,
            intermediary,
          ),
      ],
      [
        'a large attachment and body',
        () =>
          signAndSealDelivery(
            input({
              messages: [
                {
                  ...input().messages[0],
                  body: { contentType: 'text/plain', text: 'å'.repeat(70_000) },
                  attachments: [{ contentType: 'application/pdf', filename: 'big.pdf', content: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(300_001, 0xe5)]) }],
                },
              ],
            }),
            sender,
            intermediary,
          ),
      ],
    ];

    it.each(variants)('%s', (name, make) => {
      const xml = make();
      const v = expectSame(xml, opts);
      expect('ok' in v).toBe(true);
      expect(pathOf(xml, opts)).toBe('direct');
      expectSame(xml, { ...opts, at: new Date('2001-01-01') });
      if (name.startsWith('a large')) return; // the reference path takes seconds over it
      expectSame(xml, { ...opts, requireSeal: false });
      expectSame(xml, { ...opts, sealTrust: undefined });
      expectSame(xml, { ...opts, sealTrust: opts.senderTrust });
      expectSame(xml, { ...opts, senderTrust: opts.sealTrust! });
      expectSame(xml, { ...opts, at: new Date('2999-01-01') });
    });

    it('a standalone SignedDelivery', () => {
      const signed = signDelivery(input(), sender);
      expect('ok' in expectSame(signed, { ...opts, requireSeal: false })).toBe(true);
      expect(pathOf(signed, { ...opts, requireSeal: false })).toBe('direct');
      expectSame(signed, opts);
    });
  });

  describe('tampered and unusual documents are refused (or accepted) alike', () => {
    let sealed: string;
    let signed: string;
    beforeAll(() => {
      signed = signDelivery(input(), sender);
      sealed = sealDelivery(signed, intermediary);
    });
    // The n-th Signature element / SignatureValue text, with or without a prefix ('' when there is none).
    const sig = (xml: string, n = 0) => [...xml.matchAll(/<(\w+:)?Signature[ >].*?<\/(\w+:)?Signature>/g)][n]?.[0] ?? '';
    const sigValue = (xml: string, n = 0) => [...xml.matchAll(/<(?:\w+:)?SignatureValue>([^<]*)</g)][n]?.[1] ?? '';

    const cases: [string, (s: string) => string, Partial<VerifyOptions>][] = [
      ['a changed subject', (s) => s.replace('Beslut om bygglov', 'Beslut om rivning'), {}],
      ['one changed attachment byte', (s) => s.replace(/(<Body xmlns="[^"]+">JVBERi0x)(.)/, (_m, a: string, c: string) => a + (c === 'A' ? 'B' : 'A')), {}],
      ['a swapped certificate', (s) => s.replace(sender.certificateBase64, intermediary.certificateBase64), { requireSenderIdMatch: false }],
      ['a second Signature', (s) => s.replace('</Delivery>', `</Delivery>${sig(s)}`), {}],
      ['a duplicated Delivery', (s) => s.replace(/<Delivery>.*<\/Delivery>/, (d) => d + d), {}],
      ['a wrapped Delivery', (s) => s.replace(/<Delivery>.*<\/Delivery>/, (d) => `<Wrapper>${d}</Wrapper>`), {}],
      ['a comment inside DigestValue', (s) => s.replace(/<DigestValue>(.{10})/, '<DigestValue>$1<!-- x -->'), {}],
      ['a comment inside the seal', (s) => s.replace('<Seal>', '<Seal><!-- x -->'), {}],
      ['a comment directly inside SealedDelivery', (s) => s.replace('<Seal>', '<!-- x --><Seal>'), {}],
      ['a processing instruction inside Delivery', (s) => s.replace('<Delivery>', '<Delivery><?pi x?>'), {}],
      ['re-indentation', (s) => s.replace(/></g, '>\n  <'), {}],
      ['whitespace between the layers', (s) => s.replace('<Seal>', '\n<Seal>'), {}],
      ['a changed seal date', (s) => s.replace(/<ReceivedTime xmlns="[^"]+">[^<]+</, (m) => m.replace(/\d{4}-/, '2001-')), {}],
      ['a changed SignatureValue', (s) => s.replace(`>${sigValue(s)}<`, `>${sigValue(s)[0] === 'A' ? 'B' : 'A'}${sigValue(s).slice(1)}<`), {}],
      ['a SignatureValue split by a comment', (s) => s.replace(sigValue(s), sigValue(s).slice(0, 5) + '<!--x-->' + sigValue(s).slice(5)), {}],
      ['a SignatureValue with an entity', (s) => s.replace(sigValue(s), sigValue(s).slice(0, 5) + '&#x41;' + sigValue(s).slice(6)), {}],
      ['a SignatureValue as CDATA', (s) => s.replace(sigValue(s), `<![CDATA[${sigValue(s)}]]>`), {}],
      ['a SignatureValue broken over lines', (s) => s.replace(sigValue(s), sigValue(s).slice(0, 64) + '\n' + sigValue(s).slice(64)), {}],
      ['an empty SignatureValue', (s) => s.replace(`>${sigValue(s)}<`, '><'), {}],
      ['the seal carrying the sender SignatureValue', (s) => (sigValue(s, 1) ? s.replace(sigValue(s, 1), sigValue(s, 0)) : s), {}],
      ['a changed DigestValue', (s) => s.replace(/<DigestValue>(.)/, (_m, c: string) => `<DigestValue>${c === 'A' ? 'B' : 'A'}`), {}],
      ['an empty DigestValue', (s) => s.replace(/<DigestValue>[^<]*</, '<DigestValue><'), {}],
      ['a DigestValue with whitespace', (s) => s.replace(/<DigestValue>(.{8})/, '<DigestValue>$1 \n'), {}],
      ['the exc-c14n transform added', (s) => s.replace(`<Transform Algorithm="${ALG.enveloped}"></Transform>`, `<Transform Algorithm="${ALG.enveloped}"></Transform><Transform Algorithm="${ALG.excC14n}"></Transform>`), {}],
      ['an element that is not a Transform', (s) => s.replace(`<Transform Algorithm="${ALG.enveloped}"></Transform>`, `<Other Algorithm="${ALG.enveloped}"></Other>`), {}],
      ['a Transform with content', (s) => s.replace(`<Transform Algorithm="${ALG.enveloped}"></Transform>`, `<Transform Algorithm="${ALG.enveloped}"><XPath>x</XPath></Transform>`), {}],
      ['a SignatureMethod with content', (s) => s.replace(/<SignatureMethod Algorithm="([^"]+)"><\/SignatureMethod>/, '<SignatureMethod Algorithm="$1"><SignatureValue>AAAA</SignatureValue></SignatureMethod>'), {}],
      ['a DigestMethod with content', (s) => s.replace(/<DigestMethod Algorithm="([^"]+)"><\/DigestMethod>/, '<DigestMethod Algorithm="$1"><X>1</X></DigestMethod>'), {}],
      ['SHA-1 algorithms', (s) => s.replace(ALG.rsaSha256, ALG.rsaSha1).replace(ALG.sha256, ALG.sha1), { allowSha1: true }],
      ['SHA-1 algorithms, not enabled', (s) => s.replace(ALG.rsaSha256, ALG.rsaSha1), {}],
      ['a Reference URI', (s) => s.replace('<Reference URI="">', '<Reference URI="#x">'), {}],
      ['two References', (s) => s.replace(/<Reference URI="">.*?<\/Reference>/, (r) => r + r), {}],
      ['an extra attribute on SignedDelivery', (s) => s.replace('<SignedDelivery>', '<SignedDelivery b="1" a="2">'), {}],
      ['an attribute named like a declaration', (s) => s.replace('<SignedDelivery>', '<SignedDelivery xmlnsx="1">'), {}],
      ['a namespaced attribute', (s) => s.replace('<Delivery>', '<Delivery xml:lang="sv">'), {}],
      ['an unqualified element', (s) => s.replace(/<Header>/, '<Header><Extra xmlns=""><Inner>1</Inner></Extra>'), {}],
      ['an unqualified element in the seal', (s) => s.replace('<Seal>', '<Seal><Extra xmlns="">1</Extra>'), {}],
      ['an element in an odd namespace', (s) => s.replace(/<Header>/, '<Header><Extra xmlns="urn:a&amp;b">1</Extra>'), {}],
      ['a line separator in a subject', (s) => s.replace('Beslut om bygglov', 'Beslut\u2028om bygglov'), {}],
      ['a line separator reference in a subject', (s) => s.replace('Beslut om bygglov', 'Beslut&#x2028;om bygglov'), {}],
      ['a line separator reference in an attribute', (s) => s.replace('<Reference URI="">', '<Reference URI="" Id="a&#x2028;b">'), {}],
      ['a NEL character reference in a subject', (s) => s.replace('Beslut om bygglov', 'Beslut&#x85;om bygglov'), {}],
      ['a paragraph separator in the seal', (s) => s.replace('<Seal>', '<Seal>\u2029'), {}],
      ['a paragraph separator reference in the seal', (s) => s.replace('<Seal>', '<Seal>&#x2029;'), {}],
      ['a replacement character reference in a subject', (s) => s.replace('Beslut om bygglov', 'Beslut&#xFFFD;om bygglov'), {}],
      ['character references for plain characters', (s) => s.replace('Beslut om bygglov', '&#x42;eslut om bygglov'), {}],
      ['a CDATA section for plain text', (s) => s.replace('Beslut om bygglov', '<![CDATA[Beslut om bygglov]]>'), {}],
      ['a carriage return reference', (s) => s.replace('Beslut om bygglov', 'Beslut&#xD;om bygglov'), {}],
      ['a non-ASCII element name', (s) => s.replace(/<Header>/, '<Header><Ärende xmlns="urn:x">1</Ärende>'), {}],
      ['a sender id that does not match', (s) => s.replace(/(<Id xmlns="[^"]+">)162120001231/, '$1162021005448'), {}],
      ['a missing Recipient', (s) => s.replace(/<Recipient xmlns="[^"]+">[^<]+<\/Recipient>/, ''), {}],
      ['two ReceivedTime', (s) => s.replace(/<ReceivedTime xmlns="[^"]+">[^<]+<\/ReceivedTime>/, (m) => m + m), {}],
      ['an X509Certificate that is not one', (s) => s.replace(sender.certificateBase64, 'AAAA'), {}],
      ['two X509Certificates', (s) => s.replace(/<X509Certificate>/, '<X509Certificate>AAAA</X509Certificate><X509Certificate>'), {}],
      ['no KeyInfo', (s) => s.replace(/<KeyInfo>.*?<\/KeyInfo>/, ''), {}],
      ['a DOCTYPE', (s) => `<!DOCTYPE x>${s}`, {}],
      ['not XML', (s) => s.slice(0, 100), {}],
    ];

    // Every row has all three values: jest takes a test function with one parameter more than the row for one that waits for `done`.
    it.each(cases)('%s', (_name, tamper, extra) => {
      for (const base of [sealed, toDeliverSecureEnvelope(sealed), addPrefixes(sealed)]) {
        const xml = tamper(base);
        expectSame(xml, { ...opts, ...extra });
        expectSame(xml, { ...opts, ...extra, requireSeal: false });
      }
      expectSame(tamper(signed), { ...opts, ...extra, requireSeal: false });
    });

    it.each([
      ['a changed subject', 'direct'],
      ['re-indentation', 'direct'],
      ['whitespace between the layers', 'direct'],
      ['character references for plain characters', 'direct'],
      ['a CDATA section for plain text', 'direct'],
      ['a carriage return reference', 'direct'],
      ['an extra attribute on SignedDelivery', 'direct'],
      ['the exc-c14n transform added', 'direct'],
      ['SHA-1 algorithms', 'direct'],
      ['a changed SignatureValue', 'direct'],
      ['a SignatureValue broken over lines', 'direct'],
      ['a comment inside the seal', 'direct'],
      ['an unqualified element', 'reference'],
      ['an unqualified element in the seal', 'reference'],
      ['an element in an odd namespace', 'reference'],
      ['a line separator in a subject', 'direct'], // the parser has made it a newline already
      ['a line separator reference in a subject', 'reference'],
      ['a line separator reference in an attribute', 'reference'],
      ['a NEL character reference in a subject', 'reference'],
      ['a paragraph separator in the seal', 'direct'],
      ['a paragraph separator reference in the seal', 'reference'],
      ['a replacement character reference in a subject', 'reference'],
      ['an attribute named like a declaration', 'reference'],
      ['a non-ASCII element name', 'reference'],
      ['a SignatureValue as CDATA', 'reference'],
      ['an empty SignatureValue', 'reference'],
      ['the seal carrying the sender SignatureValue', 'reference'],
      ['an empty DigestValue', 'reference'],
      ['an element that is not a Transform', 'reference'],
      ['a Transform with content', 'reference'],
      ['a SignatureMethod with content', 'reference'],
      ['a DigestMethod with content', 'reference'],
    ])('%s is decided on the %s path', (name, path) => {
      const [, tamper, extra] = cases.find(([n]) => n === name)!;
      expect(pathOf(tamper(sealed), { ...opts, ...extra })).toBe(path);
    });

    // The same changes, signed again: accepted (or refused for what they are) alike.
    it.each([
      ['whitespace between the layers', true],
      ['re-indentation', true],
      ['character references for plain characters', true],
      ['a CDATA section for plain text', true],
      ['a carriage return reference', true],
      ['an extra attribute on SignedDelivery', true],
      ['the exc-c14n transform added', true],
      ['a SignatureValue broken over lines', true],
      ['a changed seal date', true],
      ['a changed subject', true],
      ['an unqualified element', false],
      ['an unqualified element in the seal', false],
      ['an element in an odd namespace', false],
      ['a line separator reference in a subject', false],
      ['a NEL character reference in a subject', false],
      ['a paragraph separator reference in the seal', false],
      ['an attribute named like a declaration', false],
      ['a non-ASCII element name', false],
    ])('%s, signed again', (name, direct) => {
      const [, tamper, extra] = cases.find(([n]) => n === name)!;
      for (const base of [sealed, addPrefixes(sealed)]) {
        const xml = resign(tamper(base));
        const result = expectSame(xml, { ...opts, ...extra });
        if (direct) {
          expect(result).toHaveProperty('ok');
          expect(pathOf(xml, { ...opts, ...extra })).toBe('direct');
        }
      }
    });

    it('random single-character damage anywhere', () => {
      // A small deterministic generator: the same damage on every run.
      let seed = 0x2545f491;
      const next = (n: number) => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return (seed >>> 0) % n;
      };
      const small = signAndSealDelivery(input({ messages: [{ ...input().messages[0], attachments: [] }] }), sender, intermediary);
      const alphabet = ['<', '>', '&', '"', "'", '=', '/', ' ', '\n', '\r', 'A', '0', ':', '\u2028', '\u00e5'];
      const seen = { accepted: 0, refused: 0 };
      for (let i = 0; i < 250; i++) {
        const at = next(small.length);
        const op = next(3);
        const c = alphabet[next(alphabet.length)];
        const xml = op === 0 ? small.slice(0, at) + small.slice(at + 1) : op === 1 ? small.slice(0, at) + c + small.slice(at) : small.slice(0, at) + c + small.slice(at + 1);
        const result = expectSame(xml, opts);
        if ('ok' in result) seen.accepted++;
        else seen.refused++;
      }
      expect(seen.refused).toBeGreaterThan(150);
    });
  });
});

describe('certificates and trust decisions are remembered per certificate', () => {
  it('verifying again gives the same answer, and trust stays per store and per time', () => {
    const sealed = signAndSealDelivery(input(), sender, intermediary);
    const first = verifyDelivery(sealed, opts);
    const second = verifyDelivery(sealed, opts);
    expect(second.sender.certificate).toBe(first.sender.certificate);
    expect(plain(second)).toEqual(plain(first));
    // The same (cached) certificate objects, judged by another store and at other times.
    const other = new TrustStore({ certificates: [fx('wire-v3/kivra-test-cert.pem')] });
    expect(outcome(() => verifyDelivery(sealed, { ...opts, senderTrust: other }))).toEqual(outcome(() => verifyDeliveryReference(sealed, { ...opts, senderTrust: other })));
    expect(outcome(() => verifyDelivery(sealed, { ...opts, at: new Date('1999-01-01') }))).toMatchObject({ error: { reason: 'untrusted-certificate' } });
    expect(outcome(() => verifyDelivery(sealed, opts))).toEqual({ ok: plain(first) });
  });

  it('a CA outside its validity is reported for every delivery, not only the first', () => {
    const ca = new TrustStore({ cas: [pki.caCertPem] });
    const caCert = new X509Certificate(pki.caCertPem);
    const leaf = new X509Certificate(sender.certificatePem);
    expect(ca.check(leaf).trusted).toBe(true);
    const before = new Date(new Date(caCert.validFrom).getTime() - 1000);
    const leafValidFrom = new Date(leaf.validFrom);
    const at = before < leafValidFrom ? before : new Date(new Date(caCert.validTo).getTime() + 1000);
    expect(ca.check(leaf, at).trusted).toBe(false);
    expect(ca.check(leaf).trusted).toBe(true);
  });
});
