import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { appendAudit } from '@hub/audit';
import { IdpRegistrationClient, IdpRegistrationError, RegisteredClient } from '@hub/auth';
import type { KeyVault } from '@hub/keys';
import { FieldViolation, isUuid, LetterValidationError, sql } from '@hub/letters';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { ApiError, ApiErrorCode } from '../errors/api-error-code';

/** Who acts: the municipality (its alias is the `organization` the client's tokens carry) and, for the audit trail, the admin. */
export interface ApiClientCaller {
  tenantId: string;
  tenantAlias: string;
  actor: string;
}

/** An API client as admins see it (never a secret). */
export interface ApiClientView {
  id: string;
  name: string;
  clientId: string;
  sendingUnitCode: string | null;
  sendingUnitName: string | null;
  createdAt: Date;
  createdBy: string | null;
  secretRotatedAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  /** Registered through the hub (RFC 7591), so the hub can rotate and remove it at the identity provider. */
  managed: boolean;
  identityProviderRemovedAt: Date | null;
  identityProviderError: string | null;
}

/** The credentials of a client just created or rotated: shown once. */
export interface ApiClientCredentials {
  apiClient: ApiClientView;
  clientId: string;
  clientSecret: string;
  tokenEndpoint: string | null;
}

/** The roles every client the hub registers gets: a case system submits letters, nothing more. */
const CASE_SYSTEM_ROLES = ['case-system'];
const NAME_MAX = 100;

/** The KeyVault context of a client's registration access token (binds the ciphertext to its row). */
export const registrationTokenContext = (id: string): string => `api_client:${id}:registration_access_token`;

interface Row {
  id: string;
  name: string;
  client_id: string;
  unit_code: string | null;
  unit_name: string | null;
  created_at: Date;
  created_by: string | null;
  secret_rotated_at: Date | null;
  revoked_at: Date | null;
  revoked_by: string | null;
  registration_client_uri: string | null;
  registration_token_ciphertext: Buffer | null;
  idp_removed_at: Date | null;
  idp_error: string | null;
}

const VIEW_SQL = `select c.id, c.name, c.client_id, u.code as unit_code, u.name as unit_name, c.created_at, c.created_by, c.secret_rotated_at,
       c.revoked_at, c.revoked_by, c.registration_client_uri, c.registration_token_ciphertext, c.idp_removed_at, c.idp_error
  from api_client c left join sending_unit u on u.tenant_id = c.tenant_id and u.id = c.sending_unit_id`;

const date = (d: Date | string | null): Date | null => (d ? new Date(d) : null);

function toView(r: Row): ApiClientView {
  return {
    id: r.id,
    name: r.name,
    clientId: r.client_id,
    sendingUnitCode: r.unit_code,
    sendingUnitName: r.unit_name,
    createdAt: new Date(r.created_at),
    createdBy: r.created_by,
    secretRotatedAt: date(r.secret_rotated_at),
    revokedAt: date(r.revoked_at),
    revokedBy: r.revoked_by,
    managed: r.registration_client_uri !== null,
    identityProviderRemovedAt: date(r.idp_removed_at),
    identityProviderError: r.idp_error,
  };
}

/** An identity-provider failure as the API answers it: what the hub tried, and the provider's own words. */
function upstream(what: string, e: unknown): unknown {
  if (!(e instanceof IdpRegistrationError)) return e;
  return new ApiError(ApiErrorCode.UpstreamUnavailable, `${what}: ${e.message}.`, {
    identityProvider: { kind: e.kind, ...(e.status ? { status: e.status } : {}), ...(e.error ? { error: e.error } : {}) },
  });
}

/**
 * A municipality's API clients (case systems): listed for admins, registered at the identity
 * provider with RFC 7591 (the client id and secret are returned once), secrets rotated and clients
 * removed there with RFC 7592. The registration access token is kept encrypted. Every change is
 * audited in the same transaction as the hub's change, never with a secret.
 */
export class ApiClientService {
  constructor(
    private readonly db: TenantDb,
    private readonly idp: IdpRegistrationClient,
    private readonly vault: KeyVault | undefined,
    private readonly logger: Logger,
  ) {}

  list(ctx: ApiClientCaller, includeRevoked: boolean): Promise<ApiClientView[]> {
    return this.db.inTenant(
      ctx.tenantId,
      async (em) =>
        (await sql<Row>(em, `${VIEW_SQL} where c.tenant_id = $1 ${includeRevoked ? '' : 'and c.revoked_at is null'} order by c.revoked_at is not null, c.created_at desc, c.id`, [ctx.tenantId])).rows.map(toView),
      ctx.actor,
    );
  }

