import type { EntityManager } from '@mikro-orm/postgresql';
import type { RetentionStep } from './retention-rule';

/**
 * Data of other contexts that a retention step must remove with the letter's (webhook deliveries,
 * diary registrations, export files…). A purger is called with a batch of letters of one tenant, in
 * the retention's tenant transaction (row-level security applies), before the hub's own step runs on
 * them: for the `log` step, before the letters are deleted, so rows that reference them go first.
 *
 * `count` is the dry-run: it must return exactly what `purge` would remove for the same letters
 * (the dry-run equals the real run only if every purger keeps this promise).
 */
export interface RetentionPurger {
  /** Unique name (e.g. `webhook-deliveries`); its count appears under this name in purge records. */
  name: string;
  step: RetentionStep;
  count(em: EntityManager, tenantId: string, letterIds: string[]): Promise<number>;
  purge(em: EntityManager, tenantId: string, letterIds: string[]): Promise<number>;
}

/** Where purgers plug in. The worker's daily run and the API's dry-run must see the same purgers. */
export class RetentionPurgers {
  private readonly purgers: RetentionPurger[] = [];

  register(purger: RetentionPurger): this {
    if (!purger.name || this.purgers.some((p) => p.name === purger.name)) throw new Error(`a retention purger named ${JSON.stringify(purger.name)} is already registered (or the name is empty)`);
    this.purgers.push(purger);
    return this;
  }

  forStep(step: RetentionStep): readonly RetentionPurger[] {
    return this.purgers.filter((p) => p.step === step);
  }

  get names(): string[] {
    return this.purgers.map((p) => p.name);
  }
}

/**
 * The process-wide registry the worker and the API use by default: a library whose data retention
 * must purge registers its purger here at startup (from the composition root), e.g.
 * `RETENTION_PURGERS.register(webhookDeliveryPurger)`.
 */
export const RETENTION_PURGERS = new RetentionPurgers();
