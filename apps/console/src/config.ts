/** What the API tells the console at /console/config.json: where to log in. */
export interface ConsoleConfig {
  /** The OIDC issuer (Keycloak realm URL, or the demo's local issuer). */
  issuer: string;
  /** The console's public client id at the issuer (Authorization Code + PKCE, no secret). */
  clientId: string;
  /** Scopes asked for at login. */
  scope: string;
  /** The hub's version, shown in the footer. */
  version: string;
}

export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  const res = await fetch('/console/config.json', { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`/console/config.json answered HTTP ${res.status}`);
  return (await res.json()) as ConsoleConfig;
}
