import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vm from 'node:vm';
import { DOMParser, type Element, type Node as XmlNode } from '@xmldom/xmldom';
import type * as Libxml2 from 'libxml2-wasm';
import { MinaMeddelandenError } from '../errors';
import { NS } from '../namespaces';

/** Which Mina meddelanden document a piece of XML claims to be; decides the schema and the wrapping. */
export type DocumentKind =
  | 'SealedDelivery'
  | 'SignedDelivery'
  | 'deliverSecure'
  | 'isReachable'
  | 'isReachableResponse'
  | 'deliverSecureResponse';

/** One schema violation. `line` refers to the caller's input (wrapping keeps line numbers). */
export interface SchemaValidationIssue {
  message: string;
  line?: number;
}

/** Outcome of {@link SchemaValidator.validate}. `errors` is empty exactly when `valid` is true. */
export interface SchemaValidationResult {
  valid: boolean;
  errors: SchemaValidationIssue[];
}

/** The document does not conform to the v3 XML Schema (or is not the expected document at all). */
export class SchemaValidationError extends MinaMeddelandenError {
  constructor(
    readonly kind: DocumentKind,
    readonly errors: SchemaValidationIssue[],
  ) {
    super(
      `${kind} does not conform to the Mina meddelanden v3 schema: ${errors
        .map((e) => (e.line === undefined ? e.message : `line ${e.line}: ${e.message}`))
        .join('; ')}`,
      'SCHEMA_INVALID',
    );
  }
}

/** Options of {@link SchemaValidator}. */
export interface SchemaValidatorOptions {
  /** Root of the XSD tree (the folder holding `v3/`, `v2/`, `Message.xsd`, …). Default: the vendored contract. */
  schemaDir?: string;
  /**
   * @deprecated Ignored. Validation used to start an xmllint worker per call; it now runs in-process,
   * synchronously (one document at a time per thread), on schemas compiled once.
   */
  maxConcurrency?: number;
  /**
   * @deprecated Ignored. It bounded the memory of the per-call xmllint worker; libxml2 now lives in one
   * long-lived WebAssembly instance whose memory grows to the largest document validated so far.
   */
  maxMemoryMiB?: number;
}

interface Wrapper {
  ns: string;
  outer: string;
  inner: string;
}

interface KindSpec {
  ns: string;
  local: string;
  schema: string;
  /** Set when the schema has only a complexType, no global element: validate inside the wire wrapper. */
  wrapper?: Wrapper;
  /** A SOAP 1.1 envelope is unwrapped to its Body's element; a bare element is accepted as well. */
  soap: boolean;
}

const KINDS: Record<DocumentKind, KindSpec> = {
  SealedDelivery: {
    ns: NS.messageV3,
    local: 'SealedDelivery',
    schema: 'v3/Service.xsd',
    wrapper: { ns: NS.serviceV3, outer: 'deliverSecure', inner: 'deliverSecure' },
    soap: false,
  },
  SignedDelivery: {
    ns: NS.messageV3,
    local: 'SignedDelivery',
    schema: 'v3/Message.xsd',
    wrapper: { ns: NS.messageV3, outer: 'distributeSecure', inner: 'signedDelivery' },
    soap: false,
  },
  deliverSecure: { ns: NS.serviceV3, local: 'deliverSecure', schema: 'v3/Service.xsd', soap: true },
  deliverSecureResponse: { ns: NS.serviceV3, local: 'deliverSecureResponse', schema: 'v3/Service.xsd', soap: true },
  isReachable: { ns: NS.recipientV3, local: 'isReachable', schema: 'v3/Recipient.xsd', soap: true },
  isReachableResponse: { ns: NS.recipientV3, local: 'isReachableResponse', schema: 'v3/Recipient.xsd', soap: true },
};

const ELEMENT_NODE = 1;
const MARKER_FILE = path.join('v3', 'Service.xsd');

function isSchemaDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, MARKER_FILE));
}

/**
 * Finds the vendored XSD tree. From source it sits at `../../contract/schema`; the build copies only
 * `.ts` output into `dist/`, so from there it walks up until it meets `libs/mina-meddelanden/contract/schema`.
 */
