/**
 * A fresh hub database per test file: the hub's roles (`hub_owner`, `hub_app`), every migration,
 * the demo tenant (units `bygg` and `social` with certificates from the test PKI, the förmedlare
 * credential) and a second tenant for isolation tests. Independent of npm scripts.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import type { MikroORM } from '@mikro-orm/postgresql';
import { LETTER_ENTITIES } from '@hub/letters';
import { createOrm, setupDatabase, TenantDb } from '@hub/persistence';
import { TENANCY_ENTITIES } from '@hub/tenancy';
import { migrateDatabase, seedDemo, SeededDemo } from '../../apps/tools/src/db';

export const ROOT = join(__dirname, '..', '..');
export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The test PKI (the simulators' and the demo's): generated on first use, reused after. */
export const TEST_PKI_DIR = process.env.TEST_PKI_DIR ?? join(ROOT, '.data', 'pki');
export const DEMO_SEED_FILE = join(ROOT, 'apps', 'simulators', 'seed', 'demo.json');
/** Every entity the hub's processes map. */
export const HUB_ENTITIES = [...TENANCY_ENTITIES, ...LETTER_ENTITIES];

/** The second municipality (isolation tests); it has no certificate. */
export const OTHER_TENANT = {
  alias: 'annan-kommun',
  name: 'Annan kommun',
  orgNumber: '162120005554',
  unit: { code: 'bygg', name: 'Annan kommun, Byggnadsnämnden', orgNumber: '162120002411' },
  client: { clientId: 'annan-case-system', name: 'Annan kommuns ärendesystem' },
};

export interface HubDatabase {
  name: string;
  adminUrl: string;
  /** Owner role: migrations, arranging state past row-level security. */
  ownerUrl: string;
  /** Application role (row-level security applies): what the hub's processes use. */
  appUrl: string;
  /** MASTER_KEY the seeded signing keys are encrypted with (random per database). */
  masterKey: string;
  pkiDir: string;
  demo: SeededDemo;
  /** The second tenant (annan-kommun, no certificates; deadlineHours 48), with its case-system API client. */
  other: { tenantId: string; unitId: string; apiClientId: string };
  /** SQL as the owner (bypasses row-level security). */
  ownerQuery<R extends Record<string, unknown> = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** A MikroORM instance as the application role (closed by `drop`). */
  appOrm(poolSize?: number): Promise<MikroORM>;
  /** Closes the ORMs made by `appOrm` and drops the database. */
  drop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Creates, migrates and seeds `hub_test_<label>_<random>`. */
export async function startHubDatabase(options: { label?: string; pkiDir?: string; masterKey?: string } = {}): Promise<HubDatabase> {
  const label = (options.label ?? 'db').toLowerCase().replace(/[^a-z0-9]/g, '_').slice(0, 20);
  const name = `hub_test_${label}_${randomBytes(4).toString('hex')}`;
  const host = new URL(ADMIN_URL).host;
  const ownerUrl = `postgres://hub_owner@${host}/${name}`;
  const appUrl = `postgres://hub_app@${host}/${name}`;
  const masterKey = options.masterKey ?? randomBytes(32).toString('base64');
  const pkiDir = options.pkiDir ?? TEST_PKI_DIR;
  // Test files run in parallel and roles are cluster-wide: a concurrent CREATE ROLE may lose the race once.
  for (let attempt = 1; ; attempt++) {
    try {
      await setupDatabase({ adminUrl: ADMIN_URL, ownerUrl, appUrl });
      break;
    } catch (e) {
      if (attempt >= 3 || !/already exists|duplicate key|tuple concurrently updated/.test((e as Error).message)) throw e;
    }
  }
  const orms: MikroORM[] = [];
  const ownerQuery: HubDatabase['ownerQuery'] = (text, params = []) => withClient(ownerUrl, async (c) => (await c.query(text, params)).rows);
  const drop = async () => {
    await Promise.all(orms.splice(0).map((o) => o.close()));
    await withClient(ADMIN_URL, (c) => c.query(`drop database if exists "${name}" with (force)`));
  };
  try {
    await migrateDatabase(ownerUrl);
    const demo = await seedDemo({ ownerUrl, masterKey, pkiDir, seedFile: DEMO_SEED_FILE, quiet: true });
    const other = await withClient(ownerUrl, async (c) => {
      const t = await c.query<{ id: string }>(`insert into tenant (alias, name, org_number, settings) values ($1, $2, $3, '{"deadlineHours": 48}') returning id`, [
        OTHER_TENANT.alias,
        OTHER_TENANT.name,
        OTHER_TENANT.orgNumber,
      ]);
      const u = await c.query<{ id: string }>(`insert into sending_unit (tenant_id, code, name, org_number) values ($1, $2, $3, $4) returning id`, [
        t.rows[0].id,
        OTHER_TENANT.unit.code,
        OTHER_TENANT.unit.name,
        OTHER_TENANT.unit.orgNumber,
      ]);
      const a = await c.query<{ id: string }>(`insert into api_client (tenant_id, client_id, name, sending_unit_id) values ($1, $2, $3, $4) returning id`, [
        t.rows[0].id,
        OTHER_TENANT.client.clientId,
        OTHER_TENANT.client.name,
        u.rows[0].id,
      ]);
      return { tenantId: t.rows[0].id, unitId: u.rows[0].id, apiClientId: a.rows[0].id };
    });
    return {
      name,
      adminUrl: ADMIN_URL,
      ownerUrl,
      appUrl,
      masterKey,
      pkiDir,
      demo,
      other,
      ownerQuery,
      async appOrm(poolSize = 10) {
        const orm = await createOrm({ url: appUrl, entities: HUB_ENTITIES, poolSize });
        orms.push(orm);
        return orm;
      },
      drop,
    };
  } catch (e) {
    await drop().catch(() => undefined);
    throw e;
  }
}

/** A TenantDb over a fresh application-role ORM of `hub`. */
export async function appTenantDb(hub: HubDatabase, poolSize?: number): Promise<TenantDb> {
  return new TenantDb(await hub.appOrm(poolSize));
}
