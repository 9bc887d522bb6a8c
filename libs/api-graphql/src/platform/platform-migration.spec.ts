/**
 * The platform migration (real PostgreSQL): the application role still cannot write tenants or
 * vendors except through the narrow SECURITY DEFINER functions, the platform audit trail is
 * append-only, and the migration goes down and up again cleanly.
 */
import { MIGRATIONS } from '@hub/persistence';
import { Client } from 'pg';
import { migrateDatabase } from '../../../../apps/tools/src/db';
import { HubDatabase, startHubDatabase } from '../../../../test/support';

jest.setTimeout(90_000);

const NAME = 'Migration20261126073000_platform_admin';
let hub: HubDatabase;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'platform-migration' });
});

afterAll(() => hub?.drop());

/** Runs SQL as the application role (row-level security applies, no ownership). */
async function asApp<R extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<R[]> {
  const c = new Client({ connectionString: hub.appUrl });
  await c.connect();
  try {
    return (await c.query<R>(text, params)).rows;
  } finally {
    await c.end();
  }
}

const shape = async () => ({
  functions: (await hub.ownerQuery<{ proname: string; secdef: boolean }>(`select proname, prosecdef as secdef from pg_proc where proname like 'platform\\_%' order by proname`)).map((r) => [r.proname, r.secdef]),
  tables: (await hub.ownerQuery<{ table_name: string }>(`select table_name from information_schema.tables where table_name = 'platform_audit_log'`)).map((r) => r.table_name),
  vendorColumns: (await hub.ownerQuery<{ column_name: string }>(`select column_name from information_schema.columns where table_name = 'print_vendor' and column_name in ('active', 'postage_classes', 'updated_at') order by 1`)).map(
    (r) => r.column_name,
  ),
});

it('keeps tenants and vendors out of the application role’s reach except through its functions', async () => {
  await expect(asApp(`insert into tenant (alias, name, org_number) values ('x-kommun', 'X', '162120002411')`)).rejects.toThrow(/permission denied/);
  await expect(asApp(`update print_vendor set name = 'X'`)).rejects.toThrow(/permission denied/);
  await expect(asApp(`update tenant set name = 'X'`)).rejects.toThrow(/permission denied/);
  // Without a tenant scope the application role sees no tenant rows; the platform function sees names and counts.
  expect(await asApp(`select * from tenant`)).toEqual([]);
  expect((await asApp<{ alias: string }>(`select alias from platform_tenants()`)).map((r) => r.alias).sort()).toEqual(['annan-kommun', 'demo-kommun']);
  const [grants] = await hub.ownerQuery<{ app: boolean; public: boolean }>(
    `select has_function_privilege('hub_app', 'platform_create_tenant(uuid, text, text, text, jsonb)', 'execute') as app,
            exists (select 1 from information_schema.routine_privileges where routine_name like 'platform\\_%' and routine_name <> 'platform_audit_log_append_only' and grantee = 'PUBLIC') as public`,
  );
  expect(grants).toEqual({ app: true, public: false });
  await asApp(`insert into platform_audit_log (seq, actor, action, target, created_at, prev_hash, hash) values (1, 'a', 'b', 'c', now(), '', 'h')`);
  await expect(asApp(`update platform_audit_log set actor = 'x'`)).rejects.toThrow(/permission denied|append-only/);
  await expect(hub.ownerQuery(`update platform_audit_log set actor = 'x'`)).rejects.toThrow(/append-only/);
  await expect(hub.ownerQuery(`truncate platform_audit_log`)).rejects.toThrow(/append-only/);
});

it('is reversible', async () => {
  const installed = {
    functions: [
      ['platform_audit_log_append_only', false],
      ['platform_create_tenant', true],
      ['platform_mailbox_operators', true],
      ['platform_print_vendor_create', true],
      ['platform_print_vendor_update', true],
      ['platform_rename_tenant', true],
      ['platform_tenants', true],
    ],
    tables: ['platform_audit_log'],
    vendorColumns: ['active', 'postage_classes', 'updated_at'],
  };
  expect(await shape()).toEqual(installed);
  const later = MIGRATIONS.map((m) => m.name).slice(MIGRATIONS.findIndex((m) => m.name === NAME) + 1);
  for (const name of [...later].reverse()) expect(await migrateDatabase(hub.ownerUrl, 'down')).toEqual([name]);
  expect(await migrateDatabase(hub.ownerUrl, 'down')).toEqual([NAME]);
  expect(await shape()).toEqual({ functions: [], tables: [], vendorColumns: [] });
  expect(await migrateDatabase(hub.ownerUrl, 'up')).toEqual([NAME, ...later]);
  expect(await shape()).toEqual(installed);
});
