import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MinaMeddelandenError } from '../errors';
import { NS } from '../namespaces';
import {
  SchemaValidationError,
  SchemaValidator,
  resolveContractSchemaDir,
  type DocumentKind,
  type SchemaValidationResult,
} from '.';

const FIXTURES = path.join(__dirname, '..', '..', 'test-fixtures');
const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

const sealed = fixture('signed-v3/SealedDeliveryWithSignature.xml');
const wire = fixture('wire-v3/kivra-deliverSecure-v3.xml');
const response = fixture('soap/deliverSecure-kivra.xml');

// A validation takes a millisecond or so, but the first one loads libxml2 and compiles the schema
// (~0.1 s each), and other suites may share the CPU.
jest.setTimeout(30_000);

function replaceOnce(xml: string, search: string | RegExp, replacement: string): string {
  const out = xml.replace(search, replacement);
  if (out === xml) throw new Error(`fixture edit did not apply: ${String(search)}`);
  return out;
}

function lineOf(xml: string, needle: string): number {
  const at = xml.indexOf(needle);
  if (at < 0) throw new Error(`${needle} not in fixture`);
  return xml.slice(0, at).split('\n').length;
}

function expectInvalid(result: SchemaValidationResult, ...mentions: (string | RegExp)[]): void {
  expect(result.valid).toBe(false);
  expect(result.errors.length).toBeGreaterThan(0);
  const text = result.errors.map((e) => e.message).join('\n');
  for (const m of mentions) expect(text).toMatch(m);
}

