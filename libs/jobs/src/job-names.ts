/**
 * Every job the workers run. Payloads carry ids only, never personnummer or letter content
 * (Redis keeps job data in clear text). A worker refuses to start when a name has no handler or two.
 */
export enum JobName {
  /** Route one letter and, when it goes digitally, sign, seal and deliver it. */
  DispatchLetter = 'dispatch-letter',
  /** Render a letter routed to print into its print-ready PDF and make it wait for a batch. */
  PreparePrint = 'prepare-print',
  /** Write a closed print batch's PDF and manifests, then offer it to its vendor. */
  AssemblePrintBatch = 'assemble-print-batch',
}

export interface JobPayloads {
  [JobName.DispatchLetter]: { tenantId: string; letterId: string };
  [JobName.PreparePrint]: { tenantId: string; letterId: string };
  [JobName.AssemblePrintBatch]: { tenantId: string; batchId: string };
}

/** The BullMQ queue the letter jobs run on. */
export const LETTER_QUEUE = 'letters';

/**
 * Deterministic BullMQ job id for an outbox row: a relay that crashes after adding a job and before
 * marking the row adds the same id again, and BullMQ keeps one job.
 */
export function outboxJobId(outboxId: string | number): string {
  return `outbox-${outboxId}`;
}