export function resolveContractSchemaDir(startDir: string = __dirname): string {
  const beside = path.join(startDir, '..', '..', 'contract', 'schema');
  if (isSchemaDir(beside)) return beside;
  for (let dir = path.resolve(startDir); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'libs', 'mina-meddelanden', 'contract', 'schema');
    if (isSchemaDir(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new MinaMeddelandenError(
    `Mina meddelanden XSDs not found from ${startDir}: pass schemaDir or keep libs/mina-meddelanden/contract`,
    'SCHEMA_UNAVAILABLE',
  );
}

/**
 * An external DTD subset (the W3C copy of xmldsig-core-schema.xsd names XMLSchema.dtd by URL) would be a
 * network fetch or a missing file; the internal subset may define entities the schema uses, so keep that.
 */
function dropExternalDtd(xsd: string): string {
  return xsd.replace(
    /<!DOCTYPE(\s+[^\s[>]+)\s+(?:PUBLIC\s+(?:"[^"]*"|'[^']*')\s+(?:"[^"]*"|'[^']*')|SYSTEM\s+(?:"[^"]*"|'[^']*'))/,
    '<!DOCTYPE$1',
  );
}

function loadSchemaFiles(root: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.xsd')) {
        // libxml2 resolves schemaLocation against the importing file's URL (see SCHEMA_URL_BASE), so
        // every file keeps its path relative to the root, with forward slashes.
        const name = path.relative(root, full).split(path.sep).join('/');
        files.set(name, Buffer.from(dropExternalDtd(fs.readFileSync(full, 'utf8')), 'utf8'));
      }
    }
  };
  walk(root);
  for (const spec of Object.values(KINDS)) {
    if (!files.has(spec.schema)) {
      throw new MinaMeddelandenError(`${spec.schema} missing under ${root}`, 'SCHEMA_UNAVAILABLE');
    }
  }
  return files;
}

/** Start/end offsets of one element in the source text, in document order. */
interface ElementSpan {
  start: number;
  nameEnd: number;
  /** Offset just after the start tag's `>`. */
  tagEnd: number;
  /** Offset of the end tag's `<` (equals `tagEnd` for an empty-element tag). */
  closeStart: number;
  end: number;
}

class DoctypeFound extends Error {}

function skipPast(text: string, token: string, from: number): number {
  const at = text.indexOf(token, from);
  return at < 0 ? text.length : at + token.length;
}

/**
 * The offsets xmldom does not give us: where each element's tags start and end, so that the part to
 * validate can be cut out verbatim (keeping line numbers) instead of re-serialised.
 */
function scanElements(text: string): ElementSpan[] {
  const spans: ElementSpan[] = [];
  const open: number[] = [];
  let i = 0;
  while ((i = text.indexOf('<', i)) >= 0) {
    if (text.startsWith('<!--', i)) i = skipPast(text, '-->', i + 4);
    else if (text.startsWith('<![CDATA[', i)) i = skipPast(text, ']]>', i + 9);
    else if (text.startsWith('<?', i)) i = skipPast(text, '?>', i + 2);
    else if (text.startsWith('<!', i)) throw new DoctypeFound();
    else if (text[i + 1] === '/') {
      const end = skipPast(text, '>', i);
      const index = open.pop();
      if (index !== undefined) {
        spans[index].closeStart = i;
        spans[index].end = end;
      }
      i = end;
    } else {
      let j = i + 1;
      while (j < text.length && !/[\s/>]/.test(text[j])) j++;
      const nameEnd = j;
      let quote = '';
      for (; j < text.length; j++) {
        const c = text[j];
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
      }
      const tagEnd = Math.min(j + 1, text.length);
      const selfClosing = text[j - 1] === '/';
      spans.push({ start: i, nameEnd, tagEnd, closeStart: tagEnd, end: tagEnd });
      if (!selfClosing) open.push(spans.length - 1);
      i = tagEnd;
    }
  }
  return spans;
}

function elementChildren(node: XmlNode): Element[] {
  const out: Element[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.nodeType === ELEMENT_NODE) out.push(c as Element);
  return out;
}

function preorderIndex(root: Element, target: Element): number {
  let index = 0;
  const visit = (el: Element): boolean => {
    if (el === target) return true;
    index++;
    return elementChildren(el).some(visit);
  };
  return visit(root) ? index : -1;
}

