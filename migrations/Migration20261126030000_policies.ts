import { Migration } from '@mikro-orm/migrations';

/**
 * Case types (ärendetyper) and the protection-class policy; event and service messages.
 *
 * - `case_type`: per tenant, identified by its `code` (unique per tenant, never changed once made,
 *   so that letters can name it); templates, the default protection class, the channels its letters
 *   may use (`print_allowed` follows from them), a reference to a retention rule (the retention work
 *   adds its table), whether its letters are registered in the diary, and `archived_at`. Rows are
 *   archived, never deleted (letters keep referring to them). Row-level security as on every tenant table.
 * - `letter.case_type_code` (→ the tenant's case type), `letter.category` (CASE, EVENT or SERVICE)
 *   and `letter.official_matter` (the v3 OfficialMatter data of an event message; present exactly
 *   for EVENT letters). The dispatch's claim reads the whole letter row, so these reach it as they are.
 * - The protection-class policy lives in `tenant.settings` (with the print rule per class that the
 *   channel switch reads): the application role may now update the `settings` column of its own
 *   tenant row (row-level security keeps it to that row).
 */
export class Migration20261126030000 extends Migration {
  override up(): void {
    this.addSql(`alter table letter add column case_type_code text`);

    this.addSql(`
      create table case_type (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenant(id),
        code text not null check (code ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        name text not null check (length(name) between 1 and 200),
        default_protection_class smallint not null check (default_protection_class between 1 and 3),
        subject_template text not null check (length(subject_template) between 1 and 255),
        body_template text check (length(body_template) between 1 and 100000),
        allowed_channels text[] not null check (cardinality(allowed_channels) between 1 and 2 and allowed_channels <@ array['DIGITAL','PRINT']),
        print_allowed boolean generated always as ('PRINT' = any(allowed_channels)) stored,
        retention_rule_id uuid,
        diary_enabled boolean not null default false,
        archived_at timestamptz,
        version integer not null default 1,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (tenant_id, code),
        unique (tenant_id, id)
      )`);
    this.addSql(`alter table case_type enable row level security`);
    this.addSql(`alter table case_type force row level security`);
    this.addSql(`
      create policy case_type_tenant_isolation on case_type
        using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
        with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    // No delete: a case type is archived, and letters keep pointing at it.
    this.addSql(`grant select, insert, update on case_type to hub_app`);

    this.addSql(`alter table letter
      add column category text not null default 'CASE' check (category in ('CASE','EVENT','SERVICE')),
      add column official_matter jsonb,
      add constraint letter_official_matter_only_events check ((category = 'EVENT') = (official_matter is not null)),
      add constraint letter_case_type_fk foreign key (tenant_id, case_type_code) references case_type(tenant_id, code)`);

    // The tenant's own policy settings (protection-class policy), under the tenant row's RLS policy.
    this.addSql(`grant update (settings) on tenant to hub_app`);
  }

  override down(): void {
    this.addSql(`revoke update (settings) on tenant from hub_app`);
    this.addSql(`alter table letter drop constraint letter_case_type_fk, drop constraint letter_official_matter_only_events, drop column official_matter, drop column category`);
    this.addSql(`drop table case_type`);
    this.addSql(`alter table letter drop column case_type_code`);
  }
}
