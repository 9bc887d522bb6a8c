/** The GraphQL operations and answer shapes of the settings-core pages (units, case types, rules, envelope). */

export type CertificateStatus = 'VALID' | 'EXPIRES_SOON' | 'EXPIRED' | 'NOT_YET_VALID';

export interface SenderCertificate {
  subject: string;
  issuer: string;
  serialNumber: string;
  subjectSerialNumber: string | null;
  matchesOrgNumber: boolean;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  status: CertificateStatus;
  fingerprintSha256: string;
}

export interface SendingUnit {
  id: string;
  code: string;
  name: string;
  orgNumber: string;
  postalAddress: string[];
  keyStored: boolean;
  certificate: SenderCertificate | null;
}

const UNIT_FIELDS = `id code name orgNumber postalAddress keyStored
  certificate { subject issuer serialNumber subjectSerialNumber matchesOrgNumber notBefore notAfter daysLeft status fingerprintSha256 }`;

export const SENDING_UNITS = `query SendingUnits { sendingUnits { ${UNIT_FIELDS} } }`;
export const CREATE_SENDING_UNIT = `mutation CreateSendingUnit($input: SendingUnitInput!) { createSendingUnit(input: $input) { ${UNIT_FIELDS} } }`;
export const UPDATE_SENDING_UNIT = `mutation UpdateSendingUnit($code: String!, $input: SendingUnitUpdateInput!) { updateSendingUnit(code: $code, input: $input) { ${UNIT_FIELDS} } }`;
export const SET_CERTIFICATE = `mutation SetSendingUnitCertificate($code: String!, $input: SenderCertificateInput!) { setSendingUnitCertificate(code: $code, input: $input) { ${UNIT_FIELDS} } }`;

export type CaseTypeChannel = 'DIGITAL' | 'PRINT';

export interface CaseType {
  code: string;
  name: string;
  defaultProtectionClass: number;
  subjectTemplate: string;
  bodyTemplate: string | null;
  allowedChannels: CaseTypeChannel[];
  retentionRuleId: string | null;
  diaryEnabled: boolean;
  active: boolean;
  archivedAt: string | null;
  version: number;
  updatedAt: string;
}

export interface RetentionRuleOption {
  id: string;
  caseTypeCode: string | null;
  protectionClass: number | null;
  description: string | null;
  contentAfterDays: number | null;
  identifiersAfterDays: number | null;
  logAfterDays: number | null;
}

const CASE_TYPE_FIELDS = 'code name defaultProtectionClass subjectTemplate bodyTemplate allowedChannels retentionRuleId diaryEnabled active archivedAt version updatedAt';
export const CASE_TYPES = `query CaseTypes {
  caseTypes(includeArchived: true) { ${CASE_TYPE_FIELDS} }
  retentionRules { id caseTypeCode protectionClass description contentAfterDays identifiersAfterDays logAfterDays }
}`;
export const CREATE_CASE_TYPE = `mutation CreateCaseType($input: CaseTypeInput!) { createCaseType(input: $input) { ${CASE_TYPE_FIELDS} } }`;
export const UPDATE_CASE_TYPE = `mutation UpdateCaseType($code: String!, $input: CaseTypeUpdateInput!) { updateCaseType(code: $code, input: $input) { ${CASE_TYPE_FIELDS} } }`;
export const ARCHIVE_CASE_TYPE = `mutation ArchiveCaseType($code: String!) { archiveCaseType(code: $code) { ${CASE_TYPE_FIELDS} } }`;
export const RESTORE_CASE_TYPE = `mutation RestoreCaseType($code: String!) { restoreCaseType(code: $code) { ${CASE_TYPE_FIELDS} } }`;

export interface TemplatePreview {
  subject: string | null;
  body: string | null;
  problems: { path: string; rule: string; message: string }[];
  placeholders: { placeholder: string; description: string }[];
}
export const TEMPLATE_PREVIEW = `query CaseTypeTemplatePreview($subjectTemplate: String!, $bodyTemplate: String, $caseTypeName: String, $sendingUnit: String, $caseReference: String) {
  caseTypeTemplatePreview(subjectTemplate: $subjectTemplate, bodyTemplate: $bodyTemplate, caseTypeName: $caseTypeName, sendingUnit: $sendingUnit, caseReference: $caseReference) {
    subject body problems { path rule message } placeholders { placeholder description }
  }
}`;

