import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON } from '../scalars/json.scalar';

// ---- tenants -------------------------------------------------------------------------------------

@ObjectType('PlatformTenant', { description: 'A tenant (municipality) as the platform operator sees it: who it is and how much it is used, never its letters.' })
export class PlatformTenantType {
  @Field(() => ID, { description: 'The tenant id.' })
  id!: string;

  @Field({ description: 'The organization alias the identity provider puts in tokens (claim OIDC_TENANT_CLAIM, Keycloak Organizations: organization).' })
  alias!: string;

  @Field({ description: 'The municipality\'s name.' })
  name!: string;

  @Field({ description: 'Organisationsnummer as "16" + 10 digits.' })
  orgNumber!: string;

  @Field({ description: 'When it was onboarded.' })
  createdAt!: Date;

  @Field(() => String, { nullable: true, description: 'The print vendor its print settings name; null: the only active vendor.' })
  printVendorId?: string | null;

  @Field(() => Int, { description: 'Its sending units (nämnder/förvaltningar).' })
  sendingUnits!: number;

  @Field(() => Int, { description: 'Letters it submitted in the last 30 days.' })
  lettersLast30Days!: number;
}

@InputType('PlatformPostalAddressInput', { description: 'A sending unit\'s postal address (the return address printed on letters).' })
export class PlatformPostalAddressInput {
  @Field(() => [String], { nullable: true, description: 'One to three lines (e.g. "Bygg- och miljöförvaltningen", "Box 100").' })
  lines?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Swedish postal code, five digits, e.g. "123 45".' })
  postalCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Postort, e.g. Demostad.' })
  city?: string | null;
}

@InputType('FirstSendingUnitInput', { description: 'The new tenant\'s first sending unit; tenant admins add more and upload certificates in the console.' })
export class FirstSendingUnitInput {
  @Field(() => String, { nullable: true, description: 'Required. Code case systems name the unit by: 1–63 of a–z, 0–9 and "-", e.g. bygg.' })
  code?: string | null;

  @Field(() => String, { nullable: true, description: 'Required. The sender\'s name as recipients see it.' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Required. The unit\'s organisationsnummer (10 digits, a dash or a leading 16 accepted; check digit verified).' })
  orgNumber?: string | null;

  @Field(() => PlatformPostalAddressInput, { nullable: true, description: 'Required. The return address.' })
  postalAddress?: PlatformPostalAddressInput | null;
}

@InputType('InitialTenantSettingsInput', { description: 'The new tenant\'s channel and print rules; what is left out gets the default named on each field. Tenant admins change them later.' })
export class InitialTenantSettingsInput {
  @Field(() => Boolean, { nullable: true, description: 'May letters that cannot go digitally go to print? Default true.' })
  printAllowed?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Does a letter whose digital delivery failed for good go to print? Default true.' })
  fallbackToPrint?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'Hours a letter may try digital delivery (1–1440). Default: DISPATCH_DEADLINE_HOURS.' })
  deadlineHours?: number | null;

  @Field(() => String, { nullable: true, description: 'Letters to people with protected personal data that cannot go digitally: HOLD (default), UNDELIVERABLE or PRINT_GIVEN_ADDRESS.' })
  protectedIdentityRule?: string | null;

  @Field(() => String, { nullable: true, description: 'A letter for print without a postal address: HOLD (default) or UNDELIVERABLE.' })
  missingAddressRule?: string | null;

  @Field(() => String, { nullable: true, description: 'The print vendor (an active one). Default: none named, so the only active vendor.' })
  printVendorId?: string | null;

  @Field(() => String, { nullable: true, description: 'Postage class of letters that name none: ECONOMY (default) or FIRST_CLASS.' })
  postageClass?: string | null;
}

@InputType('OnboardTenantInput', { description: 'A new tenant (municipality).' })
export class OnboardTenantInputType {
  @Field(() => String, {
    nullable: true,
    description: 'Required, unique. The organization alias the identity provider puts in its users\' and clients\' tokens: 2–63 of a–z, 0–9 and "-".',
  })
  alias?: string | null;

