/** The overview pages' words (keys start with "overview."). */
export const MESSAGES = {
  sv: {} as Record<string, string>,
  en: {} as Record<string, string>,
};
