export { createOrm, MIGRATIONS, OrmOptions } from './orm';
export { TenantDb, InvalidTenantIdError } from './tenant-db';
export { setupDatabase, DatabaseSetupOptions } from './database-setup';
