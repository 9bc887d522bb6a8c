import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '@hub/letters';
import type { TenantDb } from '@hub/persistence';

/** A print and enveloping vendor as registered by the platform operator (table print_vendor). */
export interface PrintVendor {
  id: string;
  name: string;
  /** The OAuth client the vendor's tokens are issued to. */
  clientId: string;
  /** Envelope profile id (e.g. C5-H2), or the vendor's own profile below. */
  envelopeProfile: string;
  customEnvelopeProfile?: Record<string, unknown>;
  maxPages: number;
  maxBatchLetters: number;
  /** Local times (HH:MM, PRINT_TIMEZONE) at which open batches close. */
  cutoffTimes: string[];
  /** Close a batch when its oldest letter has waited this long (for vendors that collect continuously). */
  maxWaitSeconds?: number;
  ackDeadlineMinutes: number;
  duplex: boolean;
  colour: boolean;
  /** The postage classes the vendor handles. */
  postageClasses: ('FIRST_CLASS' | 'ECONOMY')[];
  /** An inactive vendor takes no new letters; it still pulls and reports the batches it has. */
  active: boolean;
}

interface VendorRow {
  id: string;
  name: string;
  client_id: string;
  envelope_profile: string;
  custom_envelope_profile: Record<string, unknown> | null;
  max_pages: number;
  max_batch_letters: number;
  cutoff_times: string[];
  max_wait_seconds: number | null;
  ack_deadline_minutes: number;
  duplex: boolean;
  colour: boolean;
  postage_classes: ('FIRST_CLASS' | 'ECONOMY')[];
  active: boolean;
}

/**
 * The registered print vendors, read from the database and kept for a few seconds (they change
 * rarely, and every rendering and batch decision needs them).
 */
export class PrintVendors {
  private cached?: { at: number; vendors: PrintVendor[] };

  constructor(
    private readonly db: TenantDb,
    private readonly ttlMs = 10_000,
  ) {}

  async all(): Promise<PrintVendor[]> {
    if (this.cached && Date.now() - this.cached.at < this.ttlMs) return this.cached.vendors;
    const vendors = await this.db.withoutTenant(async (em) => (await sql<VendorRow>(em as EntityManager, 'select * from print_vendor order by id')).rows.map(toVendor));
    this.cached = { at: Date.now(), vendors };
    return vendors;
  }

  async byId(id: string): Promise<PrintVendor | undefined> {
    return (await this.all()).find((v) => v.id === id);
  }

  async byClientId(clientId: string): Promise<PrintVendor | undefined> {
    return (await this.all()).find((v) => v.clientId === clientId);
  }

  /** The tenant's vendor for new letters: the active one its settings name, else the only active one. */
  async forTenant(vendorId: string | undefined): Promise<PrintVendor | undefined> {
    const active = (await this.all()).filter((v) => v.active);
    if (vendorId) return active.find((v) => v.id === vendorId);
    return active.length === 1 ? active[0] : undefined;
  }

  forget(): void {
    this.cached = undefined;
  }
}

function toVendor(r: VendorRow): PrintVendor {
  return {
    id: r.id,
    name: r.name,
    clientId: r.client_id,
    envelopeProfile: r.envelope_profile,
    ...(r.custom_envelope_profile ? { customEnvelopeProfile: r.custom_envelope_profile } : {}),
    maxPages: r.max_pages,
    maxBatchLetters: r.max_batch_letters,
    cutoffTimes: r.cutoff_times,
    ...(r.max_wait_seconds ? { maxWaitSeconds: r.max_wait_seconds } : {}),
    ackDeadlineMinutes: r.ack_deadline_minutes,
    duplex: r.duplex,
    colour: r.colour,
    postageClasses: r.postage_classes,
    active: r.active,
  };
}
