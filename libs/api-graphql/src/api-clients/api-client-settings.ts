import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { IdpRegistrationClient } from '@hub/auth';
import type { HubConfig } from '@hub/config';
import { KeyVault } from '@hub/keys';
import type { ApiGraphqlOptions } from '../api-graphql.options';

/** The settings the API-client resolvers read; the application hands the whole HubConfig to the API. */
type ApiClientConfig = ApiGraphqlOptions['config'] &
  Partial<Pick<HubConfig, 'MASTER_KEY' | 'OIDC_ISSUER' | 'IDP_REGISTRATION_URL' | 'IDP_INITIAL_ACCESS_TOKEN' | 'IDP_INITIAL_ACCESS_TOKEN_FILE'>>;

export interface ApiClientSettings {
  /** Encrypts registration access tokens; absent when the API runs without MASTER_KEY. */
  vault?: KeyVault;
  idp: IdpRegistrationClient;
}

/**
 * The identity provider's registration endpoint (IDP_REGISTRATION_URL, default from OIDC_ISSUER's
 * discovery) and initial access token: IDP_INITIAL_ACCESS_TOKEN, else the file
 * IDP_INITIAL_ACCESS_TOKEN_FILE, read at each registration (the demo's issuer may write it after
 * the API started).
 */
export function apiClientSettings(options: ApiGraphqlOptions): ApiClientSettings {
  const config = options.config as ApiClientConfig;
  const issuer = config.OIDC_ISSUER ?? '';
  const initialAccessToken = async (): Promise<string> => {
    if (config.IDP_INITIAL_ACCESS_TOKEN) return config.IDP_INITIAL_ACCESS_TOKEN;
    if (!config.IDP_INITIAL_ACCESS_TOKEN_FILE) return '';
    const file = resolve(config.IDP_INITIAL_ACCESS_TOKEN_FILE);
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new Error(
        e.code === 'ENOENT'
          ? `IDP_INITIAL_ACCESS_TOKEN is not set and IDP_INITIAL_ACCESS_TOKEN_FILE (${file}) does not exist; set one of them to the identity provider's initial access token`
          : `IDP_INITIAL_ACCESS_TOKEN_FILE (${file}) cannot be read: ${e.message}`,
      );
    });
    return text.trim();
  };
  return {
    ...(config.MASTER_KEY ? { vault: new KeyVault(config.MASTER_KEY) } : {}),
    idp: new IdpRegistrationClient({ issuer, ...(config.IDP_REGISTRATION_URL ? { registrationUrl: config.IDP_REGISTRATION_URL } : {}), initialAccessToken }),
  };
}
