import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { FileUpload, GraphQLUpload } from 'graphql-upload-minimal';
import { PostageClassEnum } from '../letters/letter.types';
import { CERTIFICATE_WARNING_DAYS, CertificateStatus } from './sender-certificate';
import { MAX_ADDRESS_LINE_LENGTH, MAX_ADDRESS_LINES } from './sending-unit.service';
import { DEADLINE_HOURS_MAX, MISSING_ADDRESS_RULES, MissingAddressRule, PostageClass, PROTECTED_IDENTITY_RULES, ProtectedIdentityRule } from './tenant-settings';

const asEnum = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const CertificateStatusEnum = asEnum<CertificateStatus>(['VALID', 'EXPIRES_SOON', 'EXPIRED', 'NOT_YET_VALID']);
registerEnumType(CertificateStatusEnum, {
  name: 'CertificateStatus',
  description: `VALID; EXPIRES_SOON (${CERTIFICATE_WARNING_DAYS} days or fewer left: renew it); EXPIRED (letters from the unit cannot be signed: they go to print or fail); NOT_YET_VALID.`,
});

export const ProtectedIdentityRuleEnum = asEnum<ProtectedIdentityRule>(PROTECTED_IDENTITY_RULES);
registerEnumType(ProtectedIdentityRuleEnum, {
  name: 'ProtectedIdentityRule',
  description:
    'A letter to a person with protected personal data (skyddade personuppgifter) that cannot go digitally: HOLD for a person to handle (releaseHeldLetter), ' +
    'UNDELIVERABLE (it fails), or PRINT_GIVEN_ADDRESS (print, only to the address the case system gave; the hub never looks one up).',
});

export const MissingAddressRuleEnum = asEnum<MissingAddressRule>(MISSING_ADDRESS_RULES);
registerEnumType(MissingAddressRuleEnum, { name: 'MissingAddressRule', description: 'A letter that should go to print but has no postal address: HOLD (a person adds one and releases it) or UNDELIVERABLE.' });

// ---- sending units -------------------------------------------------------------------------------

@ObjectType('SenderCertificate', { description: 'A sending unit\'s function certificate, with which its letters are signed (never its key).' })
export class SenderCertificateType {
  @Field({ description: 'The subject (RFC 4514, most specific first), e.g. "CN=Demo kommun, SERIALNUMBER=162120001231, O=Demo kommun, C=SE".' })
  subject!: string;

  @Field({ description: 'Who issued it (RFC 4514).' })
  issuer!: string;

  @Field({ description: 'The certificate\'s serial number (hex).' })
  serialNumber!: string;

  @Field(() => String, { nullable: true, description: 'The subject\'s serialNumber attribute: "16" + the organisationsnummer it is issued to.' })
  subjectSerialNumber!: string | null;

  @Field({ description: 'Whether it is issued to the unit\'s organisation number (letters cannot be signed otherwise).' })
  matchesOrgNumber!: boolean;

  @Field({ description: 'When it became valid.' })
  notBefore!: Date;

  @Field({ description: 'When it expires.' })
  notAfter!: Date;

  @Field(() => Int, { description: 'Whole days until it expires (negative once expired).' })
  daysLeft!: number;

  @Field(() => CertificateStatusEnum, { description: 'VALID, EXPIRES_SOON (30 days or fewer left), EXPIRED or NOT_YET_VALID.' })
  status!: CertificateStatus;

  @Field({ description: 'SHA-256 fingerprint of the certificate, "AB:CD:…".' })
  fingerprintSha256!: string;
}

@ObjectType('SendingUnitSettings', { description: 'A sending unit (nämnd/förvaltning) as its tenant admins manage it: identity, return address, certificate.' })
export class SendingUnitSettingsType {
  @Field(() => ID, { description: 'The unit\'s id.' })
  id!: string;

  @Field({ description: 'The code letters name it by (LetterInput.sendingUnit), e.g. "bygg". Never changes.' })
  code!: string;

  @Field({ description: 'The name printed as sender and shown in the recipient\'s mailbox.' })
  name!: string;

  @Field({ description: 'The organisationsnummer it sends as: "16" + 10 digits (Mina meddelanden\'s Sender/Id).' })
  orgNumber!: string;

  @Field(() => [String], { description: 'The postal (return) address printed in the sender block, line by line; the last line is postal code and town.' })
  postalAddress!: string[];

  @Field(() => SenderCertificateType, { nullable: true, description: 'The installed certificate; null: none (its letters cannot go digitally).' })
  certificate!: SenderCertificateType | null;

