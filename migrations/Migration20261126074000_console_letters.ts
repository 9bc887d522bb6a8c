import { Migration } from '@mikro-orm/migrations';

/** The console's letter views: resending a letter. */
export class Migration20261126074000 extends Migration {
  override up(): void {
    // (filled by the work that needs it; removed if none does)
  }

  override down(): void {}
}
