import { Migration } from '@mikro-orm/migrations';

/** Retention (gallring). */
export class Migration20261126060000 extends Migration {
  override up(): void {
    // filled in by the retention work
  }

  override down(): void {
    // filled in by the retention work
  }
}
