/** The notifications migration goes down and up again cleanly (real PostgreSQL), on its own. */
import { Client } from 'pg';
import { createOrm } from '@hub/persistence';
import { HubDatabase, HUB_ENTITIES, startHubDatabase } from '../../../test/support';
import { Migration20261126040000 } from '../../../migrations/Migration20261126040000_notifications';

jest.setTimeout(60_000);

let hub: HubDatabase;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'notif-migration' });
});
afterAll(() => hub?.drop());

/** Runs one direction of this migration's SQL as the owner, in one transaction. */
async function run(direction: 'up' | 'down'): Promise<void> {
  const orm = await createOrm({ url: hub.ownerUrl, entities: HUB_ENTITIES });
  // The migrator hands migrations the same driver; its declared type comes from @mikro-orm/sql's base class.
  const migration = new Migration20261126040000(orm.em.getDriver() as never, orm.config as never);
  await migration[direction]();
  const queries = migration.getQueries().map((q) => (typeof q === 'string' ? q : String(q)));
  await orm.close();
  const c = new Client({ connectionString: hub.ownerUrl });
  await c.connect();
  try {
    await c.query('begin');
    for (const q of queries) await c.query(q);
    await c.query('commit');
  } finally {
    await c.end();
  }
}

const tables = async () => (await hub.ownerQuery<{ relname: string; rls: boolean; forced: boolean }>(
  `select relname, relrowsecurity as rls, relforcerowsecurity as forced from pg_class where relname in ('webhook_subscription', 'webhook_delivery') order by relname`,
));
const claimGrant = async () =>
  (await hub.ownerQuery<{ app: boolean; anyone: boolean }>(
    `select has_function_privilege('hub_app', 'webhook_deliveries_claim(text, double precision, integer)', 'execute') as app,
            exists (select 1 from pg_proc p, aclexplode(p.proacl) a where p.proname = 'webhook_deliveries_claim' and a.grantee = 0) as anyone`,
  ))[0];

it('creates tenant tables with forced row-level security and a claim function only the app may run; down removes them all', async () => {
  expect(await tables()).toEqual([
    { relname: 'webhook_delivery', rls: true, forced: true },
    { relname: 'webhook_subscription', rls: true, forced: true },
  ]);
  expect(await claimGrant()).toEqual({ app: true, anyone: false });
  await run('down');
  expect(await tables()).toEqual([]);
  expect(await hub.ownerQuery(`select 1 from pg_proc where proname = 'webhook_deliveries_claim'`)).toEqual([]);
  await run('up');
  expect((await tables()).map((t) => t.forced)).toEqual([true, true]);
  expect(await claimGrant()).toEqual({ app: true, anyone: false });
});
