/**
 * A client of the identity provider's OAuth 2.0 Dynamic Client Registration (RFC 7591) and its
 * management protocol (RFC 7592): how the hub registers a municipality's case system as a
 * confidential client (client credentials), rotates its secret and removes it. Keycloak serves both
 * at `<realm>/clients-registrations/openid-connect`; the local issuer in the simulators too.
 */

/** Where and how to register. */
export interface IdpRegistrationSettings {
  /** The issuer; its discovery document names the registration and token endpoints. */
  issuer: string;
  /** The RFC 7591 endpoint; default: `registration_endpoint` from the issuer's discovery document. */
  registrationUrl?: string;
  /** The initial access token registrations must carry (read when needed, so it can come from a file that appears later). */
  initialAccessToken: () => Promise<string>;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

/** A client as the identity provider answered for it: the secret and the registration access token included. */
export interface RegisteredClient {
  clientId: string;
  clientSecret: string;
  /** RFC 7592: the Bearer token that reads, updates and deletes this registration (the provider may replace it on each use). */
  registrationAccessToken: string;
  registrationClientUri: string;
  /** Everything the provider answered (secrets included: never log or store it as is). */
  metadata: Record<string, unknown>;
}

/**
 * Why a registration call failed. `configuration`: the hub cannot register at all (no endpoint, no
 * initial access token); `refused`: the provider answered with an error (status, RFC 7591 `error`
 * and `error_description`); `unreachable`: no answer, or not one the protocol allows.
 */
export class IdpRegistrationError extends Error {
  constructor(
    readonly kind: 'configuration' | 'refused' | 'unreachable',
    message: string,
    readonly status?: number,
    readonly error?: string,
  ) {
    super(message);
    this.name = 'IdpRegistrationError';
  }
}

/** Fields a client may not send in an RFC 7592 update (the server manages them), and the secret (sending it would ask to keep it). */
const NOT_IN_UPDATE = ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at', 'client_secret'];

interface Discovery {
  registration_endpoint?: string;
  token_endpoint?: string;
}

export class IdpRegistrationClient {
  private discovery?: Promise<Discovery>;
  private readonly timeoutMs: number;

  constructor(private readonly settings: IdpRegistrationSettings) {
    this.timeoutMs = settings.timeoutMs ?? 10_000;
  }

  /** The token endpoint clients get tokens from (client credentials), from discovery. */
  async tokenEndpoint(): Promise<string | undefined> {
    return (await this.discover()).token_endpoint;
  }

  /** RFC 7591: registers a client with `metadata`; the answer carries its id, secret and registration access token. */
  async register(metadata: Record<string, unknown>): Promise<RegisteredClient> {
    const endpoint = await this.registrationEndpoint();
    const token = await this.settings.initialAccessToken().catch((e: unknown) => {
      throw new IdpRegistrationError('configuration', `no initial access token for the identity provider's client registration: ${(e as Error).message}`);
    });
    if (!token) throw new IdpRegistrationError('configuration', 'no initial access token for the identity provider\'s client registration is configured (IDP_INITIAL_ACCESS_TOKEN or IDP_INITIAL_ACCESS_TOKEN_FILE)');
    const body = await this.call('register the client', endpoint, { method: 'POST', token, json: metadata }, [201, 200]);
    return this.registered(body, endpoint);
  }

  /** RFC 7592 read: the client's current registration (with the registration access token to use next). */
  async read(registrationClientUri: string, registrationAccessToken: string): Promise<RegisteredClient> {
    const endpoint = await this.registrationEndpoint();
    this.checkClientUri(registrationClientUri, endpoint);
    const body = await this.call('read the client registration', registrationClientUri, { method: 'GET', token: registrationAccessToken }, [200]);
    return this.registered(body, endpoint, registrationAccessToken, registrationClientUri);
  }

  /**
   * Replaces the client's secret: reads the registration and sends it back as an RFC 7592 update
   * without the secret; RFC 7592 §2.2 lets the provider issue a new secret on an update, and the old
   * one must then stop working. A provider that keeps the old secret is reported as refusing.
   */
  async rotateSecret(registrationClientUri: string, registrationAccessToken: string): Promise<RegisteredClient> {
    const current = await this.read(registrationClientUri, registrationAccessToken);
    const update = Object.fromEntries(Object.entries(current.metadata).filter(([key]) => !NOT_IN_UPDATE.includes(key)));
    const body = await this.call(
      'update the client registration',
      current.registrationClientUri,
      { method: 'PUT', token: current.registrationAccessToken, json: update },
      [200],
    );
    const updated = this.registered(body, await this.registrationEndpoint(), current.registrationAccessToken, current.registrationClientUri);
    if (updated.clientSecret === current.clientSecret) {
      throw new IdpRegistrationError(
        'refused',
        'the identity provider kept the client secret on the RFC 7592 update, so it cannot be rotated this way; regenerate it at the identity provider (Keycloak: Clients → the client → Credentials → Regenerate)',
      );
    }
    return updated;
  }

