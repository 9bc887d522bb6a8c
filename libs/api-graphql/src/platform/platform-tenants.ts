import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { appendAudit } from '@hub/audit';
import { checkPostalAddress, FieldViolation, IntakeError, IntakeErrorCode, LetterValidationError, POSTAGE_CLASSES, sql } from '@hub/letters';
import { toOrganisationId } from '@hub/mina-meddelanden';
import type { TenantDb } from '@hub/persistence';
import type { TenantSettings } from '@hub/tenancy';
import { appendPlatformAudit } from './platform-audit';

/** A tenant as the platform operator sees it: who it is and how much it is used, never its letters. */
export interface PlatformTenantView {
  id: string;
  alias: string;
  name: string;
  orgNumber: string;
  createdAt: Date;
  printVendorId: string | null;
  sendingUnits: number;
  lettersLast30Days: number;
}

export interface OnboardTenantInput {
  alias?: string | null;
  name?: string | null;
  orgNumber?: string | null;
  firstSendingUnit?: {
    code?: string | null;
    name?: string | null;
    orgNumber?: string | null;
    postalAddress?: { lines?: string[] | null; postalCode?: string | null; city?: string | null } | null;
  } | null;
  settings?: {
    printAllowed?: boolean | null;
    fallbackToPrint?: boolean | null;
    deadlineHours?: number | null;
    protectedIdentityRule?: string | null;
    missingAddressRule?: string | null;
    printVendorId?: string | null;
    postageClass?: string | null;
  } | null;
}

/** What onboarding stores, after validation. */
export interface CheckedOnboarding {
  alias: string;
  name: string;
  orgNumber: string;
  unit: { code: string; name: string; orgNumber: string; postalAddress: { lines: string[] } };
  settings: TenantSettings;
}

export const TENANT_ALIAS = /^[a-z0-9][a-z0-9-]{1,62}$/;
export const UNIT_CODE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const PROTECTED_IDENTITY_RULES = ['HOLD', 'UNDELIVERABLE', 'PRINT_GIVEN_ADDRESS'] as const;
const MISSING_ADDRESS_RULES = ['HOLD', 'UNDELIVERABLE'] as const;
export const DEADLINE_HOURS = [1, 24 * 60] as const;

function text(v: FieldViolation[], path: string, raw: string | null | undefined, what: string, min = 2, max = 200): string {
  const value = (raw ?? '').trim();
  if (!value) v.push({ path, rule: 'required', message: `is required: ${what}` });
  else if (value.length < min || value.length > max) v.push({ path, rule: 'length', message: `must be ${min}–${max} characters: ${what}` });
  return value;
}

function orgNumber(v: FieldViolation[], path: string, raw: string | null | undefined): string {
  if (!raw?.trim()) {
    v.push({ path, rule: 'required', message: 'is required: the organisationsnummer, e.g. 212000-1231' });
    return '';
  }
  const checked = toOrganisationId(raw);
  if (!checked.ok) {
    v.push({ path, rule: checked.rule, message: `is ${JSON.stringify(raw.trim())}: ${checked.message}` });
    return '';
  }
  return checked.id;
}

/**
 * Checks an onboarding: every broken rule, each naming its field (`alias`, `firstSendingUnit.orgNumber`,
 * `settings.deadlineHours`…). Pure; uniqueness and the vendor are checked against the database by
 * {@link PlatformTenants.onboard}. Settings left out get the hub's defaults (print allowed, fallback
 * to print, hold protected identities and letters without an address, economy postage).
 */
