import { accessSync, constants, readFileSync } from 'node:fs';
import { checkRecipientId } from '@hub/mina-meddelanden';
import { FaultConfig } from './fault-injection';
import type { OidcRegistrationOptions } from './oidc/client-registration';
import type { OidcClientSeed, OidcUserSeed } from './oidc/oidc-issuer';

export type AccountType = 'Secure' | 'Anonymous' | 'Not';

export interface RegisterEntry {
  id: string;
  type: AccountType;
  /** Key of the mailbox operator holding the mailbox (Secure accounts). */
  operator?: string;
  pending?: boolean;
  /** false: the recipient accepts digital mail from no sender. */
  senderAccepted?: boolean;
  /** Senders ("16"+orgnr) this recipient has blocked. */
  rejectedSenders?: string[];
}

export interface OperatorSeed {
  key: string;
  /** "16" + organisationsnummer. */
  id: string;
  name: string;
  port: number;
  uiAddress?: string;
  faults?: FaultConfig;
}

/**
 * How FaR answers for ids not in the register: `not-registered`, or `hash`, which spreads them over
 * operators by a stable hash of the id (for load tests with many recipients).
 */
export type UnlistedRule = { mode: 'not-registered' } | { mode: 'hash'; shares: Record<string, number> };

/** A recipient whose letters the print vendor reports as returned mail (matched on the address's first line). */
export interface ReturnedMailSeed {
  name: string;
  /** e.g. `ADDRESSEE_UNKNOWN`, `MOVED`. */
  reason: string;
  /** Milliseconds after the acknowledgement; not before `postedAfterMs`. */
  afterMs: number;
}

/** The print vendor that pulls batches from the hub's print-vendor API (see print-vendor/print-vendor-simulator.ts). */
export interface PrintVendorSeed {
  /** Base URL of the hub's API, e.g. `http://127.0.0.1:3000`. */
  hubUrl: string;
  /** Token endpoint for the client credentials grant; default: the simulators' own OIDC issuer's. */
  tokenUrl?: string;
  clientId: string;
  clientSecret: string;
  /** PEM CA certificate(s) to trust for an https hub or token endpoint, besides the usual ones. */
  caFile?: string;
  pollIntervalMs: number;
  /** Milliseconds after the acknowledgement to report the batch PRINTED … */
  printedAfterMs: number;
  /** … and POSTED (not before printedAfterMs). */
  postedAfterMs: number;
  returned: ReturnedMailSeed[];
}

export interface SimulatorSeed {
  pkiDir: string;
  /** Address to listen on. */
  host: string;
  /** Host name others use to reach the simulators (in the URLs FaR hands out and in the TLS certificates); default `host`. */
  publicHost?: string;
  admin: { port: number };
  far: { port: number; clients: string[]; faults?: FaultConfig };
  /** Förmedlare ("16"+orgnr) whose seal the operators accept (their certificates come from the PKI). */
  intermediaries: string[];
  operators: OperatorSeed[];
  pki: {
    intermediary: { orgnr: string; name: string };
    municipalities: { orgnr: string; name: string }[];
  };
  register: RegisterEntry[];
  unlisted: UnlistedRule;
  /** The local OIDC issuer (a stand-in for Keycloak): omit to run without it. */
  oidc?: {
    port: number;
    issuerPath?: string;
    audience: string;
    /** Signing keys, kept across restarts (default <pkiDir>/../oidc-jwks.json). */
    keysFile?: string;
    accessTokenTtlSeconds?: number;
    clients: OidcClientSeed[];
    users?: OidcUserSeed[];
    /** Dynamic client registration (RFC 7591/7592) for the hub's API clients; e.g. clientsFile keeps registered clients across restarts. */
    registration?: OidcRegistrationOptions;
  };
  /** A print vendor pulling batches from the hub: omit to run without it. */
  printVendor?: PrintVendorSeed;
  /** Accept rsa-sha1 signatures too. Default false. */
  allowSha1?: boolean;
  /** Validate each incoming delivery against the XSDs. Default true. */
  validateSchema?: boolean;
}

/** A seed file that cannot be used; the message names the field. */
export class SeedError extends Error {}

