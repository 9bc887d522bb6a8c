import type { EntityManager } from '@mikro-orm/postgresql';
import { PDFDocument, rgb, StandardFonts } from 'pdf-lib';
import { appendAudit } from '@hub/audit';
import { FieldViolation, IntakeContext, sql, stockholmDate } from '@hub/letters';
import { A4, EnvelopeProfile, PrintProblem, PrintValidationError, PT_PER_MM, renderLetter } from '@hub/print';
import { PrintVendor, PrintVendors } from '@hub/print-path';
import type { TenantDb } from '@hub/persistence';
import type { TenantSettings } from '@hub/tenancy';
import { ApiError, ApiErrorCode } from '../errors/api-error-code';
import {
  changeTenantSettings,
  EffectivePrintSettings,
  effectivePrint,
  MissingAddressRule,
  PrintSettingsInput,
  ProtectedIdentityRule,
  RULE_DEFAULTS,
  RULE_KEYS,
  TenantSettingsInput,
} from './tenant-settings';

export interface TenantSettingsView {
  /** The settings as stored (null where the default applies). */
  stored: TenantSettings;
  printAllowed: boolean;
  fallbackToPrint: boolean;
  protectedIdentityRule: ProtectedIdentityRule;
  missingAddressRule: MissingAddressRule;
  deadlineHours: number;
  /** The hub's default deadline (DISPATCH_DEADLINE_HOURS), used while the tenant sets none. */
  defaultDeadlineHours: number;
  effectivePrint: EffectivePrintSettings;
  vendors: PrintVendor[];
}

export interface PrintPreview {
  pdf: Buffer | null;
  pages: number | null;
  addressLines: string[];
  envelopeProfile: EnvelopeProfile | null;
  vendorId: string | null;
  duplex: boolean;
  colour: boolean;
  problems: PrintProblem[];
}

/** The sample letter's recipient: an address that is nobody's (no personnummer anywhere). */
const SAMPLE_RECIPIENT = { name: 'Anna Exempelsson', lines: ['Exempelgatan 12 lgh 1101'], postalCode: '123 45', city: 'EXEMPELSTAD' };

const refused = (fields: FieldViolation[], what: string) =>
  new ApiError(ApiErrorCode.ValidationFailed, `${what}: ${fields.map((f) => `${f.path || '(input)'} ${f.message}`).join('; ')}. Fix these fields and try again.`, { fields });

/**
 * The channel and print rules of a municipality (`tenant.settings`, the keys in {@link RULE_KEYS}),
 * read with the defaults filled in and changed by its tenant admins (audited in the same
 * transaction). The channel switch reads the settings afresh for every letter it routes; the print
 * path for every letter it renders; only the intake keeps the deadline for up to 5 seconds per API
 * process. `preview` renders a sample letter with saved or unsaved print settings.
 */
export class TenantSettingsService {
  private readonly vendors: PrintVendors;

  constructor(
    private readonly db: TenantDb,
    private readonly options: { defaultDeadlineHours: number },
    private readonly now: () => Date = () => new Date(),
  ) {
    // Read afresh on every call: an admin who just had a vendor registered sees it at once.
    this.vendors = new PrintVendors(db, 0);
  }

  async get(ctx: IntakeContext): Promise<TenantSettingsView> {
    const vendors = await this.vendors.all();
    const settings = await this.db.inTenant(ctx.tenantId, (em) => this.settings(em, ctx.tenantId, false), ctx.actor);
    return this.view(settings, vendors);
  }

