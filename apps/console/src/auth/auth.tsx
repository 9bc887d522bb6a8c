import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { ConsoleConfig } from '../config';
import { authorizeUrl, jwtClaims, OidcMetadata, PendingLogin, randomToken, readCallback, TokenSet, tokenSetFrom } from './pkce';
import { ConsoleUser, userFromClaims } from './user';

const TOKENS_KEY = 'hub.console.tokens';
const PENDING_KEY = 'hub.console.pendingLogin';
export const CALLBACK_PATH = '/callback';

export interface AuthState {
  /** null until a login finished. */
  user: ConsoleUser | null;
  /** A valid access token (refreshed when it is about to expire); throws when the session ended. */
  accessToken(): Promise<string>;
  login(returnTo?: string): Promise<void>;
  logout(): void;
  /** Set when a login came back with an error (shown on the login page). */
  error: string | null;
  /** True while the callback is being exchanged. */
  busy: boolean;
}

const AuthContext = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

/** Thrown by accessToken() when there is no session any more; the app shows the login page. */
export class SessionEndedError extends Error {
  constructor() {
    super('Your session has ended; log in again.');
  }
}

function readJson<T>(key: string): T | null {
  try {
    const raw = sessionStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

/** The code is exchanged once, even when React runs the effect twice (StrictMode in development). */
let callbackHandled = false;
let metadataPromise: Promise<OidcMetadata> | null = null;
function discover(issuer: string): Promise<OidcMetadata> {
  metadataPromise ??= fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`).then(async (r) => {
    if (!r.ok) throw new Error(`the identity provider's discovery document answered HTTP ${r.status}`);
    return (await r.json()) as OidcMetadata;
  });
  return metadataPromise;
}

function redirectUri(): string {
  return `${window.location.origin}${CALLBACK_PATH}`;
}

/** Logs the user in with Authorization Code + PKCE; tokens live in sessionStorage (one tab's session). */
export function AuthProvider({ config, children, onNavigate }: { config: ConsoleConfig; children: ReactNode; onNavigate: (path: string) => void }) {
  const [tokens, setTokens] = useState<TokenSet | null>(() => readJson<TokenSet>(TOKENS_KEY));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(window.location.pathname === CALLBACK_PATH);
  const refreshing = useRef<Promise<TokenSet> | null>(null);
  const tokensRef = useRef(tokens);
  tokensRef.current = tokens;

  const store = useCallback((t: TokenSet | null) => {
    if (t) sessionStorage.setItem(TOKENS_KEY, JSON.stringify(t));
    else sessionStorage.removeItem(TOKENS_KEY);
    tokensRef.current = t;
    setTokens(t);
  }, []);

  // The issuer's redirect back: exchange the code once.
  useEffect(() => {
    if (window.location.pathname !== CALLBACK_PATH || callbackHandled) return;
    callbackHandled = true;
    const pending = readJson<PendingLogin>(PENDING_KEY);
    sessionStorage.removeItem(PENDING_KEY);
    const result = readCallback(window.location.search, pending);
    if (!result.ok) {
      setError(result.error);
      setBusy(false);
      onNavigate('/');
      return;
    }
    (async () => {
      const meta = await discover(config.issuer);
      const res = await fetch(meta.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: result.code, redirect_uri: redirectUri(), client_id: config.clientId, code_verifier: pending!.verifier }),
      });
      const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      if (!res.ok) throw new Error(String(json.error_description ?? json.error ?? `HTTP ${res.status}`));
      const set = tokenSetFrom(json);
      if (set.idToken && jwtClaims(set.idToken).nonce !== pending!.nonce) throw new Error('nonce-mismatch');
      store(set);
      onNavigate(pending!.returnTo || '/');
    })()
      .catch((e: unknown) => {
        setError(e instanceof Error ? e.message : String(e));
        onNavigate('/');
      })
      .finally(() => setBusy(false));
  }, [config, onNavigate, store]);

  const login = useCallback(
    async (returnTo?: string) => {
      const pending: PendingLogin = { state: randomToken(), nonce: randomToken(), verifier: randomToken(48), returnTo: returnTo ?? window.location.pathname + window.location.search };
      sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
      const meta = await discover(config.issuer);
      window.location.assign(await authorizeUrl(meta, config.clientId, redirectUri(), config.scope, pending, document.documentElement.lang || 'sv'));
    },
    [config],
  );

  const logout = useCallback(() => {
    const idToken = tokensRef.current?.idToken;
    store(null);
    discover(config.issuer)
      .then((meta) => {
        if (!meta.end_session_endpoint) return onNavigate('/');
        const url = new URL(meta.end_session_endpoint);
        url.search = new URLSearchParams({ client_id: config.clientId, post_logout_redirect_uri: `${window.location.origin}/`, ...(idToken ? { id_token_hint: idToken } : {}) }).toString();
        window.location.assign(url.href);
      })
      .catch(() => onNavigate('/'));
  }, [config, onNavigate, store]);

  const accessToken = useCallback(async (): Promise<string> => {
    const t = tokensRef.current;
    if (!t) throw new SessionEndedError();
    if (t.expiresAt - Date.now() > 30_000) return t.accessToken;
    if (!t.refreshToken) {
      store(null);
      throw new SessionEndedError();
    }
    refreshing.current ??= (async () => {
      const meta = await discover(config.issuer);
      const res = await fetch(meta.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: t.refreshToken!, client_id: config.clientId }),
      });
      if (!res.ok) throw new SessionEndedError();
      const next = tokenSetFrom((await res.json()) as Record<string, unknown>);
      return { ...next, idToken: next.idToken ?? t.idToken, refreshToken: next.refreshToken ?? t.refreshToken };
    })().finally(() => (refreshing.current = null));
    try {
      const next = await refreshing.current;
      store(next);
      return next.accessToken;
    } catch {
      store(null);
      throw new SessionEndedError();
    }
  }, [config, store]);

  const user = useMemo(() => (tokens ? userFromClaims(jwtClaims(tokens.accessToken), tokens.idToken ? jwtClaims(tokens.idToken) : {}) : null), [tokens]);
  const value = useMemo<AuthState>(() => ({ user, accessToken, login, logout, error, busy }), [user, accessToken, login, logout, error, busy]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
