import { Migration } from '@mikro-orm/migrations';

const FUNCTIONS =
  'platform_tenants(), platform_create_tenant(uuid, text, text, text, jsonb), platform_rename_tenant(uuid, text), platform_mailbox_operators(), ' +
  'platform_print_vendor_create(text, text, text, text, integer, integer, text[], integer, integer, boolean, boolean, text[], boolean), ' +
  'platform_print_vendor_update(text, text, text, text, integer, integer, text[], integer, integer, boolean, boolean, text[], boolean)';

/**
 * The platform operator's administration: onboarding tenants, the print vendors' settings, and what
 * the hub has learned about mailbox operators.
 *
 * The application role (`hub_app`, no BYPASSRLS) may read but not write `tenant` and `print_vendor`;
 * the platform admin's changes go through SECURITY DEFINER functions that each do one narrow thing
 * (create a tenant row, rename a tenant, create or update a vendor) and reads across tenants through
 * functions that return counts and names, never letters. The API lets only the platform-admin role
 * call them. A new tenant's first sending unit and its first audit entry are written by the
 * application role under row-level security, in the same transaction as the tenant row.
 *
 * Print vendors get the postage classes they handle and whether they are active (an inactive vendor
 * is kept for its batches and history but is meant to receive no new letters).
 *
 * `platform_audit_log` is the platform's own audit trail (vendor changes have no tenant, so the
 * per-tenant chain in `audit_log` cannot hold them): append-only and hash-chained like `audit_log`,
 * one chain for the whole platform. Tenant changes are written to both: the tenant's chain (its
 * auditors see who onboarded or renamed it) and the platform's.
 */
