/** Runs the items gathered for one key in one go; answers one result per item, in the items' order. */
export type BatchRunner<I, R> = (key: string, items: I[]) => Promise<R[]>;

export interface StatementBatcherOptions {
  /** Items per run. Default 64. */
  maxBatch?: number;
  /** Runs in flight per key; further items wait and go together in the next run. Default 1. */
  maxInFlight?: number;
  /** Told the size of each run (for a metric). */
  onRun?: (size: number) => void;
  /**
   * Whether a run of several items that failed with this error is to be run again item by item, so
   * that one bad item does not fail the others (only for errors after which nothing of the run took
   * effect). Default: never.
   */
  retryAlone?: (error: unknown) => boolean;
}

interface Waiting<I, R> {
  item: I;
  resolve(r: R): void;
  reject(e: unknown): void;
}

interface KeyQueue<I, R> {
  pending: Waiting<I, R>[];
  inFlight: number;
  scheduled: boolean;
}

/**
 * Gathers the database steps of concurrent jobs into shared statements (group commit). An item
 * submitted while no run for its key is in flight goes out at once (after the current tick, with
 * whatever else was submitted in it); under load, items gather while `maxInFlight` runs are out and
 * leave together, so the number of statements, transactions and WAL flushes grows far more slowly
 * than the number of letters, and nothing waits for a timer. Each item still gets its own result;
 * a run that fails as a whole rejects each of its items with that error, or (`retryAlone`) runs
 * each item again on its own.
 */
export class StatementBatcher<I, R> {
  private readonly keys = new Map<string, KeyQueue<I, R>>();
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly run: BatchRunner<I, R>,
    private readonly options: StatementBatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 64;
    this.maxInFlight = options.maxInFlight ?? 1;
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new Error(`maxBatch must be a positive integer, got ${this.maxBatch}`);
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1) throw new Error(`maxInFlight must be a positive integer, got ${this.maxInFlight}`);
  }

  submit(key: string, item: I): Promise<R> {
    let queue = this.keys.get(key);
    if (!queue) {
      queue = { pending: [], inFlight: 0, scheduled: false };
      this.keys.set(key, queue);
    }
    const q = queue;
    return new Promise<R>((resolve, reject) => {
      q.pending.push({ item, resolve, reject });
      this.schedule(key, q);
    });
  }

  private schedule(key: string, q: KeyQueue<I, R>): void {
    if (q.scheduled || q.inFlight >= this.maxInFlight || q.pending.length === 0) return;
    q.scheduled = true;
    setImmediate(() => {
      q.scheduled = false;
      this.flush(key, q);
    });
  }

  private flush(key: string, q: KeyQueue<I, R>): void {
    while (q.inFlight < this.maxInFlight && q.pending.length > 0) {
      const batch = q.pending.splice(0, this.maxBatch);
      q.inFlight++;
      void this.send(key, batch).finally(() => {
        q.inFlight--;
        if (q.pending.length === 0 && q.inFlight === 0) this.keys.delete(key);
        else this.schedule(key, q);
      });
    }
  }

  private async send(key: string, batch: Waiting<I, R>[]): Promise<void> {
    this.options.onRun?.(batch.length);
    try {
      const results = await this.run(key, batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} items answered ${results.length} results`);
      batch.forEach((w, i) => w.resolve(results[i]));
    } catch (e) {
      if (batch.length > 1 && this.options.retryAlone?.(e)) {
        await Promise.all(batch.map((w) => this.send(key, [w])));
        return;
      }
      for (const w of batch) w.reject(e);
    }
  }
}
