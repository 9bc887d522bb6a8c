import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '@hub/letters';
import type { Logger } from '@hub/observability';
import type { TenantDb } from '@hub/persistence';
import { PSEUDONYM_PREFIX, pseudonymOf, PseudonymKeys, REMOVED_RECIPIENT } from './pseudonyms';
import { RETENTION_PURGERS, RetentionPurgers } from './retention-purgers';
import { RetentionContext, RetentionRule, RetentionRuleNotFoundError, RetentionStep, stepsOf } from './retention-rule';
import { listRules, ruleSettings } from './retention-rules.service';

/** What a rule's run removed (or, in a dry-run, would remove). */
export interface RetentionCounts {
  /** Content step: letters whose body and subject were removed. */
  contentLetters: number;
  /** Content step: attachments removed. */
  contentAttachments: number;
  /** Content step: rendered print PDFs removed. */
  contentPrintPdfs: number;
  /** Identifier step: letters whose recipient id was pseudonymised or removed (postal address and case reference removed). */
  identifierLetters: number;
  /** Log step: letters deleted. */
  logLetters: number;
  /** Log step: their letter events deleted. */
  logEvents: number;
  /** Log step: their outbox rows deleted. */
  logOutboxRows: number;
  /** Log step: their print items deleted. */
  logPrintItems: number;
  /** Log step: attachments still left (a rule without a content step) deleted. */
  logAttachments: number;
  /** Registered purgers (see {@link RetentionPurgers}), by name. */
  purgers: Record<string, number>;
}

export type PurgeTrigger = 'SCHEDULE' | 'MANUAL';

/** A purge record: one rule's run, real or dry. Kept for good (the table refuses updates and deletes). */
export interface PurgeRecord {
  id: string;
  tenantId: string;
  ruleId: string;
  /** The rule as it was when it ran (the rule may have changed or gone since). */
  rule: Record<string, unknown>;
  dryRun: boolean;
  trigger: PurgeTrigger;
  actor: string;
  /** The time the rule's periods were counted back from. */
  asOf: Date;
  startedAt: Date;
  finishedAt: Date;
  counts: RetentionCounts;
  /** Why the run stopped early (its counts are what was done before). */
  error: string | null;
}

export function emptyCounts(): RetentionCounts {
  return { contentLetters: 0, contentAttachments: 0, contentPrintPdfs: 0, identifierLetters: 0, logLetters: 0, logEvents: 0, logOutboxRows: 0, logPrintItems: 0, logAttachments: 0, purgers: {} };
}

/** Adds `b` into `a`. */
export function addCounts(a: RetentionCounts, b: RetentionCounts): RetentionCounts {
  for (const k of Object.keys(a) as (keyof RetentionCounts)[]) if (k !== 'purgers') (a[k] as number) += b[k] as number;
  for (const [name, n] of Object.entries(b.purgers)) a.purgers[name] = (a.purgers[name] ?? 0) + n;
  return a;
}

export interface RetentionPurgeOptions {
  db: TenantDb;
  /** Needed by real runs of rules that pseudonymise (MASTER_KEY); a dry-run needs none. */
  pseudonyms?: PseudonymKeys;
  purgers?: RetentionPurgers;
  /** Letters per transaction in a real run (default 500). */
  batchSize?: number;
  /** Letters per query in a dry-run (default 5000). */
  dryRunBatchSize?: number;
  log?: Logger;
}

export interface RunOptions {
  dryRun: boolean;
  trigger: PurgeTrigger;
  /** One rule only (default: every rule of the tenant). */
  ruleId?: string | null;
  /** Called after each rule's run (the daily run renews its lease here). */
  afterRule?: () => Promise<void>;
}

/**
 * Runs a tenant's retention rules, for real or as a dry-run. Both walk the same letters: those that
 * `retention_due_letters` (one SQL definition) finds for each rule and step as of one instant taken
 * at the start, keyset-paged; the dry-run counts what each step would touch with the conditions the
 * step's statements use, so a dry-run followed by a real run on the same data reports the same counts.
 *
 * Per letter, only its most specific rule applies, and only once the letter is finished
 * ({@link RETENTION_FINISHED_STATUSES}); days count from `dispatched_at` (delivered digitally, or
 * posted), else `created_at`. The steps:
 * - content (N days): body and subject removed (the subject is content: it names the matter),
 *   attachments deleted, the rendered print PDF emptied (its SHA-256 stays as evidence);
 * - identifiers (M days): the recipient id pseudonymised (HMAC-SHA256 under the tenant's key) or
 *   removed; the postal address, the print item's address lines and the case reference removed;
 * - log (K days): the letter deleted with its events, outbox rows, print item and attachments (through
 *   `retention_delete_letters`, the only path that may delete letter events). A letter due for
 *   deletion is deleted without first going through the other steps.
 * Each rule's run leaves a purge record (counts, the rule as it was, dry-run or real, any error).
 */
