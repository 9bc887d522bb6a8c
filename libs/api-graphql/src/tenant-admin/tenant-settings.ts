/**
 * The channel and print rules of a municipality (`tenant.settings`): what they are, with the
 * defaults the channel switch and the print path apply where a key is absent, and how a change is
 * checked. Pure functions; the service reads and writes them.
 */
import type { FieldViolation } from '@hub/letters';
import { defineEnvelopeProfile, ENVELOPE_PROFILES, EnvelopeProfile, envelopeProfile, PrintValidationError } from '@hub/print';
import { PrintVendor, profileFor } from '@hub/print-path';
import type { TenantPrintSettings, TenantSettings } from '@hub/tenancy';

export const PROTECTED_IDENTITY_RULES = ['HOLD', 'UNDELIVERABLE', 'PRINT_GIVEN_ADDRESS'] as const;
export type ProtectedIdentityRule = (typeof PROTECTED_IDENTITY_RULES)[number];
export const MISSING_ADDRESS_RULES = ['HOLD', 'UNDELIVERABLE'] as const;
export type MissingAddressRule = (typeof MISSING_ADDRESS_RULES)[number];
export type PostageClass = 'FIRST_CLASS' | 'ECONOMY';

/** The same range as DISPATCH_DEADLINE_HOURS: an hour to 60 days. */
export const DEADLINE_HOURS_MIN = 1;
export const DEADLINE_HOURS_MAX = 24 * 60;

/** The keys of `tenant.settings` these rules own (the protection-class policy has its own). */
export const RULE_KEYS = ['printAllowed', 'fallbackToPrint', 'protectedIdentityRule', 'missingAddressRule', 'deadlineHours', 'print'] as const;
type RuleKey = (typeof RULE_KEYS)[number];
export type OwnSettings = Pick<TenantSettings, RuleKey>;

export interface RectInput {
  x?: number | null;
  y?: number | null;
  width?: number | null;
  height?: number | null;
}

export interface EnvelopeProfileInput {
  id?: string | null;
  name?: string | null;
  envelope?: string | null;
  window?: RectInput | null;
  windowPaddingMm?: number | null;
  senderBlock?: RectInput | null;
  printableArea?: { topMm?: number | null; rightMm?: number | null; bottomMm?: number | null; leftMm?: number | null } | null;
  source?: string | null;
}

/** A change to the print settings: fields left out stay; null returns one to its default. */
export interface PrintSettingsInput {
  vendorId?: string | null;
  postageClass?: PostageClass | null;
  envelopeProfile?: string | null;
  customEnvelopeProfile?: EnvelopeProfileInput | null;
  duplex?: boolean | null;
  colour?: boolean | null;
}

/** A change to the rules: fields left out stay; null returns one to its default (`print: null` all print settings). */
export interface TenantSettingsInput {
  printAllowed?: boolean | null;
  fallbackToPrint?: boolean | null;
  protectedIdentityRule?: ProtectedIdentityRule | null;
  missingAddressRule?: MissingAddressRule | null;
  deadlineHours?: number | null;
  print?: PrintSettingsInput | null;
}

export type SettingsChange = Record<string, { from: unknown; to: unknown }>;

/** What a change is checked against: the registered vendors, and the id an own envelope profile gets by default. */
export interface Known {
  vendors: readonly PrintVendor[];
  customProfileId: string;
}

/** Whatever a letter gets when the tenant has not said: the channel switch's and the print path's defaults. */
export const RULE_DEFAULTS = { printAllowed: true, fallbackToPrint: true, protectedIdentityRule: 'HOLD', missingAddressRule: 'HOLD', postageClass: 'ECONOMY' } as const;

const isSet = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined;