  /** RFC 7592 delete: the client can get no more tokens. `gone` when the provider no longer knows it. */
  async delete(registrationClientUri: string, registrationAccessToken: string): Promise<'deleted' | 'gone'> {
    this.checkClientUri(registrationClientUri, await this.registrationEndpoint());
    const res = await this.send('delete the client registration', registrationClientUri, { method: 'DELETE', token: registrationAccessToken });
    if (res.status === 204 || res.status === 200) return 'deleted';
    if (res.status === 404) return 'gone';
    throw await this.refusal('delete the client registration', res);
  }

  private async registrationEndpoint(): Promise<string> {
    if (this.settings.registrationUrl) return this.settings.registrationUrl;
    const endpoint = (await this.discover()).registration_endpoint;
    if (!endpoint) {
      throw new IdpRegistrationError(
        'configuration',
        `the identity provider ${this.settings.issuer} advertises no registration_endpoint (dynamic client registration); set IDP_REGISTRATION_URL (Keycloak: <realm URL>/clients-registrations/openid-connect)`,
      );
    }
    return endpoint;
  }

  private discover(): Promise<Discovery> {
    this.discovery ??= (async () => {
      const url = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const res = await this.send('read the discovery document', url, { method: 'GET' });
      if (!res.ok) throw new IdpRegistrationError('unreachable', `the identity provider's discovery document ${url} answered HTTP ${res.status}`, res.status);
      return (await res.json().catch(() => {
        throw new IdpRegistrationError('unreachable', `the identity provider's discovery document ${url} is not JSON`);
      })) as Discovery;
    })();
    // A failed discovery is tried again next time.
    this.discovery.catch(() => (this.discovery = undefined));
    return this.discovery;
  }

  /** The registration access token goes only to the provider's own registration endpoint. */
  private checkClientUri(uri: string, endpoint: string): void {
    const u = URL.parse(uri);
    if (!u || u.origin !== new URL(endpoint).origin) {
      throw new IdpRegistrationError('refused', `the registration client URI ${JSON.stringify(uri)} is not at the identity provider's registration endpoint (${new URL(endpoint).origin})`);
    }
  }

  private registered(body: Record<string, unknown>, endpoint: string, previousToken?: string, previousUri?: string): RegisteredClient {
    const clientId = body.client_id;
    const clientSecret = body.client_secret;
    const token = body.registration_access_token ?? previousToken;
    const uri = body.registration_client_uri ?? previousUri;
    const missing = [
      typeof clientId !== 'string' || !clientId ? 'client_id' : '',
      typeof clientSecret !== 'string' || !clientSecret ? 'client_secret' : '',
      typeof token !== 'string' || !token ? 'registration_access_token' : '',
      typeof uri !== 'string' || !uri ? 'registration_client_uri' : '',
    ].filter(Boolean);
    if (missing.length) {
      throw new IdpRegistrationError(
        'unreachable',
        `the identity provider's registration answer lacks ${missing.join(', ')}; it must support RFC 7591 with client secrets and RFC 7592 (registration access tokens)`,
      );
    }
    this.checkClientUri(uri as string, endpoint);
    return { clientId: clientId as string, clientSecret: clientSecret as string, registrationAccessToken: token as string, registrationClientUri: uri as string, metadata: body };
  }

  private async call(what: string, url: string, init: { method: string; token?: string; json?: unknown }, okStatuses: number[]): Promise<Record<string, unknown>> {
    const res = await this.send(what, url, init);
    if (!okStatuses.includes(res.status)) throw await this.refusal(what, res);
    const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (!body || typeof body !== 'object') throw new IdpRegistrationError('unreachable', `the identity provider answered the request to ${what} with HTTP ${res.status} but no JSON object`);
    return body;
  }

  private async send(what: string, url: string, init: { method: string; token?: string; json?: unknown }): Promise<Response> {
    try {
      return await fetch(url, {
        method: init.method,
        headers: {
          accept: 'application/json',
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (e) {
      const reason = (e as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : ((e as { cause?: Error }).cause?.message ?? (e as Error).message);
      throw new IdpRegistrationError('unreachable', `could not ${what} at the identity provider (${new URL(url).origin}): ${reason}`);
    }
  }

  private async refusal(what: string, res: Response): Promise<IdpRegistrationError> {
    const body = (await res.json().catch(() => null)) as { error?: unknown; error_description?: unknown } | null;
    const error = typeof body?.error === 'string' ? body.error : undefined;
    const description = typeof body?.error_description === 'string' ? body.error_description : undefined;
    const detail = [error, description].filter(Boolean).join(': ');
    return new IdpRegistrationError(
      res.status >= 500 ? 'unreachable' : 'refused',
      `the identity provider refused to ${what} (HTTP ${res.status}${detail ? `, ${detail}` : ''})`,
      res.status,
      error,
    );
  }
}
