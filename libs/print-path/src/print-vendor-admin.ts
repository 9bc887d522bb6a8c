import type { EntityManager } from '@mikro-orm/postgresql';
import { ENVELOPE_PROFILES } from '@hub/print';
import { FieldViolation, IntakeError, IntakeErrorCode, LetterValidationError, POSTAGE_CLASSES, PostageClassName, sql } from '@hub/letters';
import type { TenantDb } from '@hub/persistence';
import { isCutoffTime } from './cutoff';

/** A print vendor as the platform operator administers it (table print_vendor). */
export interface PrintVendorAdminView {
  id: string;
  name: string;
  clientId: string;
  envelopeProfile: string;
  /** The vendor has its own envelope profile (set outside the console), which wins over `envelopeProfile`. */
  hasCustomEnvelopeProfile: boolean;
  maxPages: number;
  maxBatchLetters: number;
  cutoffTimes: string[];
  maxWaitSeconds: number | null;
  ackDeadlineMinutes: number;
  duplex: boolean;
  colour: boolean;
  postageClasses: PostageClassName[];
  active: boolean;
  createdAt: Date;
  updatedAt: Date | null;
  /** Municipalities whose letters go to this vendor: named in their print settings, or by default as the only active vendor. */
  tenantsUsing: string[];
}

/** The settings of a vendor (everything but its id); on update, a field left out stays as it is. */
export interface PrintVendorFields {
  name?: string | null;
  clientId?: string | null;
  envelopeProfile?: string | null;
  maxPages?: number | null;
  maxBatchLetters?: number | null;
  cutoffTimes?: string[] | null;
  /** null: no longest wait (batches close at the cut-off times or when full). */
  maxWaitSeconds?: number | null;
  ackDeadlineMinutes?: number | null;
  duplex?: boolean | null;
  colour?: boolean | null;
  postageClasses?: string[] | null;
  active?: boolean | null;
}

export interface PrintVendorCreateInput extends PrintVendorFields {
  id?: string | null;
}

/** Who makes a change and how it is audited (in the same transaction as the change). */
export interface PlatformChange {
  actor: string;
  audit(em: EntityManager, entry: { action: string; target: string; detail: Record<string, unknown> }): Promise<void>;
}

/** The table's defaults, for fields a new vendor leaves out. */
export const PRINT_VENDOR_DEFAULTS = {
  envelopeProfile: 'C5-H2',
  maxPages: 20,
  maxBatchLetters: 5000,
  ackDeadlineMinutes: 240,
  duplex: true,
  colour: false,
  postageClasses: [...POSTAGE_CLASSES] as PostageClassName[],
  active: true,
} as const;

export const PRINT_VENDOR_LIMITS = {
  maxPages: [1, 500],
  maxBatchLetters: [1, 100_000],
  maxWaitSeconds: [1, 7 * 24 * 3600],
  ackDeadlineMinutes: [1, 7 * 24 * 60],
  cutoffTimes: 24,
} as const;

const VENDOR_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;
const CLIENT_ID = /^[\x21-\x7e]{1,255}$/;

/** Every field a vendor's row needs, after defaults and the stored values are filled in. */
type Complete = Omit<PrintVendorAdminView, 'id' | 'hasCustomEnvelopeProfile' | 'tenantsUsing' | 'createdAt' | 'updatedAt'>;

function intIn(v: FieldViolation[], path: string, value: number, [min, max]: readonly [number, number], what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) v.push({ path, rule: 'range', message: `must be a whole number from ${min} to ${max} (${what}); got ${value}` });
}

/**
 * Checks a vendor's complete settings: every broken rule, each naming its field. Pure (no database):
 * the rules that need the other vendors and the municipalities are in {@link PrintVendorAdmin}.
 */
