import { X509Certificate } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { appendAudit } from '@hub/audit';
import type { KeyVault } from '@hub/keys';
import { FieldViolation, hasControlChars, IntakeContext, sql } from '@hub/letters';
import { toOrganisationId } from '@hub/mina-meddelanden';
import type { TenantDb } from '@hub/persistence';
import { ApiError, ApiErrorCode } from '../errors/api-error-code';
import { CertificateFacts, certificateFacts, certificateStatus, CertificateStatus, checkSenderCredential, CredentialUpload, daysLeft } from './sender-certificate';

export const SENDING_UNIT_CODE = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const MAX_UNIT_NAME_LENGTH = 200;
/** The print manifest's return address is the unit's name and at most three address lines. */
export const MAX_ADDRESS_LINES = 3;
export const MAX_ADDRESS_LINE_LENGTH = 60;
const POSTAL_CODE_LINE = /^\d{3} ?\d{2}\s+\S/;

export interface InstalledCertificate extends CertificateFacts {
  daysLeft: number;
  status: CertificateStatus;
  /** Whether the subject's serialNumber is the unit's organisation number (the dispatch refuses to sign otherwise). */
  matchesOrgNumber: boolean;
}

export interface SendingUnitView {
  id: string;
  code: string;
  name: string;
  /** "16" + organisationsnummer. */
  orgNumber: string;
  postalAddress: string[];
  certificate: InstalledCertificate | null;
  keyStored: boolean;
  createdAt: Date;
}

export interface SendingUnitInput {
  code?: string | null;
  name?: string | null;
  orgNumber?: string | null;
  postalAddress?: (string | null)[] | null;
}

interface Row {
  id: string;
  code: string;
  name: string;
  org_number: string;
  postal_address: { lines?: string[] } | null;
  certificate_pem: string | null;
  key_stored: boolean;
  created_at: Date;
}

const COLUMNS = 'id, code, name, org_number, postal_address, certificate_pem, key_ciphertext is not null as key_stored, created_at';

function installed(pem: string | null, orgNumber: string, now: Date): InstalledCertificate | null {
  if (!pem) return null;
  let facts: CertificateFacts;
  try {
    facts = certificateFacts(new X509Certificate(pem));
  } catch {
    // A stored certificate that cannot be read signs nothing either: shown as none, so the admin installs one.
    return null;
  }
  return { ...facts, daysLeft: daysLeft(facts.notAfter, now), status: certificateStatus(facts, now), matchesOrgNumber: facts.subjectSerialNumber === orgNumber };
}

function toView(r: Row, now: Date): SendingUnitView {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    orgNumber: r.org_number,
    postalAddress: r.postal_address?.lines ?? [],
    certificate: installed(r.certificate_pem, r.org_number, now),
    keyStored: r.key_stored,
    createdAt: new Date(r.created_at),
  };
}

const refused = (fields: FieldViolation[], what: string) =>
  new ApiError(ApiErrorCode.ValidationFailed, `${what}: ${fields.map((f) => `${f.path || '(input)'} ${f.message}`).join('; ')}. Fix these fields and try again.`, { fields });