/** The print settings after `input`, or the fields that are wrong (paths under `print.`). */
function changePrint(current: TenantPrintSettings | undefined, input: PrintSettingsInput | null, known: Known): { ok: true; print: TenantPrintSettings } | { ok: false; fields: FieldViolation[] } {
  if (input === null) return { ok: true, print: {} };
  const fields: FieldViolation[] = [];
  const next: TenantPrintSettings = { ...(current ?? {}) };
  const put = <K extends keyof TenantPrintSettings>(key: K, value: TenantPrintSettings[K] | null | undefined) => {
    if (value === undefined) return;
    if (value === null) delete next[key];
    else next[key] = value;
  };
  if (input.vendorId !== undefined) {
    const id = typeof input.vendorId === 'string' ? input.vendorId.trim() : input.vendorId;
    const active = known.vendors.filter((v) => v.active).map((v) => v.id);
    const vendor = known.vendors.find((v) => v.id === id);
    if (id !== null && (!vendor || !vendor.active)) {
      fields.push({
        path: 'print.vendorId',
        rule: vendor ? 'inactive' : 'unknown',
        message:
          `${JSON.stringify(id)} is ${vendor ? 'registered but not active (it takes no new letters)' : 'not a registered print vendor'}: ` +
          (active.length ? `choose one of ${active.join(', ')} (or null for the only active one)` : 'no vendor is active yet: ask the platform operator'),
      });
    } else put('vendorId', id);
  }
  put('postageClass', input.postageClass);
  put('duplex', input.duplex);
  put('colour', input.colour);
  if (isSet(input.envelopeProfile) && isSet(input.customEnvelopeProfile)) {
    fields.push({ path: 'print.envelopeProfile', rule: 'exclusive', message: 'give either envelopeProfile (one of the standard profiles) or customEnvelopeProfile (your own), not both' });
  } else {
    if (input.envelopeProfile !== undefined) {
      const id = input.envelopeProfile;
      if (id !== null && !(id in ENVELOPE_PROFILES)) {
        fields.push({ path: 'print.envelopeProfile', rule: 'unknown', message: `${JSON.stringify(id)} is not a standard envelope profile: choose one of ${Object.keys(ENVELOPE_PROFILES).join(', ')}, or give customEnvelopeProfile` });
      } else {
        put('envelopeProfile', id);
        // A standard profile replaces the municipality's own one.
        if (id !== null) delete next.customEnvelopeProfile;
      }
    }
    if (input.customEnvelopeProfile !== undefined) {
      if (input.customEnvelopeProfile === null) delete next.customEnvelopeProfile;
      else {
        const checked = checkCustomProfile(input.customEnvelopeProfile, known.customProfileId);
        if (!checked.ok) fields.push(...checked.fields);
        else {
          next.customEnvelopeProfile = checked.profile as unknown as Record<string, unknown>;
          delete next.envelopeProfile;
        }
      }
    }
  }
  return fields.length ? { ok: false, fields } : { ok: true, print: next };
}

/** A municipality's own envelope profile, checked by the print library exactly as the print path will. */
export function checkCustomProfile(input: EnvelopeProfileInput, defaultId: string): { ok: true; profile: EnvelopeProfile } | { ok: false; fields: FieldViolation[] } {
  const rect = (r: RectInput | null | undefined) => (r ? { x: r.x, y: r.y, width: r.width, height: r.height } : r);
  const candidate = {
    id: input.id?.trim() || defaultId,
    name: input.name?.trim() ?? '',
    envelope: input.envelope,
    window: rect(input.window),
    windowPaddingMm: input.windowPaddingMm,
    senderBlock: rect(input.senderBlock),
    printableArea: input.printableArea ? { topMm: input.printableArea.topMm, rightMm: input.printableArea.rightMm, bottomMm: input.printableArea.bottomMm, leftMm: input.printableArea.leftMm } : input.printableArea,
    source: input.source?.trim() ?? '',
  };
  try {
    // JSON round trip: the stored profile is exactly what the print path will read back.
    const profile = defineEnvelopeProfile(JSON.parse(JSON.stringify(candidate)) as EnvelopeProfile);
    return { ok: true, profile: JSON.parse(JSON.stringify(profile)) as EnvelopeProfile };
  } catch (e) {
    if (!(e instanceof PrintValidationError)) throw e;
    return {
      ok: false,
      fields: e.problems.map((p) => ({ path: `print.customEnvelopeProfile${(p.field ?? 'profile').replace(/^profile/, '')}`, rule: 'envelopeProfile', message: p.message })),
    };
  }
}

/**
 * The settings after `input` (only the keys these rules own), with the change for the audit trail,
 * or every field that is wrong. Nothing is partly applied: one wrong field refuses the whole change.
 */