function qname(el: Element): string {
  return `{${el.namespaceURI ?? ''}}${el.localName}`;
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** Declarations the element relies on but does not carry itself (they sat on the Envelope or Body). */
function inheritedNamespaceDeclarations(el: Element): string {
  const own = new Set<string>();
  for (let i = 0; i < el.attributes.length; i++) own.add(el.attributes.item(i)!.name);
  const inherited = new Map<string, string>();
  for (let p = el.parentNode; p && p.nodeType === ELEMENT_NODE; p = p.parentNode) {
    const attrs = (p as Element).attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i)!;
      if ((a.name === 'xmlns' || a.name.startsWith('xmlns:')) && !own.has(a.name) && !inherited.has(a.name)) {
        inherited.set(a.name, a.value);
      }
    }
  }
  let decls = '';
  for (const [name, value] of inherited) {
    // An inherited `xmlns=""` is the default anyway once the ancestors are gone.
    if (name === 'xmlns' && value === '') continue;
    decls += ` ${name}="${escapeAttr(value)}"`;
  }
  return decls;
}

function unusedPrefix(text: string): string {
  for (let n = 0; ; n++) {
    const prefix = n === 0 ? 'mmwrap' : `mmwrap${n}`;
    if (!text.includes(prefix)) return prefix;
  }
}

type Prepared = { ok: true; xml: string; rename?: [string, string] } | { ok: false; errors: SchemaValidationIssue[] };

function invalid(message: string, line?: number): Prepared {
  return { ok: false, errors: [line === undefined ? { message } : { message, line }] };
}

function parseLine(err: unknown): number | undefined {
  const locator = (err as { locator?: { lineNumber?: number } }).locator;
  const line = locator?.lineNumber;
  return typeof line === 'number' && line >= 1 ? line : undefined;
}

/**
 * Cuts out the element to validate and, for SealedDelivery/SignedDelivery, puts it inside the wire
 * wrapper. The cut keeps the original text and pads the removed head with as many newlines, so libxml2's
 * line numbers point into the caller's document.
 */
function prepare(input: string, spec: KindSpec): Prepared {
  const text = input.replace(/\r\n?/g, '\n');
  let spans: ElementSpan[];
  try {
    spans = scanElements(text);
  } catch (e) {
    if (e instanceof DoctypeFound) {
      // SOAP 1.1 forbids DTDs, no Mina meddelanden document has one, and refusing them here keeps entity
      // expansion away from xmldom and libxml2.
      return invalid('a DOCTYPE (document type declaration) is not allowed');
    }
    throw e;
  }
  let doc;
  let problem: string | undefined;
  try {
    doc = new DOMParser({
      onError: (level, message) => {
        if (level === 'warning') return;
        problem ??= message;
        throw new Error(message);
      },
    }).parseFromString(text, 'text/xml');
  } catch (e) {
    return invalid(`not well-formed XML: ${problem ?? (e instanceof Error ? e.message : String(e))}`, parseLine(e));
  }
  const root = doc.documentElement;
  if (!root) return invalid('no document element');

  let target: Element = root;
  if (spec.soap && root.namespaceURI === NS.soap11 && root.localName === 'Envelope') {
    const body = elementChildren(root).find((c) => c.namespaceURI === NS.soap11 && c.localName === 'Body');
    const content = body ? elementChildren(body) : [];
    if (!body || content.length !== 1) {
      return invalid('a SOAP 1.1 Envelope must have a Body holding exactly one element');
    }
    target = content[0];
  }
  const expected = `{${spec.ns}}${spec.local}`;
  if (qname(target) !== expected) {
    return invalid(`expected element ${expected}, found ${qname(target)}`, target.lineNumber);
  }

  const index = preorderIndex(root, target);
  const span = spans[index];
  if (!span || text.slice(span.start + 1, span.nameEnd) !== target.tagName) {
    throw new MinaMeddelandenError(
      `could not locate <${target.tagName}> in the source text`,
      'SCHEMA_VALIDATOR_FAILED',
    );
  }
  const head = '\n'.repeat(text.slice(0, span.start).split('\n').length - 1);
  if (!spec.wrapper) {
    const xml =
      head +
      text.slice(span.start, span.nameEnd) +
      inheritedNamespaceDeclarations(target) +
      text.slice(span.nameEnd, span.end);
    return { ok: true, xml };
  }
  // The wrapper is prefixed so that the root's own declarations (its default namespace in particular)
  // can move onto the inner wrapper unchanged and keep meaning the same for every descendant.
  const w = spec.wrapper;
  const p = unusedPrefix(text);
  const selfClosing = span.closeStart === span.tagEnd;
  const attributes = text.slice(span.nameEnd, span.tagEnd - (selfClosing ? 2 : 1));
  const xml =
    `${head}<${p}:${w.outer} xmlns:${p}="${w.ns}"><${p}:${w.inner}${attributes}>` +
    text.slice(span.tagEnd, span.closeStart) +
    `</${p}:${w.inner}></${p}:${w.outer}>`;
  return { ok: true, xml, rename: [`{${w.ns}}${w.inner}'`, `${expected}'`] };
}

