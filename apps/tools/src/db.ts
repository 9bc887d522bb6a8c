import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { loadConfig } from '@hub/config';
import { KeyVault } from '@hub/keys';
import { LETTER_ENTITIES } from '@hub/letters';
import { createOrm, setupDatabase, TenantDb } from '@hub/persistence';
import { ApiClient, SendingUnit, TENANCY_ENTITIES, Tenant } from '@hub/tenancy';
import { ensureTestPki } from '@hub/testing';
import { loadSeed, pkiSpecForSeed } from '../../simulators/src/seed';

const ENTITIES = [...TENANCY_ENTITIES, ...LETTER_ENTITIES];

/** The demo tenant: "Demo kommun" with two sending units and one case-system client. */
export const DEMO = {
  tenant: { alias: 'demo-kommun', name: 'Demo kommun', orgNumber: '162120001231' },
  units: [
    { code: 'bygg', name: 'Demo kommun, Samhällsbyggnadsnämnden', orgnr: '2120001231', address: ['Samhällsbyggnadsförvaltningen', 'Box 100', '123 45 Demostad'] },
    { code: 'social', name: 'Demo kommun, Socialnämnden', orgnr: '2120009879', address: ['Socialförvaltningen', 'Box 200', '123 46 Demostad'] },
  ],
  client: { clientId: 'demo-case-system', name: 'Demo ärendesystem (bygglov)', unit: 'bygg' },
  /**
   * The print vendor of the demo (the print-vendor simulator pulls as its OAuth client). Batches close
   * at 10:00 and 15:00 Swedish time, and in the demo also when the oldest letter has waited 10 seconds.
   */
  printVendor: {
    id: 'demo-print',
    name: 'Demo Print & Kuvertering AB (simulator)',
    clientId: 'demo-print-vendor',
    envelopeProfile: 'C5-H2',
    cutoffTimes: ['10:00', '15:00'],
    maxWaitSeconds: 10,
    ackDeadlineMinutes: 240,
  },
};

/**
 * Applies every pending migration (`up`) or reverts the last one (`down`) with the owner
 * connection; returns the names of the migrations run.
 */
export async function migrateDatabase(ownerUrl: string, direction: 'up' | 'down' = 'up'): Promise<string[]> {
  const orm = await createOrm({ url: ownerUrl, entities: ENTITIES });
  try {
    const migrator = orm.migrator;
    const done = direction === 'up' ? await migrator.up() : await migrator.down();
    return done.map((m) => m.name);
  } finally {
    await orm.close();
  }
}

async function migrate(direction: 'up' | 'down'): Promise<void> {
  const cfg = loadConfig(process.env, { notNeeded: ['MASTER_KEY'] });
  const done = await migrateDatabase(cfg.DATABASE_OWNER_URL, direction);
  process.stdout.write(`${direction === 'up' ? 'applied' : 'reverted'}: ${done.join(', ') || 'nothing (up to date)'}\n`);
}

/** Where {@link seedDemo} writes and what it reads. */
export interface SeedDemoOptions {
  /** Owner connection: the seed creates a tenant (the app role cannot) and the platform credential. */
  ownerUrl: string;
  /** MASTER_KEY (base64) the stored signing keys are encrypted with. */
  masterKey: string;
  /** Test PKI directory (created when missing). */
  pkiDir: string;
  /** Simulator seed whose PKI spec the certificates follow (default `apps/simulators/seed/demo.json` from the working directory). */
  seedFile?: string;
  /** Print a line when done (the CLI does). */
  quiet?: boolean;
}

/** What {@link seedDemo} created or found. */
export interface SeededDemo {
  tenantId: string;
  /** Sending units by code (`bygg`, `social`). */
  units: Record<string, { id: string; orgNumber: string; name: string }>;
}

