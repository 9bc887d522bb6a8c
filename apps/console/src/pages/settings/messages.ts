import { MESSAGES as CORE } from './messages-core';
import { MESSAGES as INTEGRATIONS } from './messages-integrations';

/** The settings pages' words (keys start with "settings."): units, case types, rules, envelope (core); webhooks, diary, retention, API clients, audit (integrations). */
export const MESSAGES = {
  sv: { ...CORE.sv, ...INTEGRATIONS.sv } as Record<string, string>,
  en: { ...CORE.en, ...INTEGRATIONS.en } as Record<string, string>,
};