/** Reads and checks a seed file; every problem is reported with the field it concerns. */
export function loadSeed(path: string): SimulatorSeed {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SeedError(`cannot read seed file ${path}: ${(e as Error).message}`);
  }
  return checkSeed(raw, path);
}

export function checkSeed(raw: unknown, source = 'seed'): SimulatorSeed {
  const problems: string[] = [];
  const s = raw as SimulatorSeed;
  const port = (v: unknown, field: string) => {
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 65535) problems.push(`${field} must be a port number 0–65535`);
  };
  if (!s || typeof s !== 'object') throw new SeedError(`${source}: must be a JSON object`);
  if (typeof s.pkiDir !== 'string') problems.push('pkiDir must be a directory path');
  if (typeof s.host !== 'string') problems.push('host must be an address to listen on, e.g. 127.0.0.1');
  port(s.admin?.port, 'admin.port');
  port(s.far?.port, 'far.port');
  if (!Array.isArray(s.far?.clients)) problems.push('far.clients must list the "16"+orgnr of clients FaR accepts');
  if (!Array.isArray(s.intermediaries)) problems.push('intermediaries must list förmedlare ids ("16"+orgnr)');
  const keys = new Set<string>();
  (Array.isArray(s.operators) ? s.operators : []).forEach((o, i) => {
    if (typeof o.key !== 'string' || !/^[a-z0-9-]+$/.test(o.key)) problems.push(`operators[${i}].key must be lower-case letters, digits, dashes`);
    if (keys.has(o.key)) problems.push(`operators[${i}].key "${o.key}" is used twice`);
    keys.add(o.key);
    const id = checkRecipientId(o.id);
    if (!id.ok || id.kind !== 'organisationsnummer') problems.push(`operators[${i}].id must be "16" + a valid organisationsnummer`);
    if (typeof o.name !== 'string' || o.name.length === 0) problems.push(`operators[${i}].name is required`);
    port(o.port, `operators[${i}].port`);
  });
  if (!Array.isArray(s.operators) || s.operators.length === 0) problems.push('operators must list at least one mailbox operator');
  if (!s.pki?.intermediary?.orgnr || !Array.isArray(s.pki?.municipalities)) problems.push('pki.intermediary and pki.municipalities are required');
  (Array.isArray(s.register) ? s.register : []).forEach((r, i) => {
    const id = checkRecipientId(r.id);
    if (!id.ok) problems.push(`register[${i}].id ${r.id}: ${id.message}`);
    if (!['Secure', 'Anonymous', 'Not'].includes(r.type)) problems.push(`register[${i}].type must be Secure, Anonymous or Not`);
    if (r.type === 'Secure' && !keys.has(r.operator ?? '')) problems.push(`register[${i}].operator must name one of the operators (${[...keys].join(', ')})`);
  });
  if (!Array.isArray(s.register)) problems.push('register must be a list');
  if (s.unlisted?.mode === 'hash') {
    for (const k of Object.keys(s.unlisted.shares ?? {})) {
      if (k !== 'not-registered' && !keys.has(k)) problems.push(`unlisted.shares: "${k}" is not an operator key (or "not-registered")`);
    }
  } else if (s.unlisted?.mode !== 'not-registered') problems.push('unlisted.mode must be "not-registered" or "hash"');
  if (s.printVendor !== undefined) problems.push(...checkPrintVendor(s.printVendor, s.oidc));
  if (problems.length) throw new SeedError(`${source}: ${problems.join('; ')}`);
  return s;
}