export class RetentionPurge {
  private readonly purgers: RetentionPurgers;

  constructor(private readonly options: RetentionPurgeOptions) {
    this.purgers = options.purgers ?? RETENTION_PURGERS;
  }

  async run(ctx: RetentionContext, run: RunOptions): Promise<PurgeRecord[]> {
    const { db } = this.options;
    const { asOf, rules } = await db.inTenant(
      ctx.tenantId,
      async (em) => ({ asOf: (await sql<{ now: string }>(em, `select now()::text as now`)).rows[0].now, rules: await listRules(em) }),
      ctx.actor,
    );
    const selected = run.ruleId ? rules.filter((r) => r.id === run.ruleId) : rules;
    if (run.ruleId && selected.length === 0) throw new RetentionRuleNotFoundError(run.ruleId);
    const records: PurgeRecord[] = [];
    for (const rule of selected) {
      records.push(await this.runRule(ctx, rule, asOf, run));
      await run.afterRule?.();
    }
    return records;
  }

  private async runRule(ctx: RetentionContext, rule: RetentionRule, asOf: string, run: RunOptions): Promise<PurgeRecord> {
    const counts = emptyCounts();
    const startedAt = new Date();
    let error: string | null = null;
    try {
      for (const step of stepsOf(rule)) await this.runStep(ctx, rule, step, asOf, run.dryRun, counts);
    } catch (e) {
      error = (e as Error).message;
      this.options.log?.error({ err: e, tenantId: ctx.tenantId, ruleId: rule.id, dryRun: run.dryRun }, 'retention rule run failed');
    }
    const snapshot = { id: rule.id, ...ruleSettings(rule) };
    const record = await this.options.db.inTenant(
      ctx.tenantId,
      async (em) =>
        (
          await sql<{ id: string; finished_at: Date }>(
            em,
            `insert into retention_purge (tenant_id, rule_id, rule, dry_run, trigger, actor, as_of, started_at, finished_at, counts, error)
             values ($1, $2, $3, $4, $5, $6, $7, $8, clock_timestamp(), $9, $10) returning id, finished_at`,
            [ctx.tenantId, rule.id, JSON.stringify(snapshot), run.dryRun, run.trigger, ctx.actor, asOf, startedAt, JSON.stringify(counts), error],
          )
        ).rows[0],
      ctx.actor,
    );
    this.options.log?.info({ tenantId: ctx.tenantId, ruleId: rule.id, purgeRecordId: record.id, dryRun: run.dryRun, trigger: run.trigger, counts, failed: error !== null }, 'retention rule run');
    return {
      id: record.id,
      tenantId: ctx.tenantId,
      ruleId: rule.id,
      rule: snapshot,
      dryRun: run.dryRun,
      trigger: run.trigger,
      actor: ctx.actor,
      asOf: new Date(asOf),
      startedAt,
      finishedAt: new Date(record.finished_at),
      counts,
      error,
    };
  }

  private async runStep(ctx: RetentionContext, rule: RetentionRule, step: RetentionStep, asOf: string, dryRun: boolean, counts: RetentionCounts): Promise<void> {
    const limit = dryRun ? (this.options.dryRunBatchSize ?? 5000) : (this.options.batchSize ?? 500);
    let after: { basis: string; id: string } | null = null;
    for (;;) {
      const from: { basis: string; id: string } | null = after;
      const batch: { letter_id: string; basis: string }[] = await this.options.db.inTenant(
        ctx.tenantId,
        async (em) => {
          const rows = (
            await sql<{ letter_id: string; basis: string }>(
              em,
              `select letter_id, basis::text as basis from retention_due_letters($1, $2, $3::timestamptz, $4, $5::timestamptz, $6::uuid, null)`,
              [rule.id, step, asOf, limit, from?.basis ?? null, from?.id ?? null],
            )
          ).rows;
          if (rows.length) {
            const ids = rows.map((r) => r.letter_id);
            if (dryRun) await this.countStep(em, ctx.tenantId, step, ids, counts);
            else await this.applyStep(em, ctx.tenantId, rule, step, ids, asOf, counts);
          }
          return rows;
        },
        ctx.actor,
      );
      if (batch.length < limit) return;
      after = { basis: batch[batch.length - 1].basis, id: batch[batch.length - 1].letter_id };
    }
  }

