import { EntitySchema } from '@mikro-orm/core';

export interface PostalAddress {
  /** Address lines as printed, e.g. ["Box 123", "123 45 Demostad"] */
  lines: string[];
}

export class Tenant {
  id!: string;
  alias!: string;
  name!: string;
  orgNumber!: string;
  settings!: TenantSettings;
  createdAt!: Date;
}

/** Per-tenant policy knobs (defaults apply where absent). */
export interface TenantSettings {
  /** Hours a letter may try digital delivery before it fails or goes to print. */
  deadlineHours?: number;
  /** Whether a letter that cannot go digitally may go to print (default true). */
  printAllowed?: boolean;
  /** Whether a letter whose digital delivery failed for good (or ran out of time) goes to print (default true). */
  fallbackToPrint?: boolean;
  /**
   * Per protection class: may a printed letter of this class go (ALLOW, default), wait for a person
   * (HOLD) or not go at all (DENY). The print part of the protection-class policy (SK3), read by the
   * channel switch; set together with {@link protectionClassPolicy} through @hub/policies.
   */
  printByProtectionClass?: Partial<Record<'1' | '2' | '3', 'ALLOW' | 'HOLD' | 'DENY'>>;
  /** The rest of the protection-class policy (SK3); defaults in @hub/policies where absent. */
  protectionClassPolicy?: ProtectionClassPolicySettings;
  /**
   * Letters to people with protected personal data that cannot go digitally: HOLD for manual handling
   * (default), UNDELIVERABLE, or PRINT_GIVEN_ADDRESS (print, only to the address the case system gave).
   */
  protectedIdentityRule?: 'HOLD' | 'UNDELIVERABLE' | 'PRINT_GIVEN_ADDRESS';
  /** A letter for print without a postal address: HOLD (default) or UNDELIVERABLE. */
  missingAddressRule?: 'HOLD' | 'UNDELIVERABLE';
  /** Print settings; the vendor's defaults apply where absent. */
  print?: TenantPrintSettings;
}

/** What each protection class allows besides print (see `notificationMayIncludeSubject` in @hub/policies). */
export interface ProtectionClassPolicySettings {
  /**
   * Per protection class: may a notification text (e-mail, SMS, webhook text to a person) include the
   * letter's subject? Defaults: class 1 yes, classes 2 and 3 no; class 3 never (not settable).
   */
  notificationSubject?: Partial<Record<'1' | '2' | '3', boolean>>;
}

export interface TenantPrintSettings {
  /** The print vendor's id (default: the only vendor registered). */
  vendorId?: string;
  /** Default postage class of a letter that does not name one (default ECONOMY). */
  postageClass?: 'FIRST_CLASS' | 'ECONOMY';
  /** Envelope profile id (e.g. C5-H2), overriding the vendor's. */
  envelopeProfile?: string;
  /** The municipality's own envelope profile (window, sender block, printable area in mm), overriding both. */
  customEnvelopeProfile?: Record<string, unknown>;
  duplex?: boolean;
  colour?: boolean;
}

export class SendingUnit {
  id!: string;
  tenantId!: string;
  code!: string;
  name!: string;
  orgNumber!: string;
  postalAddress!: PostalAddress;
  certificatePem?: string;
  keyCiphertext?: Buffer;
  certificateNotAfter?: Date;
  createdAt!: Date;
}

export class ApiClient {
  id!: string;
  tenantId!: string;
  clientId!: string;
  name!: string;
  sendingUnitId?: string;
  createdAt!: Date;
  revokedAt?: Date;
}

export const TenantSchema = new EntitySchema<Tenant>({
  class: Tenant,
  tableName: 'tenant',
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    alias: { type: 'text' },
    name: { type: 'text' },
    orgNumber: { type: 'text', fieldName: 'org_number' },
    settings: { type: 'json' },
    createdAt: { type: 'datetime', fieldName: 'created_at', defaultRaw: 'now()' },
  },
});

export const SendingUnitSchema = new EntitySchema<SendingUnit>({
  class: SendingUnit,
  tableName: 'sending_unit',
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    tenantId: { type: 'uuid', fieldName: 'tenant_id' },
    code: { type: 'text' },
    name: { type: 'text' },
    orgNumber: { type: 'text', fieldName: 'org_number' },
    postalAddress: { type: 'json', fieldName: 'postal_address' },
    certificatePem: { type: 'text', fieldName: 'certificate_pem', nullable: true },
    keyCiphertext: { type: 'blob', fieldName: 'key_ciphertext', nullable: true, lazy: true },
    certificateNotAfter: { type: 'datetime', fieldName: 'certificate_not_after', nullable: true },
    createdAt: { type: 'datetime', fieldName: 'created_at', defaultRaw: 'now()' },
  },
});

export const ApiClientSchema = new EntitySchema<ApiClient>({
  class: ApiClient,
  tableName: 'api_client',
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    tenantId: { type: 'uuid', fieldName: 'tenant_id' },
    clientId: { type: 'text', fieldName: 'client_id' },
    name: { type: 'text' },
    sendingUnitId: { type: 'uuid', fieldName: 'sending_unit_id', nullable: true },
    createdAt: { type: 'datetime', fieldName: 'created_at', defaultRaw: 'now()' },
    revokedAt: { type: 'datetime', fieldName: 'revoked_at', nullable: true },
  },
});

export const TENANCY_ENTITIES = [TenantSchema, SendingUnitSchema, ApiClientSchema];
