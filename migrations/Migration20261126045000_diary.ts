import { Migration } from '@mikro-orm/migrations';

/** Diary hooks (diarieföring): registering dispatched letters in the municipality's registry. */
export class Migration20261126045000 extends Migration {
  override up(): void {
    // filled in by the diary work
  }

  override down(): void {
    // filled in by the diary work
  }
}
