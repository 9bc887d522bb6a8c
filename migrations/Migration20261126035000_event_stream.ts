import { Migration } from '@mikro-orm/migrations';

/**
 * The letter event stream for consumers that follow every municipality's events in order (webhook
 * notifications, diary hooks): a cursor per consumer, and a SECURITY DEFINER function that returns
 * the events after a cursor across tenants (ids, types, states and the non-personal detail; each
 * consumer then works in the event's tenant under row-level security).
 *
 * Event ids come from one identity sequence, but a transaction that commits late can make a smaller
 * id visible after a larger one; the function therefore only returns events older than a short
 * settle time (p_settle), so a consumer that moves its cursor past an id never skips a late commit.
 */
export class Migration20261126035000 extends Migration {
  override up(): void {
    this.addSql(`
      create table event_consumer (
        name text primary key,
        last_event_id bigint not null default 0,
        updated_at timestamptz not null default now()
      )`);
    this.addSql(`grant select, insert, update on event_consumer to hub_app`);
    this.addSql(`
      create function letter_events_after(p_after bigint, p_limit integer, p_settle interval)
        returns table (id bigint, tenant_id uuid, letter_id uuid, type text, from_status text, to_status text, detail jsonb, created_at timestamptz)
        language sql stable security definer set search_path = public as $$
        select e.id, e.tenant_id, e.letter_id, e.type, e.from_status, e.to_status, e.detail, e.created_at
          from letter_event e
         where e.id > p_after and e.created_at < now() - p_settle
         order by e.id limit p_limit $$`);
    this.addSql(`revoke all on function letter_events_after(bigint, integer, interval) from public`);
    this.addSql(`grant execute on function letter_events_after(bigint, integer, interval) to hub_app`);
  }

  override down(): void {
    this.addSql(`drop function letter_events_after(bigint, integer, interval)`);
    this.addSql(`drop table event_consumer`);
  }
}