  @Field({ description: 'Whether a private key is stored (encrypted) for the certificate.' })
  keyStored!: boolean;

  @Field({ description: 'When the unit was created.' })
  createdAt!: Date;
}

const ADDRESS_DOC = `2–${MAX_ADDRESS_LINES} lines of at most ${MAX_ADDRESS_LINE_LENGTH} characters; the last one is postal code and town, e.g. ["Box 100", "123 45 Demostad"].`;

@InputType('SendingUnitInput', { description: 'A new sending unit. VALIDATION_FAILED names each wrong field.' })
export class SendingUnitInputType {
  @Field(() => String, { nullable: true, description: 'Required. 1–63 lower-case letters, digits and "-", unique in your municipality; cannot change later.' })
  code?: string | null;

  @Field(() => String, { nullable: true, description: 'Required. At most 200 characters.' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Required. Organisationsnummer: NNNNNN-NNNN, 10 digits or 16 + 10 digits (checked).' })
  orgNumber?: string | null;

  @Field(() => [String], { nullable: true, description: `Required. ${ADDRESS_DOC}` })
  postalAddress?: string[] | null;
}

@InputType('SendingUnitUpdateInput', { description: 'A change to a sending unit: fields left out stay as they are.' })
export class SendingUnitUpdateInputType {
  @Field(() => String, { nullable: true, description: 'At most 200 characters.' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Refused while a certificate for another organisation number is installed.' })
  orgNumber?: string | null;

  @Field(() => [String], { nullable: true, description: ADDRESS_DOC })
  postalAddress?: string[] | null;
}

@InputType('SenderCertificateInput', {
  description:
    'A sender certificate with its private key, as GraphQL multipart uploads (send the header "apollo-require-preflight: true"): either pkcs12 (+ password), ' +
    'or certificatePem and privateKeyPem (+ password when the key is encrypted). Checked before it is stored: the key belongs to the certificate, it is valid now, ' +
    'and its subject serialNumber is the unit\'s organisation number.',
})
export class SenderCertificateInputType {
  @Field(() => GraphQLUpload, { nullable: true, description: 'A PKCS#12 file (.p12/.pfx) with the certificate and its private key.' })
  pkcs12?: Promise<FileUpload> | null;

  @Field(() => String, { nullable: true, description: 'The password of the PKCS#12 file, or of an encrypted PEM key. Never stored or logged.' })
  password?: string | null;

  @Field(() => GraphQLUpload, { nullable: true, description: 'The certificate (PEM or DER); a PEM file may also hold the chain.' })
  certificatePem?: Promise<FileUpload> | null;

  @Field(() => GraphQLUpload, { nullable: true, description: 'The private key (PEM: PKCS#8, PKCS#1 or encrypted PKCS#8), RSA.' })
  privateKeyPem?: Promise<FileUpload> | null;
}

// ---- envelope profiles ----------------------------------------------------------------------------

@ObjectType('MillimetreRect', { description: 'A rectangle on the A4 sheet, in millimetres from its top-left corner.' })
export class MillimetreRectType {
  @Field(() => Float, { description: 'Left edge, mm from the sheet\'s left edge.' })
  x!: number;

  @Field(() => Float, { description: 'Top edge, mm from the sheet\'s top edge.' })
  y!: number;

  @Field(() => Float, { description: 'Width in mm.' })
  width!: number;

  @Field(() => Float, { description: 'Height in mm.' })
  height!: number;
}

@ObjectType('PrintMargins', { description: 'The margins (mm) the vendor cannot print in; the rest of the sheet is the printable area.' })
export class PrintMarginsType {
  @Field(() => Float, { description: 'Top margin in mm.' })
  topMm!: number;

  @Field(() => Float, { description: 'Right margin in mm.' })
  rightMm!: number;

  @Field(() => Float, { description: 'Bottom margin in mm.' })
  bottomMm!: number;

  @Field(() => Float, { description: 'Left margin in mm.' })
  leftMm!: number;
}

@ObjectType('EnvelopeProfileSpec', { description: 'Where the address must sit to show through the envelope\'s window, and what else the vendor needs kept clear.' })
export class EnvelopeProfileSpecType {
  @Field({ description: 'e.g. "C5-H2"' })
  id!: string;

  @Field({ description: 'What the profile is, in words.' })
  name!: string;

  @Field({ description: 'C4 (A4 flat), C5 (A4 folded once) or C5/6 (folded twice).' })
  envelope!: string;

  @Field(() => MillimetreRectType, { description: 'The envelope\'s window as it lies over page 1.' })
  window!: MillimetreRectType;

  @Field(() => Float, { description: 'Space kept clear inside the window\'s edges.' })
  windowPaddingMm!: number;

  @Field(() => MillimetreRectType, { description: 'Where the sender block (return address) goes.' })
  senderBlock!: MillimetreRectType;

  @Field(() => PrintMarginsType, { description: 'The margins the vendor cannot print in.' })
  printableArea!: PrintMarginsType;

  @Field({ description: 'Where the numbers come from.' })
  source!: string;
}

@InputType('MillimetreRectInput', { description: 'A rectangle on the A4 sheet, in millimetres from its top-left corner.' })
export class MillimetreRectInputType {
  @Field(() => Float, { nullable: true, description: 'Required: left edge, mm from the sheet\'s left edge (≥ 0).' })
  x?: number | null;

  @Field(() => Float, { nullable: true, description: 'Required: top edge, mm from the sheet\'s top edge (≥ 0).' })
  y?: number | null;

  @Field(() => Float, { nullable: true, description: 'Required: width in mm (> 0).' })
  width?: number | null;

  @Field(() => Float, { nullable: true, description: 'Required: height in mm (> 0).' })
  height?: number | null;
}

@InputType('PrintMarginsInput', { description: 'The margins (mm) the vendor cannot print in.' })
export class PrintMarginsInputType {
  @Field(() => Float, { nullable: true, description: 'Required: 3–60 mm.' })
  topMm?: number | null;

  @Field(() => Float, { nullable: true, description: 'Required: 3–60 mm.' })
  rightMm?: number | null;

  @Field(() => Float, { nullable: true, description: 'Required: 3–60 mm.' })
  bottomMm?: number | null;

  @Field(() => Float, { nullable: true, description: 'Required: 3–60 mm.' })
  leftMm?: number | null;
}

@InputType('EnvelopeProfileSpecInput', {
  description:
    'Your own envelope profile (millimetres from the sheet\'s top-left corner), checked by the print library: the window inside the printable area and on the part of the sheet ' +
    'that faces it once folded, large enough for three address lines inside the padding; the sender block inside the printable area and clear of the window; margins 3–60 mm.',
})
export class EnvelopeProfileSpecInputType {
  @Field(() => String, { nullable: true, description: 'Default "<municipality alias>-custom". Recorded on every letter printed with it.' })
  id?: string | null;

  @Field(() => String, { nullable: true, description: 'Required, e.g. "C5 med högerfönster från vår kuvertleverantör".' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Required: C4, C5 or C5/6.' })
  envelope?: string | null;

  @Field(() => MillimetreRectInputType, { nullable: true, description: 'Required: the window.' })
  window?: MillimetreRectInputType | null;

  @Field(() => Float, { nullable: true, description: 'Required, ≥ 0.' })
  windowPaddingMm?: number | null;

  @Field(() => MillimetreRectInputType, { nullable: true, description: 'Required: the sender block.' })
  senderBlock?: MillimetreRectInputType | null;

  @Field(() => PrintMarginsInputType, { nullable: true, description: 'Required.' })
  printableArea?: PrintMarginsInputType | null;

  @Field(() => String, { nullable: true, description: 'Required: where the numbers come from (the envelope maker\'s data sheet, the vendor\'s specification).' })
  source?: string | null;
}

// ---- channel and print rules ----------------------------------------------------------------------

@ObjectType('PrintVendorOption', { description: 'A print vendor registered on the platform, as a municipality may choose it.' })
export class PrintVendorOptionType {
  @Field({ description: 'The vendor\'s id, as TenantPrintSettingsInput.vendorId names it.' })
  id!: string;

  @Field({ description: 'The vendor\'s name.' })
  name!: string;

  @Field({ description: 'The id of the vendor\'s envelope profile (its own, or a standard one).' })
  envelopeProfile!: string;

  @Field(() => Int, { description: 'Most pages per letter the vendor takes.' })
  maxPages!: number;

  @Field({ description: 'Whether the vendor prints on both sides unless told otherwise.' })
  duplex!: boolean;

  @Field({ description: 'Whether the vendor prints in colour unless told otherwise.' })
  colour!: boolean;

  @Field(() => [PostageClassEnum], { description: 'The postage classes the vendor handles.' })
  postageClasses!: PostageClass[];

  @Field({ description: 'Whether the vendor takes new letters (an inactive one cannot be chosen).' })
  active!: boolean;
}

@ObjectType('TenantPrintSettings', { description: 'How your letters are printed. The stored choice (null: not chosen) and what applies now.' })
export class TenantPrintSettingsType {
  @Field(() => String, { nullable: true, description: 'The chosen vendor; null: the only registered one.' })
  vendorId!: string | null;

  @Field(() => PrintVendorOptionType, { nullable: true, description: 'The vendor your letters go to now; null: none (letters to print are held, NO_PRINT_VENDOR).' })
  vendor!: PrintVendorOptionType | null;

  @Field(() => PostageClassEnum, { description: 'Postage of letters that name none (default ECONOMY).' })
  postageClass!: PostageClass;

  @Field(() => String, { nullable: true, description: 'The chosen standard envelope profile; null: the vendor\'s (or your own, below).' })
  envelopeProfile!: string | null;

  @Field(() => EnvelopeProfileSpecType, { nullable: true, description: 'Your own envelope profile; it wins over envelopeProfile and the vendor\'s.' })
  customEnvelopeProfile!: EnvelopeProfileSpecType | null;

  @Field(() => EnvelopeProfileSpecType, { nullable: true, description: 'The profile your letters are printed with now.' })
  effectiveEnvelopeProfile!: EnvelopeProfileSpecType | null;

  @Field(() => String, { nullable: true, description: 'Why letters to print would be held now (no vendor, an unusable profile); null when all is well.' })
  problem!: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Print on both sides; null: the vendor\'s default.' })
  duplex!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Print in colour; null: the vendor\'s default.' })
  colour!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'What applies now (null without a vendor).' })
  effectiveDuplex!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'What applies now (null without a vendor).' })
  effectiveColour!: boolean | null;
}