type Libxml2Module = typeof Libxml2;

/**
 * The one libxml2-wasm instance of this thread, with the input provider through which libxml2 reads
 * `xs:import`ed files while a schema compiles.
 */
interface Libxml2Host {
  lib: Libxml2Module;
  /** The XSD set being compiled (paths relative to its root); undefined outside a compilation. */
  serving: Map<string, Uint8Array> | undefined;
}

/**
 * Base URL of the schema files: `v3/Service.xsd` is parsed as `mm-schema:/v3/Service.xsd`, so libxml2
 * resolves `schemaLocation="../Message.xsd"` to `mm-schema:/Message.xsd`, which the provider serves.
 */
const SCHEMA_URL_BASE = 'mm-schema:/';
/**
 * Where the host is kept: on the global object of the main realm, not in this module. The libxml2 module
 * is cached per realm, its input providers are global (and limited in number), while this module may be
 * evaluated more than once (Jest evaluates it once per test file, in a fresh context, within one process).
 */
const HOST_KEY = Symbol.for('@hub/mina-meddelanden:libxml2-host');

/**
 * A real dynamic import. libxml2-wasm is an ES module with top-level await, so it cannot be require()d,
 * and TypeScript/swc compile a literal `import()` into require() for CommonJS output.
 */
async function importModule(url: string): Promise<unknown> {
  try {
    return await (new Function('url', 'return import(url)') as (u: string) => Promise<unknown>)(url);
  } catch (e) {
    // Jest runs CommonJS in a vm context without a dynamic-import hook, and --disallow-code-generation-
    // from-strings forbids `new Function`: then import through the main context's default loader (a Node
    // feature still marked experimental, which prints a warning once).
    const { code, name } = (e ?? {}) as { code?: unknown; name?: unknown };
    if (!String(code).startsWith('ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING') && name !== 'EvalError') throw e;
    const load = new vm.Script('(url) => import(url)', {
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    }).runInThisContext() as (u: string) => Promise<unknown>;
    return load(url);
  }
}

async function createHost(): Promise<Libxml2Host> {
  const lib = (await importModule(pathToFileURL(require.resolve('libxml2-wasm')).href)) as Libxml2Module;
  const host: Libxml2Host = { lib, serving: undefined };
  const open = new Map<number, { data: Uint8Array; pos: number }>();
  let lastFd = 0;
  const registered = lib.xmlRegisterInputProvider({
    // While a schema compiles, every URL is ours: whatever is not in the XSD set (an external DTD, an
    // import by absolute path or URL) fails to load rather than reaching a file system or the network.
    // The libxml2 build has neither, but the closed world does not depend on that.
    match: (url) => host.serving !== undefined || url.startsWith(SCHEMA_URL_BASE),
    open: (url) => {
      const data = url.startsWith(SCHEMA_URL_BASE) ? host.serving?.get(url.slice(SCHEMA_URL_BASE.length)) : undefined;
      if (!data) return undefined;
      lastFd = (lastFd % 0x3fffffff) + 1;
      open.set(lastFd, { data, pos: 0 });
      return lastFd;
    },
    read: (fd, buf) => {
      const file = open.get(fd);
      if (!file) return -1;
      const n = Math.min(buf.byteLength, file.data.byteLength - file.pos);
      buf.set(file.data.subarray(file.pos, file.pos + n));
      file.pos += n;
      return n;
    },
    close: (fd) => open.delete(fd),
  });
  if (!registered) throw new Error('libxml2 refused the schema input provider');
  return host;
}

