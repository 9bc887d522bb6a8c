import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { TenantContext } from '@hub/tenancy';

/** Thrown for a tenant id that is not a UUID (never reaches SQL). */
export class InvalidTenantIdError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs work for one tenant: a fresh entity manager, one transaction whose first statement sets
 * `app.tenant_id` (transaction-local), inside the tenant's AsyncLocalStorage scope. PostgreSQL's
 * row-level security then shows this tenant's rows only, whatever the code inside does.
 */
export class TenantDb {
  constructor(readonly orm: MikroORM) {}

  async inTenant<T>(tenantId: string, fn: (em: EntityManager) => Promise<T>, actor?: string): Promise<T> {
    if (!UUID.test(tenantId)) throw new InvalidTenantIdError(`tenant id ${JSON.stringify(tenantId)} is not a UUID`);
    const scope = TenantContext.currentOrUndefined();
    if (scope && scope.tenantId !== tenantId) throw new InvalidTenantIdError('cannot switch tenant inside a tenant scope');
    return TenantContext.run({ tenantId, actor: actor ?? scope?.actor }, () =>
      (this.orm.em.fork() as EntityManager).transactional(async (em) => {
        await em.getConnection().execute(`select set_config('app.tenant_id', ?, true)`, [tenantId], 'get', em.getTransactionContext());
        return fn(em);
      }),
    );
  }

  /** The current scope's tenant transaction (for code already inside TenantContext). */
  inCurrentTenant<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.inTenant(TenantContext.current().tenantId, fn);
  }

  /**
   * Work without a tenant: only the SECURITY DEFINER entry points (tenant resolution, outbox relay,
   * reconciler) return anything here; every tenant table shows no rows.
   */
  async withoutTenant<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return (this.orm.em.fork() as EntityManager).transactional(fn);
  }
}
