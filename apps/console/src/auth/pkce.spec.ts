import { createHash } from 'node:crypto';
import { authorizeUrl, codeChallenge, jwtClaims, readCallback, tokenSetFrom } from './pkce';

const pending = { state: 's-1', nonce: 'n-1', verifier: 'v'.repeat(43), returnTo: '/letters' };

describe('PKCE login pieces', () => {
  it('derives the S256 challenge: base64url(SHA-256(verifier)), as Node computes it', async () => {
    const v = 'abc-._~'.repeat(7);
    expect(await codeChallenge(v)).toBe(createHash('sha256').update(v).digest('base64url'));
  });

  it('builds the authorization request with code, PKCE, state and nonce', async () => {
    const url = new URL(await authorizeUrl({ issuer: 'https://idp', authorization_endpoint: 'https://idp/auth', token_endpoint: 'https://idp/token' }, 'console', 'https://hub/callback', 'openid profile', pending, 'sv'));
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'console',
      response_type: 'code',
      redirect_uri: 'https://hub/callback',
      state: 's-1',
      nonce: 'n-1',
      code_challenge_method: 'S256',
      ui_locales: 'sv',
    });
  });

  it('accepts only the answer to the login it started', () => {
    expect(readCallback('?code=c&state=s-1', pending)).toEqual({ ok: true, code: 'c' });
    expect(readCallback('?code=c&state=other', pending)).toEqual({ ok: false, error: 'state-mismatch' });
    expect(readCallback('?code=c&state=s-1', null)).toEqual({ ok: false, error: 'no-pending-login' });
    expect(readCallback('?error=access_denied&error_description=no&state=s-1', pending)).toEqual({ ok: false, error: 'access_denied: no' });
    expect(readCallback('?state=s-1', pending)).toEqual({ ok: false, error: 'no-code' });
  });

  it('reads token claims (UTF-8 names) and expiry', () => {
    const payload = Buffer.from(JSON.stringify({ name: 'Hanna Handläggare' })).toString('base64url');
    expect(jwtClaims(`h.${payload}.s`)).toEqual({ name: 'Hanna Handläggare' });
    expect(jwtClaims('garbage')).toEqual({});
    expect(tokenSetFrom({ access_token: 'a', expires_in: 60, refresh_token: 'r' }, 1000)).toEqual({ accessToken: 'a', refreshToken: 'r', expiresAt: 61_000 });
    expect(() => tokenSetFrom({})).toThrow(/access_token/);
  });
});