/** Checks the fields of a new unit (all) or of a change (those given). */
export function checkSendingUnitInput(input: SendingUnitInput | null | undefined, create: boolean): { ok: true; value: Partial<Omit<SendingUnitView, 'id' | 'certificate' | 'keyStored' | 'createdAt'>> } | { ok: false; fields: FieldViolation[] } {
  const fields: FieldViolation[] = [];
  const out: { code?: string; name?: string; orgNumber?: string; postalAddress?: string[] } = {};
  const i = input ?? {};
  const given = (v: unknown) => v !== undefined && (create || v !== null);
  if (create) {
    if (typeof i.code !== 'string' || i.code.trim() === '') fields.push({ path: 'code', rule: 'required', message: 'is required: a short code letters name the unit by, e.g. "bygg"' });
    else if (!SENDING_UNIT_CODE.test(i.code.trim())) {
      fields.push({ path: 'code', rule: 'format', message: `is ${JSON.stringify(i.code)}; a code is 1–63 lower-case letters a–z, digits and "-", starting with a letter or digit (e.g. "bygg")` });
    } else out.code = i.code.trim();
  } else if (i.code !== undefined && i.code !== null) {
    fields.push({ path: 'code', rule: 'immutable', message: 'cannot change: case systems and letters name the unit by its code; create a new unit instead' });
  }
  if (create || given(i.name)) {
    const name = typeof i.name === 'string' ? i.name.trim() : '';
    if (name === '') fields.push({ path: 'name', rule: 'required', message: 'is required: the name printed as sender and shown in the mailbox, e.g. "Byggnadsnämnden"' });
    else if (name.length > MAX_UNIT_NAME_LENGTH) fields.push({ path: 'name', rule: 'maxLength', message: `is ${name.length} characters; at most ${MAX_UNIT_NAME_LENGTH} are allowed` });
    else if (hasControlChars(name)) fields.push({ path: 'name', rule: 'characters', message: 'contains control characters: write the name on one line' });
    else out.name = name;
  }
  if (create || given(i.orgNumber)) {
    const raw = typeof i.orgNumber === 'string' ? i.orgNumber.trim() : '';
    if (raw === '') fields.push({ path: 'orgNumber', rule: 'required', message: 'is required: the organisationsnummer the unit sends as (NNNNNN-NNNN)' });
    else {
      const check = toOrganisationId(raw);
      if (!check.ok) fields.push({ path: 'orgNumber', rule: check.rule, message: check.message });
      else if (check.kind !== 'organisationsnummer') fields.push({ path: 'orgNumber', rule: 'format', message: 'must be an organisationsnummer, not a personal identity number' });
      else out.orgNumber = check.id;
    }
  }
  if (create || given(i.postalAddress)) {
    const lines = Array.isArray(i.postalAddress) ? i.postalAddress.map((l) => (typeof l === 'string' ? l.trim() : '')).filter((l) => l !== '') : [];
    if (lines.length < 2) {
      fields.push({ path: 'postalAddress', rule: 'required', message: 'needs at least two lines: street or box, and postal code with town (e.g. "Box 100", "123 45 Demostad"); returned letters come back here' });
    } else if (lines.length > MAX_ADDRESS_LINES) {
      fields.push({ path: 'postalAddress', rule: 'maxLines', message: `has ${lines.length} lines; at most ${MAX_ADDRESS_LINES} fit the return address print vendors use` });
    } else {
      let ok = true;
      lines.forEach((l, n) => {
        if (l.length > MAX_ADDRESS_LINE_LENGTH) {
          ok = false;
          fields.push({ path: `postalAddress[${n}]`, rule: 'maxLength', message: `is ${l.length} characters; at most ${MAX_ADDRESS_LINE_LENGTH} fit the sender block` });
        } else if (hasControlChars(l)) {
          ok = false;
          fields.push({ path: `postalAddress[${n}]`, rule: 'characters', message: 'contains control characters' });
        }
      });
      if (ok && !POSTAL_CODE_LINE.test(lines[lines.length - 1])) {
        ok = false;
        fields.push({ path: `postalAddress[${lines.length - 1}]`, rule: 'postalCode', message: `is ${JSON.stringify(lines[lines.length - 1])}; the last line is the postal code and town, e.g. "123 45 Demostad"` });
      }
      if (ok) out.postalAddress = lines;
    }
  }
  return fields.length ? { ok: false, fields } : { ok: true, value: out };
}

/**
 * A municipality's sending units (nämnd/förvaltning) and their sender certificates, for its tenant
 * admins. The certificate and its key are stored as the dispatch reads them (`certificate_pem`, and
 * the key as PKCS#8 PEM encrypted with the KeyVault under `sending_unit:<id>`), so the next letter
 * signs with a new certificate (the dispatch caches credentials by certificate fingerprint). Every
 * change is audited in the same transaction; the key and the password never leave this class.
 */
