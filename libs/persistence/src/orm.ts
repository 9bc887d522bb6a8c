import { EntitySchema } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM } from '@mikro-orm/postgresql';
import { Migration20261126000000 } from '../../../migrations/Migration20261126000000_initial';
import { Migration20261126010000 } from '../../../migrations/Migration20261126010000_dispatch';
import { Migration20261126020000 } from '../../../migrations/Migration20261126020000_print';
import { Migration20261126025000 } from '../../../migrations/Migration20261126025000_audit';
import { Migration20261126030000 } from '../../../migrations/Migration20261126030000_policies';
import { Migration20261126035000 } from '../../../migrations/Migration20261126035000_event_stream';
import { Migration20261126040000 } from '../../../migrations/Migration20261126040000_notifications';
import { Migration20261126045000 } from '../../../migrations/Migration20261126045000_diary';
import { Migration20261126050000 } from '../../../migrations/Migration20261126050000_delivery_log';
import { Migration20261126060000 } from '../../../migrations/Migration20261126060000_retention';
import { Migration20261126070000 } from '../../../migrations/Migration20261126070000_dispatch_throughput';
import { Migration20261126072000 } from '../../../migrations/Migration20261126072000_api_clients';
import { Migration20261126073000 } from '../../../migrations/Migration20261126073000_platform_admin';
import { Migration20261126074000 } from '../../../migrations/Migration20261126074000_console_letters';

/** Every migration, in order. Listed here (not globbed) so the compiled app runs exactly these. */
export const MIGRATIONS = [
  { name: 'Migration20261126000000_initial', class: Migration20261126000000 },
  { name: 'Migration20261126010000_dispatch', class: Migration20261126010000 },
  { name: 'Migration20261126020000_print', class: Migration20261126020000 },
  { name: 'Migration20261126025000_audit', class: Migration20261126025000 },
  { name: 'Migration20261126030000_policies', class: Migration20261126030000 },
  { name: 'Migration20261126035000_event_stream', class: Migration20261126035000 },
  { name: 'Migration20261126040000_notifications', class: Migration20261126040000 },
  { name: 'Migration20261126045000_diary', class: Migration20261126045000 },
  { name: 'Migration20261126050000_delivery_log', class: Migration20261126050000 },
  { name: 'Migration20261126060000_retention', class: Migration20261126060000 },
  { name: 'Migration20261126070000_dispatch_throughput', class: Migration20261126070000 },
  { name: 'Migration20261126072000_api_clients', class: Migration20261126072000 },
  { name: 'Migration20261126073000_platform_admin', class: Migration20261126073000 },
  { name: 'Migration20261126074000_console_letters', class: Migration20261126074000 },
];

export interface OrmOptions {
  url: string;
  entities: EntitySchema[];
  poolSize?: number;
  /** Log SQL (development only). */
  debug?: boolean;
}

/**
 * One MikroORM instance per process. No global entity manager: each request or job forks its own
 * inside a tenant transaction (see TenantDb).
 */
export async function createOrm(options: OrmOptions): Promise<MikroORM> {
  const orm = new MikroORM({
    clientUrl: options.url,
    entities: options.entities,
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, tableName: 'mikro_orm_migrations', snapshot: false, silent: true },
    pool: { min: 0, max: options.poolSize ?? 10 },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: options.debug ?? false,
    discovery: { warnWhenNoEntities: false },
    ensureDatabase: false,
  });
  await orm.connect();
  return orm;
}
