import { Migration } from '@mikro-orm/migrations';

/**
 * The console's letter views: resending a letter, and the overview's list of print batches waiting
 * for their vendor.
 *
 * - `letter.resend_of` (on the new letter: the letter it resends) and `letter.resent_as` (on the
 *   original: its resend). A letter is resent at most once (unique), and each link keeps pointing at
 *   a letter: when retention deletes one of the two, the other's link becomes null (single-column
 *   foreign keys on the primary key, so this works on PostgreSQL 13 too). The unique indexes are
 *   partial (no entry for the ordinary letter, so a status update of an ordinary letter does not
 *   touch them) and also serve the foreign keys' checks when a letter is deleted.
 * - `print_batch_waiting`: the tenant's batches still waiting for a vendor, oldest first, without
 *   reading the finished batches of every earlier day.
 *
 * The foreign keys are added NOT VALID and then validated: on a large letter table the validation
 * scans without blocking writes (it only takes SHARE UPDATE EXCLUSIVE). Every row is null anyway.
 */
export class Migration20261126074000 extends Migration {
  override up(): void {
    this.addSql(`alter table letter add column resend_of uuid, add column resent_as uuid`);
    this.addSql(`alter table letter add constraint letter_resend_of_fk foreign key (resend_of) references letter (id) on delete set null not valid`);
    this.addSql(`alter table letter add constraint letter_resent_as_fk foreign key (resent_as) references letter (id) on delete set null not valid`);
    this.addSql(`alter table letter validate constraint letter_resend_of_fk`);
    this.addSql(`alter table letter validate constraint letter_resent_as_fk`);
    this.addSql(`create unique index letter_resend_of on letter (resend_of) where resend_of is not null`);
    this.addSql(`create unique index letter_resent_as on letter (resent_as) where resent_as is not null`);
    this.addSql(`create index print_batch_waiting on print_batch (tenant_id, created_at, id) where status in ('ASSEMBLING','READY')`);
  }

  override down(): void {
    this.addSql(`drop index print_batch_waiting`);
    this.addSql(`drop index letter_resent_as`);
    this.addSql(`drop index letter_resend_of`);
    this.addSql(`alter table letter drop constraint letter_resent_as_fk, drop constraint letter_resend_of_fk`);
    this.addSql(`alter table letter drop column resent_as, drop column resend_of`);
  }
}
