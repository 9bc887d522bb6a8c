/** Settings words (messages-core). */
export const MESSAGES = {
  sv: {} as Record<string, string>,
  en: {} as Record<string, string>,
};
