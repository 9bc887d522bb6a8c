import { Migration } from '@mikro-orm/migrations';

/** Dispatch throughput (issue 3). */
export class Migration20261126070000 extends Migration {
  override up(): void {
    // (filled by the work that needs it; removed if none does)
  }

  override down(): void {}
}