export class Migration20261126073000 extends Migration {
  override up(): void {
    this.addSql(`
      alter table print_vendor
        add column postage_classes text[] not null default '{FIRST_CLASS,ECONOMY}'
          check (cardinality(postage_classes) > 0 and postage_classes <@ array['FIRST_CLASS','ECONOMY']::text[]),
        add column active boolean not null default true,
        add column updated_at timestamptz`);

    this.addSql(`
      create table platform_audit_log (
        id bigint generated always as identity primary key,
        seq bigint not null unique,
        actor text not null,
        action text not null,
        target text not null,
        detail jsonb not null default '{}'::jsonb,
        created_at timestamptz not null,
        prev_hash text not null,
        hash text not null
      )`);
    this.addSql(`
      create function platform_audit_log_append_only() returns trigger language plpgsql as $$
      begin raise exception 'platform_audit_log is append-only (% refused)', tg_op; end $$`);
    this.addSql(
      `create trigger platform_audit_log_no_change before update or delete or truncate on platform_audit_log for each statement execute function platform_audit_log_append_only()`,
    );
    this.addSql(`grant select, insert on platform_audit_log to hub_app`);

    // Every tenant with what the platform operator needs to see of it (counts, never letters).
    this.addSql(`
      create function platform_tenants()
        returns table (id uuid, alias text, name text, org_number text, created_at timestamptz, print_vendor_id text,
                       sending_units bigint, letters_last_30_days bigint)
        language sql stable security definer set search_path = public as $$
        select t.id, t.alias, t.name, t.org_number, t.created_at, t.settings->'print'->>'vendorId',
               (select count(*) from sending_unit u where u.tenant_id = t.id),
               (select count(*) from letter l where l.tenant_id = t.id and l.created_at >= now() - interval '30 days')
          from tenant t order by t.name, t.alias $$`);
    // Creates one tenant row; null when the alias is taken.
    this.addSql(`
      create function platform_create_tenant(p_id uuid, p_alias text, p_name text, p_org_number text, p_settings jsonb)
        returns boolean language sql security definer set search_path = public as $$
        insert into tenant (id, alias, name, org_number, settings) values (p_id, p_alias, p_name, p_org_number, p_settings)
        on conflict (alias) do nothing returning true $$`);
    // Renames one tenant; returns the previous name (null: no such tenant).
    this.addSql(`
      create function platform_rename_tenant(p_id uuid, p_name text)
        returns text language sql security definer set search_path = public as $$
        update tenant t set name = p_name from (select id, name from tenant where id = p_id for update) old
         where t.id = old.id returning old.name $$`);
    // The mailbox operators the dispatch has learned from FaR (each letter keeps the operator and
    // service address FaR named): per operator its latest name and address, when it was last
    // named, and by how many tenants' letters. A loose index scan over letter_log_operator (per
    // tenant, each distinct operator once), so a large log is not read whole.
    this.addSql(`
      create function platform_mailbox_operators()
        returns table (operator_id text, operator_name text, service_address text, last_seen_at timestamptz, tenants bigint)
        language sql stable security definer set search_path = public as $$
        with recursive seen as (
          select t.id as tenant_id,
                 (select min(l.operator_id) from letter l where l.tenant_id = t.id and l.operator_id is not null) as operator_id
            from tenant t
          union all
          select s.tenant_id, (select min(l.operator_id) from letter l where l.tenant_id = s.tenant_id and l.operator_id > s.operator_id)
            from seen s where s.operator_id is not null
        ), latest as (
          select s.operator_id, x.operator_name, x.service_address, x.created_at
            from seen s
            cross join lateral (
              select l.operator_name, l.service_address, l.created_at from letter l
               where l.tenant_id = s.tenant_id and l.operator_id = s.operator_id
               order by l.created_at desc, l.id desc limit 1) x
           where s.operator_id is not null
        )
        select distinct on (operator_id) operator_id, operator_name, service_address, created_at,
               count(*) over (partition by operator_id)
          from latest order by operator_id, created_at desc $$`);
    // Creates one vendor; no row when its id or client id is taken.
    this.addSql(`
      create function platform_print_vendor_create(p_id text, p_name text, p_client_id text, p_envelope_profile text, p_max_pages integer,
                                                   p_max_batch_letters integer, p_cutoff_times text[], p_max_wait_seconds integer,
                                                   p_ack_deadline_minutes integer, p_duplex boolean, p_colour boolean,
                                                   p_postage_classes text[], p_active boolean)
        returns setof print_vendor language sql security definer set search_path = public as $$
        insert into print_vendor (id, name, client_id, envelope_profile, max_pages, max_batch_letters, cutoff_times, max_wait_seconds,
                                  ack_deadline_minutes, duplex, colour, postage_classes, active, updated_at)
        values (p_id, p_name, p_client_id, p_envelope_profile, p_max_pages, p_max_batch_letters, p_cutoff_times, p_max_wait_seconds,
                p_ack_deadline_minutes, p_duplex, p_colour, p_postage_classes, p_active, now())
        on conflict do nothing returning * $$`);
    // Replaces one vendor's settings (its id stays; its own envelope profile, if any, is kept).
    this.addSql(`
      create function platform_print_vendor_update(p_id text, p_name text, p_client_id text, p_envelope_profile text, p_max_pages integer,
                                                   p_max_batch_letters integer, p_cutoff_times text[], p_max_wait_seconds integer,
                                                   p_ack_deadline_minutes integer, p_duplex boolean, p_colour boolean,
                                                   p_postage_classes text[], p_active boolean)
        returns setof print_vendor language sql security definer set search_path = public as $$
        update print_vendor set name = p_name, client_id = p_client_id, envelope_profile = p_envelope_profile, max_pages = p_max_pages,
               max_batch_letters = p_max_batch_letters, cutoff_times = p_cutoff_times, max_wait_seconds = p_max_wait_seconds,
               ack_deadline_minutes = p_ack_deadline_minutes, duplex = p_duplex, colour = p_colour, postage_classes = p_postage_classes,
               active = p_active, updated_at = now()
         where id = p_id returning * $$`);
    this.addSql(`revoke all on function ${FUNCTIONS} from public`);
    this.addSql(`grant execute on function ${FUNCTIONS} to hub_app`);
  }

  override down(): void {
    this.addSql(`drop function ${FUNCTIONS}`);
    this.addSql(`drop table platform_audit_log`);
    this.addSql(`drop function platform_audit_log_append_only()`);
    this.addSql(`alter table print_vendor drop column postage_classes, drop column active, drop column updated_at`);
  }
}
