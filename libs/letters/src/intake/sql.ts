import { EntityManager } from '@mikro-orm/postgresql';

let queryIds = 0;

/**
 * Runs one statement with real bind parameters ($1, $2, …) on the entity manager's transaction.
 * MikroORM's `execute` inlines parameters into the SQL text, which is slow for multi-megabyte bulk
 * inserts and cannot pass typed arrays to `unnest`; Kysely's executor (which MikroORM runs on) hands
 * them to the pg driver as they are. The object is Kysely's `CompiledQuery` shape (a raw node).
 */
export async function sql<R = Record<string, unknown>>(em: EntityManager, text: string, parameters: readonly unknown[] = []): Promise<{ rows: R[]; rowCount: number }> {
  const compiled = {
    sql: text,
    parameters,
    query: { kind: 'RawNode', sqlFragments: [text], parameters: [] },
    queryId: { queryId: `intake-${++queryIds}` },
  };
  const result = await em.getKysely().executeQuery<R>(compiled as never);
  return { rows: result.rows as R[], rowCount: Number(result.numAffectedRows ?? result.rows.length) };
}
