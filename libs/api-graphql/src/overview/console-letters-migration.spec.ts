/**
 * The console-letters migration (resend links, waiting print batches index) against PostgreSQL: a
 * letter is resent at most once, a link never points at a deleted letter, and the migration goes down
 * and up again cleanly.
 */
import { randomUUID } from 'node:crypto';
import { MIGRATIONS } from '@hub/persistence';
import { migrateDatabase } from '../../../../apps/tools/src/db';
import { HubDatabase, startHubDatabase } from '../../../../test/support';

jest.setTimeout(60_000);

const NAME = 'Migration20261126074000_console_letters';
let hub: HubDatabase;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'console-letters-mig' });
});

afterAll(() => hub?.drop());

async function letter(): Promise<string> {
  const id = randomUUID();
  await hub.ownerQuery(
    `insert into letter (id, tenant_id, sending_unit_id, content_hash, recipient_id, recipient_kind, subject, protection_class, channel_preference, status, deadline_at)
     values ($1, $2, $3, 'x', '198101032384', 'personnummer', 'Beslut', 1, 'AUTO', 'FAILED', now())`,
    [id, hub.demo.tenantId, hub.demo.units.bygg.id],
  );
  return id;
}

const state = async () => ({
  columns: (await hub.ownerQuery<{ column_name: string }>(`select column_name from information_schema.columns where table_name = 'letter' and column_name in ('resend_of', 'resent_as') order by 1`)).map((r) => r.column_name),
  indexes: (await hub.ownerQuery<{ indexname: string }>(`select indexname from pg_indexes where indexname in ('letter_resend_of', 'letter_resent_as', 'print_batch_waiting') order by 1`)).map((r) => r.indexname),
});

it('links a letter to one resend at most, and clears a link when retention deletes the other letter', async () => {
  const [original, resend, second] = [await letter(), await letter(), await letter()];
  await hub.ownerQuery(`update letter set resent_as = $2 where id = $1`, [original, resend]);
  await hub.ownerQuery(`update letter set resend_of = $1 where id = $2`, [original, resend]);
  await expect(hub.ownerQuery(`update letter set resend_of = $1 where id = $2`, [original, second])).rejects.toThrow(/letter_resend_of/);
  await expect(hub.ownerQuery(`update letter set resent_as = $1 where id = $2`, [randomUUID(), second])).rejects.toThrow(/letter_resent_as_fk/);
  // Deleted as the owner directly (retention does it through its SECURITY DEFINER function).
  await hub.ownerQuery(`delete from letter where id = $1`, [original]);
  expect(await hub.ownerQuery(`select resend_of from letter where id = $1`, [resend])).toEqual([{ resend_of: null }]);
});

it('is reversible', async () => {
  const up = await state();
  expect(up).toEqual({ columns: ['resend_of', 'resent_as'], indexes: ['letter_resend_of', 'letter_resent_as', 'print_batch_waiting'] });
  const later = MIGRATIONS.map((m) => m.name).slice(MIGRATIONS.findIndex((m) => m.name === NAME) + 1);
  for (const name of [...later].reverse()) expect(await migrateDatabase(hub.ownerUrl, 'down')).toEqual([name]);
  expect(await migrateDatabase(hub.ownerUrl, 'down')).toEqual([NAME]);
  expect(await state()).toEqual({ columns: [], indexes: [] });
  expect(await migrateDatabase(hub.ownerUrl, 'up')).toEqual([NAME, ...later]);
  expect(await state()).toEqual(up);
});
