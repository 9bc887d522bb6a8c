import { Migration } from '@mikro-orm/migrations';

const DISPATCH_STATES = `('ACCEPTED','ROUTING','SIGNED','SEALED')`;
const OLD_DONE_STATES = `('DELIVERED','PRINT_PENDING','FAILED','CANCELLED')`;

const PRINT_FUNCTIONS =
  'print_letters_to_prepare(timestamptz, integer), print_batch_groups(), print_batches_to_assemble(timestamptz), ' +
  'print_flag_unacknowledged_batches(), print_batches_unacknowledged(), print_vendor_batches(text, text), print_vendor_batch(text, uuid), ' +
  'print_vendor_letters(text, uuid[])';

/**
 * The print path: print vendors (platform-wide: one vendor serves many municipalities), the
 * rendered print items of letters (one per letter that goes to paper), and print batches per tenant,
 * vendor and postage class. Letters get the channel switch's decision, a protected-identity flag and
 * a postage class.
 *
 * The letter states grow (HELD, BATCHED, PRINTED, POSTED, RETURNED, PRINT_FAILED), so the dispatch's
 * functions and the index of letters needing work now name the states the dispatch works on
 * (ACCEPTED, ROUTING, SIGNED, SEALED) instead of the ones it does not.
 *
 * Vendors act across tenants: the functions at the end are their entry points and return only what
 * a vendor may know (its own batches, and for status reports the tenant of its own letters); every
 * change then runs in the tenant's scope under row-level security.
 */
