import type { HubConfig } from '@hub/config';
import { KeyVault } from '@hub/keys';
import type { ApiGraphqlOptions } from '../api-graphql.options';

/** The config the notification resolvers read: the KeyVault key for webhook secrets, and whether http://localhost webhooks are allowed. */
type NotificationConfig = ApiGraphqlOptions['config'] & Partial<Pick<HubConfig, 'MASTER_KEY'>> & { WEBHOOK_ALLOW_HTTP_LOCALHOST?: boolean };

export interface NotificationApiSettings {
  /** Encrypts webhook secrets; absent when the API runs without MASTER_KEY. */
  vault?: KeyVault;
  allowHttpLocalhost: boolean;
}

/**
 * Reads MASTER_KEY and WEBHOOK_ALLOW_HTTP_LOCALHOST from the API's configuration (default: http to
 * localhost is allowed outside production). The application hands the whole HubConfig to the API;
 * these two keys are not yet in ApiGraphqlOptions' declared Pick, hence the wider type here.
 */
export function notificationApiSettings(options: ApiGraphqlOptions): NotificationApiSettings {
  const config = options.config as NotificationConfig;
  return {
    ...(config.MASTER_KEY ? { vault: new KeyVault(config.MASTER_KEY) } : {}),
    allowHttpLocalhost: config.WEBHOOK_ALLOW_HTTP_LOCALHOST ?? config.NODE_ENV !== 'production',
  };
}
