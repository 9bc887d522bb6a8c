import { Migration } from '@mikro-orm/migrations';

/**
 * The hub's first schema: tenants and their sending units and API clients, letters with their
 * attachments, the append-only letter event log and the transactional outbox.
 *
 * Tenant isolation is enforced by PostgreSQL itself: every tenant table has row-level security
 * ENABLEd and FORCEd, with a policy on `app.tenant_id`, which the application sets with
 * `set_config('app.tenant_id', …, true)` at the start of each transaction. The application connects
 * as `hub_app` (no ownership, no BYPASSRLS), so code that forgets the tenant sees nothing. The few
 * cross-tenant needs (resolving a tenant from a token claim, the outbox relay, the reconciler) go
 * through SECURITY DEFINER functions that return ids only; they run as the owner role
 * (`hub_owner`, which has BYPASSRLS and is never used by the application).
 */
export class Migration20261126000000 extends Migration {
  override up(): void {
    this.addSql(`
      create table tenant (
        id uuid primary key default gen_random_uuid(),
        alias text not null unique check (alias ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
        name text not null,
        org_number text not null check (org_number ~ '^16[0-9]{10}$'),
        settings jsonb not null default '{}'::jsonb,
        created_at timestamptz not null default now()
      )`);
    this.addSql(`
      create table sending_unit (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenant(id),
        code text not null check (code ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        name text not null,
        org_number text not null check (org_number ~ '^16[0-9]{10}$'),
        postal_address jsonb not null default '{}'::jsonb,
        certificate_pem text,
        key_ciphertext bytea,
        certificate_not_after timestamptz,
        created_at timestamptz not null default now(),
        unique (tenant_id, code),
        unique (tenant_id, id)
      )`);
    this.addSql(`
      create table api_client (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenant(id),
        client_id text not null,
        name text not null,
        sending_unit_id uuid,
        created_at timestamptz not null default now(),
        revoked_at timestamptz,
        unique (tenant_id, client_id),
        foreign key (tenant_id, sending_unit_id) references sending_unit(tenant_id, id)
      )`);
    this.addSql(`
      create table letter (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenant(id),
        sending_unit_id uuid not null,
        api_client_id uuid,
        idempotency_key text,
        content_hash text not null,
        recipient_id text not null,
        recipient_kind text not null,
        case_reference text,
        subject text not null,
        body_text text,
        body_type text not null default 'text/plain',
        protection_class smallint not null check (protection_class between 1 and 3),
        channel_preference text not null check (channel_preference in ('AUTO','DIGITAL_ONLY','PRINT_ONLY')),
        postal_address jsonb,
        status text not null,
        status_reason text,
        channel text,
        operator_id text,
        operator_name text,
        service_address text,
        trans_id text,
        attempts integer not null default 0,
        next_attempt_at timestamptz,
        deadline_at timestamptz not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        dispatched_at timestamptz,
        version integer not null default 1,
        foreign key (tenant_id, sending_unit_id) references sending_unit(tenant_id, id),
        unique (tenant_id, id)
      )`);
    this.addSql(`create unique index letter_idempotency on letter (tenant_id, coalesce(api_client_id::text, ''), idempotency_key) where idempotency_key is not null`);
    this.addSql(`create index letter_tenant_created on letter (tenant_id, created_at desc, id desc)`);
    this.addSql(`create index letter_active on letter (status, updated_at) where status not in ('DELIVERED','PRINT_PENDING','FAILED','CANCELLED')`);
    this.addSql(`
      create table letter_attachment (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null,
        letter_id uuid not null,
        position smallint not null,
        filename text not null,
        content_type text not null,
        content bytea not null,
        size_bytes integer not null,
        sha256 text not null,
        foreign key (tenant_id, letter_id) references letter(tenant_id, id) on delete cascade,
        unique (letter_id, position)
      )`);
    this.addSql(`
      create table letter_event (
        id bigint generated always as identity primary key,
        tenant_id uuid not null,
        letter_id uuid not null,
        type text not null,
        from_status text,
        to_status text,
        detail jsonb not null default '{}'::jsonb,
        created_at timestamptz not null default now(),
        foreign key (tenant_id, letter_id) references letter(tenant_id, id)
      )`);
    this.addSql(`create index letter_event_letter on letter_event (letter_id, id)`);
    this.addSql(`create index letter_event_tenant on letter_event (tenant_id, id)`);
    this.addSql(`
      create table outbox (
        id bigint generated always as identity primary key,
        tenant_id uuid not null references tenant(id),
        letter_id uuid,
        job text not null,
        payload jsonb not null default '{}'::jsonb,
        available_at timestamptz not null default now(),
        created_at timestamptz not null default now(),
        dispatched_at timestamptz
      )`);
    this.addSql(`create index outbox_pending on outbox (available_at, id) where dispatched_at is null`);
    this.addSql(`
      create table platform_credential (
        name text primary key,
        certificate_pem text not null,
        key_ciphertext bytea not null,
        certificate_not_after timestamptz not null,
        updated_at timestamptz not null default now()
      )`);

    // The append-only log: no updates, no deletes (retention will go through a dedicated owner path).
    this.addSql(`
      create function letter_event_append_only() returns trigger language plpgsql as $$
      begin raise exception 'letter_event is append-only (% refused)', tg_op; end $$`);
    this.addSql(`create trigger letter_event_no_update before update or delete on letter_event for each row execute function letter_event_append_only()`);

    for (const table of ['tenant', 'sending_unit', 'api_client', 'letter', 'letter_attachment', 'letter_event', 'outbox']) {
      const column = table === 'tenant' ? 'id' : 'tenant_id';
      this.addSql(`alter table ${table} enable row level security`);
      this.addSql(`alter table ${table} force row level security`);
      this.addSql(`
        create policy ${table}_tenant_isolation on ${table}
          using (${column} = nullif(current_setting('app.tenant_id', true), '')::uuid)
          with check (${column} = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    }

    // Cross-tenant entry points, returning ids only.
    this.addSql(`
      create function resolve_tenant(p_alias text) returns table (id uuid, name text) language sql stable security definer set search_path = public as $$
        select id, name from tenant where alias = p_alias $$`);
    this.addSql(`
      create function outbox_claim(p_limit integer) returns table (id bigint, tenant_id uuid, letter_id uuid, job text, payload jsonb)
        language sql security definer set search_path = public as $$
        select id, tenant_id, letter_id, job, payload from outbox
         where dispatched_at is null and available_at <= now()
         order by available_at, id limit p_limit for update skip locked $$`);
    this.addSql(`
      create function outbox_mark_dispatched(p_ids bigint[]) returns void language sql security definer set search_path = public as $$
        update outbox set dispatched_at = now() where id = any(p_ids) $$`);
    this.addSql(`
      create function letters_needing_work(p_stalled_before timestamptz, p_limit integer)
        returns table (tenant_id uuid, letter_id uuid, status text)
        language sql stable security definer set search_path = public as $$
        select tenant_id, id, status from letter
         where status not in ('DELIVERED','PRINT_PENDING','FAILED','CANCELLED')
           and updated_at < p_stalled_before
           and (next_attempt_at is null or next_attempt_at <= now())
         order by updated_at limit p_limit $$`);
    this.addSql(`
      create function letter_status_counts() returns table (status text, n bigint)
        language sql stable security definer set search_path = public as $$
        select status, count(*) from letter group by status $$`);

    // The application role (created by `npm run db:setup`): data access only, never ownership, never BYPASSRLS.
    this.addSql(`grant usage on schema public to hub_app`);
    this.addSql(`grant select on tenant to hub_app`);
    this.addSql(`grant select, insert, update on sending_unit, api_client, letter, outbox to hub_app`);
    this.addSql(`grant select, insert, update, delete on letter_attachment to hub_app`);
    this.addSql(`grant select, insert on letter_event to hub_app`);
    this.addSql(`grant select on platform_credential to hub_app`);
    this.addSql(`revoke all on function resolve_tenant(text), outbox_claim(integer), outbox_mark_dispatched(bigint[]), letters_needing_work(timestamptz, integer), letter_status_counts() from public`);
    this.addSql(`grant execute on function resolve_tenant(text), outbox_claim(integer), outbox_mark_dispatched(bigint[]), letters_needing_work(timestamptz, integer), letter_status_counts() to hub_app`);
  }

  override down(): void {
    this.addSql(`drop function if exists letter_status_counts(), letters_needing_work(timestamptz, integer), outbox_mark_dispatched(bigint[]), outbox_claim(integer), resolve_tenant(text)`);
    this.addSql(`drop table if exists platform_credential, outbox, letter_event, letter_attachment, letter, api_client, sending_unit, tenant cascade`);
    this.addSql(`drop function if exists letter_event_append_only()`);
  }
}
