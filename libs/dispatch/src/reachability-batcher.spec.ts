import { decideReachability, Reachability, TransportFailure } from '@hub/mina-meddelanden';
import { ReachabilityBatcher } from './reachability-batcher';

const SENDER = '162120001231';
const answer = (id: string): Reachability => decideReachability({ recipientId: id, accountType: 'Not', pending: false, senderAccepted: true });

function fakeFar() {
  const calls: string[][] = [];
  let release: (() => void)[] = [];
  const lookup = async (_sender: string, ids: string[]) => {
    calls.push(ids);
    await new Promise<void>((r) => release.push(r));
    return ids.map(answer);
  };
  const releaseAll = () => {
    const r = release;
    release = [];
    r.forEach((f) => f());
  };
  return { calls, lookup, releaseAll };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('ReachabilityBatcher', () => {
  it('asks at once when idle, gathers questions while requests are out, answers each in its own order', async () => {
    const far = fakeFar();
    const batcher = new ReachabilityBatcher(far.lookup, { maxInFlight: 1 });
    const first = batcher.isReachable(SENDER, '198101032384');
    await tick();
    expect(far.calls).toEqual([['198101032384']]);
    const later = ['199001012385', '202001612395', '198101032384'].map((id) => batcher.isReachable(SENDER, id));
    await tick();
    expect(far.calls).toHaveLength(1);
    far.releaseAll();
    await expect(first).resolves.toMatchObject({ recipientId: '198101032384' });
    await tick();
    expect(far.calls[1]).toEqual(['199001012385', '202001612395', '198101032384']);
    far.releaseAll();
    expect((await Promise.all(later)).map((r) => r.recipientId)).toEqual(['199001012385', '202001612395', '198101032384']);
  });

  it('keeps senders apart and batches at most maxBatch', async () => {
    const far = fakeFar();
    const batcher = new ReachabilityBatcher(far.lookup, { maxBatch: 2, maxInFlight: 5 });
    const all = [
      batcher.isReachable(SENDER, '198101032384'),
      batcher.isReachable(SENDER, '199001012385'),
      batcher.isReachable(SENDER, '202001612395'),
      batcher.isReachable('162120009879', '198101032384'),
    ];
    await tick();
    expect(far.calls).toEqual([['198101032384', '199001012385'], ['202001612395'], ['198101032384']]);
    far.releaseAll();
    await Promise.all(all);
  });

  it('refuses an invalid id alone, and asks again one by one when a batch fails for good', async () => {
    const calls: string[][] = [];
    const batcher = new ReachabilityBatcher(async (_s, ids) => {
      calls.push(ids);
      if (ids.includes('199001012385')) throw new TransportFailure('6006 protected identity', 'permanent', 'FAR_FAULT', { faultCode: 6006 });
      return ids.map(answer);
    });
    await expect(batcher.isReachable(SENDER, '198101032385')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    const [a, b] = await Promise.allSettled([batcher.isReachable(SENDER, '198101032384'), batcher.isReachable(SENDER, '199001012385')]);
    expect(a).toMatchObject({ status: 'fulfilled', value: { recipientId: '198101032384' } });
    expect(b).toMatchObject({ status: 'rejected', reason: { code: 'FAR_FAULT' } });
    expect(calls).toEqual([['198101032384', '199001012385'], ['198101032384'], ['199001012385']]);
  });

  it('fails every question of a batch with a retryable failure (each letter retries on its own)', async () => {
    const batcher = new ReachabilityBatcher(async () => {
      throw new TransportFailure('timeout', 'retryable', 'TIMEOUT');
    });
    const results = await Promise.allSettled([batcher.isReachable(SENDER, '198101032384'), batcher.isReachable(SENDER, '199001012385')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