@ObjectType('TenantSettings', { description: 'Your municipality\'s channel and print rules, defaults filled in. The protection-class policy is protectionClassPolicy.' })
export class TenantSettingsType {
  @Field({ description: 'Whether a letter that cannot go digitally may go to print (default true). False: such letters fail as undeliverable.' })
  printAllowed!: boolean;

  @Field({ description: 'Whether a letter whose digital delivery failed for good or ran out of time goes to print (default true).' })
  fallbackToPrint!: boolean;

  @Field(() => ProtectedIdentityRuleEnum, { description: 'Default HOLD.' })
  protectedIdentityRule!: ProtectedIdentityRule;

  @Field(() => MissingAddressRuleEnum, { description: 'Default HOLD.' })
  missingAddressRule!: MissingAddressRule;

  @Field(() => Int, { description: 'Hours a letter may try digital delivery before it fails or goes to print (counted from its submission).' })
  deadlineHours!: number;

  @Field({ description: 'Whether deadlineHours is the hub\'s default (DISPATCH_DEADLINE_HOURS) rather than your own.' })
  deadlineHoursIsDefault!: boolean;

  @Field(() => Int, { description: 'The hub\'s default deadline (DISPATCH_DEADLINE_HOURS), which applies while you set none.' })
  defaultDeadlineHours!: number;

