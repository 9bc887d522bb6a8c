/** The platform pages' words (keys start with "platform."). */
export const MESSAGES = {
  sv: {} as Record<string, string>,
  en: {} as Record<string, string>,
};