export function checkPrintVendorFields(f: Complete): FieldViolation[] {
  const v: FieldViolation[] = [];
  const name = f.name.trim();
  if (name.length < 2 || name.length > 200) v.push({ path: 'name', rule: 'length', message: 'must be 2–200 characters: the vendor\'s name as municipalities know it' });
  if (!CLIENT_ID.test(f.clientId)) {
    v.push({ path: 'clientId', rule: 'format', message: 'must be the OAuth client id the identity provider issues the vendor\'s tokens to: 1–255 visible characters, no spaces' });
  }
  if (!(f.envelopeProfile in ENVELOPE_PROFILES)) {
    v.push({ path: 'envelopeProfile', rule: 'enum', message: `is ${JSON.stringify(f.envelopeProfile)}; must be one of ${Object.keys(ENVELOPE_PROFILES).join(', ')}` });
  }
  intIn(v, 'maxPages', f.maxPages, PRINT_VENDOR_LIMITS.maxPages, 'the most pages the vendor prints in one letter');
  intIn(v, 'maxBatchLetters', f.maxBatchLetters, PRINT_VENDOR_LIMITS.maxBatchLetters, 'letters in one batch: a fuller batch closes at once');
  intIn(v, 'ackDeadlineMinutes', f.ackDeadlineMinutes, PRINT_VENDOR_LIMITS.ackDeadlineMinutes, 'minutes the vendor has to acknowledge a ready batch');
  if (f.maxWaitSeconds !== null) intIn(v, 'maxWaitSeconds', f.maxWaitSeconds, PRINT_VENDOR_LIMITS.maxWaitSeconds, 'seconds the oldest letter may wait before its batch closes');
  f.cutoffTimes.forEach((t, i) => {
    if (!isCutoffTime(t)) v.push({ path: `cutoffTimes[${i}]`, rule: 'format', message: `is ${JSON.stringify(t)}; a cut-off time is HH:MM on a 24-hour clock, e.g. 15:00` });
  });
  if (new Set(f.cutoffTimes).size !== f.cutoffTimes.length) v.push({ path: 'cutoffTimes', rule: 'unique', message: 'lists a time twice' });
  if (f.cutoffTimes.length > PRINT_VENDOR_LIMITS.cutoffTimes) v.push({ path: 'cutoffTimes', rule: 'maxItems', message: `has ${f.cutoffTimes.length} times; at most ${PRINT_VENDOR_LIMITS.cutoffTimes}` });
  if (f.cutoffTimes.length === 0 && f.maxWaitSeconds === null) {
    v.push({
      path: 'cutoffTimes',
      rule: 'closing',
      message: 'give at least one cut-off time or a longest wait (maxWaitSeconds): otherwise a batch closes only when it is full, and a small municipality\'s letters could wait for ever',
    });
  }
  if (f.postageClasses.length === 0) v.push({ path: 'postageClasses', rule: 'required', message: `must name at least one postage class the vendor handles (${POSTAGE_CLASSES.join(', ')})` });
  f.postageClasses.forEach((c, i) => {
    if (!(POSTAGE_CLASSES as readonly string[]).includes(c)) v.push({ path: `postageClasses[${i}]`, rule: 'enum', message: `is ${JSON.stringify(c)}; must be one of ${POSTAGE_CLASSES.join(', ')}` });
  });
  if (new Set(f.postageClasses).size !== f.postageClasses.length) v.push({ path: 'postageClasses', rule: 'unique', message: 'names a postage class twice' });
  return v;
}

interface VendorRow {
  id: string;
  name: string;
  client_id: string;
  envelope_profile: string;
  custom_envelope_profile: unknown;
  max_pages: number;
  max_batch_letters: number;
  cutoff_times: string[];
  max_wait_seconds: number | null;
  ack_deadline_minutes: number;
  duplex: boolean;
  colour: boolean;
  postage_classes: PostageClassName[];
  active: boolean;
  created_at: Date;
  updated_at: Date | null;
}

interface TenantRow {
  name: string;
  print_vendor_id: string | null;
}

const NOT_FOUND = (id: string) => new IntakeError(IntakeErrorCode.NotFound, `No print vendor ${JSON.stringify(id)} is registered; printVendors lists the registered ones.`);
const refused = (fields: FieldViolation[]) => new LetterValidationError(fields, 'The print vendor was refused');

/**
 * The platform operator's administration of print vendors: list, create, change (no delete: batches
 * and letters refer to their vendor for ever; deactivate instead). Writes go through the SECURITY
 * DEFINER functions `platform_print_vendor_create/update`, serialised by an advisory lock, each with
 * its audit entry in the same transaction.
 *
 * Which vendor a municipality's letters go to: the one its print settings name, else the only
 * active vendor. So a change that would leave a municipality without one is refused: deactivating a
 * vendor a municipality names, or making a second vendor active while municipalities rely on the
 * only one (they must name their vendor first, in their print settings).
 */
export class PrintVendorAdmin {
  constructor(private readonly db: TenantDb) {}

  async list(): Promise<PrintVendorAdminView[]> {
    return this.db.withoutTenant(async (em) => {
      const { vendors, tenants } = await this.read(em as EntityManager);
      return vendors.map((r) => toView(r, tenantsUsing(r, vendors, tenants)));
    });
  }

