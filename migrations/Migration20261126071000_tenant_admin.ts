import { Migration } from '@mikro-orm/migrations';

/** A municipality's own settings in the console: sending units and certificates, channel and print rules. */
export class Migration20261126071000 extends Migration {
  override up(): void {
    // (filled by the work that needs it; removed if none does)
  }

  override down(): void {}
}
