import { StatementBatcher } from './statement-batcher';

/** A runner whose runs wait until released, recording what each run got. */
function fakeDatabase(answer: (key: string, item: number) => string = (key, item) => `${key}:${item}`) {
  const runs: { key: string; items: number[] }[] = [];
  let waiting: (() => void)[] = [];
  const run = async (key: string, items: number[]) => {
    runs.push({ key, items });
    await new Promise<void>((r) => waiting.push(r));
    return items.map((i) => answer(key, i));
  };
  const releaseAll = () => {
    const w = waiting;
    waiting = [];
    w.forEach((f) => f());
  };
  return { runs, run, releaseAll };
}

const tick = () => new Promise((r) => setImmediate(r));

/** A pg DatabaseError as the driver throws it for a statement the server refused. */
const serverError = (message: string) => Object.assign(new Error(message), { code: '22P05', severity: 'ERROR' });

describe('StatementBatcher', () => {
  it('runs at once when idle, gathers items while a run is out, answers each item its own result', async () => {
    const db = fakeDatabase();
    const runSizes: number[] = [];
    const batcher = new StatementBatcher(db.run, { onRun: (n) => runSizes.push(n) });
    const first = batcher.submit('t1', 1);
    await tick();
    expect(db.runs).toEqual([{ key: 't1', items: [1] }]);
    const later = [2, 3, 4].map((i) => batcher.submit('t1', i));
    await tick();
    expect(db.runs).toHaveLength(1);
    db.releaseAll();
    await expect(first).resolves.toBe('t1:1');
    await tick();
    expect(db.runs[1]).toEqual({ key: 't1', items: [2, 3, 4] });
    db.releaseAll();
    expect(await Promise.all(later)).toEqual(['t1:2', 't1:3', 't1:4']);
    expect(runSizes).toEqual([1, 3]);
  });

  it('gathers what is submitted in the same tick, keeps keys apart and runs at most maxBatch items', async () => {
    const db = fakeDatabase();
    const batcher = new StatementBatcher(db.run, { maxBatch: 2, maxInFlight: 3 });
    const all = [batcher.submit('a', 1), batcher.submit('a', 2), batcher.submit('a', 3), batcher.submit('b', 4)];
    await tick();
    expect(db.runs).toEqual([
      { key: 'a', items: [1, 2] },
      { key: 'a', items: [3] },
      { key: 'b', items: [4] },
    ]);
    db.releaseAll();
    expect(await Promise.all(all)).toEqual(['a:1', 'a:2', 'a:3', 'b:4']);
  });

  it('rejects every item of a run that failed as a whole (a lost connection: nothing is known of the run)', async () => {
    const runs: number[][] = [];
    const batcher = new StatementBatcher<number, string>(
      async (_k, items) => {
        runs.push(items);
        throw new Error('Connection terminated unexpectedly');
      },
      { retryAlone: (e) => (e as { severity?: string }).severity !== undefined },
    );
    const results = await Promise.allSettled([batcher.submit('t', 1), batcher.submit('t', 2)]);
    expect(results).toEqual([
      { status: 'rejected', reason: expect.objectContaining({ message: 'Connection terminated unexpectedly' }) },
      { status: 'rejected', reason: expect.objectContaining({ message: 'Connection terminated unexpectedly' }) },
    ]);
    expect(runs).toEqual([[1, 2]]);
  });

  it('runs each item alone after a run the server refused, so that one bad item fails only itself', async () => {
    const runs: number[][] = [];
    const batcher = new StatementBatcher<number, string>(
      async (_k, items) => {
        runs.push(items);
        if (items.includes(2)) throw serverError('unsupported Unicode escape sequence');
        return items.map(String);
      },
      { retryAlone: (e) => (e as { severity?: string }).severity === 'ERROR' },
    );
    const results = await Promise.allSettled([batcher.submit('t', 1), batcher.submit('t', 2), batcher.submit('t', 3)]);
    expect(results).toEqual([
      { status: 'fulfilled', value: '1' },
      { status: 'rejected', reason: expect.objectContaining({ code: '22P05' }) },
      { status: 'fulfilled', value: '3' },
    ]);
    expect(runs).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('refuses a runner that answers a different number of results than it got items', async () => {
    const batcher = new StatementBatcher<number, string>(async () => ['only one']);
    const results = await Promise.allSettled([batcher.submit('t', 1), batcher.submit('t', 2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('a batch of 2 items answered 1 results');
  });

  it('goes on after a failed run: later items are run', async () => {
    let fail = true;
    const batcher = new StatementBatcher<number, number>(async (_k, items) => {
      if (fail) throw new Error('database restarting');
      return items.map((i) => i * 10);
    });
    await expect(batcher.submit('t', 1)).rejects.toThrow('database restarting');
    fail = false;
    await expect(batcher.submit('t', 2)).resolves.toBe(20);
  });

  it('refuses settings that could never run anything', () => {
    expect(() => new StatementBatcher(async () => [], { maxBatch: 0 })).toThrow('maxBatch must be a positive integer, got 0');
    expect(() => new StatementBatcher(async () => [], { maxInFlight: 1.5 })).toThrow('maxInFlight must be a positive integer, got 1.5');
  });
});
