/** Console flows: platform (filled by the work on these pages). */
import type { ConsoleFlows } from './context';

export const platformFlows: ConsoleFlows = (_ctx) => {
  describe('platform', () => {
    it.todo('platform flows');
  });
};
