/** Console flows: letters (filled by the work on these pages). */
import type { ConsoleFlows } from './context';

export const lettersFlows: ConsoleFlows = (_ctx) => {
  describe('letters', () => {
    it.todo('letters flows');
  });
};
