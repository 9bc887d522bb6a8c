import { Migration } from '@mikro-orm/migrations';

/** Delivery log search and export. */
export class Migration20261126050000 extends Migration {
  override up(): void {
    // filled in by the delivery_log work
  }

  override down(): void {
    // filled in by the delivery_log work
  }
}
