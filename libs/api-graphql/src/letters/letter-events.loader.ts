import type { LetterEventView } from '@hub/letters';

/**
 * Collects the letter ids whose events one response needs and loads them with one query (instead of
 * one per letter in a page or a bulk result). Lives for one GraphQL operation.
 */
export function createEventsLoader(load: (letterIds: string[]) => Promise<Map<string, LetterEventView[]>>): (letterId: string) => Promise<LetterEventView[]> {
  let batch: Map<string, ((result: LetterEventView[] | Error) => void)[]> | undefined;
  return (letterId) =>
    new Promise<LetterEventView[]>((resolve, reject) => {
      if (!batch) {
        const current = new Map<string, ((result: LetterEventView[] | Error) => void)[]>();
        batch = current;
        // Every events field of the response is asked for before the next turn of the event loop.
        setImmediate(() => {
          batch = undefined;
          load([...current.keys()]).then(
            (byId) => current.forEach((waiters, id) => waiters.forEach((w) => w(byId.get(id) ?? []))),
            (error: Error) => current.forEach((waiters) => waiters.forEach((w) => w(error))),
          );
        });
      }
      const waiters = batch.get(letterId) ?? [];
      waiters.push((result) => (result instanceof Error ? reject(result) : resolve(result)));
      batch.set(letterId, waiters);
    });
}