  async create(input: PrintVendorCreateInput, change: PlatformChange): Promise<PrintVendorAdminView> {
    const id = (input.id ?? '').trim();
    const fields = complete(input, PRINT_VENDOR_DEFAULTS);
    const problems = VENDOR_ID.test(id)
      ? []
      : [{ path: 'id', rule: 'format', message: 'must be 2–63 lower-case letters a–z, digits and hyphens, starting with a letter or digit (it names the vendor in batches and manifests and cannot be changed later)' }];
    problems.push(...checkPrintVendorFields(fields));
    if (problems.length) throw refused(problems);
    return this.db.withoutTenant(async (tx) => {
      const em = tx as EntityManager;
      await lock(em);
      const { vendors, tenants } = await this.read(em);
      const clash: FieldViolation[] = [];
      if (vendors.some((x) => x.id === id)) clash.push({ path: 'id', rule: 'unique', message: `${JSON.stringify(id)} is already a vendor's id: choose another` });
      const sameClient = vendors.find((x) => x.client_id === fields.clientId);
      if (sameClient) clash.push({ path: 'clientId', rule: 'unique', message: `is already the client of ${sameClient.name} (${sameClient.id}): each vendor has its own OAuth client` });
      clash.push(...activationProblems(id, fields.active, vendors, tenants));
      if (clash.length) throw refused(clash);
      const row = (await sql<VendorRow>(em, `select * from platform_print_vendor_create($1, $2, $3, $4, $5, $6, $7::text[], $8, $9, $10, $11, $12::text[], $13)`, [id, ...params(fields)])).rows[0];
      if (!row) throw refused([{ path: 'id', rule: 'unique', message: `${JSON.stringify(id)} or its client id was registered at the same moment: reload and try again` }]);
      await change.audit(em, { action: 'printVendor.create', target: `printVendor:${id}`, detail: { values: auditValues(fields) } });
      const after = [...vendors, row];
      return toView(row, tenantsUsing(row, after, tenants));
    });
  }

  async update(id: string, input: PrintVendorFields, change: PlatformChange): Promise<PrintVendorAdminView> {
    return this.db.withoutTenant(async (tx) => {
      const em = tx as EntityManager;
      await lock(em);
      const { vendors, tenants } = await this.read(em);
      const before = vendors.find((x) => x.id === id);
      if (!before) throw NOT_FOUND(id);
      const fields = complete(input, fromRow(before));
      const problems = checkPrintVendorFields(fields);
      const sameClient = vendors.find((x) => x.id !== id && x.client_id === fields.clientId);
      if (sameClient) problems.push({ path: 'clientId', rule: 'unique', message: `is already the client of ${sameClient.name} (${sameClient.id}): each vendor has its own OAuth client` });
      const others = vendors.filter((x) => x.id !== id);
      if (before.active && !fields.active) problems.push(...deactivationProblems(id, others, tenants));
      if (!before.active && fields.active) problems.push(...activationProblems(id, true, others, tenants));
      if (problems.length) throw refused(problems);
      const row = (await sql<VendorRow>(em, `select * from platform_print_vendor_update($1, $2, $3, $4, $5, $6, $7::text[], $8, $9, $10, $11, $12::text[], $13)`, [id, ...params(fields)])).rows[0];
      if (!row) throw NOT_FOUND(id);
      const old = auditValues(fromRow(before));
      const now = auditValues(fields);
      const changes = Object.fromEntries(
        Object.keys(now)
          .filter((k) => JSON.stringify(old[k]) !== JSON.stringify(now[k]))
          .map((k) => [k, { from: old[k], to: now[k] }]),
      );
      await change.audit(em, { action: 'printVendor.update', target: `printVendor:${id}`, detail: { changes } });
      return toView(row, tenantsUsing(row, [...others, row], tenants));
    });
  }

  private async read(em: EntityManager): Promise<{ vendors: VendorRow[]; tenants: TenantRow[] }> {
    const vendors = (await sql<VendorRow>(em, 'select * from print_vendor order by name, id')).rows;
    const tenants = (await sql<TenantRow>(em, 'select name, print_vendor_id from platform_tenants()')).rows;
    return { vendors, tenants };
  }
}

/** Serialises the platform's vendor changes (check, then write) across API processes. */
async function lock(em: EntityManager): Promise<void> {
  await sql(em, `select pg_advisory_xact_lock(hashtextextended('platform:print_vendor', 0))`);
}