  @Field(() => TenantPrintSettingsType, { description: 'How your letters are printed.' })
  print!: TenantPrintSettingsType;
}

@InputType('TenantPrintSettingsInput', { description: 'A change to the print settings: fields left out stay as they are; null returns one to its default.' })
export class TenantPrintSettingsInputType {
  @Field(() => String, { nullable: true, description: 'One of tenantPrintOptions.vendors; null: the only registered vendor.' })
  vendorId?: string | null;

  @Field(() => PostageClassEnum, { nullable: true, description: 'null: ECONOMY.' })
  postageClass?: PostageClass | null;

  @Field(() => String, { nullable: true, description: 'One of tenantPrintOptions.envelopeProfiles (replaces your own profile); null: the vendor\'s.' })
  envelopeProfile?: string | null;

  @Field(() => EnvelopeProfileSpecInputType, { nullable: true, description: 'Your own profile (replaces envelopeProfile); null removes it. Not together with envelopeProfile.' })
  customEnvelopeProfile?: EnvelopeProfileSpecInputType | null;

  @Field(() => Boolean, { nullable: true, description: 'null: the vendor\'s default.' })
  duplex?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'null: the vendor\'s default.' })
  colour?: boolean | null;
}

@InputType('TenantSettingsInput', { description: 'A change to the channel and print rules: fields left out stay as they are; null returns one to its default.' })
export class TenantSettingsInputType {
  @Field(() => Boolean, { nullable: true, description: 'See TenantSettings.printAllowed; null: true.' })
  printAllowed?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'See TenantSettings.fallbackToPrint; null: true.' })
  fallbackToPrint?: boolean | null;

  @Field(() => ProtectedIdentityRuleEnum, { nullable: true, description: 'null: HOLD.' })
  protectedIdentityRule?: ProtectedIdentityRule | null;

  @Field(() => MissingAddressRuleEnum, { nullable: true, description: 'null: HOLD.' })
  missingAddressRule?: MissingAddressRule | null;

  @Field(() => Int, { nullable: true, description: `1–${DEADLINE_HOURS_MAX}; applies to letters submitted from then on.` })
  deadlineHours?: number | null;

  @Field(() => TenantPrintSettingsInputType, { nullable: true, description: 'null returns every print setting to its default.' })
  print?: TenantPrintSettingsInputType | null;
}