export class Migration20261126020000 extends Migration {
  override up(): void {
    this.addSql(`
      create table print_vendor (
        id text primary key check (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
        name text not null,
        client_id text not null unique,
        envelope_profile text not null default 'C5-H2',
        custom_envelope_profile jsonb,
        max_pages integer not null default 20 check (max_pages between 1 and 500),
        max_batch_letters integer not null default 5000 check (max_batch_letters between 1 and 100000),
        cutoff_times text[] not null default '{}',
        max_wait_seconds integer check (max_wait_seconds > 0),
        ack_deadline_minutes integer not null default 240 check (ack_deadline_minutes > 0),
        duplex boolean not null default true,
        colour boolean not null default false,
        created_at timestamptz not null default now()
      )`);

    this.addSql(`alter table letter
      add column channel_decision text check (channel_decision in ('DIGITAL','PRINT','HOLD','UNDELIVERABLE')),
      add column protected_identity boolean not null default false,
      add column postage_class text check (postage_class in ('FIRST_CLASS','ECONOMY'))`);
    this.addSql(`drop index letter_active`);
    this.addSql(`create index letter_active on letter (status, updated_at) where status in ${DISPATCH_STATES}`);

    this.addSql(`
      create table print_batch (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenant(id),
        vendor_id text not null references print_vendor(id),
        postage_class text not null check (postage_class in ('FIRST_CLASS','ECONOMY')),
        status text not null check (status in ('ASSEMBLING','READY','ACKNOWLEDGED','PRINTED','POSTED','FAILED')),
        letters integer not null default 0,
        pages integer not null default 0,
        sheets integer not null default 0,
        close_reason text,
        files jsonb,
        created_at timestamptz not null default now(),
        ready_at timestamptz,
        acknowledge_by timestamptz,
        acknowledged_at timestamptz,
        ack_overdue_at timestamptz,
        status_at timestamptz,
        status_reason text,
        unique (tenant_id, id)
      )`);
    this.addSql(`create index print_batch_vendor on print_batch (vendor_id, status, created_at)`);
    this.addSql(`create index print_batch_unacknowledged on print_batch (acknowledge_by) where status = 'READY' and ack_overdue_at is null`);
    this.addSql(`
      create table print_item (
        letter_id uuid primary key,
        tenant_id uuid not null,
        vendor_id text not null references print_vendor(id),
        postage_class text not null check (postage_class in ('FIRST_CLASS','ECONOMY')),
        status text not null check (status in ('READY','BATCHED','PRINTED','POSTED','RETURNED','FAILED')),
        pdf bytea not null,
        pdf_sha256 text not null,
        pages integer not null,
        sheets integer not null,
        duplex boolean not null,
        colour boolean not null,
        envelope_profile text not null,
        address_lines jsonb not null,
        return_address jsonb not null,
        batch_id uuid,
        sequence integer,
        first_page integer,
        last_page integer,
        first_sheet integer,
        last_sheet integer,
        rendered_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        foreign key (tenant_id, letter_id) references letter(tenant_id, id),
        foreign key (tenant_id, batch_id) references print_batch(tenant_id, id)
      )`);
    this.addSql(`create index print_item_ready on print_item (tenant_id, vendor_id, postage_class, rendered_at) where status = 'READY'`);
    this.addSql(`create index print_item_batch on print_item (batch_id, sequence)`);

    for (const table of ['print_batch', 'print_item']) {
      this.addSql(`alter table ${table} enable row level security`);
      this.addSql(`alter table ${table} force row level security`);
      this.addSql(`
        create policy ${table}_tenant_isolation on ${table}
          using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
          with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    }
    this.addSql(`grant select on print_vendor to hub_app`);
    this.addSql(`grant select, insert, update on print_batch, print_item to hub_app`);

    // The dispatch works on the dispatch states only (a positive list: new states stay out of it).
    this.addSql(`drop function letters_needing_work(timestamptz, integer)`);
    this.addSql(lettersNeedingWork(DISPATCH_STATES));
    this.addSql(`grant execute on function letters_needing_work(timestamptz, integer) to hub_app`);
    this.addSql(dispatchClaim(DISPATCH_STATES));
    this.addSql(dispatchApply(true));

    // PRINT_PENDING letters whose rendering job was lost (e.g. Redis lost it): found and redone.
    this.addSql(`
      create function print_letters_to_prepare(p_stalled_before timestamptz, p_limit integer)
        returns table (tenant_id uuid, letter_id uuid)
        language sql stable security definer set search_path = public as $$
        select l.tenant_id, l.id from letter l
         where l.status = 'PRINT_PENDING' and l.updated_at < p_stalled_before
           and not exists (select 1 from print_item i where i.letter_id = l.id)
         order by l.updated_at limit p_limit $$`);
    // What waits for a batch, per tenant, vendor and postage class.
    this.addSql(`
      create function print_batch_groups()
        returns table (tenant_id uuid, vendor_id text, postage_class text, ready bigint, oldest timestamptz)
        language sql stable security definer set search_path = public as $$
        select i.tenant_id, i.vendor_id, i.postage_class, count(*), min(i.rendered_at)
          from print_item i join letter l on l.id = i.letter_id and l.status = 'PRINT_PENDING'
         where i.status = 'READY'
         group by i.tenant_id, i.vendor_id, i.postage_class $$`);
    // Batches closed but not assembled (the assembly job was lost or its worker died); each is
    // returned once per stall period (status_at marks when its assembly was last asked for).
    this.addSql(`
      create function print_batches_to_assemble(p_stalled_before timestamptz)
        returns table (tenant_id uuid, batch_id uuid)
        language sql security definer set search_path = public as $$
        update print_batch set status_at = now()
         where status = 'ASSEMBLING' and coalesce(status_at, created_at) < p_stalled_before
        returning tenant_id, id $$`);
    // Flags READY batches the vendor has not acknowledged in time, once each; returns those flagged now.
    this.addSql(`
      create function print_flag_unacknowledged_batches()
        returns table (tenant_id uuid, batch_id uuid, vendor_id text, acknowledge_by timestamptz)
        language sql security definer set search_path = public as $$
        update print_batch set ack_overdue_at = now()
         where status = 'READY' and ack_overdue_at is null and acknowledge_by < now()
        returning tenant_id, id, vendor_id, acknowledge_by $$`);
    // For the platform operator: every batch flagged as not acknowledged in time and still not acknowledged.
    this.addSql(`
      create function print_batches_unacknowledged()
        returns table (batch_id uuid, tenant_id uuid, tenant_name text, vendor_id text, letters integer, ready_at timestamptz,
                       acknowledge_by timestamptz, flagged_at timestamptz)
        language sql stable security definer set search_path = public as $$
        select b.id, b.tenant_id, t.name, b.vendor_id, b.letters, b.ready_at, b.acknowledge_by, b.ack_overdue_at
          from print_batch b join tenant t on t.id = b.tenant_id
         where b.status = 'READY' and b.ack_overdue_at is not null order by b.acknowledge_by $$`);
    // A vendor's batches (never another vendor's), with the municipality's name for its records.
    this.addSql(`
      create function print_vendor_batches(p_vendor text, p_status text)
        returns table (id uuid, tenant_id uuid, tenant_name text, postage_class text, status text, letters integer, pages integer,
                       sheets integer, files jsonb, created_at timestamptz, ready_at timestamptz, acknowledge_by timestamptz,
                       acknowledged_at timestamptz)
        language sql stable security definer set search_path = public as $$
        select b.id, b.tenant_id, t.name, b.postage_class, b.status, b.letters, b.pages, b.sheets, b.files, b.created_at,
               b.ready_at, b.acknowledge_by, b.acknowledged_at
          from print_batch b join tenant t on t.id = b.tenant_id
         where b.vendor_id = p_vendor and b.status <> 'ASSEMBLING' and (p_status is null or b.status = p_status)
         order by b.created_at, b.id limit 1000 $$`);
    this.addSql(`
      create function print_vendor_batch(p_vendor text, p_batch uuid) returns table (tenant_id uuid, vendor_id text)
        language sql stable security definer set search_path = public as $$
        select tenant_id, vendor_id from print_batch where id = p_batch $$`);
    this.addSql(`
      create function print_vendor_letters(p_vendor text, p_letters uuid[])
        returns table (letter_id uuid, tenant_id uuid, batch_id uuid, vendor_id text)
        language sql stable security definer set search_path = public as $$
        select i.letter_id, i.tenant_id, i.batch_id, i.vendor_id from print_item i where i.letter_id = any(p_letters) $$`);
    this.addSql(`revoke all on function ${PRINT_FUNCTIONS} from public`);
    this.addSql(`grant execute on function ${PRINT_FUNCTIONS} to hub_app`);
  }

  override down(): void {
    this.addSql(`drop function ${PRINT_FUNCTIONS}`);
    this.addSql(dispatchClaim(`not in ${OLD_DONE_STATES}`));
    this.addSql(dispatchApply(false));
    this.addSql(`drop function letters_needing_work(timestamptz, integer)`);
    this.addSql(lettersNeedingWork(`not in ${OLD_DONE_STATES}`));
    this.addSql(`grant execute on function letters_needing_work(timestamptz, integer) to hub_app`);
    this.addSql(`drop table print_item, print_batch`);
    this.addSql(`drop index letter_active`);
    this.addSql(`create index letter_active on letter (status, updated_at) where status not in ${OLD_DONE_STATES}`);
    this.addSql(`alter table letter drop column channel_decision, drop column protected_identity, drop column postage_class`);
    this.addSql(`drop table print_vendor`);
  }
}

/** `states`: `(…)` for "in (…)", or a full `not in (…)` for the previous version. */
function statusTest(states: string): string {
  return states.startsWith('not in') ? states : `in ${states}`;
}

function lettersNeedingWork(states: string): string {
  return `
    create function letters_needing_work(p_stalled_before timestamptz, p_limit integer)
      returns table (tenant_id uuid, letter_id uuid, status text, updated_at timestamptz, attempts integer, last_outbox_id bigint)
      language sql stable security definer set search_path = public as $$
      select l.tenant_id, l.id, l.status, l.updated_at, l.attempts,
             (select max(o.id) from outbox o where o.letter_id = l.id)
        from letter l
       where l.status ${statusTest(states)}
         and l.updated_at < p_stalled_before
         and (l.next_attempt_at is null or l.next_attempt_at <= now())
         and (l.lease_until is null or l.lease_until < now())
       order by l.updated_at limit p_limit $$`;
}

function dispatchClaim(states: string): string {
  return `
    create or replace function dispatch_claim(p_tenant uuid, p_letter uuid, p_owner text, p_lease_seconds double precision)
      returns table (r_claimed boolean, r_status text, r_letter jsonb, r_unit jsonb, r_tenant_settings jsonb, r_attachments jsonb)
      language plpgsql security invoker set search_path = public as $$
    declare
      v_letter letter;
    begin
      perform set_config('app.tenant_id', p_tenant::text, true);
      update letter l set lease_owner = p_owner, lease_until = now() + make_interval(secs => p_lease_seconds), updated_at = now()
       where l.id = p_letter and l.status ${statusTest(states)}
         and (l.lease_until is null or l.lease_until < now())
      returning l.* into v_letter;
      if not found then
        return query select false, l.status, null::jsonb, null::jsonb, null::jsonb, null::jsonb from letter l where l.id = p_letter;
        return;
      end if;
      return query select true, v_letter.status, to_jsonb(v_letter),
        (select jsonb_build_object('id', u.id, 'tenant_id', u.tenant_id, 'org_number', u.org_number, 'name', u.name,
                                   'postal_address', u.postal_address, 'certificate_pem', u.certificate_pem)
           from sending_unit u where u.id = v_letter.sending_unit_id),
        (select t.settings from tenant t where t.id = v_letter.tenant_id),
        (select coalesce(jsonb_agg(jsonb_build_object('position', a.position, 'filename', a.filename, 'content_type', a.content_type,
                                                      'content', encode(a.content, 'base64')) order by a.position), '[]'::jsonb)
           from letter_attachment a where a.letter_id = v_letter.id);
    end $$`;
}

/** dispatch_apply, with the channel decision among the columns a step may set (or without, as before). */
function dispatchApply(withDecision: boolean): string {
  const decision = withDecision
    ? `channel_decision = case when jsonb_exists(p_set, 'channel_decision') then p_set->>'channel_decision' else l.channel_decision end,`
    : '';
  return `
    create or replace function dispatch_apply(p_tenant uuid, p_letter uuid, p_owner text, p_from text, p_to text, p_set jsonb,
                                              p_increment_attempts boolean, p_lease_seconds double precision, p_events jsonb, p_outbox jsonb)
      returns table (r_applied boolean, r_status text, r_lease_owner text)
      language plpgsql security invoker set search_path = public as $$
    declare
      v_tenant uuid;
    begin
      perform set_config('app.tenant_id', p_tenant::text, true);
      update letter l set
          status = p_to, updated_at = now(), version = l.version + 1,
          status_reason   = case when jsonb_exists(p_set, 'status_reason')   then p_set->>'status_reason'   else l.status_reason end,
          channel         = case when jsonb_exists(p_set, 'channel')         then p_set->>'channel'         else l.channel end,
          ${decision}
          operator_id     = case when jsonb_exists(p_set, 'operator_id')     then p_set->>'operator_id'     else l.operator_id end,
          operator_name   = case when jsonb_exists(p_set, 'operator_name')   then p_set->>'operator_name'   else l.operator_name end,
          service_address = case when jsonb_exists(p_set, 'service_address') then p_set->>'service_address' else l.service_address end,
          trans_id        = case when jsonb_exists(p_set, 'trans_id')        then p_set->>'trans_id'        else l.trans_id end,
          next_attempt_at = case when jsonb_exists(p_set, 'next_attempt_at') then (p_set->>'next_attempt_at')::timestamptz else l.next_attempt_at end,
          dispatched_at   = case when jsonb_exists(p_set, 'dispatched_at')   then (p_set->>'dispatched_at')::timestamptz else l.dispatched_at end,
          attempts = l.attempts + case when p_increment_attempts then 1 else 0 end,
          lease_owner = case when p_lease_seconds is null then null else l.lease_owner end,
          lease_until = case when p_lease_seconds is null then null else now() + make_interval(secs => p_lease_seconds) end
       where l.id = p_letter and l.lease_owner = p_owner and l.status = p_from
      returning l.tenant_id into v_tenant;
      if not found then
        return query select false, l.status, l.lease_owner from letter l where l.id = p_letter;
        return;
      end if;
      insert into letter_event (tenant_id, letter_id, type, from_status, to_status, detail, created_at)
        select v_tenant, p_letter, e->>'type', e->>'from', e->>'to', coalesce(e->'detail', '{}'::jsonb), clock_timestamp()
          from jsonb_array_elements(p_events) with ordinality as x(e, ord) order by ord;
      if p_outbox is not null then
        insert into outbox (tenant_id, letter_id, job, payload, available_at)
          values (v_tenant, p_letter, p_outbox->>'job', p_outbox->'payload', (p_outbox->>'at')::timestamptz);
      end if;
      return query select true, p_to, case when p_lease_seconds is null then null else p_owner end;
    end $$`;
}