export class SendingUnitService {
  constructor(
    private readonly db: TenantDb,
    private readonly vault: KeyVault | undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(ctx: IntakeContext): Promise<SendingUnitView[]> {
    const now = this.now();
    return this.db.inTenant(ctx.tenantId, async (em) => (await sql<Row>(em, `select ${COLUMNS} from sending_unit where tenant_id = $1 order by code`, [ctx.tenantId])).rows.map((r) => toView(r, now)), ctx.actor);
  }

  async create(ctx: IntakeContext, input: SendingUnitInput): Promise<SendingUnitView> {
    const checked = checkSendingUnitInput(input, true);
    if (!checked.ok) throw refused(checked.fields, 'The sending unit was refused');
    const v = checked.value as Required<typeof checked.value>;
    return this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const { rows } = await sql<Row>(
          em,
          `insert into sending_unit (tenant_id, code, name, org_number, postal_address) values ($1, $2, $3, $4, $5::jsonb)
           on conflict (tenant_id, code) do nothing returning ${COLUMNS}`,
          [ctx.tenantId, v.code, v.name, v.orgNumber, JSON.stringify({ lines: v.postalAddress })],
        );
        if (!rows[0]) throw refused([{ path: 'code', rule: 'unique', message: `${JSON.stringify(v.code)} is already a sending unit of your organisation: choose another code, or change that unit` }], 'The sending unit was refused');
        const view = toView(rows[0], this.now());
        await appendAudit(em, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: 'sendingUnit.create',
          target: `sendingUnit:${view.id}`,
          detail: { code: v.code, values: { name: v.name, orgNumber: v.orgNumber, postalAddress: v.postalAddress } },
        });
        return view;
      },
      ctx.actor,
    );
  }

  /** Changes the fields given; a change that changes nothing writes nothing and is not audited. */
  async update(ctx: IntakeContext, code: string, input: SendingUnitInput): Promise<SendingUnitView> {
    const checked = checkSendingUnitInput(input, false);
    if (!checked.ok) throw refused(checked.fields, 'The sending unit change was refused');
    return this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const before = await this.row(em, ctx, code);
        const now = this.now();
        const current = toView(before, now);
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        for (const key of ['name', 'orgNumber', 'postalAddress'] as const) {
          const to = checked.value[key];
          if (to !== undefined && JSON.stringify(to) !== JSON.stringify(current[key])) changes[key] = { from: current[key], to };
        }
        if (Object.keys(changes).length === 0) return current;
        const org = changes.orgNumber?.to as string | undefined;
        if (org && current.certificate && current.certificate.subjectSerialNumber !== org) {
          throw refused(
            [{ path: 'orgNumber', rule: 'certificate', message: `does not match the installed certificate, which is issued to ${current.certificate.subjectSerialNumber ?? 'no organisation'}: letters could no longer be signed. Create a new sending unit for the new organisation number instead` }],
            'The sending unit change was refused',
          );
        }
        const { rows } = await sql<Row>(
          em,
          `update sending_unit set name = $3, org_number = $4, postal_address = $5::jsonb where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
          [ctx.tenantId, before.id, (changes.name?.to as string) ?? current.name, org ?? current.orgNumber, JSON.stringify({ ...(before.postal_address ?? {}), lines: (changes.postalAddress?.to as string[]) ?? current.postalAddress })],
        );
        await appendAudit(em, { tenantId: ctx.tenantId, actor: ctx.actor, action: 'sendingUnit.update', target: `sendingUnit:${before.id}`, detail: { code: before.code, changes } });
        return toView(rows[0], now);
      },
      ctx.actor,
    );
  }

  /**
   * Installs a sender certificate with its private key after checking them (see
   * {@link checkSenderCredential}); replaces the one installed. VALIDATION_FAILED names what is wrong.
   */
  async setCertificate(ctx: IntakeContext, code: string, upload: CredentialUpload): Promise<SendingUnitView> {
    if (!this.vault) throw new Error('sender keys cannot be encrypted: the API was started without MASTER_KEY');
    const vault = this.vault;
    return this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const before = await this.row(em, ctx, code);
        const now = this.now();
        const checked = checkSenderCredential(upload, before.org_number, now);
        if (!checked.ok) throw refused(checked.fields, `The certificate was not installed for sending unit ${JSON.stringify(before.code)}`);
        const previous = installed(before.certificate_pem, before.org_number, now);
        const { rows } = await sql<Row>(
          em,
          `update sending_unit set certificate_pem = $3, key_ciphertext = $4, certificate_not_after = $5 where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
          [ctx.tenantId, before.id, checked.certificatePem, vault.encrypt(checked.keyPem, `sending_unit:${before.id}`), checked.facts.notAfter],
        );
        const f = checked.facts;
        await appendAudit(em, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: 'sendingUnit.certificate.set',
          target: `sendingUnit:${before.id}`,
          detail: {
            code: before.code,
            certificate: { subject: f.subject, issuer: f.issuer, serialNumber: f.serialNumber, notBefore: f.notBefore, notAfter: f.notAfter, fingerprintSha256: f.fingerprintSha256 },
            uploadedAs: upload.kind === 'pkcs12' ? 'PKCS12' : 'PEM',
            replaced: previous ? { serialNumber: previous.serialNumber, notAfter: previous.notAfter, fingerprintSha256: previous.fingerprintSha256 } : null,
          },
        });
        return toView(rows[0], now);
      },
      ctx.actor,
    );
  }

  private async row(em: EntityManager, ctx: IntakeContext, code: string): Promise<Row> {
    const { rows } = await sql<Row>(em, `select ${COLUMNS} from sending_unit where tenant_id = $1 and code = $2 for update`, [ctx.tenantId, typeof code === 'string' ? code.trim() : '']);
    if (!rows[0]) throw new ApiError(ApiErrorCode.NotFound, `No sending unit ${JSON.stringify(code)} exists for your organisation; the sendingUnits query lists them.`);
    return rows[0];
  }
}
