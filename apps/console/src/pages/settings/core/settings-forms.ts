/**
 * The settings-core forms as plain data: what a form holds (strings, as typed), how it is filled
 * from the API's answer and what it sends back (only what changed). No React here, so it is tested
 * on its own.
 */
import type {
  CaseType,
  CaseTypeChannel,
  CertificateStatus,
  EnvelopeProfile,
  MissingAddressRule,
  PostageClass,
  ProtectedIdentityRule,
  SenderCertificate,
  SendingUnit,
  TenantSettings,
} from './core-api';

// ---- sending units --------------------------------------------------------------------------------

export type Tone = 'good' | 'warn' | 'bad' | 'neutral';

/** How a certificate's state shows: the badge tone and the message key (the word is always there, not only the colour). */
export function certificateBadge(cert: Pick<SenderCertificate, 'status' | 'matchesOrgNumber'> | null): { tone: Tone; key: string } {
  if (!cert) return { tone: 'bad', key: 'settings.units.cert.none' };
  if (!cert.matchesOrgNumber) return { tone: 'bad', key: 'settings.units.cert.mismatch' };
  const map: Record<CertificateStatus, { tone: Tone; key: string }> = {
    VALID: { tone: 'good', key: 'settings.units.cert.valid' },
    EXPIRES_SOON: { tone: 'warn', key: 'settings.units.cert.expiresSoon' },
    EXPIRED: { tone: 'bad', key: 'settings.units.cert.expired' },
    NOT_YET_VALID: { tone: 'warn', key: 'settings.units.cert.notYetValid' },
  };
  return map[cert.status];
}

export interface UnitForm {
  code: string;
  name: string;
  orgNumber: string;
  /** One address line per row. */
  address: string;
}

export const EMPTY_UNIT: UnitForm = { code: '', name: '', orgNumber: '', address: '' };

/** "162120001231" → "212000-1231", as people write an organisationsnummer. */
export function formatOrgNumber(id: string): string {
  const ten = /^16\d{10}$/.test(id) ? id.slice(2) : id;
  return /^\d{10}$/.test(ten) ? `${ten.slice(0, 6)}-${ten.slice(6)}` : id;
}

export function unitForm(unit: SendingUnit): UnitForm {
  return { code: unit.code, name: unit.name, orgNumber: formatOrgNumber(unit.orgNumber), address: unit.postalAddress.join('\n') };
}

export function addressLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

export function newUnitInput(form: UnitForm): Record<string, unknown> {
  return { code: form.code.trim(), name: form.name.trim(), orgNumber: form.orgNumber.trim(), postalAddress: addressLines(form.address) };
}

/** The fields that differ from the unit as stored (null: nothing to save). */
export function unitChanges(unit: SendingUnit, form: UnitForm): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  if (form.name.trim() !== unit.name) out.name = form.name.trim();
  const digits = form.orgNumber.replace(/\D/g, '');
  if (digits !== unit.orgNumber && `16${digits}` !== unit.orgNumber) out.orgNumber = form.orgNumber.trim();
  const lines = addressLines(form.address);
  if (JSON.stringify(lines) !== JSON.stringify(unit.postalAddress)) out.postalAddress = lines;
  return Object.keys(out).length ? out : null;
}

// ---- case types -----------------------------------------------------------------------------------

export interface CaseTypeForm {
  code: string;
  name: string;
  defaultProtectionClass: string;
  subjectTemplate: string;
  bodyTemplate: string;
  digital: boolean;
  print: boolean;
  retentionRuleId: string;
  diaryEnabled: boolean;
}

export const EMPTY_CASE_TYPE: CaseTypeForm = {
  code: '',
  name: '',
  defaultProtectionClass: '1',
  subjectTemplate: '',
  bodyTemplate: '',
  digital: true,
  print: true,
  retentionRuleId: '',
  diaryEnabled: false,
};

export function caseTypeForm(c: CaseType): CaseTypeForm {
  return {
    code: c.code,
    name: c.name,
    defaultProtectionClass: String(c.defaultProtectionClass),
    subjectTemplate: c.subjectTemplate,
    bodyTemplate: c.bodyTemplate ?? '',
    digital: c.allowedChannels.includes('DIGITAL'),
    print: c.allowedChannels.includes('PRINT'),
    retentionRuleId: c.retentionRuleId ?? '',
    diaryEnabled: c.diaryEnabled,
  };
}