export function checkOnboarding(input: OnboardTenantInput): { ok: true; value: CheckedOnboarding } | { ok: false; fields: FieldViolation[] } {
  const v: FieldViolation[] = [];
  const alias = (input.alias ?? '').trim();
  if (!alias) v.push({ path: 'alias', rule: 'required', message: 'is required: the organization alias the identity provider puts in the users\' tokens (e.g. sundsvalls-kommun)' });
  else if (!TENANT_ALIAS.test(alias)) {
    v.push({ path: 'alias', rule: 'format', message: `is ${JSON.stringify(alias)}: use 2–63 lower-case letters a–z, digits and hyphens, starting with a letter or digit (e.g. sundsvalls-kommun)` });
  }
  const name = text(v, 'name', input.name, 'the municipality\'s name as people know it (e.g. Sundsvalls kommun)');
  const org = orgNumber(v, 'orgNumber', input.orgNumber);

  const u = input.firstSendingUnit ?? {};
  const code = (u.code ?? '').trim();
  if (!code) v.push({ path: 'firstSendingUnit.code', rule: 'required', message: 'is required: a short code case systems name the unit by (e.g. bygg)' });
  else if (!UNIT_CODE.test(code)) v.push({ path: 'firstSendingUnit.code', rule: 'format', message: `is ${JSON.stringify(code)}: use 1–63 lower-case letters a–z, digits and hyphens (e.g. bygg)` });
  const unitName = text(v, 'firstSendingUnit.name', u.name, 'the sender\'s name as recipients see it (e.g. Sundsvalls kommun, Bygg- och miljönämnden)');
  const unitOrg = orgNumber(v, 'firstSendingUnit.orgNumber', u.orgNumber);
  const address = checkPostalAddress({ name: unitName || 'x', lines: u.postalAddress?.lines ?? [], postalCode: u.postalAddress?.postalCode ?? '', city: u.postalAddress?.city ?? '' } as never);
  if (!address.ok) {
    for (const f of address.fields) v.push({ ...f, path: f.path.replace(/^postalAddress/, 'firstSendingUnit.postalAddress') });
  }

  const s = input.settings ?? {};
  const settings: TenantSettings = {
    printAllowed: s.printAllowed ?? true,
    fallbackToPrint: s.fallbackToPrint ?? true,
    protectedIdentityRule: 'HOLD',
    missingAddressRule: 'HOLD',
    print: { postageClass: 'ECONOMY' },
  };
  if (s.deadlineHours !== undefined && s.deadlineHours !== null) {
    if (!Number.isInteger(s.deadlineHours) || s.deadlineHours < DEADLINE_HOURS[0] || s.deadlineHours > DEADLINE_HOURS[1]) {
      v.push({ path: 'settings.deadlineHours', rule: 'range', message: `must be a whole number of hours from ${DEADLINE_HOURS[0]} to ${DEADLINE_HOURS[1]}: how long a letter may try digital delivery` });
    } else settings.deadlineHours = s.deadlineHours;
  }
  if (s.protectedIdentityRule) {
    if (!(PROTECTED_IDENTITY_RULES as readonly string[]).includes(s.protectedIdentityRule)) {
      v.push({ path: 'settings.protectedIdentityRule', rule: 'enum', message: `must be one of ${PROTECTED_IDENTITY_RULES.join(', ')}` });
    } else settings.protectedIdentityRule = s.protectedIdentityRule as TenantSettings['protectedIdentityRule'];
  }
  if (s.missingAddressRule) {
    if (!(MISSING_ADDRESS_RULES as readonly string[]).includes(s.missingAddressRule)) {
      v.push({ path: 'settings.missingAddressRule', rule: 'enum', message: `must be one of ${MISSING_ADDRESS_RULES.join(', ')}` });
    } else settings.missingAddressRule = s.missingAddressRule as TenantSettings['missingAddressRule'];
  }
  if (s.postageClass) {
    if (!(POSTAGE_CLASSES as readonly string[]).includes(s.postageClass)) v.push({ path: 'settings.postageClass', rule: 'enum', message: `must be one of ${POSTAGE_CLASSES.join(', ')}` });
    else settings.print!.postageClass = s.postageClass as 'FIRST_CLASS' | 'ECONOMY';
  }
  if (s.printVendorId?.trim()) settings.print!.vendorId = s.printVendorId.trim();

  if (v.length > 0) return { ok: false, fields: v };
  return {
    ok: true,
    value: {
      alias,
      name,
      orgNumber: org,
      unit: { code, name: unitName, orgNumber: unitOrg, postalAddress: { lines: address.ok ? [...address.address.lines, `${address.address.postalCode} ${address.address.city}`] : [] } },
      settings,
    },
  };
}

interface TenantRow {
  id: string;
  alias: string;
  name: string;
  org_number: string;
  created_at: Date;
  print_vendor_id: string | null;
  sending_units: string;
  letters_last_30_days: string;
}

function toView(r: TenantRow): PlatformTenantView {
  return {
    id: r.id,
    alias: r.alias,
    name: r.name,
    orgNumber: r.org_number,
    createdAt: new Date(r.created_at),
    printVendorId: r.print_vendor_id,
    sendingUnits: Number(r.sending_units),
    lettersLast30Days: Number(r.letters_last_30_days),
  };
}

const refused = (fields: FieldViolation[], what = 'The municipality was refused') => new LetterValidationError(fields, what);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The platform operator's tenants: list, onboard (the tenant, its first sending unit and its first
 * audit entry in one transaction) and rename. Cross-tenant reads and the tenant row itself go
 * through the SECURITY DEFINER functions of the platform migration; the sending unit and the
 * tenant's audit entry are written under row-level security in the new tenant's scope.
 */
export class PlatformTenants {
  constructor(private readonly db: TenantDb) {}

  async list(): Promise<PlatformTenantView[]> {
    return this.db.withoutTenant(async (em) => (await sql<TenantRow>(em as EntityManager, 'select * from platform_tenants()')).rows.map(toView));
  }

