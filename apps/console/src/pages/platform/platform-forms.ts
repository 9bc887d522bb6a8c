/**
 * The platform pages' form logic, apart from React: form state ↔ GraphQL input, the checks the
 * browser can make before sending (numbers that are numbers), and error lookups by exact field path.
 */

/** A check the console makes itself: which field, which message key. */
export interface LocalError {
  path: string;
  key: string;
}

/** "162120001231" or "2120001231" → "212000-1231"; anything else as it is. */
export function formatOrgNumber(value: string | null | undefined): string {
  const digits = (value ?? '').replace(/\D/g, '');
  const ten = digits.length === 12 && digits.startsWith('16') ? digits.slice(2) : digits;
  return ten.length === 10 ? `${ten.slice(0, 6)}-${ten.slice(6)}` : (value ?? '');
}

/** An alias suggested from a name: "Malmö stad" → "malmo-stad" (the identity provider's organization alias). */
export function suggestAlias(name: string): string {
  return name
    .toLowerCase()
    .replace(/[åä]/g, 'a')
    .replace(/ö/g, 'o')
    .replace(/é/g, 'e')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

function wholeNumber(raw: string): number | null | 'invalid' {
  const s = raw.trim();
  if (s === '') return null;
  return /^\d+$/.test(s) ? Number(s) : 'invalid';
}

// ---- tenants -------------------------------------------------------------------------------------

export interface TenantForm {
  name: string;
  alias: string;
  orgNumber: string;
  unitCode: string;
  unitName: string;
  unitOrgNumber: string;
  /** One address line per line of text (1–3). */
  addressLines: string;
  postalCode: string;
  city: string;
  printAllowed: boolean;
  fallbackToPrint: boolean;
  deadlineHours: string;
  protectedIdentityRule: string;
  missingAddressRule: string;
  /** '' = the only active vendor. */
  printVendorId: string;
  postageClass: string;
}

export const EMPTY_TENANT_FORM: TenantForm = {
  name: '',
  alias: '',
  orgNumber: '',
  unitCode: '',
  unitName: '',
  unitOrgNumber: '',
  addressLines: '',
  postalCode: '',
  city: '',
  printAllowed: true,
  fallbackToPrint: true,
  deadlineHours: '',
  protectedIdentityRule: 'HOLD',
  missingAddressRule: 'HOLD',
  printVendorId: '',
  postageClass: 'ECONOMY',
};

/** The onboardTenant input for a form, or the fields the console refuses itself. */
export function toOnboardInput(f: TenantForm): { input: Record<string, unknown>; errors: LocalError[] } {
  const errors: LocalError[] = [];
  const deadline = wholeNumber(f.deadlineHours);
  if (deadline === 'invalid') errors.push({ path: 'settings.deadlineHours', key: 'platform.form.wholeNumber' });
  const input = {
    alias: f.alias.trim(),
    name: f.name.trim(),
    orgNumber: f.orgNumber.trim(),
    firstSendingUnit: {
      code: f.unitCode.trim(),
      name: f.unitName.trim(),
      orgNumber: f.unitOrgNumber.trim(),
      postalAddress: {
        lines: f.addressLines
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
        postalCode: f.postalCode.trim(),
        city: f.city.trim(),
      },
    },
    settings: {
      printAllowed: f.printAllowed,
      fallbackToPrint: f.fallbackToPrint,
      deadlineHours: deadline === 'invalid' ? null : deadline,
      protectedIdentityRule: f.protectedIdentityRule,
      missingAddressRule: f.missingAddressRule,
      printVendorId: f.printVendorId || null,
      postageClass: f.postageClass,
    },
  };
  return { input, errors };
}

// ---- print vendors -------------------------------------------------------------------------------

export const POSTAGE_CLASSES = ['FIRST_CLASS', 'ECONOMY'] as const;
export const ENVELOPE_PROFILES = ['C5-H2', 'C5-V2', 'C4-H2', 'C4-V2'] as const;

/** A vendor as the API lists it (the fields the page uses). */
export interface Vendor {
  id: string;
  name: string;
  clientId: string;
  envelopeProfile: string;
  hasCustomEnvelopeProfile: boolean;
  maxPages: number;
  maxBatchLetters: number;
  cutoffTimes: string[];
  maxWaitSeconds: number | null;
  ackDeadlineMinutes: number;
  duplex: boolean;
  colour: boolean;
  postageClasses: string[];
  active: boolean;
  createdAt: string;
  updatedAt: string | null;
  tenantsUsing: string[];
}

export interface VendorForm {
  id: string;
  name: string;
  clientId: string;
  envelopeProfile: string;
  maxPages: string;
  maxBatchLetters: string;
  /** Times separated by commas or spaces, e.g. "10:00, 15:00". */
  cutoffTimes: string;
  /** Seconds; '' = none. */
  maxWaitSeconds: string;
  ackDeadlineMinutes: string;
  duplex: boolean;
  colour: boolean;
  postageClasses: string[];
  active: boolean;
}

/** A new vendor's form: the API's defaults, and inactive (a second active vendor is often refused). */
export const NEW_VENDOR_FORM: VendorForm = {
  id: '',
  name: '',
  clientId: '',
  envelopeProfile: 'C5-H2',
  maxPages: '20',
  maxBatchLetters: '5000',
  cutoffTimes: '',
  maxWaitSeconds: '',
  ackDeadlineMinutes: '240',
  duplex: true,
  colour: false,
  postageClasses: [...POSTAGE_CLASSES],
  active: false,
};

export function vendorToForm(v: Vendor): VendorForm {
  return {
    id: v.id,
    name: v.name,
    clientId: v.clientId,
    envelopeProfile: v.envelopeProfile,
    maxPages: String(v.maxPages),
    maxBatchLetters: String(v.maxBatchLetters),
    cutoffTimes: v.cutoffTimes.join(', '),
    maxWaitSeconds: v.maxWaitSeconds === null ? '' : String(v.maxWaitSeconds),
    ackDeadlineMinutes: String(v.ackDeadlineMinutes),
    duplex: v.duplex,
    colour: v.colour,
    postageClasses: [...v.postageClasses],
    active: v.active,
  };
}

/** "9:30, 15:00 17.00" → ["09:30", "15:00", "17:00"] (a one-digit hour gets its zero; the API checks the rest). */
export function parseCutoffTimes(raw: string): string[] {
  return raw
    .split(/[\s,;]+/)
    .map((t) => t.trim().replace('.', ':'))
    .filter(Boolean)
    .map((t) => (/^\d:\d\d$/.test(t) ? `0${t}` : t));
}

/** The createPrintVendor / updatePrintVendor input for a form, or the fields the console refuses itself. */
export function toVendorInput(f: VendorForm, mode: 'create' | 'update'): { input: Record<string, unknown>; errors: LocalError[] } {
  const errors: LocalError[] = [];
  const num = (path: keyof VendorForm, required: boolean): number | null => {
    const n = wholeNumber(f[path] as string);
    if (n === 'invalid' || (required && n === null)) {
      errors.push({ path, key: 'platform.form.wholeNumber' });
      return null;
    }
    return n;
  };
  const input: Record<string, unknown> = {
    name: f.name.trim(),
    clientId: f.clientId.trim(),
    envelopeProfile: f.envelopeProfile,
    maxPages: num('maxPages', true),
    maxBatchLetters: num('maxBatchLetters', true),
    cutoffTimes: parseCutoffTimes(f.cutoffTimes),
    maxWaitSeconds: num('maxWaitSeconds', false),
    ackDeadlineMinutes: num('ackDeadlineMinutes', true),
    duplex: f.duplex,
    colour: f.colour,
    postageClasses: POSTAGE_CLASSES.filter((c) => f.postageClasses.includes(c)),
    active: f.active,
  };
  if (mode === 'create') input.id = f.id.trim();
  return { input, errors };
}

// ---- connections ---------------------------------------------------------------------------------

const UNTRUSTED = ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE', 'INVALID_CA'];
const CLIENT_REFUSED = [
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
];

/** The message key that says a connection error in the user's language; null: show the API's words. */
export function connectionErrorKey(code: string | null | undefined): string | null {
  if (!code) return null;
  if (UNTRUSTED.includes(code)) return 'platform.connections.error.untrusted';
  if (CLIENT_REFUSED.includes(code)) return 'platform.connections.error.clientRefused';
  const direct: Record<string, string> = {
    CERT_HAS_EXPIRED: 'platform.connections.error.expired',
    CERT_NOT_YET_VALID: 'platform.connections.error.notYetValid',
    ERR_TLS_CERT_ALTNAME_INVALID: 'platform.connections.error.hostname',
    HOSTNAME_MISMATCH: 'platform.connections.error.hostname',
    ERR_SSL_WRONG_VERSION_NUMBER: 'platform.connections.error.notTls',
    EPROTO: 'platform.connections.error.notTls',
    ECONNREFUSED: 'platform.connections.error.refused',
    ENOTFOUND: 'platform.connections.error.dns',
    EAI_AGAIN: 'platform.connections.error.dns',
    EHOSTUNREACH: 'platform.connections.error.unreachable',
    ENETUNREACH: 'platform.connections.error.unreachable',
    ECONNRESET: 'platform.connections.error.reset',
    TIMEOUT: 'platform.connections.error.timeout',
    ETIMEDOUT: 'platform.connections.error.timeout',
  };
  return direct[code] ?? null;
}

/** Days from now until `iso` (negative when it has passed). */
export function daysUntil(iso: string, now = Date.now()): number {
  return Math.floor((new Date(iso).getTime() - now) / 86_400_000);
}