function channels(form: CaseTypeForm): CaseTypeChannel[] {
  return [...(form.digital ? (['DIGITAL'] as const) : []), ...(form.print ? (['PRINT'] as const) : [])];
}

/** A blank body template means none (the API refuses a blank string). */
const bodyOf = (form: CaseTypeForm) => (form.bodyTemplate.trim() === '' ? null : form.bodyTemplate);

export function newCaseTypeInput(form: CaseTypeForm): Record<string, unknown> {
  return {
    code: form.code.trim(),
    name: form.name,
    defaultProtectionClass: Number(form.defaultProtectionClass),
    subjectTemplate: form.subjectTemplate,
    bodyTemplate: bodyOf(form),
    allowedChannels: channels(form),
    retentionRuleId: form.retentionRuleId || null,
    diaryEnabled: form.diaryEnabled,
  };
}

/** The changed fields of a case type (null: nothing to save). */
export function caseTypeChanges(c: CaseType, form: CaseTypeForm): Record<string, unknown> | null {
  const next = newCaseTypeInput(form);
  const before: Record<string, unknown> = {
    name: c.name,
    defaultProtectionClass: c.defaultProtectionClass,
    subjectTemplate: c.subjectTemplate,
    bodyTemplate: c.bodyTemplate,
    allowedChannels: c.allowedChannels,
    retentionRuleId: c.retentionRuleId,
    diaryEnabled: c.diaryEnabled,
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(before)) if (JSON.stringify(next[k]) !== JSON.stringify(v)) out[k] = next[k];
  return Object.keys(out).length ? out : null;
}

// ---- channel rules --------------------------------------------------------------------------------

export interface RulesForm {
  printAllowed: boolean;
  fallbackToPrint: boolean;
  protectedIdentityRule: ProtectedIdentityRule;
  missingAddressRule: MissingAddressRule;
  /** Whole hours as typed; empty: the hub's default. */
  deadlineHours: string;
}

export function rulesForm(s: TenantSettings): RulesForm {
  return {
    printAllowed: s.printAllowed,
    fallbackToPrint: s.fallbackToPrint,
    protectedIdentityRule: s.protectedIdentityRule,
    missingAddressRule: s.missingAddressRule,
    deadlineHours: s.deadlineHoursIsDefault ? '' : String(s.deadlineHours),
  };
}

/** The changed rules, or the problem with the deadline as typed. */
export function rulesChanges(s: TenantSettings, form: RulesForm): { ok: true; input: Record<string, unknown> | null } | { ok: false; field: 'deadlineHours' } {
  const before = rulesForm(s);
  const out: Record<string, unknown> = {};
  for (const k of ['printAllowed', 'fallbackToPrint', 'protectedIdentityRule', 'missingAddressRule'] as const) if (form[k] !== before[k]) out[k] = form[k];
  const typed = form.deadlineHours.trim();
  if (typed !== before.deadlineHours) {
    if (typed === '') out.deadlineHours = null;
    else if (!/^\d+$/.test(typed)) return { ok: false, field: 'deadlineHours' };
    else out.deadlineHours = Number(typed);
  }
  return { ok: true, input: Object.keys(out).length ? out : null };
}

// ---- envelope and postage -------------------------------------------------------------------------

/** '' = the vendor's default; 'yes'/'no' = the municipality's choice. */
export type TriState = '' | 'yes' | 'no';
export const CUSTOM = 'custom';

export const PROFILE_NUMBER_FIELDS = [
  'window.x',
  'window.y',
  'window.width',
  'window.height',
  'windowPaddingMm',
  'senderBlock.x',
  'senderBlock.y',
  'senderBlock.width',
  'senderBlock.height',
  'printableArea.topMm',
  'printableArea.rightMm',
  'printableArea.bottomMm',
  'printableArea.leftMm',
] as const;
export type ProfileNumberField = (typeof PROFILE_NUMBER_FIELDS)[number];

export interface EnvelopeForm {
  /** '' = the only registered vendor. */
  vendorId: string;
  postageClass: PostageClass;
  /** '' = the vendor's profile, a standard profile id, or {@link CUSTOM}. */
  profile: string;
  custom: { name: string; envelope: string; source: string; numbers: Record<ProfileNumberField, string> };
  duplex: TriState;
  colour: TriState;
}

