/**
 * `npm run audit:verify [tenant alias]`: verifies the hash chain of one tenant's audit trail, or of
 * every tenant's. Prints one line per tenant (`ok` with its entry count and head hash, or `BROKEN`
 * with the first broken entry's sequence number and what is wrong) and exits 1 when a chain is
 * broken, 2 on bad usage or an unknown alias. Connects as the owner (DATABASE_OWNER_URL), which
 * reads every tenant's entries past row-level security.
 */
import { Client } from 'pg';
import { AuditQuery, AuditVerification, verifyAuditTrail } from '@hub/audit';
import { loadConfig } from '@hub/config';

export interface AuditVerifyIo {
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  err: (line: string) => void;
}

function describe(alias: string, v: AuditVerification): string {
  if (v.ok) return `ok      ${alias}: ${v.entries} entr${v.entries === 1 ? 'y' : 'ies'}${v.entries ? `, head ${v.lastHash}` : ''}`;
  const b = v.firstBroken!;
  return `BROKEN  ${alias}: first broken entry seq ${b.seq} (id ${b.id}), ${b.problem}: ${b.message} (expected ${b.expected || '""'}, found ${b.actual || '""'})`;
}

/** The CLI without the process around it; returns the exit code. */
export async function runAuditVerify(args: string[], io: AuditVerifyIo): Promise<number> {
  if (args.length > 1 || args.some((a) => a.startsWith('-'))) {
    io.err('usage: audit-verify [tenant alias]   (no alias: every tenant)');
    return 2;
  }
  const config = loadConfig(io.env, { notNeeded: ['MASTER_KEY'] });
  const client = new Client({ connectionString: config.DATABASE_OWNER_URL });
  await client.connect();
  try {
    const query: AuditQuery = async <R extends Record<string, unknown>>(text: string, params: unknown[]) => (await client.query<R>(text, params)).rows;
    const tenants = await query<{ id: string; alias: string }>(`select id::text, alias from tenant where $1::text is null or alias = $1 order by alias`, [args[0] ?? null]);
    if (args[0] && tenants.length === 0) {
      io.err(`no tenant with the alias ${JSON.stringify(args[0])}`);
      return 2;
    }
    let broken = 0;
    for (const t of tenants) {
      const v = await verifyAuditTrail(query, t.id);
      if (!v.ok) broken++;
      io.out(describe(t.alias, v));
    }
    if (broken) io.err(`${broken} of ${tenants.length} audit trail${tenants.length === 1 ? '' : 's'} broken`);
    return broken ? 1 : 0;
  } finally {
    await client.end();
  }
}

if (require.main === module) {
  runAuditVerify(process.argv.slice(2), {
    env: process.env,
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  }).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`audit-verify: ${(e as Error).message}\n`);
      process.exit(2);
    },
  );
}