export type ProtectedIdentityRule = 'HOLD' | 'UNDELIVERABLE' | 'PRINT_GIVEN_ADDRESS';
export type MissingAddressRule = 'HOLD' | 'UNDELIVERABLE';
export type PostageClass = 'FIRST_CLASS' | 'ECONOMY';
export type PrintRule = 'ALLOW' | 'HOLD' | 'DENY';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface EnvelopeProfile {
  id: string;
  name: string;
  envelope: string;
  window: Rect;
  windowPaddingMm: number;
  senderBlock: Rect;
  printableArea: { topMm: number; rightMm: number; bottomMm: number; leftMm: number };
  source: string;
}

export interface PrintVendorOption {
  id: string;
  name: string;
  envelopeProfile: string;
  maxPages: number;
  duplex: boolean;
  colour: boolean;
  postageClasses: PostageClass[];
  active: boolean;
}

export interface TenantSettings {
  printAllowed: boolean;
  fallbackToPrint: boolean;
  protectedIdentityRule: ProtectedIdentityRule;
  missingAddressRule: MissingAddressRule;
  deadlineHours: number;
  deadlineHoursIsDefault: boolean;
  defaultDeadlineHours: number;
  print: {
    vendorId: string | null;
    vendor: PrintVendorOption | null;
    postageClass: PostageClass;
    envelopeProfile: string | null;
    customEnvelopeProfile: EnvelopeProfile | null;
    effectiveEnvelopeProfile: EnvelopeProfile | null;
    problem: string | null;
    duplex: boolean | null;
    colour: boolean | null;
    effectiveDuplex: boolean | null;
    effectiveColour: boolean | null;
  };
}

export interface ProtectionClassRule {
  protectionClass: number;
  print: PrintRule;
  notificationMayIncludeSubject: boolean;
}

const PROFILE_FIELDS = 'id name envelope window { x y width height } windowPaddingMm senderBlock { x y width height } printableArea { topMm rightMm bottomMm leftMm } source';
const VENDOR_FIELDS = 'id name envelopeProfile maxPages duplex colour postageClasses active';
const SETTINGS_FIELDS = `printAllowed fallbackToPrint protectedIdentityRule missingAddressRule deadlineHours deadlineHoursIsDefault defaultDeadlineHours
  print { vendorId vendor { ${VENDOR_FIELDS} } postageClass envelopeProfile customEnvelopeProfile { ${PROFILE_FIELDS} } effectiveEnvelopeProfile { ${PROFILE_FIELDS} }
          problem duplex colour effectiveDuplex effectiveColour }`;

export const RULES = `query Rules { tenantSettings { ${SETTINGS_FIELDS} } protectionClassPolicy { protectionClass print notificationMayIncludeSubject } }`;
export const UPDATE_SETTINGS = `mutation UpdateTenantSettings($input: TenantSettingsInput!) { updateTenantSettings(input: $input) { ${SETTINGS_FIELDS} } }`;
export const SET_POLICY = `mutation SetProtectionClassPolicy($rules: [ProtectionClassRuleInput!]!) { setProtectionClassPolicy(rules: $rules) { protectionClass print notificationMayIncludeSubject } }`;
export const ENVELOPE = `query Envelope { tenantSettings { ${SETTINGS_FIELDS} } tenantPrintOptions { vendors { ${VENDOR_FIELDS} } envelopeProfiles { ${PROFILE_FIELDS} } } }`;

export interface PrintPreview {
  pdfBase64: string | null;
  pages: number | null;
  addressLines: string[];
  envelopeProfile: EnvelopeProfile | null;
  vendorId: string | null;
  duplex: boolean;
  colour: boolean;
  problems: { code: string; message: string; field: string | null }[];
}
export const PRINT_PREVIEW = `query PrintPreview($print: TenantPrintSettingsInput) {
  printPreview(print: $print) { pdfBase64 pages addressLines envelopeProfile { id name } vendorId duplex colour problems { code message field } }
}`;