const tri = (v: boolean | null): TriState => (v === null ? '' : v ? 'yes' : 'no');
const fromTri = (v: TriState): boolean | null => (v === '' ? null : v === 'yes');

/** A number as Swedes write it ("4,5") and as the form shows it. */
const mm = (n: number) => String(n).replace('.', ',');

function profileNumbers(p: EnvelopeProfile): Record<ProfileNumberField, string> {
  return {
    'window.x': mm(p.window.x),
    'window.y': mm(p.window.y),
    'window.width': mm(p.window.width),
    'window.height': mm(p.window.height),
    windowPaddingMm: mm(p.windowPaddingMm),
    'senderBlock.x': mm(p.senderBlock.x),
    'senderBlock.y': mm(p.senderBlock.y),
    'senderBlock.width': mm(p.senderBlock.width),
    'senderBlock.height': mm(p.senderBlock.height),
    'printableArea.topMm': mm(p.printableArea.topMm),
    'printableArea.rightMm': mm(p.printableArea.rightMm),
    'printableArea.bottomMm': mm(p.printableArea.bottomMm),
    'printableArea.leftMm': mm(p.printableArea.leftMm),
  };
}

/**
 * The form from the stored settings. A custom profile starts from the municipality's own, or else
 * from the profile in use now, so the admin adjusts numbers rather than typing them all.
 */
export function envelopeForm(s: TenantSettings): EnvelopeForm {
  const p = s.print;
  const start = p.customEnvelopeProfile ?? p.effectiveEnvelopeProfile;
  return {
    vendorId: p.vendorId ?? '',
    postageClass: p.postageClass,
    profile: p.customEnvelopeProfile ? CUSTOM : (p.envelopeProfile ?? ''),
    custom: {
      name: p.customEnvelopeProfile?.name ?? '',
      envelope: start?.envelope ?? 'C5',
      source: p.customEnvelopeProfile?.source ?? '',
      numbers: start ? profileNumbers(start) : (Object.fromEntries(PROFILE_NUMBER_FIELDS.map((f) => [f, ''])) as Record<ProfileNumberField, string>),
    },
    duplex: tri(p.duplex),
    colour: tri(p.colour),
  };
}

/** Copies a standard profile's numbers into the custom fields (the admin's starting point). */
export function withCustomFrom(form: EnvelopeForm, profile: EnvelopeProfile): EnvelopeForm {
  return { ...form, custom: { ...form.custom, envelope: profile.envelope, numbers: profileNumbers(profile) } };
}

/** "4,5" or "4.5" → 4.5; anything else → null. */
export function parseMm(text: string): number | null {
  const t = text.trim().replace(',', '.');
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : null;
}

/**
 * The print settings input the form stands for (all of them, so that a preview shows exactly the
 * form), or the custom-profile fields that are not numbers.
 */
export function envelopeInput(form: EnvelopeForm): { ok: true; input: Record<string, unknown> } | { ok: false; fields: ProfileNumberField[] } {
  const base = { vendorId: form.vendorId || null, postageClass: form.postageClass, duplex: fromTri(form.duplex), colour: fromTri(form.colour) };
  if (form.profile !== CUSTOM) return { ok: true, input: { ...base, envelopeProfile: form.profile || null, customEnvelopeProfile: null } };
  const bad = PROFILE_NUMBER_FIELDS.filter((f) => parseMm(form.custom.numbers[f]) === null);
  if (bad.length) return { ok: false, fields: bad };
  const n = (f: ProfileNumberField) => parseMm(form.custom.numbers[f])!;
  return {
    ok: true,
    input: {
      ...base,
      envelopeProfile: null,
      customEnvelopeProfile: {
        name: form.custom.name,
        envelope: form.custom.envelope,
        source: form.custom.source,
        window: { x: n('window.x'), y: n('window.y'), width: n('window.width'), height: n('window.height') },
        windowPaddingMm: n('windowPaddingMm'),
        senderBlock: { x: n('senderBlock.x'), y: n('senderBlock.y'), width: n('senderBlock.width'), height: n('senderBlock.height') },
        printableArea: { topMm: n('printableArea.topMm'), rightMm: n('printableArea.rightMm'), bottomMm: n('printableArea.bottomMm'), leftMm: n('printableArea.leftMm') },
      },
    },
  };
}

/** base64 → PDF Blob (for an iframe's blob: URL). */
export function pdfBlob(base64: string): Blob {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type: 'application/pdf' });
}
