import { Migration } from '@mikro-orm/migrations';

const BATCH_FUNCTIONS = 'dispatch_claim_many(uuid, uuid[], text[], double precision), dispatch_apply_many(uuid, jsonb)';

/**
 * Dispatch throughput (issue 3): the dispatch's steps of many letters of one tenant in one statement.
 *
 * A worker runs dozens of letters at once, and each letter's claim and state changes were one
 * statement, one transaction and one WAL flush each. Measured on the 2-core machine, a claim or a
 * state change cost PostgreSQL about 0.33 ms of CPU on its own and 0.12 ms in a statement of 8 or
 * more: most of the cost was the statement and the commit around the work, not the work.
 *
 * These two functions take the claims (or state changes) that concurrent jobs of one tenant have
 * ready at the same moment and run them in one transaction, one after the other, through the very
 * same per-letter functions (`dispatch_claim`, `dispatch_apply`): each letter gets exactly the answer
 * it would get alone (claimed or refused; applied or not, with the state and lease owner found),
 * and nothing of one letter depends on another. The caller orders a batch by letter id, so that two
 * batches lock their letters in the same order. A batch is one transaction: if it fails as a whole
 * (the database goes away), no letter of it has moved, exactly as when a single statement fails.
 *
 * The per-letter functions stay (a worker of the previous version keeps working during an upgrade).
 */
export class Migration20261126070000 extends Migration {
  override up(): void {
    this.addSql(`
      create function dispatch_claim_many(p_tenant uuid, p_letters uuid[], p_owners text[], p_lease_seconds double precision)
        returns table (r_index integer, r_claimed boolean, r_status text, r_letter jsonb, r_unit jsonb, r_tenant_settings jsonb, r_attachments jsonb)
        language plpgsql security invoker set search_path = public as $$
      begin
        if coalesce(array_length(p_letters, 1), 0) <> coalesce(array_length(p_owners, 1), 0) then
          raise exception 'dispatch_claim_many: % letters but % owners', array_length(p_letters, 1), array_length(p_owners, 1);
        end if;
        for i in 1 .. coalesce(array_length(p_letters, 1), 0) loop
          return query select i, c.* from dispatch_claim(p_tenant, p_letters[i], p_owners[i], p_lease_seconds) c;
        end loop;
      end $$`);
    // p_changes: [{ letter, owner, from, to, set, incrementAttempts, leaseSeconds (null: release), events, outbox (or null) }]
    this.addSql(`
      create function dispatch_apply_many(p_tenant uuid, p_changes jsonb)
        returns table (r_index integer, r_applied boolean, r_status text, r_lease_owner text)
        language plpgsql security invoker set search_path = public as $$
      declare
        v_change jsonb;
        v_index integer;
      begin
        for v_change, v_index in select x.value, x.ord::integer from jsonb_array_elements(p_changes) with ordinality as x(value, ord) order by x.ord loop
          return query select v_index, a.* from dispatch_apply(
            p_tenant, (v_change->>'letter')::uuid, v_change->>'owner', v_change->>'from', v_change->>'to',
            coalesce(v_change->'set', '{}'::jsonb), coalesce((v_change->>'incrementAttempts')::boolean, false),
            (v_change->>'leaseSeconds')::double precision, coalesce(v_change->'events', '[]'::jsonb),
            nullif(v_change->'outbox', 'null'::jsonb)) a;
        end loop;
      end $$`);
    this.addSql(`revoke all on function ${BATCH_FUNCTIONS} from public`);
    this.addSql(`grant execute on function ${BATCH_FUNCTIONS} to hub_app`);
  }

  override down(): void {
    this.addSql(`drop function ${BATCH_FUNCTIONS}`);
  }
}
