/** The delivery-log migration goes down and up again cleanly, and leaves log_export locked down as every tenant table (real PostgreSQL). */
import { MIGRATIONS } from '@hub/persistence';
import { migrateDatabase } from '../../../apps/tools/src/db';
import { HubDatabase, startHubDatabase } from '../../../test/support';

jest.setTimeout(60_000);

const NAME = 'Migration20261126050000_delivery_log';
let hub: HubDatabase;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'log-migration' });
});

afterAll(() => hub?.drop());

const state = async () => ({
  indexes: (await hub.ownerQuery<{ indexname: string }>(`select indexname from pg_indexes where tablename = 'letter' and indexname like 'letter\\_log\\_%' order by 1`)).map((r) => r.indexname),
  table: (await hub.ownerQuery<{ n: number }>(`select count(*)::int as n from pg_class where relname = 'log_export'`))[0].n,
  functions: (await hub.ownerQuery<{ proname: string }>(`select proname from pg_proc where proname like 'log\\_export%' order by 1`)).map((r) => r.proname),
});

it('is reversible', async () => {
  const up = await state();
  expect(up).toEqual({
    indexes: [
      'letter_log_case_reference',
      'letter_log_case_type',
      'letter_log_channel',
      'letter_log_client',
      'letter_log_dispatched',
      'letter_log_operator',
      'letter_log_recipient',
      'letter_log_status',
      'letter_log_unit',
    ],
    table: 1,
    functions: ['log_export_claim', 'log_exports_expired'],
  });
  const later = MIGRATIONS.map((m) => m.name).slice(MIGRATIONS.findIndex((m) => m.name === NAME) + 1);
  for (const name of [...later].reverse()) expect(await migrateDatabase(hub.ownerUrl, 'down')).toEqual([name]);
  expect(await migrateDatabase(hub.ownerUrl, 'down')).toEqual([NAME]);
  expect(await state()).toEqual({ indexes: [], table: 0, functions: [] });
  expect(await migrateDatabase(hub.ownerUrl, 'up')).toEqual([NAME, ...later]);
  expect(await state()).toEqual(up);
});

it('forces row-level security on log_export, grants the application no delete, and its functions to the application only', async () => {
  const [rls] = await hub.ownerQuery<{ relrowsecurity: boolean; relforcerowsecurity: boolean }>(`select relrowsecurity, relforcerowsecurity from pg_class where relname = 'log_export'`);
  expect(rls).toEqual({ relrowsecurity: true, relforcerowsecurity: true });
  const [privileges] = await hub.ownerQuery<Record<string, boolean>>(
    `select has_table_privilege('hub_app', 'log_export', 'select') as s, has_table_privilege('hub_app', 'log_export', 'insert') as i,
            has_table_privilege('hub_app', 'log_export', 'update') as u, has_table_privilege('hub_app', 'log_export', 'delete') as d`,
  );
  expect(privileges).toEqual({ s: true, i: true, u: true, d: false });
  for (const fn of ['log_export_claim(text, double precision)', 'log_exports_expired(integer)']) {
    const [p] = await hub.ownerQuery<{ app: boolean; pub: boolean; definer: boolean }>(
      `select has_function_privilege('hub_app', $1, 'execute') as app,
              exists (select 1 from aclexplode((select proacl from pg_proc where oid = $1::regprocedure)) a where a.grantee = 0) as pub,
              (select prosecdef from pg_proc where oid = $1::regprocedure) as definer`,
      [fn],
    );
    expect({ fn, ...p }).toEqual({ fn, app: true, pub: false, definer: true });
  }
});
