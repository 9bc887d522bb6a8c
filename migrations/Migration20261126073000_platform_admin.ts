import { Migration } from '@mikro-orm/migrations';

/** The platform operator's administration: tenants, FaR and mailbox-operator connections, print vendors. */
export class Migration20261126073000 extends Migration {
  override up(): void {
    // (filled by the work that needs it; removed if none does)
  }

  override down(): void {}
}
