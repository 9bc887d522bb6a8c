import { Migration } from '@mikro-orm/migrations';

/**
 * Letters retention may touch: finished ones. The terminal states, and POSTED (the last step of a
 * letter on paper unless the post brings it back; without it no printed letter would ever be purged).
 */
const FINISHED = `('DELIVERED','POSTED','RETURNED','PRINT_FAILED','FAILED','CANCELLED')`;
/**
 * The date retention days count from: dispatched_at (delivered digitally, or posted), else created_at.
 * Written as CASE, not COALESCE: under row-level security PostgreSQL uses a condition as an index
 * condition only if it cannot leak values, and it counts CASE and IS NULL as safe but not COALESCE (a
 * COALESCE index would be scanned whole behind the tenant policy).
 */
const basisOf = (alias: string) => `(case when ${alias}dispatched_at is not null then ${alias}dispatched_at else ${alias}created_at end)`;
const BASIS = basisOf('l.');

const FUNCTIONS =
  'retention_due_letters(uuid, text, timestamptz, integer, timestamptz, uuid, uuid[]), retention_delete_letters(uuid, uuid[], timestamptz), ' +
  'retention_tenants_due(timestamptz, text, text)';

const ORIGINAL_LETTER_EVENT_TRIGGER = `
  create or replace function letter_event_append_only() returns trigger language plpgsql as $$
  begin raise exception 'letter_event is append-only (% refused)', tg_op; end $$`;

/**
 * Retention (gallring, F9): per-tenant rules, the daily run's lease, the purge records and the
 * per-tenant pseudonym key, and the one path by which letter events may ever be deleted.
 *
 * - `retention_rule`: per tenant, per case type (or every case type) and protection class (or every
 *   class): after N days remove content, after M days pseudonymise or remove recipient identifiers,
 *   after K days delete the letter with its log (N ≤ M ≤ K, each optional). One rule per scope; a
 *   letter is governed by its most specific matching rule (case type and class > case type > class >
 *   catch-all), so a catch-all never shortens what a case type's rule keeps.
 * - `retention_purge`: one record per rule and run (dry-run or real): the rule as it was, when, the
 *   counts. Append-only like the audit trail (a trigger refuses update, delete and truncate).
 * - `retention_run`: the daily run's lease, one row per tenant and local date.
 * - `retention_secret`: the tenant's pseudonym key (encrypted under MASTER_KEY).
 * - `letter.content_purged_at`, `letter.identifiers_purged_at`: which steps a letter went through.
 *
 * **Deleting letter events.** `letter_event` stays append-only for everyone, with one exception: a
 * DELETE is let through only when the current user is the table's owner AND the transaction-local flag
 * `hub.retention_purge` is on. Only `retention_delete_letters` (SECURITY DEFINER, owned by the owner)
 * sets the flag, and it deletes only letters that its own evaluation of the tenant's rules finds due.
 * Why the application role cannot get around it: `hub_app` has no DELETE privilege on letter_event
 * (refused before any trigger); it can set the flag (any role may set a custom setting) but is never the
 * owner (no membership, no SET ROLE); and the only owner code that deletes events re-checks eligibility
 * itself (tenant from app.tenant_id, letter finished and past the rule's K days by the database clock:
 * an `as of` in the future is clamped to now()). The flag keeps the owner's own sessions (migrations, an
 * operator at psql) from deleting events by mistake.
 */
