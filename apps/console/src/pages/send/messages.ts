/** The send pages' words (keys start with "send."). */
export const MESSAGES = {
  sv: {} as Record<string, string>,
  en: {} as Record<string, string>,
};