function complete(input: PrintVendorFields, base: Omit<Complete, 'name' | 'clientId' | 'cutoffTimes' | 'maxWaitSeconds'> & Partial<Complete>): Complete {
  const pick = <K extends keyof Complete>(k: K, fallback: Complete[K]): Complete[K] => {
    const value = input[k as keyof PrintVendorFields] as Complete[K] | null | undefined;
    return value === undefined || (value === null && k !== 'maxWaitSeconds') ? fallback : (value as Complete[K]);
  };
  const cutoffs = pick('cutoffTimes', base.cutoffTimes ?? []).map((t) => t.trim());
  return {
    name: pick('name', base.name ?? '').trim(),
    clientId: pick('clientId', base.clientId ?? '').trim(),
    envelopeProfile: pick('envelopeProfile', base.envelopeProfile).trim(),
    maxPages: pick('maxPages', base.maxPages),
    maxBatchLetters: pick('maxBatchLetters', base.maxBatchLetters),
    // Sorted, so that the stored list reads as a day's timetable.
    cutoffTimes: cutoffs.every(isCutoffTime) ? [...cutoffs].sort() : cutoffs,
    maxWaitSeconds: pick('maxWaitSeconds', base.maxWaitSeconds ?? null),
    ackDeadlineMinutes: pick('ackDeadlineMinutes', base.ackDeadlineMinutes),
    duplex: pick('duplex', base.duplex),
    colour: pick('colour', base.colour),
    postageClasses: pick('postageClasses', base.postageClasses as PostageClassName[]).map((c) => c.trim()) as PostageClassName[],
    active: pick('active', base.active),
  };
}

function fromRow(r: VendorRow): Complete {
  return {
    name: r.name,
    clientId: r.client_id,
    envelopeProfile: r.envelope_profile,
    maxPages: r.max_pages,
    maxBatchLetters: r.max_batch_letters,
    cutoffTimes: r.cutoff_times,
    maxWaitSeconds: r.max_wait_seconds,
    ackDeadlineMinutes: r.ack_deadline_minutes,
    duplex: r.duplex,
    colour: r.colour,
    postageClasses: r.postage_classes,
    active: r.active,
  };
}

function params(f: Complete): unknown[] {
  return [f.name, f.clientId, f.envelopeProfile, f.maxPages, f.maxBatchLetters, f.cutoffTimes, f.maxWaitSeconds, f.ackDeadlineMinutes, f.duplex, f.colour, f.postageClasses, f.active];
}

function auditValues(f: Complete): Record<string, unknown> {
  return { ...f };
}

/** Municipalities that name no vendor and so use the only active one. */
function relyingOnDefault(tenants: TenantRow[]): string[] {
  return tenants.filter((t) => !t.print_vendor_id).map((t) => t.name);
}

function listNames(names: string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

/** Making vendor `id` active (or creating it active) next to `others`: refused when it would take the default vendor away from municipalities. */
function activationProblems(id: string, active: boolean, others: VendorRow[], tenants: TenantRow[]): FieldViolation[] {
  if (!active) return [];
  const activeOthers = others.filter((x) => x.active && x.id !== id);
  const relying = relyingOnDefault(tenants);
  if (activeOthers.length !== 1 || relying.length === 0) return [];
  return [
    {
      path: 'active',
      rule: 'defaultVendor',
      message:
        `${listNames(relying)} name no print vendor and use the only active one, ${activeOthers[0].name}; with a second active vendor their letters would have none. ` +
        'Register this vendor as inactive, let those municipalities choose their vendor in their print settings, then activate it',
    },
  ];
}

/** Deactivating vendor `id`: refused while municipalities name it, or rely on it as the only active vendor. */
function deactivationProblems(id: string, others: VendorRow[], tenants: TenantRow[]): FieldViolation[] {
  const naming = tenants.filter((t) => t.print_vendor_id === id).map((t) => t.name);
  const relying = others.some((x) => x.active) ? [] : relyingOnDefault(tenants);
  const users = [...naming, ...relying];
  if (users.length === 0) return [];
  return [
    {
      path: 'active',
      rule: 'inUse',
      message: `${listNames(users)} send their printed letters to this vendor; they must choose another vendor in their print settings before it is deactivated`,
    },
  ];
}

function tenantsUsing(r: VendorRow, vendors: VendorRow[], tenants: TenantRow[]): string[] {
  const naming = tenants.filter((t) => t.print_vendor_id === r.id).map((t) => t.name);
  const activeVendors = vendors.filter((x) => x.active);
  const byDefault = r.active && activeVendors.length === 1 && activeVendors[0].id === r.id ? relyingOnDefault(tenants) : [];
  return [...naming, ...byDefault];
}

function toView(r: VendorRow, using: string[]): PrintVendorAdminView {
  return {
    id: r.id,
    name: r.name,
    clientId: r.client_id,
    envelopeProfile: r.envelope_profile,
    hasCustomEnvelopeProfile: r.custom_envelope_profile !== null && r.custom_envelope_profile !== undefined,
    maxPages: r.max_pages,
    maxBatchLetters: r.max_batch_letters,
    cutoffTimes: r.cutoff_times,
    maxWaitSeconds: r.max_wait_seconds,
    ackDeadlineMinutes: r.ack_deadline_minutes,
    duplex: r.duplex,
    colour: r.colour,
    postageClasses: r.postage_classes,
    active: r.active,
    createdAt: new Date(r.created_at),
    updatedAt: r.updated_at ? new Date(r.updated_at) : null,
    tenantsUsing: using,
  };
}