export class Migration20261126060000 extends Migration {
  override up(): void {
    this.addSql(`
      create table retention_rule (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenant(id),
        case_type_code text check (case_type_code ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        protection_class smallint check (protection_class between 1 and 3),
        content_after_days integer check (content_after_days between 1 and 36500),
        identifiers_after_days integer check (identifiers_after_days between 1 and 36500),
        identifiers_action text not null default 'PSEUDONYMISE' check (identifiers_action in ('PSEUDONYMISE','REMOVE')),
        log_after_days integer check (log_after_days between 1 and 36500),
        description text check (length(description) <= 500),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        check (content_after_days is not null or identifiers_after_days is not null or log_after_days is not null),
        check (content_after_days <= identifiers_after_days),
        check (identifiers_after_days <= log_after_days),
        check (content_after_days <= log_after_days)
      )`);
    this.addSql(`create unique index retention_rule_scope on retention_rule (tenant_id, coalesce(case_type_code, ''), coalesce(protection_class, 0))`);

    this.addSql(`
      create table retention_purge (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenant(id),
        rule_id uuid not null,
        rule jsonb not null,
        dry_run boolean not null,
        trigger text not null check (trigger in ('SCHEDULE','MANUAL')),
        actor text not null,
        as_of timestamptz not null,
        started_at timestamptz not null,
        finished_at timestamptz not null,
        counts jsonb not null,
        error text
      )`);
    this.addSql(`create index retention_purge_tenant on retention_purge (tenant_id, finished_at desc, id desc)`);
    this.addSql(`
      create function retention_purge_append_only() returns trigger language plpgsql as $$
      begin raise exception 'retention_purge is append-only: purge records are kept (% refused)', tg_op; end $$`);
    this.addSql(`create trigger retention_purge_no_change before update or delete or truncate on retention_purge for each statement execute function retention_purge_append_only()`);

    this.addSql(`
      create table retention_run (
        tenant_id uuid not null references tenant(id),
        run_date date not null,
        owner text not null,
        lease_until timestamptz not null,
        started_at timestamptz not null default now(),
        finished_at timestamptz,
        primary key (tenant_id, run_date)
      )`);
    this.addSql(`
      create table retention_secret (
        tenant_id uuid primary key references tenant(id),
        key_ciphertext bytea not null,
        created_at timestamptz not null default now()
      )`);

    for (const table of ['retention_rule', 'retention_purge', 'retention_run', 'retention_secret']) {
      this.addSql(`alter table ${table} enable row level security`);
      this.addSql(`alter table ${table} force row level security`);
      this.addSql(`
        create policy ${table}_tenant_isolation on ${table}
          using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
          with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    }
    this.addSql(`grant select, insert, update, delete on retention_rule to hub_app`);
    this.addSql(`grant select, insert on retention_purge, retention_secret to hub_app`);
    this.addSql(`grant select, insert, update on retention_run to hub_app`);

    this.addSql(`alter table letter add column content_purged_at timestamptz, add column identifiers_purged_at timestamptz`);
    // Finished letters by the date retention counts from, per tenant; one partial index per step, so
    // that a daily run reads only what is still to do (10 million purged letters are not rescanned).
    this.addSql(`create index letter_retention_log on letter (tenant_id, ${basisOf('')}, id) where status in ${FINISHED}`);
    this.addSql(`create index letter_retention_content on letter (tenant_id, ${basisOf('')}, id) where status in ${FINISHED} and content_purged_at is null`);
    this.addSql(`create index letter_retention_identifiers on letter (tenant_id, ${basisOf('')}, id) where status in ${FINISHED} and identifiers_purged_at is null`);

    // The letters a rule's step would purge now: the one definition both the dry-run and the real run
    // use (see dueLetters below). SECURITY INVOKER: row-level security applies to hub_app; the tenant
    // is also filtered explicitly because retention_delete_letters calls it as the owner.
    this.addSql(`
      create function retention_due_letters(p_rule uuid, p_step text, p_as_of timestamptz, p_limit integer,
                                            p_after_basis timestamptz, p_after_id uuid, p_only uuid[])
        returns table (letter_id uuid, basis timestamptz)
        language plpgsql stable security invoker set search_path = public as $$
      declare
        r retention_rule;
        v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
        v_as_of timestamptz := least(p_as_of, now());
        v_specificity integer;
        v_due timestamptz;
        v_delete timestamptz;
        v_after_basis timestamptz := coalesce(p_after_basis, '-infinity'::timestamptz);
        v_after_id uuid := coalesce(p_after_id, '00000000-0000-0000-0000-000000000000'::uuid);
      begin
        select * into r from retention_rule x where x.id = p_rule and x.tenant_id = v_tenant;
        if not found then return; end if;
        v_specificity := (case when r.case_type_code is null then 0 else 2 end) + (case when r.protection_class is null then 0 else 1 end);
        -- Letters whose basis is before v_delete are due for deletion (none when the rule keeps letters).
        v_delete := v_as_of - make_interval(days => r.log_after_days);
        v_due := v_as_of - make_interval(days => case p_step when 'content' then r.content_after_days
                                                             when 'identifiers' then r.identifiers_after_days
                                                             when 'log' then r.log_after_days end);
        if v_due is null then return; end if;
        -- The content and identifier steps skip letters due for deletion: start the keyset there, so
        -- that the index scan starts at the range, not at the oldest letter.
        if p_step <> 'log' and v_delete is not null and v_after_basis < v_delete then
          v_after_basis := v_delete;
          v_after_id := '00000000-0000-0000-0000-000000000000'::uuid;
        end if;
        if p_step = 'content' then
          return query ${dueLetters('content')};
        elsif p_step = 'identifiers' then
          return query ${dueLetters('identifiers')};
        elsif p_only is null then
          return query ${dueLetters('log')};
        else
          return query ${dueLetters('log', true)};
        end if;
      end $$`);

    this.addSql(`
      create or replace function letter_event_append_only() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' and current_setting('hub.retention_purge', true) = 'on'
           and current_user = (select pg_get_userbyid(c.relowner) from pg_class c where c.oid = tg_relid) then
          return old;
        end if;
        raise exception 'letter_event is append-only (% refused)', tg_op;
      end $$`);
    this.addSql(`create trigger letter_event_no_truncate before truncate on letter_event for each statement execute function letter_event_append_only()`);

    // The log step: deletes those of p_letters that the rule finds due for deletion (re-checked here, as
    // the owner, for the tenant of the transaction), with their events, outbox rows, print items and
    // attachments. Returns what it deleted.
    this.addSql(`
      create function retention_delete_letters(p_rule uuid, p_letters uuid[], p_as_of timestamptz)
        returns table (letters bigint, events bigint, outbox bigint, print_items bigint, attachments bigint)
        language plpgsql security definer set search_path = public as $$
      declare
        v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
        v_ids uuid[];
        v_letters bigint; v_events bigint; v_outbox bigint; v_items bigint; v_attachments bigint;
      begin
        if v_tenant is null then
          raise exception 'retention_delete_letters must run in a tenant transaction (app.tenant_id is not set)';
        end if;
        select coalesce(array_agg(d.letter_id), '{}') into v_ids
          from retention_due_letters(p_rule, 'log', p_as_of, null, null, null, p_letters) d;
        perform set_config('hub.retention_purge', 'on', true);
        delete from letter_event where tenant_id = v_tenant and letter_id = any(v_ids);
        get diagnostics v_events = row_count;
        delete from outbox where tenant_id = v_tenant and letter_id = any(v_ids);
        get diagnostics v_outbox = row_count;
        delete from print_item where tenant_id = v_tenant and letter_id = any(v_ids);
        get diagnostics v_items = row_count;
        delete from letter_attachment where tenant_id = v_tenant and letter_id = any(v_ids);
        get diagnostics v_attachments = row_count;
        delete from letter where tenant_id = v_tenant and id = any(v_ids);
        get diagnostics v_letters = row_count;
        perform set_config('hub.retention_purge', 'off', true);
        return query select v_letters, v_events, v_outbox, v_items, v_attachments;
      end $$`);

    // The daily run: tenants with rules whose local run time has come and whose run of today is neither
    // done nor held by a live lease. Ids only; the lease itself is taken in the tenant's scope.
    this.addSql(`
      create function retention_tenants_due(p_now timestamptz, p_timezone text, p_default_run_at text)
        returns table (tenant_id uuid, run_date date)
        language sql stable security definer set search_path = public as $$
        select t.id, (p_now at time zone p_timezone)::date
          from tenant t
         where exists (select 1 from retention_rule r where r.tenant_id = t.id)
           and (p_now at time zone p_timezone)::time >=
               (case when t.settings->'retention'->>'runAt' ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'
                     then t.settings->'retention'->>'runAt' else p_default_run_at end)::time
           and not exists (
             select 1 from retention_run x
              where x.tenant_id = t.id and x.run_date = (p_now at time zone p_timezone)::date
                and (x.finished_at is not null or x.lease_until >= now()))
         order by t.id $$`);

    this.addSql(`revoke all on function ${FUNCTIONS} from public`);
    this.addSql(`grant execute on function ${FUNCTIONS} to hub_app`);
  }

  override down(): void {
    this.addSql(`drop function ${FUNCTIONS}`);
    this.addSql(`drop trigger letter_event_no_truncate on letter_event`);
    this.addSql(ORIGINAL_LETTER_EVENT_TRIGGER);
    this.addSql(`drop index letter_retention_log, letter_retention_content, letter_retention_identifiers`);
    this.addSql(`alter table letter drop column content_purged_at, drop column identifiers_purged_at`);
    this.addSql(`drop table retention_secret, retention_run, retention_purge, retention_rule`);
    this.addSql(`drop function retention_purge_append_only()`);
  }
}

/**
 * The query of retention_due_letters for one step (a PL/pgSQL body: r, v_* are its variables).
 * Written so that PostgreSQL walks the step's partial index on (tenant, basis, id) in order from the
 * keyset position and stops at the limit: the basis range [v_delete, v_due) and the row comparison are
 * index conditions; the rule's scope and "no more specific rule" are filters on the rows found.
 * The log step's variant by ids (retention_delete_letters) starts from the primary key instead.
 */
function dueLetters(step: 'content' | 'identifiers' | 'log', byIds = false): string {
  const stepFilter =
    step === 'content'
      ? `and l.content_purged_at is null and ${BASIS} >= coalesce(v_delete, '-infinity'::timestamptz)`
      : step === 'identifiers'
        ? `and l.identifiers_purged_at is null and ${BASIS} >= coalesce(v_delete, '-infinity'::timestamptz)`
        : '';
  return `
    select l.id, ${BASIS}
      from letter l
     where l.tenant_id = v_tenant and l.status in ${FINISHED}
       ${stepFilter}
       and ${BASIS} < v_due
       ${byIds ? 'and l.id = any(p_only)' : `and (${BASIS}, l.id) > (v_after_basis, v_after_id)`}
       and (r.case_type_code is null or l.case_type_code = r.case_type_code)
       and (r.protection_class is null or l.protection_class = r.protection_class)
       and not exists (
         select 1 from retention_rule o
          where o.tenant_id = v_tenant and o.id <> r.id
            and (o.case_type_code is null or o.case_type_code = l.case_type_code)
            and (o.protection_class is null or o.protection_class = l.protection_class)
            and (case when o.case_type_code is null then 0 else 2 end) + (case when o.protection_class is null then 0 else 1 end) > v_specificity)
     order by ${BASIS}, l.id
     limit p_limit`;
}
