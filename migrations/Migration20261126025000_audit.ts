import { Migration } from '@mikro-orm/migrations';

/**
 * The audit trail: per tenant, append-only and hash-chained. Each entry carries the hash of the
 * previous entry of its tenant (`prev_hash`, empty for the first) and its own hash over the previous
 * hash and its content, so that changing, removing or reordering an entry breaks the chain at that
 * entry (`npm run audit:verify` names the first broken one). Row-level security as on every tenant
 * table; no updates or deletes, for anyone (the trigger), retention included.
 */
export class Migration20261126025000 extends Migration {
  override up(): void {
    this.addSql(`
      create table audit_log (
        id bigint generated always as identity primary key,
        tenant_id uuid not null references tenant(id),
        seq bigint not null,
        actor text not null,
        action text not null,
        target text not null,
        detail jsonb not null default '{}'::jsonb,
        created_at timestamptz not null,
        prev_hash text not null,
        hash text not null,
        unique (tenant_id, seq)
      )`);
    this.addSql(`
      create function audit_log_append_only() returns trigger language plpgsql as $$
      begin raise exception 'audit_log is append-only (% refused)', tg_op; end $$`);
    this.addSql(`create trigger audit_log_no_change before update or delete or truncate on audit_log for each statement execute function audit_log_append_only()`);
    this.addSql(`alter table audit_log enable row level security`);
    this.addSql(`alter table audit_log force row level security`);
    this.addSql(`
      create policy audit_log_tenant_isolation on audit_log
        using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
        with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    this.addSql(`grant select, insert on audit_log to hub_app`);
  }

  override down(): void {
    this.addSql(`drop table audit_log`);
    this.addSql(`drop function audit_log_append_only()`);
  }
}
