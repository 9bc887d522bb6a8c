import { Migration } from '@mikro-orm/migrations';

/** Webhook notifications, the letter event feed and diary hooks. */
export class Migration20261126040000 extends Migration {
  override up(): void {
    // filled in by the notifications work
  }

  override down(): void {
    // filled in by the notifications work
  }
}