@ObjectType('TenantPrintOptions', { description: 'What a municipality may choose from for its print settings.' })
export class TenantPrintOptionsType {
  @Field(() => [PrintVendorOptionType], { description: 'The print vendors registered on the platform.' })
  vendors!: PrintVendorOptionType[];

  @Field(() => [EnvelopeProfileSpecType], { description: 'The standard envelope profiles (C5/C4, right H2 or left V2 window).' })
  envelopeProfiles!: EnvelopeProfileSpecType[];
}

@ObjectType('PrintProblemInfo', { description: 'Why a letter could not be printed as it is (the print path holds such letters with these problems).' })
export class PrintProblemInfoType {
  @Field({ description: 'INVALID_PROFILE, CONTENT_OUTSIDE_PRINTABLE_AREA, CONTENT_IN_WINDOW, ADDRESS_TOO_LONG, TOO_MANY_PAGES, …' })
  code!: string;

  @Field({ description: 'What is wrong and how to fix it.' })
  message!: string;

  @Field(() => String, { nullable: true, description: 'e.g. "sender.postalAddress[1]" or "profile.window".' })
  field?: string | null;
}

@ObjectType('PrintPreview', { description: 'A sample letter rendered as your letters will be printed, with the envelope window outlined (only in the preview).' })
export class PrintPreviewType {
  @Field(() => String, { nullable: true, description: 'The PDF, base64; null when it cannot be printed (see problems).' })
  pdfBase64!: string | null;

  @Field(() => Int, { nullable: true, description: 'Pages of the PDF, blank back pages included; null without a PDF.' })
  pages!: number | null;

  @Field(() => [String], { description: 'The lines printed in the window.' })
  addressLines!: string[];

  @Field(() => EnvelopeProfileSpecType, { nullable: true, description: 'The envelope profile it was rendered with.' })
  envelopeProfile!: EnvelopeProfileSpecType | null;

  @Field(() => String, { nullable: true, description: 'The vendor your letters would go to; null: none.' })
  vendorId!: string | null;

  @Field({ description: 'Whether it was rendered for printing on both sides (a blank back page is then added to an odd page count).' })
  duplex!: boolean;

  @Field({ description: 'Whether it was rendered for colour printing.' })
  colour!: boolean;

  @Field(() => [PrintProblemInfoType], { description: 'What would stop your letters being printed with these settings; empty when none.' })
  problems!: PrintProblemInfoType[];
}

// ---- case type template preview -------------------------------------------------------------------

@ObjectType('TemplatePlaceholder', { description: 'A placeholder a case type template may use.' })
export class TemplatePlaceholderType {
  @Field({ description: 'As written in a template, e.g. "{caseReference}".' })
  placeholder!: string;

  @Field({ description: 'What it is filled with.' })
  description!: string;
}

@ObjectType('TemplateProblem', { description: 'What saving the template would refuse.' })
export class TemplateProblemType {
  @Field({ description: 'subjectTemplate or bodyTemplate.' })
  path!: string;

  @Field({ description: 'template, personalData, maxLength, characters, required' })
  rule!: string;

  @Field({ description: 'What is wrong and how to fix it.' })
  message!: string;
}

@ObjectType('CaseTypeTemplatePreview', { description: 'A case type\'s templates filled in with sample values, by the same code that fills them for letters.' })
export class CaseTypeTemplatePreviewType {
  @Field(() => String, { nullable: true, description: 'The subject a letter would get; null while the template has problems.' })
  subject!: string | null;

  @Field(() => String, { nullable: true, description: 'The body a letter would get; null without a body template or while it has problems.' })
  body!: string | null;

  @Field(() => [TemplateProblemType], { description: 'What createCaseType/updateCaseType would refuse in these templates.' })
  problems!: TemplateProblemType[];

  @Field(() => [TemplatePlaceholderType], { description: 'The placeholders templates may use.' })
  placeholders!: TemplatePlaceholderType[];
}

