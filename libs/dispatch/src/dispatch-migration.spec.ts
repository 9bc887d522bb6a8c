/** The dispatch migrations, and every one after the first, go down and up again cleanly (real PostgreSQL). */
import { MIGRATIONS } from '@hub/persistence';
import { migrateDatabase } from '../../../apps/tools/src/db';
import { HubDatabase, startHubDatabase } from '../../../test/support';

jest.setTimeout(60_000);

let hub: HubDatabase;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'migration' });
});

afterAll(() => hub?.drop());

const functions = async () =>
  (await hub.ownerQuery<{ proname: string }>(`select proname from pg_proc where proname like 'dispatch\\_%' order by proname`)).map((r) => r.proname);
const leaseColumns = async () =>
  (await hub.ownerQuery<{ column_name: string }>(`select column_name from information_schema.columns where table_name = 'letter' and column_name like 'lease%' order by 1`)).map(
    (r) => r.column_name,
  );
const needingWorkColumns = async () =>
  (await hub.ownerQuery<{ cols: string }>(`select pg_get_function_result('letters_needing_work(timestamptz, integer)'::regprocedure) as cols`))[0].cols;

const ALL = ['dispatch_apply', 'dispatch_apply_many', 'dispatch_claim', 'dispatch_claim_many', 'dispatch_release'];

it('is reversible', async () => {
  expect(await functions()).toEqual(ALL);
  expect(await leaseColumns()).toEqual(['lease_owner', 'lease_until']);
  expect(await needingWorkColumns()).toMatch(/updated_at.*attempts/);

  // Down, one at a time, every migration after the dispatch's, then the dispatch's.
  const later = MIGRATIONS.map((m) => m.name).slice(MIGRATIONS.findIndex((m) => m.name === 'Migration20261126010000_dispatch') + 1);
  for (const name of [...later].reverse()) {
    expect(await migrateDatabase(hub.ownerUrl, 'down')).toEqual([name]);
    // The throughput migration's batch functions go with it; the per-letter ones stay.
    if (name === 'Migration20261126070000_dispatch_throughput') expect(await functions()).toEqual(['dispatch_apply', 'dispatch_claim', 'dispatch_release']);
  }
  expect(await migrateDatabase(hub.ownerUrl, 'down')).toEqual(['Migration20261126010000_dispatch']);
  expect(await functions()).toEqual([]);
  expect(await leaseColumns()).toEqual([]);
  expect(await needingWorkColumns()).toBe('TABLE(tenant_id uuid, letter_id uuid, status text)');
  const [grant] = await hub.ownerQuery<{ ok: boolean }>(`select has_function_privilege('hub_app', 'letters_needing_work(timestamptz, integer)', 'execute') as ok`);
  expect(grant.ok).toBe(true);

  expect(await migrateDatabase(hub.ownerUrl, 'up')).toEqual(['Migration20261126010000_dispatch', ...later]);
  expect(await functions()).toEqual(ALL);
  const [apply] = await hub.ownerQuery<{ ok: boolean }>(
    `select has_function_privilege('hub_app', 'dispatch_apply(uuid, uuid, text, text, text, jsonb, boolean, double precision, jsonb, jsonb)', 'execute') as ok`,
  );
  expect(apply.ok).toBe(true);
  const [batches] = await hub.ownerQuery<{ claim: boolean; apply: boolean; public: boolean }>(
    `select has_function_privilege('hub_app', 'dispatch_claim_many(uuid, uuid[], text[], double precision)', 'execute') as claim,
            has_function_privilege('hub_app', 'dispatch_apply_many(uuid, jsonb)', 'execute') as apply,
            exists (select 1 from pg_proc p, aclexplode(p.proacl) a where p.proname like 'dispatch\\_%\\_many' and a.grantee = 0) as public`,
  );
  expect(batches).toEqual({ claim: true, apply: true, public: false });
});
