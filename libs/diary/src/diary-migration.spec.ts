/** The diary migration goes down and up again cleanly, with row-level security and grants as before (real PostgreSQL). */
import { MIGRATIONS } from '@hub/persistence';
import { migrateDatabase } from '../../../apps/tools/src/db';
import { HubDatabase, startHubDatabase } from '../../../test/support';

jest.setTimeout(60_000);

let hub: HubDatabase;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'diary-migration' });
});

afterAll(() => hub?.drop());

const shape = async () => ({
  tables: (
    await hub.ownerQuery<{ relname: string; rls: boolean; forced: boolean }>(
      `select relname, relrowsecurity as rls, relforcerowsecurity as forced from pg_class where relname in ('diary_hook', 'diary_registration') and relkind = 'r' order by relname`,
    )
  ).map((r) => [r.relname, r.rls, r.forced]),
  functions: (await hub.ownerQuery<{ proname: string; secdef: boolean }>(`select proname, prosecdef as secdef from pg_proc where proname like 'diary\\_%' order by proname`)).map((r) => [
    r.proname,
    r.secdef,
  ]),
});

it('is reversible', async () => {
  const installed = {
    tables: [
      ['diary_hook', true, true],
      ['diary_registration', true, true],
    ],
    functions: [['diary_claim_due', true]],
  };
  expect(await shape()).toEqual(installed);

  const later = MIGRATIONS.map((m) => m.name).slice(MIGRATIONS.findIndex((m) => m.name === 'Migration20261126045000_diary') + 1);
  for (const name of [...later].reverse()) expect(await migrateDatabase(hub.ownerUrl, 'down')).toEqual([name]);
  expect(await migrateDatabase(hub.ownerUrl, 'down')).toEqual(['Migration20261126045000_diary']);
  expect(await shape()).toEqual({ tables: [], functions: [] });

  expect(await migrateDatabase(hub.ownerUrl, 'up')).toEqual(['Migration20261126045000_diary', ...later]);
  expect(await shape()).toEqual(installed);
  const [grants] = await hub.ownerQuery<{ app_exec: boolean; public_exec: boolean; app_delete: boolean; app_update: boolean }>(
    `select has_function_privilege('hub_app', 'diary_claim_due(text, double precision, integer)', 'execute') as app_exec,
            exists (select 1 from information_schema.routine_privileges where routine_name = 'diary_claim_due' and grantee = 'PUBLIC') as public_exec,
            has_table_privilege('hub_app', 'diary_registration', 'delete') as app_delete,
            has_table_privilege('hub_app', 'diary_hook', 'update') as app_update`,
  );
  expect(grants).toEqual({ app_exec: true, public_exec: false, app_delete: false, app_update: true });
});
