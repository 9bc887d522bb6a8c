/**
 * OIDC Authorization Code + PKCE (RFC 7636) for a public browser client: the pieces that need no
 * React, so they are unit-tested on their own.
 */

export interface OidcMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

export interface PendingLogin {
  state: string;
  nonce: string;
  verifier: string;
  /** Where to go after the login (path + query of the console). */
  returnTo: string;
}

export interface TokenSet {
  accessToken: string;
  idToken?: string;
  refreshToken?: string;
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number;
}

/** 32 random bytes, base64url (43 characters: within RFC 7636's 43–128 for the verifier). */
export function randomToken(bytes = 32): string {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  return base64Url(b);
}

export function base64Url(bytes: Uint8Array): string {
  let s = '';
  for (const x of bytes) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The S256 code challenge: base64url(SHA-256(verifier)). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export async function authorizeUrl(meta: OidcMetadata, clientId: string, redirectUri: string, scope: string, pending: PendingLogin, uiLocale: string): Promise<string> {
  const url = new URL(meta.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await codeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    ui_locales: uiLocale,
  }).toString();
  return url.href;
}

export type CallbackResult = { ok: true; code: string } | { ok: false; error: string };

/** Reads the issuer's answer on /callback and checks it belongs to the login we started. */
export function readCallback(search: string, pending: PendingLogin | null): CallbackResult {
  const q = new URLSearchParams(search);
  if (!pending) return { ok: false, error: 'no-pending-login' };
  if (q.get('state') !== pending.state) return { ok: false, error: 'state-mismatch' };
  const error = q.get('error');
  if (error) return { ok: false, error: `${error}${q.get('error_description') ? `: ${q.get('error_description')}` : ''}` };
  const code = q.get('code');
  return code ? { ok: true, code } : { ok: false, error: 'no-code' };
}

/** The payload of a JWT, without verifying it (the API verifies; the console only reads names and roles). */
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) return {};
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function tokenSetFrom(json: Record<string, unknown>, now = Date.now()): TokenSet {
  const accessToken = json.access_token;
  if (typeof accessToken !== 'string') throw new Error('the token endpoint returned no access_token');
  const expiresIn = typeof json.expires_in === 'number' ? json.expires_in : 300;
  return {
    accessToken,
    ...(typeof json.id_token === 'string' ? { idToken: json.id_token } : {}),
    ...(typeof json.refresh_token === 'string' ? { refreshToken: json.refresh_token } : {}),
    expiresAt: now + expiresIn * 1000,
  };
}
