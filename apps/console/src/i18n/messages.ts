import { MESSAGES as LETTERS } from '../pages/letters/messages';
import { MESSAGES as OVERVIEW } from '../pages/overview/messages';
import { MESSAGES as PLATFORM } from '../pages/platform/messages';
import { MESSAGES as SEND } from '../pages/send/messages';
import { MESSAGES as SETTINGS } from '../pages/settings/messages';
import { COMMON_MESSAGES } from './common-messages';

const AREAS = [COMMON_MESSAGES, OVERVIEW, LETTERS, SEND, SETTINGS, PLATFORM];

/** Every message in both languages (Swedish is the default and the fallback). */
export const MESSAGES: Record<'sv' | 'en', Record<string, string>> = {
  sv: Object.assign({}, ...AREAS.map((a) => a.sv)) as Record<string, string>,
  en: Object.assign({}, ...AREAS.map((a) => a.en)) as Record<string, string>,
};