/** The host of this thread, loaded (WebAssembly instantiation, ~0.1 s) on first use. */
function libxml2Host(): Promise<Libxml2Host> {
  const realm = vm.runInThisContext('globalThis') as Record<symbol, Promise<Libxml2Host> | undefined>;
  let host = realm[HOST_KEY];
  if (!host) {
    const created = createHost();
    realm[HOST_KEY] = host = created;
    // A failed load is not cached: the next validation tries again.
    created.catch(() => {
      if (realm[HOST_KEY] === created) delete realm[HOST_KEY];
    });
  }
  return host;
}

function messageOf(e: unknown): string {
  // Not `instanceof Error`: under Jest, libxml2's errors come from another realm.
  return typeof e === 'object' && e !== null && 'message' in e ? String(e.message).trim() : String(e);
}

/** libxml2 diagnostics as issues, worded like xmllint's (`Schemas validity error : Element '…': …`). */
function issues(
  details: Libxml2.ErrorDetail[],
  label: (level: number) => string,
  rename?: [string, string],
): SchemaValidationIssue[] {
  const out: SchemaValidationIssue[] = [];
  for (const d of details) {
    let message = d.message.trim();
    if (!message) continue;
    message = `${label(d.level)}${message}`;
    if (rename) message = message.split(rename[0]).join(rename[1]);
    out.push(d.line >= 1 ? { message, line: d.line } : { message });
  }
  return out;
}

/** No network, no external entities (a DOCTYPE never gets here anyway), line numbers past 65535. */
const documentParseOptions = ({ ParseOption: o }: Libxml2Module): number =>
  o.XML_PARSE_NONET | o.XML_PARSE_NO_XXE | o.XML_PARSE_BIG_LINES;

const validityLabel = (level: number): string =>
  level <= 1 ? 'Schemas validity warning : ' : 'Schemas validity error : ';
const parserLabel = (): string => 'not well-formed XML: ';

/**
 * Validates Mina meddelanden v3 documents against the vendored XSDs with libxml2 (libxml2-wasm, in
 * process). Each root schema (`v3/Service.xsd`, `v3/Message.xsd`, `v3/Recipient.xsd`) is compiled once
 * per validator, on first use, and reused; a validation parses the document and runs the compiled schema
 * synchronously on the calling thread, so concurrent callers simply take turns.
 *
 * Cost, median after warm-up on a 2-vCPU x86 VM with Node 24 while other work ran (load ~2): the 44 KB
 * signed SealedDelivery 0.95 ms (was ~110 ms on a quiet machine, 180–220 ms under such load, when every
 * call started an xmllint worker and recompiled the schemas), the 8.6 KB kivra deliverSecure envelope
 * 0.43 ms (was 185–225 ms), a 2 MB delivery ~30 ms. Roughly half of it is the xmldom pass that cuts out
 * the element, the rest libxml2. One thread thus validates ~1,000 SealedDeliveries per second (was 5–10
 * per core). The calling thread is busy meanwhile, ~30 ms for 2 MB. The first validation of a validator
 * also pays for loading libxml2 (~0.1 s, once per thread) and compiling the schema (~0.1 s per root schema).
 * WebAssembly memory grows to what the largest document needed (~16 MB after the 44 KB ones) and stays.
 */
export class SchemaValidator {
  private static sharedInstance: SchemaValidator | undefined;

  /** The root directory the XSDs were read from. */
  readonly schemaDir: string;
  private readonly files: Map<string, Uint8Array>;
  /** Compiled schemas by root schema path (`v3/Service.xsd`, …). */
  private readonly compiled = new Map<string, Libxml2.XsdValidator>();

  constructor(options: SchemaValidatorOptions = {}) {
    this.schemaDir = options.schemaDir ?? resolveContractSchemaDir();
    this.files = loadSchemaFiles(this.schemaDir);
  }

  /** One validator over the vendored contract, created on first use. */
  static shared(): SchemaValidator {
    SchemaValidator.sharedInstance ??= new SchemaValidator();
    return SchemaValidator.sharedInstance;
  }

