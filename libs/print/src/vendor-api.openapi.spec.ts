import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { PRINT_VENDOR_OPENAPI } from './vendor-api.openapi';

// The wire types are the contract; the OpenAPI document is checked against their source (the endpoint
// list of the header comment and every interface), so neither can change without the other.
const TYPES_FILE = join(__dirname, 'vendor-api.types.ts');
const source = ts.createSourceFile(TYPES_FILE, readFileSync(TYPES_FILE, 'utf8'), ts.ScriptTarget.ES2023, true);

type Json = Record<string, unknown>;
const doc = PRINT_VENDOR_OPENAPI as unknown as Json;
const paths = doc.paths as Record<string, Record<string, Json>>;
const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

function resolvePointer(ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`${ref}: only local references are used`);
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Json)[key] : undefined), doc);
}

function deref<T = Json>(node: unknown): T {
  let n = node as Json;
  for (let i = 0; n && typeof n.$ref === 'string' && i < 10; i++) n = resolvePointer(n.$ref) as Json;
  return n as T;
}

function collectRefs(node: unknown, at = '#', out: { at: string; ref: string }[] = []): { at: string; ref: string }[] {
  if (Array.isArray(node)) node.forEach((v, i) => collectRefs(v, `${at}/${i}`, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push({ at, ref: v });
      else collectRefs(v, `${at}/${k}`, out);
    }
  }
  return out;
}

/** `- \`GET  /print/v1/…\`` lines of the contract comment. */
function contractEndpoints(): { method: string; path: string }[] {
  return [...source.text.matchAll(/^\s*\*\s*-\s*`(GET|POST|PUT|PATCH|DELETE)\s+(\/[^`?\s]+)/gm)].map((m) => ({ method: m[1].toLowerCase(), path: m[2] }));
}

function operations(): { path: string; method: string; op: Json; pathItem: Json }[] {
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ path, method, op, pathItem: item })),
  );
}

/** Differences between a TypeScript type (from the contract) and a JSON schema of the document. */
function compare(type: ts.TypeNode | ts.InterfaceDeclaration, schemaNode: unknown, at: string): string[] {
  if (ts.isTypeReferenceNode(type as ts.Node)) {
    const name = (type as ts.TypeReferenceNode).typeName.getText(source);
    const expected = `#/components/schemas/${name}`;
    return (schemaNode as Json)?.$ref === expected ? [] : [`${at}: should be { $ref: "${expected}" }`];
  }
  const schema = deref(schemaNode);
  if (!schema) return [`${at}: no schema`];
  if (ts.isInterfaceDeclaration(type) || ts.isTypeLiteralNode(type as ts.Node)) {
    const members = (type as ts.InterfaceDeclaration | ts.TypeLiteralNode).members.filter(ts.isPropertySignature);
    const problems: string[] = [];
    if (schema.type !== 'object') problems.push(`${at}: type should be object`);
    const props = (schema.properties ?? {}) as Record<string, unknown>;
    const names = members.map((m) => m.name.getText(source));
    for (const extra of Object.keys(props).filter((p) => !names.includes(p))) problems.push(`${at}.${extra}: not in the wire types`);
    const required = members.filter((m) => !m.questionToken).map((m) => m.name.getText(source));
    if ([...((schema.required as string[]) ?? [])].sort().join() !== [...required].sort().join()) {
      problems.push(`${at}: required should be [${required.join(', ')}], is [${((schema.required as string[]) ?? []).join(', ')}]`);
    }
    for (const m of members) {
      const name = m.name.getText(source);
      if (!(name in props)) problems.push(`${at}.${name}: missing`);
      else if (m.type) problems.push(...compare(m.type, props[name], `${at}.${name}`));
    }
    return problems;
  }
  const node = type as ts.TypeNode;
  if (ts.isUnionTypeNode(node)) {
    const literals = node.types.map((t) => (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? t.literal.text : undefined));
    if (literals.includes(undefined)) return [`${at}: only unions of string literals are compared`];
    const ok = schema.type === 'string' && [...((schema.enum as string[]) ?? [])].sort().join() === [...(literals as string[])].sort().join();
    return ok ? [] : [`${at}: should be a string enum of ${literals.join(', ')}`];
  }
  if (ts.isArrayTypeNode(node)) {
    return schema.type === 'array' ? compare(node.elementType, schema.items, `${at}[]`) : [`${at}: type should be array`];
  }
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return schema.type === 'string' ? [] : [`${at}: type should be string`];
    case ts.SyntaxKind.NumberKeyword:
      return schema.type === 'integer' || schema.type === 'number' ? [] : [`${at}: type should be integer or number`];
    case ts.SyntaxKind.BooleanKeyword:
      return schema.type === 'boolean' ? [] : [`${at}: type should be boolean`];
    case ts.SyntaxKind.UnknownKeyword:
      return schema.type === undefined ? [] : [`${at}: unknown is any JSON value (no type)`];
  }
  return [`${at}: TypeScript type ${node.getText(source)} is not handled by this test`];
}

