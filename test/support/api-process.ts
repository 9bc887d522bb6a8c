/** The compiled API (`dist/apps/api/src/main.js`) as a real process. */
import { join } from 'node:path';
import { ROOT } from './hub-database';
import { ManagedChild, spawnUntilReady } from './processes';

export const API_MAIN = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');

export interface ApiProcess {
  child: ManagedChild;
  /** http://127.0.0.1:<port>/graphql */
  graphqlUrl: string;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
}

/**
 * Starts the API with `env` (see `hubEnv`; add OIDC_ISSUER and OIDC_AUDIENCE; API_PORT defaults to 0,
 * a free port) and resolves once it prints `API READY <url>`.
 */
export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const child = await spawnUntilReady({
    what: 'api',
    args: [API_MAIN],
    env: { PATH: process.env.PATH ?? '', API_HOST: '127.0.0.1', API_PORT: '0', ...env },
    ready: /API READY (http:\/\/\S+\/graphql)/,
    timeoutMs: 60_000,
  });
  const graphqlUrl = child.match[1];
  return { child, graphqlUrl, baseUrl: graphqlUrl.replace(/\/graphql$/, '') };
}
