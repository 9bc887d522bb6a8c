import { Inject, Injectable } from '@nestjs/common';
import { Principal, Role } from '@hub/auth';
import { TenantDb } from '@hub/persistence';
import { ApiError, ApiErrorCode } from '../errors/api-error-code';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { Caller } from './caller';

interface Cached<T> {
  value: T;
  expires: number;
}

/** How long a tenant alias and an API client registration are reused before being read again. */
const TENANT_TTL_MS = 60_000;
const CLIENT_TTL_MS = 30_000;

/**
 * Turns a verified {@link Principal} into a {@link Caller}: the tenant from the token's organisation
 * claim through the `resolve_tenant(alias)` entry point, and for a case-system token the API client
 * registered for that client id in the tenant (revoked or unknown clients are refused). Both are
 * cached briefly, so a revocation takes effect within 30 seconds (at once in the API process that revoked it).
 */
@Injectable()
export class CallerResolver {
  private readonly tenants = new Map<string, Cached<{ id: string; name: string } | null>>();
  private readonly clients = new Map<string, Cached<{ id: string; sendingUnitId: string | null; revoked: boolean } | null>>();
  private readonly db: TenantDb;

  constructor(@Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    this.db = options.tenantDb;
  }

  async resolve(principal: Principal): Promise<Caller> {
    const alias = principal.tenantRef;
    if (!alias) {
      throw new ApiError(
        ApiErrorCode.Forbidden,
        'Your token names no organisation (tenant), or several; the hub cannot tell which municipality you act for. ' +
          'Ask the identity provider administrator to add exactly one organization to your client or user.',
      );
    }
    const tenant = await this.cached(this.tenants, alias, TENANT_TTL_MS, async () => {
      const rows = await this.db.withoutTenant((em) => em.execute<{ id: string; name: string }[]>('select id, name from resolve_tenant(?)', [alias]));
      return rows[0] ?? null;
    });
    if (!tenant) throw new ApiError(ApiErrorCode.Forbidden, `The organisation ${JSON.stringify(alias)} in your token is not a tenant of this hub; ask the hub's operator to onboard it.`);

    const isCaseSystem = principal.roles.includes(Role.CaseSystem);
    // The actor recorded on events: the machine client for a case system, the person (token subject) otherwise.
    const caller: Caller = { tenantId: tenant.id, tenantAlias: alias, actor: isCaseSystem ? (principal.clientId ?? principal.subject) : principal.subject, principal };
    if (isCaseSystem) {
      const clientId = principal.clientId ?? principal.subject;
      const client = await this.cached(this.clients, `${tenant.id}:${clientId}`, CLIENT_TTL_MS, () =>
        this.db.inTenant(tenant.id, async (em) => {
          const rows = await em.execute<{ id: string; sending_unit_id: string | null; revoked_at: string | null }[]>(
            'select id, sending_unit_id, revoked_at from api_client where client_id = ?',
            [clientId],
          );
          return rows[0] ? { id: rows[0].id, sendingUnitId: rows[0].sending_unit_id, revoked: rows[0].revoked_at !== null } : null;
        }),
      );
      if (!client || client.revoked) {
        throw new ApiError(
          ApiErrorCode.Forbidden,
          `The client ${JSON.stringify(clientId)} is ${client ? 'revoked' : 'not registered'} as an API client of ${tenant.name}; ` +
            'a tenant admin registers case systems under API clients in the console.',
        );
      }
      caller.apiClientId = client.id;
      if (client.sendingUnitId) caller.boundSendingUnitId = client.sendingUnitId;
    }
    return caller;
  }

  /**
   * Forgets what this process cached about an API client (after it was revoked here): its next
   * request reads the registration again. Other API processes notice within their cache time.
   */
  forgetApiClient(tenantId: string, clientId: string): void {
    this.clients.delete(`${tenantId}:${clientId}`);
  }

  private async cached<T>(map: Map<string, Cached<T>>, key: string, ttl: number, load: () => Promise<T>): Promise<T> {
    const hit = map.get(key);
    if (hit && hit.expires > Date.now()) return hit.value;
    const value = await load();
    // Misses are kept shorter, so that a tenant or client just onboarded works within seconds.
    map.set(key, { value, expires: Date.now() + (value === null ? Math.min(ttl, 5_000) : ttl) });
    if (map.size > 10_000) map.delete(map.keys().next().value!);
    return value;
  }
}