  /**
   * Validates `xml` as `kind`. SealedDelivery and SignedDelivery are standalone documents (as signed);
   * deliverSecure, isReachable, isReachableResponse and deliverSecureResponse may be a whole SOAP 1.1
   * envelope or the bare Body element. Malformed XML, a DOCTYPE or the wrong document element make the
   * result invalid; only a failure of the validator itself rejects.
   */
  async validate(xml: string, kind: DocumentKind): Promise<SchemaValidationResult> {
    const spec = KINDS[kind];
    if (!spec) throw new MinaMeddelandenError(`unknown document kind ${String(kind)}`, 'SCHEMA_VALIDATOR_FAILED');
    const prepared = prepare(xml, spec);
    if (!prepared.ok) return { valid: false, errors: prepared.errors };

    let host: Libxml2Host;
    try {
      host = await libxml2Host();
    } catch (e) {
      throw new MinaMeddelandenError(`libxml2 could not be loaded: ${messageOf(e)}`, 'SCHEMA_VALIDATOR_FAILED');
    }
    // From here on everything is synchronous: no other caller can run inside libxml2 meanwhile.
    return this.check(host.lib, this.compiledSchema(host, spec.schema), prepared, kind);
  }

  /** Like {@link validate}, but throws {@link SchemaValidationError} (code `SCHEMA_INVALID`) when invalid. */
  async assertValid(xml: string, kind: DocumentKind): Promise<void> {
    const result = await this.validate(xml, kind);
    if (!result.valid) throw new SchemaValidationError(kind, result.errors);
  }

  /**
   * Frees the compiled schemas (WebAssembly memory) now rather than when the validator is garbage
   * collected. The validator stays usable: a later validation compiles again.
   */
  dispose(): void {
    for (const schema of this.compiled.values()) schema.dispose();
    this.compiled.clear();
  }

  private compiledSchema(host: Libxml2Host, schema: string): Libxml2.XsdValidator {
    const cached = this.compiled.get(schema);
    if (cached) return cached;
    const { lib } = host;
    let doc: Libxml2.XmlDocument | undefined;
    host.serving = this.files;
    try {
      doc = lib.XmlDocument.fromBuffer(this.files.get(schema)!, {
        url: SCHEMA_URL_BASE + schema,
        // Entities substituted as libxml2 does for the files it imports itself (xmldsig uses one).
        option: lib.ParseOption.XML_PARSE_NOENT | lib.ParseOption.XML_PARSE_NONET,
      });
      const compiled = lib.XsdValidator.fromDoc(doc);
      this.compiled.set(schema, compiled);
      return compiled;
    } catch (e) {
      throw new MinaMeddelandenError(
        `libxml2 could not compile ${schema} from ${this.schemaDir}: ${messageOf(e)}`,
        'SCHEMA_VALIDATOR_FAILED',
      );
    } finally {
      host.serving = undefined;
      doc?.dispose();
    }
  }

  private check(
    lib: Libxml2Module,
    schema: Libxml2.XsdValidator,
    prepared: Extract<Prepared, { ok: true }>,
    kind: DocumentKind,
  ): SchemaValidationResult {
    const failed = (e: unknown): MinaMeddelandenError =>
      new MinaMeddelandenError(`libxml2 could not validate ${kind}: ${messageOf(e)}`, 'SCHEMA_VALIDATOR_FAILED');
    let doc: Libxml2.XmlDocument;
    try {
      doc = lib.XmlDocument.fromString(prepared.xml, { encoding: 'utf-8', option: documentParseOptions(lib) });
    } catch (e) {
      // xmldom accepted it, libxml2 did not (they differ in a few corners).
      if (!(e instanceof lib.XmlParseError)) throw failed(e);
      const errors = issues(e.details, parserLabel, prepared.rename);
      return { valid: false, errors: errors.length ? errors : [{ message: `not well-formed XML: ${messageOf(e)}` }] };
    }
    try {
      schema.validate(doc);
      return { valid: true, errors: [] };
    } catch (e) {
      if (!(e instanceof lib.XmlValidateError)) throw failed(e);
      const errors = issues(e.details, validityLabel, prepared.rename);
      return { valid: false, errors: errors.length ? errors : [{ message: 'libxml2 reported the document invalid' }] };
    } finally {
      doc.dispose();
    }
  }
}