  @Field(() => String, { nullable: true, description: 'Required. The municipality\'s name, 2–200 characters.' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Required, unique. Organisationsnummer (10 digits, a dash or a leading 16 accepted; check digit verified).' })
  orgNumber?: string | null;

  @Field(() => FirstSendingUnitInput, { nullable: true, description: 'Required. The first sending unit.' })
  firstSendingUnit?: FirstSendingUnitInput | null;

  @Field(() => InitialTenantSettingsInput, { nullable: true, description: 'Channel and print rules; defaults where left out.' })
  settings?: InitialTenantSettingsInput | null;
}

@InputType('PlatformTenantUpdateInput', { description: 'Changes to a tenant (its alias and organisationsnummer do not change).' })
export class PlatformTenantUpdateInput {
  @Field(() => String, { nullable: true, description: 'The municipality\'s new name, 2–200 characters.' })
  name?: string | null;
}

// ---- print vendors -------------------------------------------------------------------------------

@ObjectType('PlatformPrintVendor', { description: 'A print and enveloping vendor, as the platform operator registers it (one vendor serves many municipalities).' })
export class PlatformPrintVendorType {
  @Field(() => ID, { description: 'The vendor id (in batches and manifests); never changes.' })
  id!: string;

  @Field({ description: 'The vendor\'s name.' })
  name!: string;

  @Field({ description: 'The OAuth client the vendor\'s tokens are issued to: the vendor API knows the vendor by it.' })
  clientId!: string;

  @Field({ description: 'Envelope profile letters are laid out for (C5-H2, C5-V2, C4-H2, C4-V2); a municipality may override it.' })
  envelopeProfile!: string;

  @Field({ description: 'The vendor has its own envelope profile (set outside the console), which is used instead of envelopeProfile.' })
  hasCustomEnvelopeProfile!: boolean;

  @Field(() => Int, { description: 'The most pages of one letter the vendor prints (longer letters are held).' })
  maxPages!: number;

  @Field(() => Int, { description: 'A batch closes when it holds this many letters.' })
  maxBatchLetters!: number;

  @Field(() => [String], { description: 'Local times (HH:MM, PRINT_TIMEZONE) at which open batches close, e.g. 10:00 and 15:00.' })
  cutoffTimes!: string[];

  @Field(() => Int, { nullable: true, description: 'A batch also closes when its oldest letter has waited this many seconds; null: only at the cut-off times or when full.' })
  maxWaitSeconds?: number | null;

  @Field(() => Int, { description: 'Minutes the vendor has to acknowledge a ready batch; later, the batch is flagged (unacknowledgedPrintBatches).' })
  ackDeadlineMinutes!: number;

  @Field({ description: 'Prints on both sides by default.' })
  duplex!: boolean;

  @Field({ description: 'Prints in colour by default.' })
  colour!: boolean;

  @Field(() => [String], { description: 'Postage classes the vendor handles: FIRST_CLASS, ECONOMY.' })
  postageClasses!: string[];

  @Field({ description: 'Active vendors receive letters; an inactive one keeps its batches and history only.' })
  active!: boolean;

  @Field({ description: 'When it was registered.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When its settings were last changed here.' })
  updatedAt?: Date | null;

  @Field(() => [String], { description: 'Municipalities whose printed letters go to it (named in their print settings, or by default as the only active vendor).' })
  tenantsUsing!: string[];
}

@InputType('PrintVendorSettingsInput', { description: 'A print vendor\'s settings. On create, what is left out gets the default named on the field; on update, it stays as it is.' })
export class PrintVendorSettingsInput {
  @Field(() => String, { nullable: true, description: 'Required on create. The vendor\'s name, 2–200 characters.' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Required on create, unique. The OAuth client id of the vendor at the identity provider.' })
  clientId?: string | null;

  @Field(() => String, { nullable: true, description: 'C5-H2 (default), C5-V2, C4-H2 or C4-V2.' })
  envelopeProfile?: string | null;

  @Field(() => Int, { nullable: true, description: 'Most pages per letter, 1–500 (default 20).' })
  maxPages?: number | null;

  @Field(() => Int, { nullable: true, description: 'Letters per batch, 1–100000 (default 5000).' })
  maxBatchLetters?: number | null;

  @Field(() => [String], { nullable: true, description: 'Cut-off times HH:MM (at most 24). At least one cut-off time or a maxWaitSeconds is required.' })
  cutoffTimes?: string[] | null;

  @Field(() => Int, { nullable: true, description: 'Longest wait of the oldest letter, in seconds (1–604800); null: none.' })
  maxWaitSeconds?: number | null;

  @Field(() => Int, { nullable: true, description: 'Minutes to acknowledge a ready batch, 1–10080 (default 240).' })
  ackDeadlineMinutes?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Both sides (default true).' })
  duplex?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Colour (default false).' })
  colour?: boolean | null;

  @Field(() => [String], { nullable: true, description: 'Postage classes handled: FIRST_CLASS, ECONOMY (default both).' })
  postageClasses?: string[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Receives letters (default true). Refused when it would leave a municipality without a vendor: deactivating one that municipalities use, ' +
      'or a second active vendor while municipalities name none.',
  })
  active?: boolean | null;
}

@InputType('PrintVendorCreateInput', { description: 'A new print vendor.' })
export class PrintVendorCreateInputType extends PrintVendorSettingsInput {
  @Field(() => String, { nullable: true, description: 'Required, unique, never changes: 2–63 of a–z, 0–9 and "-", e.g. postnord-print.' })
  id?: string | null;
}

// ---- connections ---------------------------------------------------------------------------------

@ObjectType('EnvironmentSetting', { description: 'A setting read from the environment at boot (change it there and restart; the console shows it read-only).' })
export class EnvironmentSettingType {
  @Field({ description: 'The environment variable.' })
  variable!: string;

  @Field(() => String, { nullable: true, description: 'Its value in this API process.' })
  value?: string | null;

  @Field({ description: 'What it means.' })
  meaning!: string;

  @Field({ description: 'The value is the demo default (in production it is set).' })
  isDefault!: boolean;
}

@ObjectType('PlatformCertificate', { description: 'An X.509 certificate\'s identity and validity.' })
export class CertificateInfoType {
  @Field({ description: 'Subject (RFC 4514, most specific first).' })
  subject!: string;

  @Field({ description: 'Issuer.' })
  issuer!: string;

  @Field(() => String, { nullable: true, description: 'The subject\'s serialNumber attribute ("16" + organisationsnummer for Swedish function certificates).' })
  serialNumber?: string | null;

  @Field({ description: 'Valid from.' })
  notBefore!: Date;

  @Field({ description: 'Valid until.' })
  notAfter!: Date;
}

@ObjectType('IntermediaryCertificate', { description: 'The hub\'s förmedlare certificate: seals deliveries and is the TLS client certificate towards FaR and the mailbox operators.' })
export class IntermediaryCertificateType extends CertificateInfoType {
  @Field({ description: 'When it was installed or last replaced.' })
  installedAt!: Date;
}

@ObjectType('KnownMailboxOperator', { description: 'A mailbox operator the dispatch has learned from FaR\'s answers (each letter keeps the operator and address FaR named).' })
export class KnownMailboxOperatorType {
  @Field({ description: '"16" + the operator\'s organisationsnummer.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Its name as FaR gives it.' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'The deliverSecure endpoint FaR named most recently.' })
  serviceAddress?: string | null;

  @Field({ description: 'When FaR last named it for a letter.' })
  lastSeenAt!: Date;

  @Field(() => Int, { description: 'Tenants whose letters went to it.' })
  tenants!: number;
}

@ObjectType('MmConnections', { description: 'The hub\'s connections to Mina meddelanden (FaR and the mailbox operators). The settings come from the environment and are read-only here.' })
export class MmConnectionsType {
  @Field(() => [EnvironmentSettingType], { description: 'FAR_URL, MM_CA_FILE and MM_TIMEOUT_MS.' })
  settings!: EnvironmentSettingType[];

  @Field(() => [CertificateInfoType], { description: 'The CA certificates in MM_CA_FILE: the servers (FaR, operators) must have certificates issued by one of them.' })
  trustedCas!: CertificateInfoType[];

  @Field(() => String, { nullable: true, description: 'Why MM_CA_FILE cannot be used, when it cannot.' })
  caProblem?: string | null;

  @Field(() => IntermediaryCertificateType, { nullable: true, description: 'The förmedlare certificate; null when none is installed.' })
  intermediary?: IntermediaryCertificateType | null;

  @Field(() => String, { nullable: true, description: 'Why there is no usable förmedlare certificate, when there is none.' })
  intermediaryProblem?: string | null;

  @Field(() => [KnownMailboxOperatorType], { description: 'The mailbox operators known from FaR\'s answers.' })
  operators!: KnownMailboxOperatorType[];
}

@ObjectType('FarAnswer', { description: 'What FaR answered about the check\'s test recipient.' })
export class FarAnswerType {
  @Field({ description: 'The test recipient asked about (a Skatteverket test personnummer).' })
  recipientId!: string;

  @Field({ description: 'It can receive digital mail from the sender.' })
  deliverable!: boolean;

  @Field(() => String, { nullable: true, description: 'Why not: NOT_REGISTERED, SENDER_NOT_ACCEPTED, PENDING or NO_SUPPLIER.' })
  reason?: string | null;

  @Field(() => String, { nullable: true, description: 'The recipient\'s mailbox operator.' })
  operatorName?: string | null;
}

@ObjectType('EndpointCheck', { description: 'The result of connecting to one endpoint.' })
export class EndpointCheckType {
  @Field({ description: 'SETUP (the förmedlare certificate and MM_CA_FILE), FAR or MAILBOX_OPERATOR.' })
  kind!: string;

  @Field({ description: 'What was checked.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'The endpoint.' })
  url?: string | null;

  @Field({ description: 'It answered as it should.' })
  ok!: boolean;

  @Field(() => Int, { nullable: true, description: 'Milliseconds until the answer (for FaR: its answer to the question), or until the failure.' })
  latencyMs?: number | null;

  @Field(() => Int, { nullable: true, description: 'The HTTP status of the connection probe (a GET; SOAP services answer 404, 405 or a WSDL).' })
  httpStatus?: number | null;

  @Field(() => String, { nullable: true, description: 'The server\'s TLS certificate subject.' })
  serverCertificateSubject?: string | null;

  @Field(() => Date, { nullable: true, description: 'The server\'s TLS certificate expiry.' })
  serverCertificateNotAfter?: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it failed, machine-readable: a TLS or network code (e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE, ECONNREFUSED), TIMEOUT, FAR_FAULT, SETUP…' })
  errorCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Why it failed, in words.' })
  message?: string | null;

  @Field(() => FarAnswerType, { nullable: true, description: 'FaR\'s answer (FAR only).' })
  farAnswer?: FarAnswerType | null;
}

@ObjectType('MmConnectionCheck', { description: 'A live check of the connections to FaR and the mailbox operators.' })
export class MmConnectionCheckType {
  @Field({ description: 'When it ran.' })
  checkedAt!: Date;

  @Field({ description: 'Every endpoint answered as it should.' })
  ok!: boolean;

  @Field(() => String, { nullable: true, description: 'The sender FaR was asked for ("16" + organisationsnummer).' })
  senderOrgNumber?: string | null;

  @Field(() => [EndpointCheckType], { description: 'One result per endpoint: FaR first, then each mailbox operator.' })
  results!: EndpointCheckType[];
}

// ---- the platform's audit trail ------------------------------------------------------------------

@ObjectType('PlatformAuditEntry', { description: 'One platform-level change (onboarding, tenant names, print vendors), in the platform\'s own hash chain.' })
export class PlatformAuditEntryType {
  @Field(() => Int, { description: 'Position in the chain, from 1.' })
  seq!: number;

  @Field({ description: 'Who: the platform admin\'s user id.' })
  actor!: string;

  @Field({ description: 'What: tenant.onboard, tenant.update, printVendor.create, printVendor.update.' })
  action!: string;

  @Field({ description: 'Which object: tenant:<id> or printVendor:<id>.' })
  target!: string;

  @Field(() => GraphQLJSON, { description: 'The change (new and old values).' })
  detail!: unknown;

  @Field({ description: 'When.' })
  createdAt!: Date;

  @Field({ description: 'The previous entry\'s hash ("" for the first).' })
  prevHash!: string;

  @Field({ description: 'SHA-256 (hex) over prevHash and this entry.' })
  hash!: string;
}

@ObjectType('PlatformAuditVerification', { description: 'The platform chain recomputed: ok, or the first entry that does not fit.' })
export class PlatformAuditVerificationType {
  @Field({ description: 'Every entry fits.' })
  ok!: boolean;

  @Field(() => Int, { description: 'Entries checked.' })
  entries!: number;

  @Field({ description: 'Hash of the last entry checked (the head when ok): keep it elsewhere to detect removed newest entries.' })
  lastHash!: string;

  @Field(() => Int, { nullable: true, description: 'The first entry that does not fit.' })
  brokenSeq?: number | null;

  @Field(() => String, { nullable: true, description: 'What is wrong with it: SEQ, PREV_HASH or HASH.' })
  brokenProblem?: string | null;

  @Field(() => String, { nullable: true, description: 'In words.' })
  brokenMessage?: string | null;
}
