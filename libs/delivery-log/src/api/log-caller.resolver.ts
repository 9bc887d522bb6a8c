import type { EntityManager } from '@mikro-orm/postgresql';
import { Principal, Role } from '@hub/auth';
import { sql } from '@hub/letters';
import type { TenantDb } from '@hub/persistence';
import { LogCaller } from '../log-access';
import { LogAccessDeniedError } from '../log-errors';

interface Cached<T> {
  value: T;
  expires: number;
}

/**
 * The REST side's caller resolution, the same as the GraphQL API's: the tenant from the token's
 * organisation claim through `resolve_tenant(alias)`, and for a case system the API client
 * registered for the token's client (revoked or unknown clients are refused). Cached briefly: a
 * revocation takes effect within 30 seconds.
 */
export class LogCallerResolver {
  private readonly tenants = new Map<string, Cached<{ id: string; name: string } | null>>();
  private readonly clients = new Map<string, Cached<{ id: string; revoked: boolean } | null>>();

  constructor(private readonly db: TenantDb) {}

  async resolve(principal: Principal): Promise<LogCaller & { tenantAlias: string }> {
    const alias = principal.tenantRef;
    if (!alias) {
      throw new LogAccessDeniedError('Your token names no organisation (tenant), or several; ask the identity provider administrator to add exactly one organization to your client or user.');
    }
    const tenant = await this.cached(this.tenants, alias, 60_000, async () =>
      (await this.db.withoutTenant(async (em) => (await sql<{ id: string; name: string }>(em as EntityManager, 'select id, name from resolve_tenant($1)', [alias])).rows))[0] ?? null,
    );
    if (!tenant) throw new LogAccessDeniedError(`The organisation ${JSON.stringify(alias)} in your token is not a tenant of this hub.`);
    const isCaseSystem = principal.roles.includes(Role.CaseSystem);
    const actor = isCaseSystem ? (principal.clientId ?? principal.subject) : principal.subject;
    const caller: LogCaller & { tenantAlias: string } = {
      tenantId: tenant.id,
      tenantAlias: alias,
      actor,
      roles: principal.roles,
      ...(principal.sendingUnitRef ? { sendingUnitRef: principal.sendingUnitRef } : {}),
    };
    if (isCaseSystem) {
      const client = await this.cached(this.clients, `${tenant.id}:${actor}`, 30_000, () =>
        this.db.inTenant(tenant.id, async (em) => {
          const row = (await sql<{ id: string; revoked_at: unknown }>(em, 'select id, revoked_at from api_client where client_id = $1', [actor])).rows[0];
          return row ? { id: row.id, revoked: row.revoked_at !== null } : null;
        }),
      );
      if (client && !client.revoked) caller.apiClientId = client.id;
      // Without a client, logAccessFor refuses a pure case system; one that is also an officer or admin reads as that.
    }
    return caller;
  }

  private async cached<T>(map: Map<string, Cached<T>>, key: string, ttl: number, load: () => Promise<T>): Promise<T> {
    const hit = map.get(key);
    if (hit && hit.expires > Date.now()) return hit.value;
    const value = await load();
    map.set(key, { value, expires: Date.now() + (value === null ? Math.min(ttl, 5_000) : ttl) });
    if (map.size > 10_000) map.delete(map.keys().next().value!);
    return value;
  }
}
