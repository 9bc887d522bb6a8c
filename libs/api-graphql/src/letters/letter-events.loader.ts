import type { LetterEventView } from '@hub/letters';

/**
 * Collects the ids whose values one response needs and loads them with one query (instead of one
 * per letter in a page or a bulk result). Lives for one GraphQL operation. `missing` is the value
 * of an id the load did not return.
 */
export function createBatchLoader<V>(load: (ids: string[]) => Promise<Map<string, V>>, missing: V): (id: string) => Promise<V> {
  let batch: Map<string, ((result: V | Error) => void)[]> | undefined;
  return (id) =>
    new Promise<V>((resolve, reject) => {
      if (!batch) {
        const current = new Map<string, ((result: V | Error) => void)[]>();
        batch = current;
        // Every field of the response that needs a value is asked for before the next turn of the event loop.
        setImmediate(() => {
          batch = undefined;
          load([...current.keys()]).then(
            (byId) => current.forEach((waiters, key) => waiters.forEach((w) => w(byId.has(key) ? byId.get(key)! : missing))),
            (error: Error) => current.forEach((waiters) => waiters.forEach((w) => w(error))),
          );
        });
      }
      const waiters = batch.get(id) ?? [];
      waiters.push((result) => (result instanceof Error ? reject(result) : resolve(result)));
      batch.set(id, waiters);
    });
}

/** The events of every letter in one response, in one query. */
export function createEventsLoader(load: (letterIds: string[]) => Promise<Map<string, LetterEventView[]>>): (letterId: string) => Promise<LetterEventView[]> {
  return createBatchLoader(load, []);
}