  /**
   * Registers a case system at the identity provider, bound to this municipality (and to a sending
   * unit when given), and records it as an API client. The secret is in the answer only.
   */
  async create(ctx: ApiClientCaller, input: { name?: string | null; sendingUnit?: string | null }): Promise<ApiClientCredentials> {
    const vault = this.requireVault();
    const fields: FieldViolation[] = [];
    const name = (input.name ?? '').trim();
    if (!name) fields.push({ path: 'name', rule: 'required', message: 'is required: a name the admins recognise, e.g. the case system\'s name' });
    else if (name.length > NAME_MAX) fields.push({ path: 'name', rule: 'maxLength', message: `is ${name.length} characters; at most ${NAME_MAX}` });
    else if ([...name].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) fields.push({ path: 'name', rule: 'format', message: 'contains control characters' });
    const unitCode = input.sendingUnit?.trim() || null;
    const { unit, takenName } = await this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const units = (await sql<{ id: string; code: string }>(em, `select id, code from sending_unit where tenant_id = $1 order by code`, [ctx.tenantId])).rows;
        const taken = name ? (await sql(em, `select 1 from api_client where tenant_id = $1 and lower(name) = lower($2) and revoked_at is null`, [ctx.tenantId, name])).rows.length > 0 : false;
        if (unitCode && !units.some((u) => u.code === unitCode)) {
          fields.push({ path: 'sendingUnit', rule: 'unknown', message: `"${unitCode}" is not a sending unit of your municipality; choose one of: ${units.map((u) => u.code).join(', ') || '(none)'}` });
        }
        return { unit: units.find((u) => u.code === unitCode) ?? null, takenName: taken };
      },
      ctx.actor,
    );
    if (takenName) fields.push({ path: 'name', rule: 'unique', message: `an active API client is already called "${name}"; give this one another name` });
    if (fields.length) throw new LetterValidationError(fields, 'The API client was not created');

    const registered = await this.idp
      .register({
        client_name: name,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        organization: ctx.tenantAlias,
        roles: CASE_SYSTEM_ROLES,
        ...(unit ? { sending_unit: unit.code } : {}),
      })
      .catch((e: unknown) => {
        throw upstream('The identity provider did not register the API client', e);
      });
    const id = randomUUID();
    try {
      const apiClient = await this.db.inTenant(
        ctx.tenantId,
        async (em) => {
          await sql(
            em,
            `insert into api_client (id, tenant_id, client_id, name, sending_unit_id, created_by, registration_client_uri, registration_token_ciphertext)
             values ($1, $2, $3, $4, $5, $6, $7, $8)`,
            [id, ctx.tenantId, registered.clientId, name, unit?.id ?? null, ctx.actor, registered.registrationClientUri, vault.encrypt(registered.registrationAccessToken, registrationTokenContext(id))],
          );
          await appendAudit(em, {
            tenantId: ctx.tenantId,
            actor: ctx.actor,
            action: 'apiClient.create',
            target: `apiClient:${id}`,
            detail: { name, clientId: registered.clientId, sendingUnit: unit?.code ?? null, roles: CASE_SYSTEM_ROLES, identityProvider: new URL(registered.registrationClientUri).origin },
          });
          return this.load(em, ctx, id);
        },
        ctx.actor,
      );
      return { apiClient, clientId: registered.clientId, clientSecret: registered.clientSecret, tokenEndpoint: await this.tokenEndpoint() };
    } catch (e) {
      // Not recorded in the hub: do not leave a working client behind at the identity provider.
      await this.idp.delete(registered.registrationClientUri, registered.registrationAccessToken).catch((err: unknown) =>
        this.logger.error({ err, clientId: registered.clientId }, 'an API client registered at the identity provider could not be recorded, nor removed there; remove it by hand'),
      );
      throw e;
    }
  }

  /**
   * A new secret through the identity provider (RFC 7592 update); the old one stops working there
   * at once. Only for clients the hub registered and that are not revoked.
   */
  async rotateSecret(ctx: ApiClientCaller, id: string): Promise<ApiClientCredentials> {
    const vault = this.requireVault();
    let rotated: RegisteredClient | undefined;
    const apiClient = await this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        // The row stays locked while the provider answers: two rotations at once must not lose the newest registration access token.
        const row = await this.row(em, ctx, id, true);
        if (row.revoked_at) throw new ApiError(ApiErrorCode.BadUserInput, `The API client "${row.name}" is revoked; its secret cannot be rotated. Create a new API client instead.`);
        if (!row.registration_client_uri || !row.registration_token_ciphertext) {
          throw new ApiError(
            ApiErrorCode.BadUserInput,
            `The API client "${row.name}" (${row.client_id}) was registered at the identity provider by hand, not by the hub; rotate its secret there.`,
          );
        }
        const token = vault.decrypt(Buffer.from(row.registration_token_ciphertext), registrationTokenContext(id)).toString('utf8');
        rotated = await this.idp.rotateSecret(row.registration_client_uri, token).catch((e: unknown) => {
          throw upstream('The identity provider did not rotate the secret (nothing changed)', e);
        });
        await sql(
          em,
          `update api_client set registration_client_uri = $3, registration_token_ciphertext = $4, secret_rotated_at = now() where tenant_id = $1 and id = $2`,
          [ctx.tenantId, id, rotated.registrationClientUri, vault.encrypt(rotated.registrationAccessToken, registrationTokenContext(id))],
        );
        await appendAudit(em, { tenantId: ctx.tenantId, actor: ctx.actor, action: 'apiClient.rotateSecret', target: `apiClient:${id}`, detail: { name: row.name, clientId: row.client_id } });
        return this.load(em, ctx, id);
      },
      ctx.actor,
    );
    return { apiClient, clientId: apiClient.clientId, clientSecret: rotated!.clientSecret, tokenEndpoint: await this.tokenEndpoint() };
  }

  /**
   * Revokes the client in the hub at once (the resolver then drops it from this process's caller
   * cache; other API processes refuse it within their 30-second cache), then removes it at the identity provider.
   * The hub's revocation never waits for the provider: when the removal fails, the client is
   * revoked anyway, the failure is shown, and revoking again tries the removal again.
   */
  async revoke(ctx: ApiClientCaller, id: string): Promise<ApiClientView> {
    const before = await this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        const row = await this.row(em, ctx, id, true);
        if (!row.revoked_at) {
          await sql(em, `update api_client set revoked_at = now(), revoked_by = $3 where tenant_id = $1 and id = $2`, [ctx.tenantId, id, ctx.actor]);
          await appendAudit(em, {
            tenantId: ctx.tenantId,
            actor: ctx.actor,
            action: 'apiClient.revoke',
            target: `apiClient:${id}`,
            detail: { name: row.name, clientId: row.client_id, sendingUnit: row.unit_code },
          });
        }
        return row;
      },
      ctx.actor,
    );
    if (before.registration_client_uri && before.registration_token_ciphertext && !before.idp_removed_at) {
      await this.removeAtIdentityProvider(ctx, id, before.registration_client_uri, Buffer.from(before.registration_token_ciphertext));
    }
    return this.db.inTenant(ctx.tenantId, (em) => this.load(em, ctx, id), ctx.actor);
  }

  private async removeAtIdentityProvider(ctx: ApiClientCaller, id: string, uri: string, ciphertext: Buffer): Promise<void> {
    const vault = this.requireVault();
    let outcome: 'deleted' | 'gone' | 'failed';
    let error: string | null = null;
    try {
      outcome = await this.idp.delete(uri, vault.decrypt(ciphertext, registrationTokenContext(id)).toString('utf8'));
    } catch (e) {
      if (!(e instanceof IdpRegistrationError)) throw e;
      outcome = 'failed';
      error = e.message;
      this.logger.warn({ apiClientId: id, err: e }, 'a revoked API client could not be removed at the identity provider');
    }
    await this.db.inTenant(
      ctx.tenantId,
      async (em) => {
        if (outcome === 'failed') {
          await sql(em, `update api_client set idp_error = $3 where tenant_id = $1 and id = $2`, [ctx.tenantId, id, error]);
        } else {
          // The registration access token went with the client.
          await sql(em, `update api_client set idp_removed_at = now(), idp_error = null, registration_token_ciphertext = null where tenant_id = $1 and id = $2`, [ctx.tenantId, id]);
        }
        await appendAudit(em, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: 'apiClient.removeAtIdentityProvider',
          target: `apiClient:${id}`,
          detail: { outcome, ...(error ? { error } : {}) },
        });
      },
      ctx.actor,
    );
  }

  private async tokenEndpoint(): Promise<string | null> {
    return (await this.idp.tokenEndpoint().catch(() => undefined)) ?? null;
  }

  private requireVault(): KeyVault {
    if (!this.vault) {
      throw new ApiError(ApiErrorCode.UpstreamUnavailable, 'API clients cannot be managed: the API was started without MASTER_KEY, so registration access tokens cannot be kept encrypted.');
    }
    return this.vault;
  }

  private async row(em: EntityManager, ctx: ApiClientCaller, id: string, forUpdate = false): Promise<Row> {
    if (!isUuid(id)) throw this.notFound(id);
    const rows = (await sql<Row>(em, `${VIEW_SQL} where c.tenant_id = $1 and c.id = $2 ${forUpdate ? 'for update of c' : ''}`, [ctx.tenantId, id])).rows;
    if (!rows[0]) throw this.notFound(id);
    return rows[0];
  }

  private async load(em: EntityManager, ctx: ApiClientCaller, id: string): Promise<ApiClientView> {
    return toView(await this.row(em, ctx, id));
  }

  private notFound(id: string): ApiError {
    return new ApiError(ApiErrorCode.NotFound, `No API client ${JSON.stringify(id)} exists for your municipality; list them with the apiClients query.`);
  }
}
