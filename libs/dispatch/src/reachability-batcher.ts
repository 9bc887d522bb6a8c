import { checkRecipientId, Reachability, TransportFailure } from '@hub/mina-meddelanden';

/** Asks FaR about many recipients of one sender at once (MmGateway.isReachable). */
export type ReachabilityLookup = (senderOrgId: string, recipientIds: string[]) => Promise<Reachability[]>;

export interface ReachabilityBatcherOptions {
  /** Recipients per isReachable request (FaR takes up to 1000). Default 500. */
  maxBatch?: number;
  /** Requests in flight per sender; further questions wait and go together in the next one. Default 2. */
  maxInFlight?: number;
}

interface Waiter {
  resolve(r: Reachability): void;
  reject(e: unknown): void;
}

interface SenderQueue {
  pending: Map<string, Waiter[]>;
  inFlight: number;
  scheduled: boolean;
}

/**
 * Gathers the FaR questions of concurrent jobs into shared isReachable requests. A question asked
 * while no request for its sender is in flight goes out at once (after the current tick, with
 * whatever else was asked in it); under load, questions gather while `maxInFlight` requests are
 * out and leave together, so the number of FaR requests grows with load far more slowly than the
 * number of letters. Each letter still gets its own answer or its own failure: a request that
 * fails for good with more than one recipient is asked again one by one, so that one recipient's
 * problem is not blamed on the others.
 */
export class ReachabilityBatcher {
  private readonly senders = new Map<string, SenderQueue>();
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly lookup: ReachabilityLookup,
    options: ReachabilityBatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  isReachable(senderOrgId: string, recipientId: string): Promise<Reachability> {
    const check = checkRecipientId(recipientId);
    if (!check.ok) {
      return Promise.reject(new TransportFailure(`isReachable refused before sending: recipient id: ${check.message}`, 'permanent', 'INVALID_REQUEST'));
    }
    let queue = this.senders.get(senderOrgId);
    if (!queue) {
      queue = { pending: new Map(), inFlight: 0, scheduled: false };
      this.senders.set(senderOrgId, queue);
    }
    const q = queue;
    return new Promise<Reachability>((resolve, reject) => {
      const waiters = q.pending.get(check.id) ?? [];
      waiters.push({ resolve, reject });
      q.pending.set(check.id, waiters);
      this.schedule(senderOrgId, q);
    });
  }

  private schedule(sender: string, q: SenderQueue): void {
    if (q.scheduled || q.inFlight >= this.maxInFlight || q.pending.size === 0) return;
    q.scheduled = true;
    setImmediate(() => {
      q.scheduled = false;
      this.flush(sender, q);
    });
  }

  private flush(sender: string, q: SenderQueue): void {
    while (q.inFlight < this.maxInFlight && q.pending.size > 0) {
      const batch = new Map<string, Waiter[]>();
      for (const [id, waiters] of q.pending) {
        batch.set(id, waiters);
        q.pending.delete(id);
        if (batch.size >= this.maxBatch) break;
      }
      q.inFlight++;
      void this.send(sender, batch).finally(() => {
        q.inFlight--;
        if (q.pending.size === 0 && q.inFlight === 0) this.senders.delete(sender);
        else this.schedule(sender, q);
      });
    }
  }

  private async send(sender: string, batch: Map<string, Waiter[]>): Promise<void> {
    const ids = [...batch.keys()];
    try {
      const answers = await this.lookup(sender, ids);
      ids.forEach((id, i) => batch.get(id)!.forEach((w) => w.resolve(answers[i])));
    } catch (e) {
      if (ids.length > 1 && e instanceof TransportFailure && !e.retryable) {
        await Promise.all(ids.map((id) => this.send(sender, new Map([[id, batch.get(id)!]]))));
        return;
      }
      for (const waiters of batch.values()) waiters.forEach((w) => w.reject(e));
    }
  }
}