export function changeTenantSettings(
  current: TenantSettings,
  input: TenantSettingsInput | null | undefined,
  known: Known,
): { ok: true; next: OwnSettings; changes: SettingsChange } | { ok: false; fields: FieldViolation[] } {
  if (!input || typeof input !== 'object') return { ok: false, fields: [{ path: '', rule: 'required', message: 'a change { printAllowed?, fallbackToPrint?, …, print? } is required' }] };
  const fields: FieldViolation[] = [];
  const next: OwnSettings = Object.fromEntries(RULE_KEYS.filter((k) => current[k] !== undefined).map((k) => [k, current[k]])) as OwnSettings;
  const put = <K extends Exclude<RuleKey, 'print'>>(key: K, value: OwnSettings[K] | null | undefined) => {
    if (value === undefined) return;
    if (value === null) delete next[key];
    else next[key] = value;
  };
  put('printAllowed', input.printAllowed);
  put('fallbackToPrint', input.fallbackToPrint);
  put('protectedIdentityRule', input.protectedIdentityRule);
  put('missingAddressRule', input.missingAddressRule);
  if (isSet(input.deadlineHours) && (!Number.isInteger(input.deadlineHours) || input.deadlineHours < DEADLINE_HOURS_MIN || input.deadlineHours > DEADLINE_HOURS_MAX)) {
    fields.push({ path: 'deadlineHours', rule: 'range', message: `is ${String(input.deadlineHours)}; give whole hours from ${DEADLINE_HOURS_MIN} to ${DEADLINE_HOURS_MAX} (60 days), or null for the hub's default` });
  } else put('deadlineHours', input.deadlineHours);
  if (input.print !== undefined) {
    const print = changePrint(current.print, input.print, known);
    if (!print.ok) fields.push(...print.fields);
    else {
      if (Object.keys(print.print).length) next.print = print.print;
      else delete next.print;
      // The vendor letters would go to must handle the postage class they get (else the print path holds them).
      const vendor = vendorFor(next, known.vendors);
      const postage = next.print?.postageClass ?? RULE_DEFAULTS.postageClass;
      if (vendor && !vendor.postageClasses.includes(postage)) {
        fields.push({
          path: 'print.postageClass',
          rule: 'vendor',
          message: `is ${postage}, which the print vendor "${vendor.id}" does not handle (it handles ${vendor.postageClasses.join(', ')}): choose one of those, or another vendor`,
        });
      }
    }
  }
  if (fields.length) return { ok: false, fields };
  return { ok: true, next, changes: diff(flatten(current), flatten(next)) };
}

function flatten(s: OwnSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of RULE_KEYS) {
    if (k === 'print') for (const [pk, pv] of Object.entries(s.print ?? {})) out[`print.${pk}`] = pv;
    else if (s[k] !== undefined) out[k] = s[k];
  }
  return out;
}

function diff(before: Record<string, unknown>, after: Record<string, unknown>): SettingsChange {
  const changes: SettingsChange = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes[key] = { from: before[key] ?? null, to: after[key] ?? null };
  }
  return changes;
}

/** What letters get now: the tenant's choice, else the vendor's, else the hub's default. */
export interface EffectivePrintSettings {
  vendor: PrintVendor | null;
  envelopeProfile: EnvelopeProfile | null;
  /** Why there is no usable profile (letters to print are held with it). */
  problem: string | null;
  postageClass: PostageClass;
  duplex: boolean | null;
  colour: boolean | null;
}

/** The vendor new letters go to, as the print path picks it: the active one named, else the only active one. */
export function vendorFor(settings: TenantSettings, vendors: readonly PrintVendor[]): PrintVendor | null {
  const active = vendors.filter((v) => v.active);
  const id = settings.print?.vendorId;
  return id ? (active.find((v) => v.id === id) ?? null) : active.length === 1 ? active[0] : null;
}

export function effectivePrint(settings: TenantSettings, vendors: readonly PrintVendor[]): EffectivePrintSettings {
  const p = settings.print ?? {};
  const vendor = vendorFor(settings, vendors);
  const active = vendors.filter((v) => v.active);
  let profile: EnvelopeProfile | null = null;
  let problem: string | null = null;
  try {
    if (vendor) profile = profileFor(vendor, settings);
    else if (p.customEnvelopeProfile) profile = defineEnvelopeProfile(p.customEnvelopeProfile as never);
    else if (p.envelopeProfile) profile = envelopeProfile(p.envelopeProfile);
  } catch (e) {
    problem = (e as Error).message;
  }
  const postageClass = p.postageClass ?? RULE_DEFAULTS.postageClass;
  if (!vendor) {
    problem = p.vendorId
      ? `the print vendor "${p.vendorId}" is ${vendors.some((v) => v.id === p.vendorId) ? 'not active' : 'not registered'}: letters to print are held (NO_PRINT_VENDOR)`
      : active.length === 0
        ? 'no print vendor is active: letters to print are held (NO_PRINT_VENDOR) until the platform operator registers one'
        : `${active.length} print vendors are active: choose one, or letters to print are held (NO_PRINT_VENDOR)`;
  } else if (!problem && !vendor.postageClasses.includes(postageClass)) {
    problem = `the print vendor "${vendor.id}" does not handle postage class ${postageClass}: letters to print without their own postage class are held (NO_PRINT_VENDOR)`;
  }
  return {
    vendor,
    envelopeProfile: profile,
    problem,
    postageClass,
    duplex: p.duplex ?? vendor?.duplex ?? null,
    colour: p.colour ?? vendor?.colour ?? null,
  };
}
