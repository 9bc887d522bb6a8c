/** The letters pages' words (keys start with "letters."). */
export const MESSAGES = {
  sv: {} as Record<string, string>,
  en: {} as Record<string, string>,
};
