/** Console flows: send (filled by the work on these pages). */
import type { ConsoleFlows } from './context';

export const sendFlows: ConsoleFlows = (_ctx) => {
  describe('send', () => {
    it.todo('send flows');
  });
};
