import type { HubConfig } from '@hub/config';
import { DEFAULT_DIARY_RETRY_TOTAL_MS, DiaryApiOptions } from '@hub/diary';
import { KeyVault } from '@hub/keys';
import type { ApiGraphqlOptions } from '../api-graphql.options';

/** The settings the diary resolvers read, where the application passes them. */
type DiaryConfig = ApiGraphqlOptions['config'] & Partial<Pick<HubConfig, 'MASTER_KEY'>> & { DIARY_ALLOW_HTTP_LOCALHOST?: boolean; DIARY_RETRY_TOTAL_MS?: number };

/**
 * The diary hooks' API settings: `options.diary` when the application gives it, else read from the
 * configuration it hands over whole (MASTER_KEY for the hook secrets; DIARY_ALLOW_HTTP_LOCALHOST,
 * default: allowed outside production; DIARY_RETRY_TOTAL_MS, default 24 h). Without a master key the
 * diary fields answer with an error rather than store a secret unencrypted.
 */
export function diaryApiSettings(options: ApiGraphqlOptions): Partial<DiaryApiOptions> & Pick<DiaryApiOptions, 'allowHttpLocalhost' | 'retryTotalMs'> {
  const given = (options as ApiGraphqlOptions & { diary?: DiaryApiOptions }).diary;
  if (given) return given;
  const config = options.config as DiaryConfig;
  return {
    ...(config.MASTER_KEY ? { vault: new KeyVault(config.MASTER_KEY) } : {}),
    allowHttpLocalhost: config.DIARY_ALLOW_HTTP_LOCALHOST ?? config.NODE_ENV !== 'production',
    retryTotalMs: config.DIARY_RETRY_TOTAL_MS ?? DEFAULT_DIARY_RETRY_TOTAL_MS,
  };
}