  /** What the step's statements would touch for these letters: the same conditions as {@link applyStep}. */
  private async countStep(em: EntityManager, tenantId: string, step: RetentionStep, ids: string[], counts: RetentionCounts): Promise<void> {
    const n = async (table: string, extra = '') => Number((await sql<{ n: string }>(em, `select count(*)::text as n from ${table} where letter_id = any($1::uuid[]) ${extra}`, [ids])).rows[0].n);
    if (step === 'content') {
      counts.contentLetters += ids.length;
      counts.contentAttachments += await n('letter_attachment');
      counts.contentPrintPdfs += await n('print_item', 'and octet_length(pdf) > 0');
    } else if (step === 'identifiers') {
      counts.identifierLetters += ids.length;
    } else {
      counts.logLetters += ids.length;
      counts.logEvents += await n('letter_event');
      counts.logOutboxRows += await n('outbox');
      counts.logPrintItems += await n('print_item');
      counts.logAttachments += await n('letter_attachment');
    }
    for (const p of this.purgers.forStep(step)) counts.purgers[p.name] = (counts.purgers[p.name] ?? 0) + (await p.count(em, tenantId, ids));
  }

  private async applyStep(em: EntityManager, tenantId: string, rule: RetentionRule, step: RetentionStep, ids: string[], asOf: string, counts: RetentionCounts): Promise<void> {
    // Lock the letters first: purgers and the step's statements then work on a stable set.
    const locked = (await sql<{ id: string; recipient_id: string }>(em, `select id, recipient_id from letter where id = any($1::uuid[]) order by id for update`, [ids])).rows;
    for (const p of this.purgers.forStep(step)) counts.purgers[p.name] = (counts.purgers[p.name] ?? 0) + (await p.purge(em, tenantId, ids));
    if (step === 'content') {
      const r = (
        await sql<{ letters: string; attachments: string; pdfs: string }>(
          em,
          `with a as (delete from letter_attachment where letter_id = any($1::uuid[]) returning 1),
                p as (update print_item set pdf = ''::bytea, updated_at = now() where letter_id = any($1::uuid[]) and octet_length(pdf) > 0 returning 1),
                l as (update letter set body_text = null, subject = '', content_purged_at = now(),
                                      -- an event message's matter subject is content too; its ids stay with the log
                                      official_matter = official_matter - 'matterSubject'
                                where id = any($1::uuid[]) and content_purged_at is null returning 1)
           select (select count(*) from l)::text as letters, (select count(*) from a)::text as attachments, (select count(*) from p)::text as pdfs`,
          [ids],
        )
      ).rows[0];
      counts.contentLetters += Number(r.letters);
      counts.contentAttachments += Number(r.attachments);
      counts.contentPrintPdfs += Number(r.pdfs);
    } else if (step === 'identifiers') {
      let replacement: (recipientId: string) => string = () => REMOVED_RECIPIENT;
      if (rule.identifiersAction === 'PSEUDONYMISE') {
        if (!this.options.pseudonyms) throw new Error('retention cannot pseudonymise without the pseudonym keys (MASTER_KEY): give RetentionPurge its PseudonymKeys');
        const key = await this.options.pseudonyms.keyFor(em, tenantId);
        replacement = (id) => (id.startsWith(PSEUDONYM_PREFIX) ? id : pseudonymOf(key, id));
      }
      const r = await sql(
        em,
        `update letter l set recipient_id = u.recipient, postal_address = null, case_reference = null, identifiers_purged_at = now()
           from unnest($1::uuid[], $2::text[]) as u(id, recipient)
          where l.id = u.id and l.identifiers_purged_at is null`,
        [locked.map((l) => l.id), locked.map((l) => replacement(l.recipient_id))],
      );
      await sql(em, `update print_item set address_lines = '[]'::jsonb, updated_at = now() where letter_id = any($1::uuid[])`, [ids]);
      counts.identifierLetters += r.rowCount;
    } else {
      const r = (
        await sql<{ letters: string; events: string; outbox: string; print_items: string; attachments: string }>(
          em,
          `select letters::text, events::text, outbox::text, print_items::text, attachments::text from retention_delete_letters($1, $2::uuid[], $3::timestamptz)`,
          [rule.id, ids, asOf],
        )
      ).rows[0];
      counts.logLetters += Number(r.letters);
      counts.logEvents += Number(r.events);
      counts.logOutboxRows += Number(r.outbox);
      counts.logPrintItems += Number(r.print_items);
      counts.logAttachments += Number(r.attachments);
    }
  }
}