  async onboard(input: OnboardTenantInput, actor: string): Promise<PlatformTenantView> {
    const checked = checkOnboarding(input);
    if (!checked.ok) throw refused(checked.fields);
    const o = checked.value;
    const id = randomUUID();
    await this.db.inTenant(
      id,
      async (em) => {
        await sql(em, `select pg_advisory_xact_lock(hashtextextended('platform:tenant', 0))`);
        const tenants = (await sql<TenantRow>(em, 'select * from platform_tenants()')).rows;
        const clash: FieldViolation[] = [];
        const sameAlias = tenants.find((t) => t.alias === o.alias);
        if (sameAlias) clash.push({ path: 'alias', rule: 'unique', message: `${JSON.stringify(o.alias)} is already the alias of ${sameAlias.name}: each tenant has its own organization in the identity provider` });
        const sameOrg = tenants.find((t) => t.org_number === o.orgNumber);
        if (sameOrg) clash.push({ path: 'orgNumber', rule: 'unique', message: `${sameOrg.name} (${sameOrg.alias}) already has this organisationsnummer: a municipality is onboarded once` });
        const vendorId = o.settings.print?.vendorId;
        if (vendorId) {
          const vendor = (await sql<{ id: string; active: boolean; postage_classes: string[] }>(em, 'select id, active, postage_classes from print_vendor where id = $1', [vendorId])).rows[0];
          if (!vendor) clash.push({ path: 'settings.printVendorId', rule: 'unknown', message: `${JSON.stringify(vendorId)} is not a registered print vendor` });
          else if (!vendor.active) clash.push({ path: 'settings.printVendorId', rule: 'inactive', message: `${JSON.stringify(vendorId)} is not active: choose an active vendor` });
          else if (!vendor.postage_classes.includes(o.settings.print!.postageClass!)) {
            clash.push({ path: 'settings.postageClass', rule: 'vendor', message: `the vendor ${vendorId} handles ${vendor.postage_classes.join(', ')} only` });
          }
        }
        if (clash.length) throw refused(clash);
        const created = (await sql<{ created: boolean | null }>(em, 'select platform_create_tenant($1, $2, $3, $4, $5) as created', [id, o.alias, o.name, o.orgNumber, JSON.stringify(o.settings)])).rows[0];
        if (!created?.created) throw refused([{ path: 'alias', rule: 'unique', message: `${JSON.stringify(o.alias)} was taken at the same moment: choose another` }]);
        const unit = (
          await sql<{ id: string }>(em, `insert into sending_unit (tenant_id, code, name, org_number, postal_address) values ($1, $2, $3, $4, $5) returning id`, [
            id,
            o.unit.code,
            o.unit.name,
            o.unit.orgNumber,
            JSON.stringify(o.unit.postalAddress),
          ])
        ).rows[0];
        const detail = { alias: o.alias, name: o.name, orgNumber: o.orgNumber, settings: o.settings, firstSendingUnit: { id: unit.id, code: o.unit.code, name: o.unit.name, orgNumber: o.unit.orgNumber } };
        await appendAudit(em, { tenantId: id, actor, action: 'tenant.onboard', target: `tenant:${id}`, detail });
        await appendPlatformAudit(em, { actor, action: 'tenant.onboard', target: `tenant:${id}`, detail });
      },
      actor,
    );
    return this.get(id);
  }

  async rename(id: string, rawName: string | null | undefined, actor: string): Promise<PlatformTenantView> {
    const v: FieldViolation[] = [];
    const name = text(v, 'name', rawName, 'the municipality\'s name as people know it');
    if (v.length) throw refused(v, 'The change was refused');
    if (!UUID.test(id)) throw notFound(id);
    await this.db.inTenant(
      id,
      async (em) => {
        const previous = (await sql<{ previous: string | null }>(em, 'select platform_rename_tenant($1, $2) as previous', [id, name])).rows[0]?.previous ?? null;
        if (previous === null) throw notFound(id);
        if (previous === name) return;
        const detail = { changes: { name: { from: previous, to: name } } };
        await appendAudit(em, { tenantId: id, actor, action: 'tenant.update', target: `tenant:${id}`, detail });
        await appendPlatformAudit(em, { actor, action: 'tenant.update', target: `tenant:${id}`, detail });
      },
      actor,
    );
    return this.get(id);
  }

  private async get(id: string): Promise<PlatformTenantView> {
    const found = (await this.list()).find((t) => t.id === id);
    if (!found) throw notFound(id);
    return found;
  }
}

function notFound(id: string): IntakeError {
  return new IntakeError(IntakeErrorCode.NotFound, `No tenant ${JSON.stringify(id)} exists; the tenants query lists them with their ids.`);
}
