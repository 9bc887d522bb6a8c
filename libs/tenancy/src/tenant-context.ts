import { AsyncLocalStorage } from 'node:async_hooks';

/** The tenant a request or job works for, set once (auth guard or job) and read anywhere below it. */
export interface TenantScope {
  tenantId: string;
  /** Who acts: an API client id, a user id or a job id (for logs and events). */
  actor?: string;
}

/** Code asked for the tenant outside a tenant scope: a bug, never a reason to guess. */
export class NoTenantScopeError extends Error {
  constructor() {
    super('no tenant in scope: this code must run inside TenantContext.run()');
  }
}

const storage = new AsyncLocalStorage<TenantScope>();

/** AsyncLocalStorage holding the current tenant (the same idea as nestjs-cls, without Nest). */
export const TenantContext = {
  run<T>(scope: TenantScope, fn: () => T): T {
    return storage.run(scope, fn);
  },
  /** The current tenant; throws {@link NoTenantScopeError} outside a scope. */
  current(): TenantScope {
    const s = storage.getStore();
    if (!s) throw new NoTenantScopeError();
    return s;
  },
  currentOrUndefined(): TenantScope | undefined {
    return storage.getStore();
  },
};