function checkPrintVendor(v: PrintVendorSeed, oidc: SimulatorSeed['oidc']): string[] {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return ['printVendor must be an object (or be left out)'];
  const problems: string[] = [];
  const httpUrl = (u: unknown) => typeof u === 'string' && /^https?:$/.test(URL.parse(u)?.protocol ?? '');
  const ms = (value: unknown, field: string, min: number, minText = String(min)) => {
    if (!Number.isInteger(value) || (value as number) < min) problems.push(`printVendor.${field} must be a whole number of milliseconds, at least ${minText}`);
  };
  if (!httpUrl(v.hubUrl)) problems.push('printVendor.hubUrl must be the http(s) base URL of the hub\'s API, e.g. http://127.0.0.1:3000');
  if (v.tokenUrl !== undefined && !httpUrl(v.tokenUrl)) problems.push('printVendor.tokenUrl must be an http(s) URL of a token endpoint (or be left out to use the simulators\' OIDC issuer)');
  if (v.tokenUrl === undefined && !oidc) problems.push('printVendor.tokenUrl is required when the seed has no oidc section (the default is the simulators\' own OIDC issuer)');
  if (typeof v.clientId !== 'string' || v.clientId === '') problems.push('printVendor.clientId must be the OAuth client id of the vendor');
  if (typeof v.clientSecret !== 'string' || v.clientSecret === '') problems.push('printVendor.clientSecret must be the client secret (client credentials grant)');
  if (v.tokenUrl === undefined && oidc && typeof v.clientId === 'string' && Array.isArray(oidc.clients)) {
    // The default token endpoint is our own issuer: the client must be one of its confidential clients.
    const client = oidc.clients.find((c) => c.clientId === v.clientId);
    if (!client) problems.push(`printVendor.clientId "${v.clientId}" is not one of oidc.clients`);
    else if (client.clientSecret !== v.clientSecret) problems.push(`printVendor.clientSecret is not the clientSecret of oidc.clients "${v.clientId}"`);
  }
  if (v.caFile !== undefined) {
    if (typeof v.caFile !== 'string' || v.caFile === '') problems.push('printVendor.caFile must be the path of a PEM CA certificate file');
    else {
      try {
        accessSync(v.caFile, constants.R_OK);
      } catch {
        problems.push(`printVendor.caFile: cannot read ${v.caFile}`);
      }
    }
  }
  ms(v.pollIntervalMs, 'pollIntervalMs', 1);
  ms(v.printedAfterMs, 'printedAfterMs', 0);
  const printed = Number.isInteger(v.printedAfterMs) ? v.printedAfterMs : 0;
  ms(v.postedAfterMs, 'postedAfterMs', printed, `printedAfterMs (${printed}): letters are posted after they are printed`);
  const posted = Number.isInteger(v.postedAfterMs) ? v.postedAfterMs : printed;
  if (!Array.isArray(v.returned)) problems.push('printVendor.returned must be a list of { name, reason, afterMs } (may be empty)');
  else {
    v.returned.forEach((r, i) => {
      if (!r || typeof r !== 'object') return problems.push(`printVendor.returned[${i}] must be an object { name, reason, afterMs }`);
      if (typeof r.name !== 'string' || r.name.trim() === '') problems.push(`printVendor.returned[${i}].name must be the recipient's name as on the address's first line`);
      if (typeof r.reason !== 'string' || r.reason.trim() === '') problems.push(`printVendor.returned[${i}].reason is required, e.g. ADDRESSEE_UNKNOWN`);
      ms(r.afterMs, `returned[${i}].afterMs`, posted, `postedAfterMs (${posted}): mail comes back after it was posted`);
    });
  }
  return problems;
}

/** The test PKI the simulators (and the demo tools) need for a seed. */
export function pkiSpecForSeed(seed: SimulatorSeed) {
  return {
    intermediary: seed.pki.intermediary,
    municipalities: seed.pki.municipalities,
    servers: [
      { name: 'far', commonName: 'FaR simulator', dnsNames: extraDns(seed) },
      ...seed.operators.map((o) => ({ name: `operator-${o.key}`, orgnr: o.id.slice(2), commonName: o.name, dnsNames: extraDns(seed) })),
    ],
  };
}

function extraDns(seed: SimulatorSeed): string[] | undefined {
  const h = seed.publicHost;
  return h && h !== 'localhost' && !/^[\d.:]+$/.test(h) ? [h] : undefined;
}

/**
 * The seed with every listening port set to 0, so the OS picks free ones (tests and benchmarks run
 * beside a running demo). Every port of the seed is here, so a new party cannot be forgotten.
 * The print vendor listens on no port; its `hubUrl` still names the demo API's, so a test that runs
 * a hub of its own points `printVendor.hubUrl` at it (or deletes `printVendor`).
 */
export function withFreePorts<S extends { admin: { port: number }; far: { port: number }; operators: { port: number }[]; oidc?: { port: number } }>(seed: S): S {
  seed.admin.port = 0;
  seed.far.port = 0;
  for (const o of seed.operators) o.port = 0;
  if (seed.oidc) seed.oidc.port = 0;
  return seed;
}
