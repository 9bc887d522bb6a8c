/** Console flows: settings-integrations (filled by the work on these pages). */
import type { ConsoleFlows } from './context';

export const settingsIntegrationsFlows: ConsoleFlows = (_ctx) => {
  describe('settings-integrations', () => {
    it.todo('settings-integrations flows');
  });
};
