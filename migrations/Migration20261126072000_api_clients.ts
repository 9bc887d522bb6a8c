import { Migration } from '@mikro-orm/migrations';

/**
 * API clients registered at the identity provider (console: create, rotate, revoke). A client the
 * hub registered (RFC 7591) keeps where and how to manage it there (RFC 7592): the registration
 * client URI and the registration access token, encrypted with the KeyVault (AES-256-GCM under
 * MASTER_KEY, bound to the row; cleared once the client is removed there). Clients registered by
 * hand at the identity provider (e.g. the demo's demo-case-system) have neither.
 */
export class Migration20261126072000 extends Migration {
  override up(): void {
    this.addSql(`
      alter table api_client
        add column created_by text,
        add column registration_client_uri text,
        add column registration_token_ciphertext bytea,
        add column secret_rotated_at timestamptz,
        add column revoked_by text,
        add column idp_removed_at timestamptz,
        add column idp_error text,
        add constraint api_client_token_needs_uri check (registration_token_ciphertext is null or registration_client_uri is not null)`);
    this.addSql(`create index api_client_tenant_created on api_client (tenant_id, created_at desc, id)`);
  }

  override down(): void {
    this.addSql(`drop index if exists api_client_tenant_created`);
    this.addSql(`
      alter table api_client
        drop constraint if exists api_client_token_needs_uri,
        drop column if exists idp_error,
        drop column if exists idp_removed_at,
        drop column if exists revoked_by,
        drop column if exists secret_rotated_at,
        drop column if exists registration_token_ciphertext,
        drop column if exists registration_client_uri,
        drop column if exists created_by`);
  }
}
