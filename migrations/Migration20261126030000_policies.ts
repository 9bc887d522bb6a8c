import { Migration } from '@mikro-orm/migrations';

/** Case types and protection-class policy, event messages. */
export class Migration20261126030000 extends Migration {
  override up(): void {
    // The letter's case type (ärendetyp) by its code; the case_type table and the rest come with the policies work.
    this.addSql(`alter table letter add column case_type_code text`);
  }

  override down(): void {
    this.addSql(`alter table letter drop column case_type_code`);
  }
}
