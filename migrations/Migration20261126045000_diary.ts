import { Migration } from '@mikro-orm/migrations';

const DIARY_FUNCTIONS = 'diary_claim_due(text, double precision, integer)';

/**
 * Diary hooks (diarieföring, F8): a municipality's registry systems, per tenant and optionally per
 * case type, and one registration per dispatched letter and hook.
 *
 * - `diary_hook`: where to send (https URL), the signing secret (AES-256-GCM under MASTER_KEY, bound
 *   to the row id), on/off, whether the recipient's identity goes with the document. At most one live
 *   hook per tenant and case type, and one tenant-wide hook (case_type_code null); deleting is soft,
 *   so that registrations keep their hook.
 * - `diary_registration`: one per (letter, hook), whatever the number of workers (the unique key):
 *   PENDING with its next attempt and the time it gives up, REGISTERED with the registry's number,
 *   FAILED with the last error (the admin retries it), CANCELLED when its hook was deleted. A lease
 *   (owner, until) keeps one worker on a registration at a time.
 *
 * Row-level security as on every tenant table. The one cross-tenant need, the sender's claim of due
 * registrations, is a SECURITY DEFINER function that takes the lease and returns ids only.
 */
export class Migration20261126045000 extends Migration {
  override up(): void {
    this.addSql(`
      create table diary_hook (
        id uuid primary key,
        tenant_id uuid not null references tenant(id),
        name text not null check (length(name) between 1 and 200),
        case_type_code text check (case_type_code ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        url text not null check (url ~ '^https?://'),
        secret_ciphertext bytea not null,
        enabled boolean not null default true,
        include_recipient boolean not null default true,
        created_by text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        secret_rotated_at timestamptz,
        deleted_at timestamptz,
        unique (tenant_id, id)
      )`);
    this.addSql(`create unique index diary_hook_scope on diary_hook (tenant_id, coalesce(case_type_code, '')) where deleted_at is null`);

    this.addSql(`
      create table diary_registration (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenant(id),
        letter_id uuid not null,
        hook_id uuid not null,
        event_id bigint not null,
        status text not null check (status in ('PENDING','REGISTERED','FAILED','CANCELLED')),
        registration_number text,
        attempts integer not null default 0,
        next_attempt_at timestamptz,
        give_up_at timestamptz not null,
        last_error text,
        last_http_status integer,
        last_attempt_at timestamptz,
        lease_owner text,
        lease_until timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        registered_at timestamptz,
        failed_at timestamptz,
        unique (letter_id, hook_id),
        foreign key (tenant_id, letter_id) references letter(tenant_id, id) on delete cascade,
        foreign key (tenant_id, hook_id) references diary_hook(tenant_id, id)
      )`);
    this.addSql(`create index diary_registration_due on diary_registration (next_attempt_at) where status = 'PENDING'`);
    this.addSql(`create index diary_registration_failed on diary_registration (tenant_id, failed_at desc, id) where status = 'FAILED'`);
    this.addSql(`create index diary_registration_hook on diary_registration (hook_id) where status in ('PENDING','FAILED')`);

    for (const table of ['diary_hook', 'diary_registration']) {
      this.addSql(`alter table ${table} enable row level security`);
      this.addSql(`alter table ${table} force row level security`);
      this.addSql(`
        create policy ${table}_tenant_isolation on ${table}
          using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
          with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    }
    this.addSql(`grant select, insert, update on diary_hook, diary_registration to hub_app`);

    // The sender's claim across tenants: due PENDING registrations of live, enabled hooks, not leased
    // by another worker (rows locked with SKIP LOCKED, so concurrent claims never take the same one).
    this.addSql(`
      create function diary_claim_due(p_owner text, p_lease_seconds double precision, p_limit integer)
        returns table (tenant_id uuid, registration_id uuid)
        language sql security definer set search_path = public as $$
        update diary_registration r
           set lease_owner = p_owner, lease_until = now() + make_interval(secs => p_lease_seconds)
         where r.id in (
           select d.id from diary_registration d join diary_hook h on h.id = d.hook_id
            where d.status = 'PENDING' and d.next_attempt_at <= now()
              and (d.lease_until is null or d.lease_until < now())
              and h.enabled and h.deleted_at is null
            order by d.next_attempt_at, d.id
            limit p_limit
            for update of d skip locked)
        returning r.tenant_id, r.id $$`);
    this.addSql(`revoke all on function ${DIARY_FUNCTIONS} from public`);
    this.addSql(`grant execute on function ${DIARY_FUNCTIONS} to hub_app`);
  }

  override down(): void {
    this.addSql(`drop function ${DIARY_FUNCTIONS}`);
    this.addSql(`drop table diary_registration`);
    this.addSql(`drop table diary_hook`);
  }
}
