/** The policies migration (and every one after it) goes down and up again cleanly (real PostgreSQL). */
import { MIGRATIONS } from '@hub/persistence';
import { migrateDatabase } from '../../../apps/tools/src/db';
import { HubDatabase, startHubDatabase } from '../../../test/support';

jest.setTimeout(60_000);

let hub: HubDatabase;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'policies-migration' });
});

afterAll(() => hub?.drop());

const state = async () => {
  const [row] = await hub.ownerQuery<{ case_type: boolean; columns: string[]; settings_grant: boolean }>(
    `select to_regclass('public.case_type') is not null as case_type,
            coalesce((select array_agg(column_name::text order by column_name) from information_schema.columns
                       where table_name = 'letter' and column_name in ('case_type_code', 'category', 'official_matter')), '{}') as columns,
            has_column_privilege('hub_app', 'tenant', 'settings', 'update') as settings_grant`,
  );
  return row;
};

it('is reversible', async () => {
  expect(await state()).toEqual({ case_type: true, columns: ['case_type_code', 'category', 'official_matter'], settings_grant: true });
  const later = MIGRATIONS.map((m) => m.name).slice(MIGRATIONS.findIndex((m) => m.name === 'Migration20261126030000_policies') + 1);
  for (const name of [...later].reverse()) expect(await migrateDatabase(hub.ownerUrl, 'down')).toEqual([name]);
  expect(await migrateDatabase(hub.ownerUrl, 'down')).toEqual(['Migration20261126030000_policies']);
  expect(await state()).toEqual({ case_type: false, columns: [], settings_grant: false });
  expect(await migrateDatabase(hub.ownerUrl, 'up')).toEqual(['Migration20261126030000_policies', ...later]);
  expect(await state()).toEqual({ case_type: true, columns: ['case_type_code', 'category', 'official_matter'], settings_grant: true });
});
