import { Migration } from '@mikro-orm/migrations';

/** API clients registered at the identity provider (console: create, rotate, revoke). */
export class Migration20261126072000 extends Migration {
  override up(): void {
    // (filled by the work that needs it; removed if none does)
  }

  override down(): void {}
}
