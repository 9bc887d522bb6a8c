import { Client } from 'pg';

export interface DatabaseSetupOptions {
  /** A superuser connection (any database), used for roles and CREATE DATABASE. */
  adminUrl: string;
  /** Owner connection URL: its user and database name are created. */
  ownerUrl: string;
  /** Application connection URL: its user is created (login, no BYPASSRLS). */
  appUrl: string;
}

function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe SQL identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/**
 * Creates (idempotently) the owner role (owns the schema, runs migrations; BYPASSRLS so its
 * SECURITY DEFINER functions can serve the cross-tenant entry points), the application role
 * (login, no BYPASSRLS, owns nothing) and the database. Passwords, when the URLs carry them, are set.
 */
export async function setupDatabase(options: DatabaseSetupOptions): Promise<{ created: string[] }> {
  const owner = new URL(options.ownerUrl);
  const app = new URL(options.appUrl);
  const dbName = owner.pathname.replace(/^\//, '');
  if (dbName !== app.pathname.replace(/^\//, '')) throw new Error('DATABASE_URL and DATABASE_OWNER_URL must name the same database');
  const admin = new Client({ connectionString: options.adminUrl });
  await admin.connect();
  const created: string[] = [];
  try {
    for (const [url, attrs] of [
      [owner, 'login bypassrls nosuperuser nocreatedb nocreaterole'],
      [app, 'login nobypassrls nosuperuser nocreatedb nocreaterole'],
    ] as const) {
      const role = decodeURIComponent(url.username);
      const exists = await admin.query('select 1 from pg_roles where rolname = $1', [role]);
      if (exists.rowCount === 0) {
        await admin.query(`create role ${ident(role)} ${attrs}`);
        created.push(`role ${role}`);
      } else {
        await admin.query(`alter role ${ident(role)} ${attrs}`);
      }
      if (url.password) await admin.query(`alter role ${ident(role)} password '${decodeURIComponent(url.password).replace(/'/g, "''")}'`);
    }
    const db = await admin.query('select 1 from pg_database where datname = $1', [dbName]);
    if (db.rowCount === 0) {
      await admin.query(`create database ${ident(dbName)} owner ${ident(decodeURIComponent(owner.username))}`);
      created.push(`database ${dbName}`);
    }
  } finally {
    await admin.end();
  }
  // The public schema belongs to the owner, so that it alone can create objects there.
  const adminDb = new URL(options.adminUrl);
  adminDb.pathname = `/${dbName}`;
  const inDb = new Client({ connectionString: adminDb.toString() });
  await inDb.connect();
  try {
    await inDb.query(`alter schema public owner to ${ident(decodeURIComponent(owner.username))}`);
    await inDb.query(`revoke create on schema public from public`);
  } finally {
    await inDb.end();
  }
  return { created };
}
