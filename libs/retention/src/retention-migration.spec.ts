/** The retention migration is reversible: down removes what it added and restores letter_event's trigger; up again works. */
import { createOrm } from '@hub/persistence';
import { HubDatabase, startHubDatabase } from '../../../test/support';

jest.setTimeout(60_000);

let hub: HubDatabase;
beforeAll(async () => {
  hub = await startHubDatabase({ label: 'retention-mig' });
});
afterAll(() => hub?.drop());

async function migrate(direction: 'down' | 'up'): Promise<string[]> {
  const orm = await createOrm({ url: hub.ownerUrl, entities: [] });
  try {
    const done = direction === 'down' ? await orm.migrator.down({ to: 'Migration20261126050000_delivery_log' }) : await orm.migrator.up();
    return done.map((m) => m.name);
  } finally {
    await orm.close();
  }
}

const tables = async () =>
  (await hub.ownerQuery<{ t: string }>(`select table_name as t from information_schema.tables where table_name like 'retention_%' order by 1`)).map((r) => r.t);
const triggerBody = async () => (await hub.ownerQuery<{ src: string }>(`select prosrc as src from pg_proc where proname = 'letter_event_append_only'`))[0].src;

it('goes down and up again', async () => {
  expect(await tables()).toEqual(['retention_purge', 'retention_rule', 'retention_run', 'retention_secret']);
  expect(await triggerBody()).toMatch(/hub\.retention_purge/);
  expect((await migrate('down')).some((m) => m.includes('retention'))).toBe(true);
  expect(await tables()).toEqual([]);
  expect(await triggerBody()).not.toMatch(/retention/);
  expect(await hub.ownerQuery(`select 1 from information_schema.columns where table_name = 'letter' and column_name like '%purged_at'`)).toEqual([]);
  expect(await hub.ownerQuery(`select 1 from pg_proc where proname like 'retention_%'`)).toEqual([]);
  expect(await migrate('up')).toContain('Migration20261126060000_retention');
  expect(await tables()).toEqual(['retention_purge', 'retention_rule', 'retention_run', 'retention_secret']);
});