describe('SchemaValidator', () => {
  const validator = SchemaValidator.shared();

  it('is shared and reads the vendored contract', () => {
    expect(SchemaValidator.shared()).toBe(validator);
    expect(validator.schemaDir).toBe(path.join(__dirname, '..', '..', 'contract', 'schema'));
  });

  describe('real samples', () => {
    it.each([
      ['signed-v3/SealedDeliveryWithSignature.xml', 'SealedDelivery'],
      // Pretty-printed after signing (its signature fails), but the structure is schema-valid.
      ['signed-v3/SignedDeliveryWithSignature.xml', 'SignedDelivery'],
      ['wire-v3/kivra-deliverSecure-v3.xml', 'deliverSecure'],
      ['soap/isReachableResponse-multi.xml', 'isReachableResponse'],
      ['soap/skatteverket-kivra-recipient.xml', 'isReachableResponse'],
      ['soap/deliverSecure-kivra.xml', 'deliverSecureResponse'],
      ['soap/deliverSecureResponse.xml', 'deliverSecureResponse'],
    ] as const)('%s is a valid %s', async (file, kind) => {
      expect(await validator.validate(fixture(file), kind)).toEqual({ valid: true, errors: [] });
    });

    // The schema makes ds:Signature mandatory (minOccurs=1) in both SignedDelivery and SealedDelivery,
    // so the unsigned samples are schema-invalid: validate after signing, not before.
    it.each([
      ['signed-v3/SignedDelivery.xml', 'SignedDelivery', `'{${NS.messageV3}}SignedDelivery'`],
      ['signed-v3/SignedDeliveryWithoutSignature.xml', 'SignedDelivery', 'SignedDelivery'],
      ['signed-v3/SealedDelivery.xml', 'SealedDelivery', `'{${NS.messageV3}}SealedDelivery'`],
    ] as const)('unsigned %s is refused as %s: the Signature is missing', async (file, kind, element) => {
      const result = await validator.validate(fixture(file), kind);
      expectInvalid(result, element, /Missing child element.*\{http:\/\/www\.w3\.org\/2000\/09\/xmldsig#\}Signature/);
    });
  });

  describe('broken SealedDelivery', () => {
    it('accepts a Subject of 255 characters and refuses 256, naming Subject', async () => {
      const withSubject = (s: string) => replaceOnce(sealed, /<Subject>[^<]*<\/Subject>/, `<Subject>${s}</Subject>`);
      expect((await validator.validate(withSubject('x'.repeat(255)), 'SealedDelivery')).valid).toBe(true);
      const result = await validator.validate(withSubject('x'.repeat(256)), 'SealedDelivery');
      expectInvalid(result, /Subject'.*maxLength/);
      expect(result.errors[0].line).toBe(1);
    });

    it('refuses a missing Supportinfo, naming it', async () => {
      const xml = replaceOnce(sealed, /<Supportinfo>.*?<\/Supportinfo>/, '');
      const result = await validator.validate(xml, 'SealedDelivery');
      expectInvalid(result, /Expected is \( \{[^}]+\/Message\/v3\}Supportinfo \)/);
    });

    it('refuses elements in the wrong order', async () => {
      const xml = replaceOnce(sealed, /(<Id>[^<]*<\/Id>)(<Subject>[^<]*<\/Subject>)/, '$2$1');
      expectInvalid(
        await validator.validate(xml, 'SealedDelivery'),
        /Element '\{http:\/\/minameddelanden\.gov\.se\/schema\/Message\/v3\}Subject': This element is not expected/,
      );
    });

    it('refuses an element in the wrong namespace', async () => {
      const xml = replaceOnce(
        sealed,
        '<Recipient xmlns="http://minameddelanden.gov.se/schema/Message/v2">',
        '<Recipient xmlns="http://minameddelanden.gov.se/schema/Message/v3">',
      );
      expectInvalid(
        await validator.validate(xml, 'SealedDelivery'),
        "Element '{http://minameddelanden.gov.se/schema/Message/v3}Recipient'",
        '{http://minameddelanden.gov.se/schema/Message/v2}Recipient',
      );
    });

    it('refuses a Seal that is not last but one (the seal signature must follow it)', async () => {
      const seal = /<Seal>.*?<\/Seal>/.exec(sealed)![0];
      const xml = replaceOnce(sealed.replace(seal, ''), /<\/SealedDelivery>$/, `${seal}</SealedDelivery>`);
      const result = await validator.validate(xml, 'SealedDelivery');
      expectInvalid(result, /not expected\. Expected is \( \{[^}]+\/Message\/v3\}Seal \)/);
    });

    it('names the standalone root, not the wire wrapper, when a child is missing', async () => {
      const result = await validator.validate(fixture('signed-v3/SealedDelivery.xml'), 'SealedDelivery');
      expectInvalid(result, "Element '{http://minameddelanden.gov.se/schema/Message/v3}SealedDelivery'");
      expect(result.errors.map((e) => e.message).join()).not.toContain('Service/v3');
    });

    it('reports line numbers of the caller’s document', async () => {
      const spread = replaceOnce(sealed, '<Message>', '\n\n<Message>\n')
        .replace(/<Subject>[^<]*</, `<Subject>\n${'y'.repeat(300)}<`);
      const result = await validator.validate(spread, 'SealedDelivery');
      expectInvalid(result, 'Subject');
      expect(result.errors[0].line).toBe(lineOf(spread, '<Subject>'));
    });

    it('accepts the prefixed form, an Id attribute and leading comments', async () => {
      const inner = /<p5:deliverSecure><p5:deliverSecure>(.*)<\/p5:deliverSecure><\/p5:deliverSecure>/s.exec(wire)![1];
      const declarations = /<p6:Envelope([^>]*)>/.exec(wire)![1];
      const xml =
        `<?xml version="1.0"?>\n<!-- a comment -->\n` +
        `<p3:SealedDelivery Id="d1"${declarations}>${inner}</p3:SealedDelivery>`;
      expect(await validator.validate(xml, 'SealedDelivery')).toEqual({ valid: true, errors: [] });
      const broken = xml.replace('<p3:Subject>', '<p2:Subject>').replace('</p3:Subject>', '</p2:Subject>');
      const result = await validator.validate(broken, 'SealedDelivery');
      expectInvalid(result, "Element '{http://minameddelanden.gov.se/schema/Message/v2}Subject'");
      expect(result.errors[0].line).toBe(3);
    });
  });

  describe('SignedDelivery', () => {
    const signed = fixture('signed-v3/SignedDeliveryWithSignature.xml');

    it('refuses a 256-character Subject on the line where it is', async () => {
      const xml = replaceOnce(signed, /<Subject>[^<]*</, `<Subject>${'z'.repeat(256)}<`);
      const result = await validator.validate(xml, 'SignedDelivery');
      expectInvalid(result, /Subject'.*maxLength/);
      expect(result.errors[0].line).toBe(lineOf(xml, '<Subject>'));
      expect(result.errors[0].line).toBeGreaterThan(1);
    });

    it('refuses a SealedDelivery passed as SignedDelivery and vice versa', async () => {
      expectInvalid(
        await validator.validate(sealed, 'SignedDelivery'),
        /expected element \{[^}]+\}SignedDelivery, found \{[^}]+\}SealedDelivery/,
      );
      expectInvalid(await validator.validate(signed, 'SealedDelivery'), /expected element .*SealedDelivery/);
    });
  });

  describe('deliverSecure envelope', () => {
    it('keeps prefixes declared only on the Envelope in scope', async () => {
      // Every p1:…p7: prefix of this sample is declared on the Envelope, none on the body element.
      expect(wire).toMatch(/<p6:Body><p5:deliverSecure><p5:deliverSecure>/);
      expect((await validator.validate(wire, 'deliverSecure')).valid).toBe(true);
    });

    it('refuses a Subject of 256 characters', async () => {
      const xml = replaceOnce(wire, /<p3:Subject>[^<]*</, `<p3:Subject>${'å'.repeat(256)}<`);
      expectInvalid(await validator.validate(xml, 'deliverSecure'), /Subject'.*maxLength/);
    });

    it('refuses Seal fields in the wrong namespace', async () => {
      const xml = replaceOnce(
        wire,
        '<p1:ReceivedTime>2023-10-11+02:00</p1:ReceivedTime>',
        '<p3:ReceivedTime>2023-10-11+02:00</p3:ReceivedTime>',
      );
      expectInvalid(await validator.validate(xml, 'deliverSecure'), `Element '{${NS.messageV3}}ReceivedTime'`);
    });

    it('accepts the bare deliverSecure element too', async () => {
      const body = /<p6:Body>(.*)<\/p6:Body>/s.exec(wire)![1];
      const declarations = /<p6:Envelope([^>]*)>/.exec(wire)![1];
      const bare = body.replace('<p5:deliverSecure>', `<p5:deliverSecure${declarations}>`);
      expect((await validator.validate(bare, 'deliverSecure')).valid).toBe(true);
    });

    it('refuses a body holding something else', async () => {
      expectInvalid(
        await validator.validate(response, 'deliverSecure'),
        /expected element \{[^}]+Service\/v3\}deliverSecure, found .*deliverSecureResponse/,
      );
    });
  });

  describe('responses and FaR', () => {
    it('reports the line of a bad value in a multi-line envelope, also with CRLF', async () => {
      const xml = replaceOnce(response, '<ns10:Delivered>true<', '<ns10:Delivered>maybe<');
      for (const input of [xml, xml.replace(/\n/g, '\r\n')]) {
        const result = await validator.validate(input, 'deliverSecureResponse');
        expectInvalid(result, "Delivered'", 'boolean');
        expect(result.errors[0].line).toBe(lineOf(xml, '<ns10:Delivered>'));
      }
    });

    it('accepts a default namespace declared on the Envelope', async () => {
      const xml =
        `<soap:Envelope xmlns:soap="${NS.soap11}" xmlns="${NS.recipientV3}"><soap:Body>` +
        `<isReachable><senderOrgNr>162120002411</senderOrgNr><recipientId>198101052382</recipientId></isReachable>` +
        `</soap:Body></soap:Envelope>`;
      expect((await validator.validate(xml, 'isReachable')).valid).toBe(true);
      const bad = xml.replace('<senderOrgNr>162120002411', '<senderOrgNr>2120002411');
      expectInvalid(await validator.validate(bad, 'isReachable'), "senderOrgNr'");
    });

    it('accepts a standalone isReachableResponse', async () => {
      const multi = fixture('soap/isReachableResponse-multi.xml');
      const element = /<ns3:isReachableResponse.*<\/ns3:isReachableResponse>/s.exec(multi)![0];
      expect((await validator.validate(element, 'isReachableResponse')).valid).toBe(true);
      const bad = replaceOnce(element, '<ns2:Type>Secure</ns2:Type>', '<ns2:Type>Insecure</ns2:Type>');
      expectInvalid(await validator.validate(bad, 'isReachableResponse'), "Type'");
    });

    it('refuses a SOAP Fault where a response is expected', async () => {
      const fault =
        `<soap:Envelope xmlns:soap="${NS.soap11}"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode>` +
        `<faultstring>x</faultstring></soap:Fault></soap:Body></soap:Envelope>`;
      expectInvalid(await validator.validate(fault, 'isReachableResponse'), `found {${NS.soap11}}Fault`);
    });

    it('refuses an envelope whose Body is empty', async () => {
      const empty = `<soap:Envelope xmlns:soap="${NS.soap11}"><soap:Body/></soap:Envelope>`;
      expectInvalid(await validator.validate(empty, 'deliverSecureResponse'), 'exactly one element');
    });
  });

  describe('hostile or broken input', () => {
    it('refuses malformed XML without throwing, with the line', async () => {
      const result = await validator.validate(response.replace('</ns10:Status>', ''), 'deliverSecureResponse');
      expectInvalid(result, /^not well-formed XML: .*tag mismatch/);
      // xmldom locates a mismatch near, not exactly at, the missing end tag (here: the line before it).
      expect(result.errors[0].line).toBeGreaterThanOrEqual(lineOf(response, '<ns10:Status>'));
      expectInvalid(await validator.validate('', 'isReachable'), 'not well-formed');
    });

    it('refuses a DOCTYPE before any parser sees it', async () => {
      const doctype = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>';
      const xml = `${doctype}\n${response.replace('3832352f', '&b;')}`;
      expectInvalid(await validator.validate(xml, 'deliverSecureResponse'), 'DOCTYPE');
    });
  });

  describe('in-process libxml2', () => {
    const bad256 = replaceOnce(sealed, /<Subject>[^<]*<\/Subject>/, `<Subject>${'x'.repeat(256)}</Subject>`);

    it('gives concurrent callers of every kind the results it gives them one at a time', async () => {
      const inputs: [string, DocumentKind][] = [
        [sealed, 'SealedDelivery'],
        [wire, 'deliverSecure'],
        [bad256, 'SealedDelivery'],
        [response, 'deliverSecureResponse'],
        [fixture('soap/isReachableResponse-multi.xml'), 'isReachableResponse'],
        [fixture('signed-v3/SealedDelivery.xml'), 'SealedDelivery'],
        ['<broken', 'isReachable'],
      ];
      const one = new SchemaValidator();
      const fresh = new SchemaValidator();
      try {
        const sequential: SchemaValidationResult[] = [];
        for (const [xml, kind] of inputs) sequential.push(await one.validate(xml, kind));
        // `fresh` has compiled nothing yet: its first callers race to compile each schema.
        const many = [...inputs, ...inputs, ...inputs];
        const concurrent = await Promise.all(many.map(([xml, kind]) => fresh.validate(xml, kind)));
        expect(concurrent).toEqual([...sequential, ...sequential, ...sequential]);
        expect(sequential.map((r) => r.valid)).toEqual([true, true, false, true, true, false, false]);
      } finally {
        one.dispose();
        fresh.dispose();
      }
    });

    it('validates a 2 MB delivery and finds a bad field in it', async () => {
      const big = replaceOnce(
        sealed,
        /(<Attachment><ContentType[^>]*>application\/pdf<\/ContentType><Body[^>]*>)[^<]*/,
        `$1${'QUFB'.repeat(512 * 1024)}`,
      );
      expect(big.length).toBeGreaterThan(2 * 1024 * 1024);
      expect(await validator.validate(big, 'SealedDelivery')).toEqual({ valid: true, errors: [] });
      const broken = replaceOnce(big, /<Subject>[^<]*<\/Subject>/, `<Subject>\n${'x'.repeat(256)}</Subject>`);
      const result = await validator.validate(broken, 'SealedDelivery');
      expectInvalid(result, /Subject'.*maxLength/);
      expect(result.errors[0].line).toBe(1);
    });

    it('reports line numbers beyond 65535', async () => {
      const xml = `<?xml version="1.0"?>${'\n'.repeat(70_000)}${bad256}`;
      const result = await validator.validate(xml, 'SealedDelivery');
      expectInvalid(result, /Subject'.*maxLength/);
      expect(result.errors[0].line).toBe(70_001);
    });

    it('refuses, with the line, what libxml2 finds not well-formed though xmldom accepts it', async () => {
      const xml =
        `<isReachable xmlns="${NS.recipientV3}">\n<senderOrgNr>162120002411</senderOrgNr>\n` +
        `<recipientId xmlns:a="urn:x" xmlns:b="urn:x" a:n="1" b:n="2">198101052382</recipientId>\n</isReachable>`;
      const result = await validator.validate(xml, 'isReachable');
      expectInvalid(result, /^not well-formed XML: .*redefined/);
      expect(result.errors[0].line).toBe(3);
    });

    it('keeps working after dispose(), compiling again', async () => {
      const own = new SchemaValidator();
      expect((await own.validate(wire, 'deliverSecure')).valid).toBe(true);
      own.dispose();
      own.dispose();
      expect((await own.validate(wire, 'deliverSecure')).valid).toBe(true);
      expectInvalid(await own.validate(bad256, 'SealedDelivery'), 'Subject');
      own.dispose();
    });

    it('reads imports from the XSD set only: one by absolute path fails, as does a missing schema', async () => {
      const contract = resolveContractSchemaDir();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-xsd-'));
      try {
        fs.cpSync(contract, dir, { recursive: true });
        // Point every import of xmldsig at the vendored file on disk, by absolute path, and drop the copy.
        const absolute = path.join(contract, 'xmldsig-core-schema.xsd');
        for (const name of ['Message.xsd', 'Receipt.xsd', 'Reply.xsd', 'v2/Message.xsd']) {
          const file = path.join(dir, name);
          const xsd = fs.readFileSync(file, 'utf8');
          const relative = /schemaLocation="(\.\.\/)?xmldsig-core-schema\.xsd"/;
          fs.writeFileSync(file, replaceOnce(xsd, relative, `schemaLocation="${absolute}"`));
        }
        fs.rmSync(path.join(dir, 'xmldsig-core-schema.xsd'));
        const own = new SchemaValidator({ schemaDir: dir });
        const error = await own.validate(sealed, 'SealedDelivery').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MinaMeddelandenError);
        expect(error).toMatchObject({ code: 'SCHEMA_VALIDATOR_FAILED' });
        expect((error as Error).message).toMatch(/could not compile v3\/Service\.xsd.*xmldsig-core-schema\.xsd/s);
        // Recipient.xsd does not need xmldsig: it still compiles.
        const reachable = await own.validate(fixture('soap/isReachableResponse-multi.xml'), 'isReachableResponse');
        expect(reachable.valid).toBe(true);
        own.dispose();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('assertValid', () => {
    it('resolves for a valid document', async () => {
      await expect(validator.assertValid(wire, 'deliverSecure')).resolves.toBeUndefined();
    });

    it('throws SchemaValidationError with code SCHEMA_INVALID and the errors', async () => {
      const xml = replaceOnce(sealed, /<Supportinfo>.*?<\/Supportinfo>/, '');
      const error = await validator.assertValid(xml, 'SealedDelivery').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SchemaValidationError);
      expect(error).toBeInstanceOf(MinaMeddelandenError);
      const e = error as SchemaValidationError;
      expect(e.code).toBe('SCHEMA_INVALID');
      expect(e.kind).toBe('SealedDelivery');
      expect(e.errors[0].message).toContain('Supportinfo');
      expect(e.message).toContain('line 1:');
    });
  });

  describe('schema location', () => {
    const contract = path.join(__dirname, '..', '..', 'contract', 'schema');
    const repoRoot = path.join(__dirname, '..', '..', '..', '..');

    it('finds the contract from the source folder and from the dist/ copy of it', () => {
      expect(resolveContractSchemaDir(__dirname)).toBe(contract);
      const distCopy = path.join(repoRoot, 'dist', 'libs', 'mina-meddelanden', 'src', 'schema');
      expect(resolveContractSchemaDir(distCopy)).toBe(contract);
    });

    it('fails clearly when there is no contract', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'no-contract-'));
      try {
        expect(() => resolveContractSchemaDir(dir)).toThrow(expect.objectContaining({ code: 'SCHEMA_UNAVAILABLE' }));
        expect(() => new SchemaValidator({ schemaDir: dir })).toThrow(
          expect.objectContaining({ code: 'SCHEMA_UNAVAILABLE' }),
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('takes schemaDir as an option and ignores the external DTD of the W3C xmldsig schema', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-xsd-'));
      try {
        fs.cpSync(contract, dir, { recursive: true });
        const dsig = path.join(dir, 'xmldsig-core-schema.xsd');
        // As the W3C publishes it: an external DTD by URL plus an internal subset whose entity is used.
        const doctype =
          '<!DOCTYPE schema\n  PUBLIC "-//W3C//DTD XMLSchema 200102//EN" "http://www.w3.org/2001/XMLSchema.dtd"\n [\n' +
          '   <!ATTLIST schema\n     xmlns:ds CDATA #FIXED "http://www.w3.org/2000/09/xmldsig#">\n' +
          "   <!ENTITY dsig 'http://www.w3.org/2000/09/xmldsig#'>\n   <!ENTITY % p ''>\n   <!ENTITY % s ''>\n  ]>\n";
        const original = fs.readFileSync(dsig, 'utf8');
        fs.writeFileSync(
          dsig,
          original
            .replace('<!-- Schema for XML Signatures', `${doctype}<!-- Schema for XML Signatures`)
            .replace('targetNamespace="http://www.w3.org/2000/09/xmldsig#"', 'targetNamespace="&dsig;"'),
        );
        const own = new SchemaValidator({ schemaDir: dir, maxConcurrency: 1 });
        expect(own.schemaDir).toBe(dir);
        const results = await Promise.all([
          own.validate(sealed, 'SealedDelivery'),
          own.validate(wire, 'deliverSecure'),
        ]);
        expect(results.map((r) => r.valid)).toEqual([true, true]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