/** Seeds (idempotently) the demo tenant with certificates from the test PKI and the förmedlare key. */
export async function seedDemo(options: SeedDemoOptions): Promise<SeededDemo> {
  const { pkiDir } = options;
  const vault = new KeyVault(options.masterKey);
  const seed = loadSeed(resolve(options.seedFile ?? 'apps/simulators/seed/demo.json'));
  await ensureTestPki(pkiDir, pkiSpecForSeed(seed));
  const read = (f: string) => readFileSync(join(pkiDir, f), 'utf8');
  const orm = await createOrm({ url: options.ownerUrl, entities: ENTITIES });
  try {
    const db = new TenantDb(orm);
    const cert = read('intermediary.crt.pem');
    await db.withoutTenant(async (em) => {
      await em.getConnection().execute(
        `insert into platform_credential (name, certificate_pem, key_ciphertext, certificate_not_after) values ('intermediary', ?, ?, ?)
         on conflict (name) do update set certificate_pem = excluded.certificate_pem, key_ciphertext = excluded.key_ciphertext,
           certificate_not_after = excluded.certificate_not_after, updated_at = now()`,
        [cert, vault.encrypt(read('intermediary.key.pem'), 'platform_credential:intermediary'), new Date(new X509Certificate(cert).validTo)],
        'run',
        em.getTransactionContext(),
      );
    });
    const v = DEMO.printVendor;
    await db.withoutTenant((em) =>
      em.getConnection().execute(
        `insert into print_vendor (id, name, client_id, envelope_profile, cutoff_times, max_wait_seconds, ack_deadline_minutes)
         values (?, ?, ?, ?, ?::text[], ?, ?)
         on conflict (id) do update set name = excluded.name, client_id = excluded.client_id`,
        [v.id, v.name, v.clientId, v.envelopeProfile, `{${v.cutoffTimes.join(',')}}`, v.maxWaitSeconds, v.ackDeadlineMinutes],
        'run',
        em.getTransactionContext(),
      ),
    );
    let tenant = await db.withoutTenant((em) => em.findOne(Tenant, { alias: DEMO.tenant.alias }));
    if (!tenant) {
      tenant = await db.withoutTenant(async (em) => {
        const t = em.create(Tenant, { ...DEMO.tenant, settings: { deadlineHours: 24, printAllowed: true }, createdAt: new Date() });
        await em.flush();
        return t;
      });
    }
    await db.inTenant(tenant.id, async (em) => {
      for (const u of DEMO.units) {
        const certPem = read(`municipality-${u.orgnr}.crt.pem`);
        let unit = await em.findOne(SendingUnit, { code: u.code });
        if (!unit) {
          unit = em.create(SendingUnit, {
            tenantId: tenant.id,
            code: u.code,
            name: u.name,
            orgNumber: `16${u.orgnr}`,
            postalAddress: { lines: u.address },
            createdAt: new Date(),
          });
          await em.flush();
        }
        unit.certificatePem = certPem;
        unit.keyCiphertext = vault.encrypt(read(`municipality-${u.orgnr}.key.pem`), `sending_unit:${unit.id}`);
        unit.certificateNotAfter = new Date(new X509Certificate(certPem).validTo);
      }
      await em.flush();
      const unit = await em.findOneOrFail(SendingUnit, { code: DEMO.client.unit });
      const client = await em.findOne(ApiClient, { clientId: DEMO.client.clientId });
      if (!client) em.create(ApiClient, { tenantId: tenant.id, clientId: DEMO.client.clientId, name: DEMO.client.name, sendingUnitId: unit.id, createdAt: new Date() });
      await em.flush();
    });
    const units = await db.inTenant(tenant.id, async (em) => {
      const out: SeededDemo['units'] = {};
      for (const u of await em.find(SendingUnit, {})) out[u.code] = { id: u.id, orgNumber: u.orgNumber, name: u.name };
      return out;
    });
    if (!options.quiet) {
      process.stdout.write(
        `demo tenant "${DEMO.tenant.name}" (${tenant.id}) ready: sending units ${DEMO.units.map((u) => u.code).join(', ')}, API client ${DEMO.client.clientId}, ` +
          `print vendor ${v.id} (client ${v.clientId})\n`,
      );
    }
    return { tenantId: tenant.id, units };
  } finally {
    await orm.close();
  }
}

async function main(): Promise<void> {
  const [command, arg, arg2] = process.argv.slice(2);
  switch (command) {
    case 'setup': {
      const cfg = loadConfig(process.env, { notNeeded: ['MASTER_KEY'] });
      const r = await setupDatabase({ adminUrl: cfg.DATABASE_ADMIN_URL, ownerUrl: cfg.DATABASE_OWNER_URL, appUrl: cfg.DATABASE_URL });
      process.stdout.write(r.created.length ? `created ${r.created.join(', ')}\n` : 'roles and database already exist\n');
      return;
    }
    case 'migrate':
      return migrate('up');
    case 'migrate:down':
      return migrate('down');
    case 'seed-demo': {
      const cfg = loadConfig();
      await seedDemo({ ownerUrl: cfg.DATABASE_OWNER_URL, masterKey: cfg.MASTER_KEY!, pkiDir: resolve(arg ?? '.data/pki'), seedFile: resolve(arg2 ?? 'apps/simulators/seed/demo.json') });
      return;
    }
    default:
      throw new Error('usage: db setup | migrate | migrate:down | seed-demo [pkiDir] [simulator seed file]');
  }
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`db: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
