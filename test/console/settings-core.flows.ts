/** Console flows: settings-core (filled by the work on these pages). */
import type { ConsoleFlows } from './context';

export const settingsCoreFlows: ConsoleFlows = (_ctx) => {
  describe('settings-core', () => {
    it.todo('settings-core flows');
  });
};
