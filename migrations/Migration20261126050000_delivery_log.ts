import { Migration } from '@mikro-orm/migrations';

/**
 * The delivery log (F4, F5, F7): indexes that let a search in a tenant's log answer from an index
 * whatever it filters on, and the asynchronous log export jobs.
 *
 * The log is the `letter` table itself (one row per letter). Every search is keyset-paginated
 * newest first on (created_at desc, id desc), or on (dispatched_at desc, id desc) when it asks for a
 * dispatch-date range, so each filter gets a b-tree index that starts with the tenant, then the
 * filtered column, then the sort keys: PostgreSQL walks it in order and stops after one page,
 * however many rows the tenant has. Columns often null (case reference, case type, channel,
 * operator, API client, dispatch time) get partial indexes without the nulls. `letter_tenant_created`
 * (initial migration) already serves the search without filters and the creation-date range.
 *
 * Export jobs (`log_export`) are tenant rows under row-level security like every tenant table; the
 * worker finds work across tenants through the two SECURITY DEFINER functions at the end, which
 * return ids only, and does the work in the job's tenant scope.
 */
export class Migration20261126050000 extends Migration {
  override up(): void {
    for (const [name, columns, where] of LOG_INDEXES) {
      this.addSql(`create index ${name} on letter (${columns})${where ? ` where ${where}` : ''}`);
    }

    this.addSql(`
      create table log_export (
        id uuid primary key,
        tenant_id uuid not null references tenant(id),
        requested_by text not null,
        access jsonb not null,
        filter jsonb not null,
        format text not null check (format in ('CSV','JSONL')),
        bom boolean not null default false,
        status text not null check (status in ('QUEUED','RUNNING','DONE','FAILED','EXPIRED')),
        attempts integer not null default 0,
        rows bigint,
        bytes bigint,
        sha256 text,
        file_name text,
        error text,
        lease_owner text,
        lease_until timestamptz,
        created_at timestamptz not null default now(),
        started_at timestamptz,
        finished_at timestamptz,
        expires_at timestamptz,
        unique (tenant_id, id)
      )`);
    this.addSql(`create index log_export_tenant on log_export (tenant_id, created_at desc, id desc)`);
    this.addSql(`create index log_export_queue on log_export (created_at) where status in ('QUEUED','RUNNING')`);
    this.addSql(`create index log_export_expiry on log_export (expires_at) where status in ('DONE','FAILED')`);
    this.addSql(`alter table log_export enable row level security`);
    this.addSql(`alter table log_export force row level security`);
    this.addSql(`
      create policy log_export_tenant_isolation on log_export
        using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
        with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    // No delete: an expired job keeps its row (who exported what, when) and loses its file.
    this.addSql(`grant select, insert, update on log_export to hub_app`);

    // The oldest job waiting (or whose worker's lease ran out), now leased to p_owner; ids only.
    this.addSql(`
      create function log_export_claim(p_owner text, p_lease_seconds double precision)
        returns table (tenant_id uuid, id uuid, attempts integer)
        language sql volatile security definer set search_path = public as $$
        update log_export e
           set status = 'RUNNING', lease_owner = p_owner, lease_until = now() + make_interval(secs => p_lease_seconds),
               attempts = e.attempts + 1, started_at = coalesce(e.started_at, now())
         where e.id = (select x.id from log_export x
                        where x.status = 'QUEUED' or (x.status = 'RUNNING' and x.lease_until < now())
                        order by x.created_at, x.id limit 1 for update skip locked)
        returning e.tenant_id, e.id, e.attempts $$`);
    // Finished jobs past their expiry time, whose files are to be removed.
    this.addSql(`
      create function log_exports_expired(p_limit integer)
        returns table (tenant_id uuid, id uuid)
        language sql stable security definer set search_path = public as $$
        select e.tenant_id, e.id from log_export e
         where e.status in ('DONE','FAILED') and e.expires_at < now()
         order by e.expires_at limit p_limit $$`);
    this.addSql(`revoke all on function ${LOG_FUNCTIONS} from public`);
    this.addSql(`grant execute on function ${LOG_FUNCTIONS} to hub_app`);
  }

  override down(): void {
    this.addSql(`drop function ${LOG_FUNCTIONS}`);
    this.addSql(`drop table log_export`);
    for (const [name] of LOG_INDEXES) this.addSql(`drop index ${name}`);
  }
}

const LOG_FUNCTIONS = 'log_export_claim(text, double precision), log_exports_expired(integer)';

/** name, columns, partial-index predicate. */
const LOG_INDEXES: [string, string, string?][] = [
  ['letter_log_recipient', 'tenant_id, recipient_id, created_at desc, id desc'],
  ['letter_log_case_reference', 'tenant_id, case_reference, created_at desc, id desc', 'case_reference is not null'],
  ['letter_log_case_type', 'tenant_id, case_type_code, created_at desc, id desc', 'case_type_code is not null'],
  ['letter_log_unit', 'tenant_id, sending_unit_id, created_at desc, id desc'],
  ['letter_log_status', 'tenant_id, status, created_at desc, id desc'],
  ['letter_log_channel', 'tenant_id, channel, created_at desc, id desc', 'channel is not null'],
  ['letter_log_operator', 'tenant_id, operator_id, created_at desc, id desc', 'operator_id is not null'],
  ['letter_log_client', 'tenant_id, api_client_id, created_at desc, id desc', 'api_client_id is not null'],
  ['letter_log_dispatched', 'tenant_id, dispatched_at desc, id desc', 'dispatched_at is not null'],
];
