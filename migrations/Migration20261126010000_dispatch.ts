import { Migration } from '@mikro-orm/migrations';

const ORIGINAL_LETTERS_NEEDING_WORK = `
  create function letters_needing_work(p_stalled_before timestamptz, p_limit integer)
    returns table (tenant_id uuid, letter_id uuid, status text)
    language sql stable security definer set search_path = public as $$
    select tenant_id, id, status from letter
     where status not in ('DELIVERED','PRINT_PENDING','FAILED','CANCELLED')
       and updated_at < p_stalled_before
       and (next_attempt_at is null or next_attempt_at <= now())
     order by updated_at limit p_limit $$`;

const DISPATCH_FUNCTIONS =
  'dispatch_claim(uuid, uuid, text, double precision), ' +
  'dispatch_apply(uuid, uuid, text, text, text, jsonb, boolean, double precision, jsonb, jsonb), ' +
  'dispatch_release(uuid, uuid, text)';

/**
 * Durable dispatch: a lease on each letter, so that exactly one worker works on a letter at a time
 * (a job, its BullMQ retry, a reconciler job and a stalled job's second run all claim it first),
 * and a reconciler query that skips leased letters and returns what its deterministic job ids are
 * made of and the letter's latest outbox row (whose job may still be waiting in the queue).
 *
 * A lease is taken and released in short transactions of their own; no transaction stays open
 * across a call to FaR or a mailbox operator. A worker that dies leaves its lease behind; it
 * expires at `lease_until`, after which the reconciler hands the letter to another worker.
 */
export class Migration20261126010000 extends Migration {
  override up(): void {
    this.addSql(`alter table letter add column lease_owner text, add column lease_until timestamptz`);
    // The reconciler asks whether the letter's latest outbox job is still queued before adding another.
    this.addSql(`create index outbox_letter on outbox (letter_id, id)`);
    this.addSql(`drop function letters_needing_work(timestamptz, integer)`);
    this.addSql(`
      create function letters_needing_work(p_stalled_before timestamptz, p_limit integer)
        returns table (tenant_id uuid, letter_id uuid, status text, updated_at timestamptz, attempts integer, last_outbox_id bigint)
        language sql stable security definer set search_path = public as $$
        select l.tenant_id, l.id, l.status, l.updated_at, l.attempts,
               (select max(o.id) from outbox o where o.letter_id = l.id)
          from letter l
         where l.status not in ('DELIVERED','PRINT_PENDING','FAILED','CANCELLED')
           and l.updated_at < p_stalled_before
           and (l.next_attempt_at is null or l.next_attempt_at <= now())
           and (l.lease_until is null or l.lease_until < now())
         order by l.updated_at limit p_limit $$`);
    this.addSql(`revoke all on function letters_needing_work(timestamptz, integer) from public`);
    this.addSql(`grant execute on function letters_needing_work(timestamptz, integer) to hub_app`);

    // The dispatch's three steps per letter as one statement each (SECURITY INVOKER: row-level
    // security applies to the caller, hub_app, with the tenant set first thing in the statement's
    // transaction, as TenantDb does). A worker makes thousands of these per minute: one round trip
    // instead of BEGIN, set_config, statement, COMMIT halves its database cost.
    this.addSql(`
      create function dispatch_claim(p_tenant uuid, p_letter uuid, p_owner text, p_lease_seconds double precision)
        returns table (r_claimed boolean, r_status text, r_letter jsonb, r_unit jsonb, r_tenant_settings jsonb, r_attachments jsonb)
        language plpgsql security invoker set search_path = public as $$
      declare
        v_letter letter;
      begin
        perform set_config('app.tenant_id', p_tenant::text, true);
        update letter l set lease_owner = p_owner, lease_until = now() + make_interval(secs => p_lease_seconds), updated_at = now()
         where l.id = p_letter and l.status not in ('DELIVERED','PRINT_PENDING','FAILED','CANCELLED')
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
      end $$`);
    this.addSql(`
      create function dispatch_apply(p_tenant uuid, p_letter uuid, p_owner text, p_from text, p_to text, p_set jsonb,
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
      end $$`);
    this.addSql(`
      create function dispatch_release(p_tenant uuid, p_letter uuid, p_owner text) returns boolean
        language plpgsql security invoker set search_path = public as $$
      begin
        perform set_config('app.tenant_id', p_tenant::text, true);
        update letter set lease_owner = null, lease_until = null where id = p_letter and lease_owner = p_owner;
        return found;
      end $$`);
    this.addSql(`revoke all on function ${DISPATCH_FUNCTIONS} from public`);
    this.addSql(`grant execute on function ${DISPATCH_FUNCTIONS} to hub_app`);
  }

  override down(): void {
    this.addSql(`drop function ${DISPATCH_FUNCTIONS}`);
    this.addSql(`drop function letters_needing_work(timestamptz, integer)`);
    this.addSql(ORIGINAL_LETTERS_NEEDING_WORK);
    this.addSql(`revoke all on function letters_needing_work(timestamptz, integer) from public`);
    this.addSql(`grant execute on function letters_needing_work(timestamptz, integer) to hub_app`);
    this.addSql(`drop index outbox_letter`);
    this.addSql(`alter table letter drop column lease_owner, drop column lease_until`);
  }
}