  /** Applies the change (fields left out stay; null restores a default). VALIDATION_FAILED names each wrong field. */
  async update(ctx: IntakeContext & { tenantAlias: string }, input: TenantSettingsInput): Promise<TenantSettingsView> {
    const vendors = await this.vendors.all();
    const settings = await this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const current = await this.settings(em, ctx.tenantId, true);
        const out = changeTenantSettings(current, input, { vendors, customProfileId: customProfileId(ctx.tenantAlias) });
        if (!out.ok) throw refused(out.fields, 'The settings were not changed');
        if (Object.keys(out.changes).length === 0) return current;
        // Only these rules' keys are replaced: the protection-class policy and other settings stay as they are.
        const { rows } = await sql<{ settings: TenantSettings }>(em, `update tenant set settings = (settings - $2::text[]) || $3::jsonb where id = $1 returning settings`, [
          ctx.tenantId,
          [...RULE_KEYS],
          JSON.stringify(out.next),
        ]);
        await appendAudit(em, { tenantId: ctx.tenantId, actor: ctx.actor, action: 'tenantSettings.update', target: `tenant:${ctx.tenantId}`, detail: { changes: out.changes } });
        return rows[0].settings;
      },
      ctx.actor,
    );
    return this.view(settings, vendors);
  }

  /**
   * A sample letter rendered as the print path would render the tenant's letters: with the saved
   * print settings, or with `input` applied on top of them (not saved). The sender is the tenant's
   * first sending unit; the envelope window is outlined (preview only) so the admin sees where the
   * address lands. Problems the print path would hold letters for come back in `problems`.
   */
  async preview(ctx: IntakeContext & { tenantAlias: string }, input?: PrintSettingsInput | null): Promise<PrintPreview> {
    const vendors = await this.vendors.all();
    const { settings, unit } = await this.db.inTenant(
      ctx.tenantId,
      async (em) => ({
        settings: await this.settings(em, ctx.tenantId, false),
        unit: (await sql<{ name: string; postal_address: { lines?: string[] } | null }>(em, `select name, postal_address from sending_unit where tenant_id = $1 order by code limit 1`, [ctx.tenantId])).rows[0],
      }),
      ctx.actor,
    );
    let effectiveSettings = settings;
    if (input !== undefined && input !== null) {
      const out = changeTenantSettings(settings, { print: input }, { vendors, customProfileId: customProfileId(ctx.tenantAlias) });
      if (!out.ok) throw refused(out.fields, 'The print settings cannot be previewed');
      effectiveSettings = { ...settings, print: out.next.print };
    }
    if (!unit) {
      throw new ApiError(ApiErrorCode.ValidationFailed, 'Your organisation has no sending unit yet: create one first; the preview prints its name and address as the sender.', {
        fields: [{ path: 'sendingUnit', rule: 'required', message: 'create a sending unit first' }],
      });
    }
    const eff = effectivePrint(effectiveSettings, vendors);
    const base = { vendorId: eff.vendor?.id ?? null, duplex: eff.duplex ?? false, colour: eff.colour ?? false, envelopeProfile: eff.envelopeProfile };
    if (!eff.envelopeProfile) {
      return { ...base, pdf: null, pages: null, addressLines: [], problems: [{ code: 'INVALID_PROFILE', message: eff.problem ?? 'no envelope profile applies: choose one' }] };
    }
    const now = this.now();
    try {
      const rendered = await renderLetter(
        {
          id: 'preview',
          sender: { name: unit.name, postalAddress: unit.postal_address?.lines ?? [] },
          recipient: SAMPLE_RECIPIENT,
          date: now,
          caseReference: `EXEMPEL ${stockholmDate(now).slice(0, 4)}/1`,
          subject: 'Provutskrift: så hamnar adressen i kuvertets fönster',
          bodyText:
            'Det här är en provutskrift från utskickshubben. Den visar hur kommunens brev skrivs ut med de valda inställningarna: ' +
            'avsändaren överst till vänster, mottagarens adress i kuvertets fönster (streckad ram, syns bara i förhandsgranskningen), ' +
            'datum och diarienummer, ärendemening och brevtext.\n\nMottagaren är påhittad.',
          attachments: [],
        },
        { profile: eff.envelopeProfile, duplex: base.duplex, colour: base.colour, ...(eff.vendor ? { maxPages: eff.vendor.maxPages } : {}) },
      );
      const problems: PrintProblem[] = eff.problem ? [{ code: 'INVALID_PROFILE', message: eff.problem }] : [];
      return { ...base, pdf: await outlineWindow(rendered.pdf, eff.envelopeProfile), pages: rendered.pages, addressLines: rendered.addressLines, problems };
    } catch (e) {
      if (!(e instanceof PrintValidationError)) throw e;
      return { ...base, pdf: null, pages: null, addressLines: [], problems: e.problems };
    }
  }

  private view(stored: TenantSettings, vendors: PrintVendor[]): TenantSettingsView {
    const hours = stored.deadlineHours;
    return {
      stored,
      printAllowed: stored.printAllowed ?? RULE_DEFAULTS.printAllowed,
      fallbackToPrint: stored.fallbackToPrint ?? RULE_DEFAULTS.fallbackToPrint,
      protectedIdentityRule: stored.protectedIdentityRule ?? RULE_DEFAULTS.protectedIdentityRule,
      missingAddressRule: stored.missingAddressRule ?? RULE_DEFAULTS.missingAddressRule,
      // The intake's reading: a tenant value that is not a positive number counts as unset.
      deadlineHours: Number.isFinite(hours) && hours! > 0 ? hours! : this.options.defaultDeadlineHours,
      defaultDeadlineHours: this.options.defaultDeadlineHours,
      effectivePrint: effectivePrint(stored, vendors),
      vendors,
    };
  }

  private async settings(em: EntityManager, tenantId: string, lock: boolean): Promise<TenantSettings> {
    const { rows } = await sql<{ settings: TenantSettings | null }>(em, `select settings from tenant where id = $1${lock ? ' for update' : ''}`, [tenantId]);
    return rows[0]?.settings ?? {};
  }
}

/** The id a municipality's own envelope profile gets when the admin gives none. */
export function customProfileId(tenantAlias: string): string {
  return `${tenantAlias}-custom`;
}

/** Draws the envelope window (dashed) onto page 1 of the preview: where the envelope shows the sheet. */
async function outlineWindow(pdf: Buffer, profile: EnvelopeProfile): Promise<Buffer> {
  const doc = await PDFDocument.load(pdf);
  const page = doc.getPage(0);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const w = profile.window;
  const colour = rgb(0.05, 0.3, 0.61);
  page.drawRectangle({
    x: w.x * PT_PER_MM,
    y: (A4.heightMm - w.y - w.height) * PT_PER_MM,
    width: w.width * PT_PER_MM,
    height: w.height * PT_PER_MM,
    borderColor: colour,
    borderWidth: 0.75,
    borderDashArray: [4, 3],
  });
  page.drawText(`Kuvertfönster ${profile.id} (syns bara i förhandsgranskningen)`, {
    x: (w.x + 1) * PT_PER_MM,
    y: (A4.heightMm - w.y - 2.2) * PT_PER_MM,
    size: 5.5,
    font,
    color: colour,
  });
  return Buffer.from(await doc.save());
}