describe('PRINT_VENDOR_OPENAPI', () => {
  it('is a JSON-serialisable OpenAPI 3.1 document', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String), description: expect.any(String) });
    for (const p of Object.keys(paths)) expect(p).toMatch(/^\//);
  });

  it('resolves every $ref, and uses every schema it declares', () => {
    const refs = collectRefs(doc);
    expect(refs.length).toBeGreaterThan(20);
    const unresolved = refs.filter((r) => resolvePointer(r.ref) === undefined);
    expect(unresolved).toEqual([]);
    const used = new Set(refs.map((r) => r.ref));
    expect(Object.keys(schemas).filter((name) => !used.has(`#/components/schemas/${name}`))).toEqual([]);
  });

  it('has exactly the endpoints of the contract comment, each with its method', () => {
    const contract = contractEndpoints();
    expect(contract.length).toBe(9);
    const documented = operations().map((o) => `${o.method.toUpperCase()} ${o.path}`);
    expect(documented.sort()).toEqual(contract.map((e) => `${e.method.toUpperCase()} ${e.path}`).sort());
  });

  it('declares every path parameter, gives every operation a unique id, a 200 and ApiError errors', () => {
    const ids = new Set<string>();
    for (const { path, method, op, pathItem } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(typeof op.operationId).toBe('string');
      expect(ids.has(op.operationId as string)).toBe(false);
      ids.add(op.operationId as string);
      const params = [...((pathItem.parameters as unknown[]) ?? []), ...((op.parameters as unknown[]) ?? [])].map((p) => deref(p));
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
        expect({ where, param: params.find((p) => p.name === name && p.in === 'path') }).toMatchObject({ where, param: { required: true, schema: { type: 'string' } } });
      }
      const responses = op.responses as Record<string, Json>;
      expect({ where, ok: deref(responses['200'])?.description }).toEqual({ where, ok: expect.any(String) });
      for (const [code, response] of Object.entries(responses).filter(([c]) => c !== '200')) {
        expect({ where, code, schema: (deref(response).content as Json)?.['application/json'] }).toEqual({ where, code, schema: { schema: { $ref: '#/components/schemas/ApiError' } } });
      }
      if (path !== '/print/v1/openapi.json') {
        expect({ where, errors: Object.keys(responses).filter((c) => c === '401' || c === '403') }).toEqual({ where, errors: ['401', '403'] });
        expect(op.security).toBeUndefined();
      }
    }
    expect(paths['/print/v1/openapi.json'].get.security).toEqual([]);
    expect(paths['/print/v1/batches/{batchId}/status'].post.responses).toHaveProperty('409');
  });

  it('requires a bearer token from the client credentials grant, and says the token URL is deployment-specific', () => {
    expect(doc.security).toEqual([{ vendorClientCredentials: [] }]);
    const scheme = (doc.components as { securitySchemes: Record<string, Json> }).securitySchemes.vendorClientCredentials;
    expect(scheme).toMatchObject({ type: 'oauth2', flows: { clientCredentials: { tokenUrl: expect.stringMatching(/^https:\/\//), scopes: {} } } });
    expect(scheme.description).toMatch(/Bearer/);
    expect(scheme.description).toMatch(/deployment-specific/);
    expect(scheme.description).toMatch(/print-vendor/);
  });

  it('describes the downloads with their content types and the checksum header', () => {
    const ok = (path: string) => paths[path].get.responses as Record<string, Json>;
    const pdf = ok('/print/v1/batches/{batchId}/pdf')['200'];
    expect(Object.keys(pdf.content as Json)).toEqual(['application/pdf']);
    expect(pdf.headers).toMatchObject({ 'X-Checksum-SHA256': { required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } } });
    const manifest = ok('/print/v1/batches/{batchId}/manifest.json')['200'];
    expect(manifest.content).toEqual({ 'application/json': { schema: { $ref: '#/components/schemas/BatchManifest' } } });
    expect(manifest.headers).toHaveProperty('X-Checksum-SHA256');
    const csv = ok('/print/v1/batches/{batchId}/manifest.csv')['200'];
    expect(Object.keys(csv.content as Json)).toEqual(['text/csv; charset=utf-8']);
    expect(csv.headers).toHaveProperty('X-Checksum-SHA256');
    const list = paths['/print/v1/batches'].get.parameters as Json[];
    expect(deref(list.find((p) => p.name === 'status')?.schema)).toMatchObject({ enum: expect.arrayContaining(['READY', 'ACKNOWLEDGED']) });
  });

  it('uses the wire types for the request and response bodies', () => {
    const body = (path: string, method: string) => ((paths[path][method].requestBody as Json).content as Json)['application/json'];
    expect(body('/print/v1/batches/{batchId}/status', 'post')).toEqual({ schema: { $ref: '#/components/schemas/BatchStatusReport' } });
    expect(body('/print/v1/letters/status', 'post')).toEqual({ schema: { $ref: '#/components/schemas/LetterStatusReports' } });
    const okSchema = (path: string, method: string) => (((paths[path][method].responses as Json)['200'] as Json).content as Json)['application/json'];
    expect(okSchema('/print/v1/batches', 'get')).toEqual({ schema: { $ref: '#/components/schemas/BatchList' } });
    expect(okSchema('/print/v1/batches/{batchId}', 'get')).toEqual({ schema: { $ref: '#/components/schemas/PrintBatchSummary' } });
    expect(okSchema('/print/v1/batches/{batchId}/acknowledge', 'post')).toEqual({ schema: { $ref: '#/components/schemas/PrintBatchSummary' } });
    expect(okSchema('/print/v1/batches/{batchId}/status', 'post')).toEqual({ schema: { $ref: '#/components/schemas/StatusReportResult' } });
    expect(okSchema('/print/v1/letters/status', 'post')).toEqual({ schema: { $ref: '#/components/schemas/StatusReportResult' } });
  });

  it('has a schema for every exported type, with every property, its required-ness, type and enum', () => {
    const declarations = source.statements.filter(
      (s): s is ts.InterfaceDeclaration | ts.TypeAliasDeclaration => (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && !!s.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword),
    );
    expect(declarations.map((d) => d.name.text).sort()).toEqual(
      ['ApiError', 'BatchFileRef', 'BatchList', 'BatchManifest', 'BatchStatusReport', 'LetterStatusReport', 'LetterStatusReports', 'PrintBatchStatus', 'PrintBatchSummary', 'PrintLetterStatus', 'StatusReportResult'],
    );
    const problems = declarations.flatMap((d) => {
      const schema = schemas[d.name.text];
      if (!schema) return [`${d.name.text}: no schema in components.schemas`];
      return compare(ts.isInterfaceDeclaration(d) ? d : d.type, schema, d.name.text);
    });
    expect(problems).toEqual([]);
  });

  it('would notice a missing property, a wrong required list and a wrong enum (the comparison is not vacuous)', () => {
    const summary = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'PrintBatchSummary')!;
    const properties = { ...(schemas.PrintBatchSummary.properties as Json), postageClass: { type: 'string', enum: ['FIRST_CLASS'] } } as Json;
    delete properties.acknowledgeBy;
    const trimmed = { ...schemas.PrintBatchSummary, properties, required: [...(schemas.PrintBatchSummary.required as string[]), 'readyAt'] };
    expect(compare(summary, trimmed, 'PrintBatchSummary')).toEqual([
      expect.stringMatching(/^PrintBatchSummary: required should be/),
      'PrintBatchSummary.postageClass: should be a string enum of FIRST_CLASS, ECONOMY',
      'PrintBatchSummary.acknowledgeBy: missing',
    ]);
  });
});
