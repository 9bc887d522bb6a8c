import { Migration } from '@mikro-orm/migrations';

const CLAIM_FUNCTION = 'webhook_deliveries_claim(text, double precision, integer)';

/**
 * Webhook notifications to case officers and case systems (K7, F6).
 *
 * - `webhook_subscription`: a municipality's webhook endpoints: URL, event filter (public event
 *   names such as `letter.delivered`), active flag, and the signing secret encrypted with the
 *   KeyVault (AES-256-GCM under MASTER_KEY; bound to the row id). After a rotation the previous
 *   secret stays valid until `previous_secret_until`, so receivers can switch without losing events.
 * - `webhook_delivery`: one row per (subscription, letter event), made by the fan-out from the letter
 *   event stream (idempotent: unique on both), then sent and retried by the sender until it is
 *   DELIVERED or, after the retry window, DEAD (a dead letter an admin can replay: a new series).
 *   It holds ids and outcomes only: the payload is built from the letter when it is sent.
 *
 * Both tables are tenant tables (row-level security ENABLEd and FORCEd). The sender works across
 * tenants through one SECURITY DEFINER entry point that leases due deliveries (FOR UPDATE SKIP
 * LOCKED, so many workers can share the work) and returns their ids and tenants only; everything
 * else runs in the tenant's scope.
 */
export class Migration20261126040000 extends Migration {
  override up(): void {
    this.addSql(`
      create table webhook_subscription (
        id uuid primary key,
        tenant_id uuid not null references tenant(id),
        url text not null check (url ~ '^https?://' and length(url) <= 2000),
        description text check (length(description) <= 200),
        events text[] not null check (cardinality(events) > 0),
        secret_ciphertext bytea not null,
        previous_secret_ciphertext bytea,
        previous_secret_until timestamptz,
        active boolean not null default true,
        created_by text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        secret_rotated_at timestamptz,
        unique (tenant_id, id)
      )`);
    this.addSql(`create index webhook_subscription_tenant on webhook_subscription (tenant_id, created_at)`);
    this.addSql(`
      create table webhook_delivery (
        id bigint generated always as identity primary key,
        tenant_id uuid not null references tenant(id),
        subscription_id uuid not null,
        event_id bigint not null,
        event_type text not null,
        letter_id uuid not null,
        status text not null default 'PENDING' check (status in ('PENDING','DELIVERED','DEAD')),
        attempts integer not null default 0,
        total_attempts integer not null default 0,
        replays integer not null default 0,
        series_started_at timestamptz not null default now(),
        next_attempt_at timestamptz not null default now(),
        lease_owner text,
        lease_until timestamptz,
        last_attempt_at timestamptz,
        last_status_code integer,
        last_error text,
        delivered_at timestamptz,
        dead_at timestamptz,
        created_at timestamptz not null default now(),
        unique (subscription_id, event_id),
        foreign key (tenant_id, subscription_id) references webhook_subscription(tenant_id, id) on delete cascade
      )`);
    this.addSql(`create index webhook_delivery_due on webhook_delivery (next_attempt_at, id) where status = 'PENDING'`);
    this.addSql(`create index webhook_delivery_subscription on webhook_delivery (tenant_id, subscription_id, id desc)`);
    this.addSql(`create index webhook_delivery_dead on webhook_delivery (tenant_id, id desc) where status = 'DEAD'`);

    for (const table of ['webhook_subscription', 'webhook_delivery']) {
      this.addSql(`alter table ${table} enable row level security`);
      this.addSql(`alter table ${table} force row level security`);
      this.addSql(`
        create policy ${table}_tenant_isolation on ${table}
          using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
          with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    }
    this.addSql(`grant select, insert, update, delete on webhook_subscription to hub_app`);
    this.addSql(`grant select, insert, update on webhook_delivery to hub_app`);

    // Leases up to p_limit due deliveries of active subscriptions, across tenants, oldest due first.
    // A lease that ran out (a worker died mid-send) makes its delivery due again.
    this.addSql(`
      create function webhook_deliveries_claim(p_owner text, p_lease_seconds double precision, p_limit integer)
        returns table (tenant_id uuid, delivery_id bigint)
        language sql volatile security definer set search_path = public as $$
        update webhook_delivery d
           set lease_owner = p_owner, lease_until = now() + make_interval(secs => p_lease_seconds)
         where d.id in (
           select x.id from webhook_delivery x
             join webhook_subscription s on s.id = x.subscription_id and s.active
            where x.status = 'PENDING' and x.next_attempt_at <= now()
              and (x.lease_until is null or x.lease_until < now())
            order by x.next_attempt_at, x.id
            limit p_limit
            for update of x skip locked)
        returning d.tenant_id, d.id $$`);
    this.addSql(`revoke all on function ${CLAIM_FUNCTION} from public`);
    this.addSql(`grant execute on function ${CLAIM_FUNCTION} to hub_app`);
  }

  override down(): void {
    this.addSql(`drop function ${CLAIM_FUNCTION}`);
    this.addSql(`drop table webhook_delivery`);
    this.addSql(`drop table webhook_subscription`);
  }
}
