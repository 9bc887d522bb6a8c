import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, JWTPayload, jwtVerify, JWTVerifyGetKey, ProtectedHeaderParameters } from 'jose';
import { AuthenticationError } from './auth.errors';
import { Principal, principalFromClaims } from './principal';

/** How the API checks access tokens. Usually Keycloak: one realm, so one issuer. */
export interface AuthSettings {
  /** Exactly the `iss` of the tokens, e.g. `https://login.example.se/realms/dispatch-hub`. */
  issuer: string;
  /** The API's audience, e.g. `dispatch-hub-api`; tokens must name it in `aud`. */
  audience: string;
  /** Default: `jwks_uri` from `<issuer>/.well-known/openid-configuration`. */
  jwksUri?: string;
  /** Accepted JWS algorithms; asymmetric only. Default `['RS256', 'PS256', 'ES256']`. */
  algorithms?: string[];
  /** Claim (or dotted path) naming the tenant. Default `organization` (Keycloak Organizations). */
  tenantClaim?: string;
  /**
   * Dotted path to the roles array. Default: the union of `realm_access.roles`,
   * `resource_access[audience].roles` and `roles`.
   */
  rolesClaim?: string;
  /** Claim (or dotted path) naming the sending unit. Default `sending_unit`. */
  sendingUnitClaim?: string;
  /** Allowed clock skew for `exp`/`nbf`, in seconds. Default 0. */
  clockToleranceSeconds?: number;
}

/** AuthSettings with every default filled in. */
export type ResolvedAuthSettings = Required<Omit<AuthSettings, 'jwksUri' | 'rolesClaim'>> & Pick<AuthSettings, 'jwksUri' | 'rolesClaim'>;

/** The algorithms accepted unless configured otherwise. */
export const DEFAULT_ALGORITHMS: readonly string[] = ['RS256', 'PS256', 'ES256'];

const ASYMMETRIC_ALGORITHMS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);
const MAX_TOKEN_LENGTH = 16 * 1024;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const FETCH_TIMEOUT_MS = 5_000;

/** Fills in the defaults and refuses settings that cannot work, with a message naming the setting. */
export function resolveAuthSettings(settings: AuthSettings): ResolvedAuthSettings {
  const problems: string[] = [];
  if (!URL.canParse(settings.issuer)) problems.push(`issuer must be an absolute URL (got ${JSON.stringify(settings.issuer)})`);
  if (!settings.audience) problems.push('audience must be set (e.g. "dispatch-hub-api")');
  if (settings.jwksUri !== undefined && !URL.canParse(settings.jwksUri)) problems.push('jwksUri must be an absolute URL');
  const algorithms = settings.algorithms ?? [...DEFAULT_ALGORITHMS];
  if (algorithms.length === 0) problems.push('algorithms must name at least one algorithm');
  // A shared-secret (HS*) or "none" algorithm next to a public JWKS invites algorithm-confusion attacks.
  const refused = algorithms.filter((a) => !ASYMMETRIC_ALGORITHMS.has(a));
  if (refused.length) problems.push(`algorithms must be asymmetric (RS*, PS*, ES*, EdDSA); refused: ${refused.join(', ')}`);
  const tolerance = settings.clockToleranceSeconds ?? 0;
  if (!(Number.isFinite(tolerance) && tolerance >= 0 && tolerance <= 300)) problems.push('clockToleranceSeconds must be between 0 and 300');
  if (problems.length) throw new Error(`Invalid auth settings: ${problems.join('; ')}`);
  return {
    issuer: settings.issuer,
    audience: settings.audience,
    ...(settings.jwksUri ? { jwksUri: settings.jwksUri } : {}),
    algorithms,
    tenantClaim: settings.tenantClaim ?? 'organization',
    ...(settings.rolesClaim ? { rolesClaim: settings.rolesClaim } : {}),
    sendingUnitClaim: settings.sendingUnitClaim ?? 'sending_unit',
    clockToleranceSeconds: tolerance,
  };
}

/**
 * The access token in an `Authorization` header value. Throws `AuthenticationError` with reason
 * `missing-token` when there is none and `malformed` when the header is not `Bearer <token>`.
 */
export function tokenFromAuthorizationHeader(header: string | string[] | undefined): string {
  if (Array.isArray(header)) {
    throw new AuthenticationError('malformed', 'Send exactly one Authorization header: "Authorization: Bearer <access token>".');
  }
  if (!header?.trim()) {
    throw new AuthenticationError('missing-token', 'No access token: send "Authorization: Bearer <access token>" with a token from the identity provider.');
  }
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!match) {
    const scheme = /^([A-Za-z][A-Za-z0-9-]{0,20})(\s|$)/.exec(header)?.[1];
    throw new AuthenticationError(
      'malformed',
      `The Authorization header must be "Bearer <access token>"${scheme && scheme.toLowerCase() !== 'bearer' ? ` (got the ${scheme} scheme)` : ''}.`,
    );
  }
  return match[1];
}

/**
 * Verifies OIDC access tokens (JWTs) against the issuer's published keys, and turns them into a
 * {@link Principal}. Keys are fetched once and cached; an unknown key id triggers at most one
 * refetch per 30 s. Every failure is an {@link AuthenticationError} with a reason.
 */
export class TokenVerifier {
  readonly settings: ResolvedAuthSettings;
  private jwks?: Promise<JWTVerifyGetKey>;

  constructor(settings: AuthSettings) {
    this.settings = resolveAuthSettings(settings);
  }

  /** Verifies a compact JWT (with or without a leading `Bearer `) and returns who it stands for. */
  async verify(bearer: string | undefined): Promise<Principal> {
    const token = bearer?.trim().replace(/^Bearer(?:[ \t]+|$)/i, '');
    if (!token) {
      throw new AuthenticationError('missing-token', 'No access token: send "Authorization: Bearer <access token>" with a token from the identity provider.');
    }
    const header = this.checkShape(token);
    this.checkIssuer(token);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.getKey, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: this.settings.algorithms,
        clockTolerance: this.settings.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      throw this.translate(err, header);
    }
    return principalFromClaims(payload, this.settings);
  }

  private checkShape(token: string): ProtectedHeaderParameters {
    if (token.length > MAX_TOKEN_LENGTH) {
      throw new AuthenticationError('malformed', `The access token is longer than ${MAX_TOKEN_LENGTH} characters; send the token itself, not a document.`);
    }
    if (token.split('.').length === 5) {
      throw new AuthenticationError('malformed', 'Encrypted (JWE) access tokens are not accepted; configure the identity provider to issue signed JWTs.');
    }
    if (!COMPACT_JWS.test(token)) {
      throw new AuthenticationError('malformed', 'The access token is not a JWT (three base64url parts separated by dots); send the access_token the identity provider returned.');
    }
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch (cause) {
      throw new AuthenticationError('malformed', 'The access token header cannot be decoded; send the access_token the identity provider returned, unchanged.', { cause });
    }
    if (typeof header.alg !== 'string' || !this.settings.algorithms.includes(header.alg)) {
      throw new AuthenticationError(
        'algorithm',
        `The access token is signed with ${typeof header.alg === 'string' ? `"${header.alg.slice(0, 20)}"` : 'no algorithm'}; ` +
          `this API accepts ${this.settings.algorithms.join(', ')} only. Use a token issued by ${this.settings.issuer}.`,
      );
    }
    return header;
  }

  // Checked before any key is fetched: a token from another issuer can never verify here, and saying
  // so is more useful to the caller than "bad signature".
  private checkIssuer(token: string): void {
    let claims: JWTPayload;
    try {
      claims = decodeJwt(token);
    } catch (cause) {
      throw new AuthenticationError('malformed', 'The access token payload is not a JSON claims set; send the access_token the identity provider returned, unchanged.', { cause });
    }
    if (claims.iss !== this.settings.issuer) {
      const got = typeof claims.iss === 'string' ? `was issued by ${JSON.stringify(claims.iss.slice(0, 200))}` : 'names no issuer (iss)';
      throw new AuthenticationError('wrong-issuer', `The access token ${got}; this API accepts tokens from ${this.settings.issuer} only. Get the token there.`);
    }
  }

  private readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const jwks = await this.remoteJwks();
    try {
      return await jwks(header, token);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw err;
      throw jwksUnavailable(this.settings.issuer, err);
    }
  };

  private remoteJwks(): Promise<JWTVerifyGetKey> {
    if (!this.jwks) {
      const pending = this.jwksUri().then((uri) =>
        createRemoteJWKSet(new URL(uri), { timeoutDuration: FETCH_TIMEOUT_MS, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 }),
      );
      this.jwks = pending;
      // A failed discovery is retried on the next request rather than remembered for ever.
      pending.catch(() => {
        if (this.jwks === pending) this.jwks = undefined;
      });
    }
    return this.jwks;
  }

  private async jwksUri(): Promise<string> {
    if (this.settings.jwksUri) return this.settings.jwksUri;
    const url = `${this.settings.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let metadata: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error', headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
      metadata = (await response.json()) as typeof metadata;
    } catch (err) {
      throw jwksUnavailable(this.settings.issuer, err);
    }
    // OIDC Discovery 1.0 §4.3: the document must be for exactly this issuer.
    if (metadata.issuer !== this.settings.issuer || typeof metadata.jwks_uri !== 'string' || !URL.canParse(metadata.jwks_uri)) {
      throw jwksUnavailable(
        this.settings.issuer,
        new Error(`${url} is not a discovery document for ${this.settings.issuer} with a jwks_uri (issuer there: ${String(metadata.issuer)})`),
      );
    }
    return metadata.jwks_uri;
  }

  private translate(err: unknown, header: ProtectedHeaderParameters): unknown {
    if (err instanceof AuthenticationError) return err;
    const e = err as { code?: unknown; claim?: unknown; reason?: unknown; payload?: JWTPayload };
    const issuer = this.settings.issuer;
    switch (e.code) {
      case 'ERR_JWT_EXPIRED':
        return new AuthenticationError('expired', `The access token expired${typeof e.payload?.exp === 'number' ? ` at ${new Date(e.payload.exp * 1000).toISOString()}` : ''}; get a new one from ${issuer}.`, { cause: err });
      case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
        return this.translateClaimFailure(String(e.claim), String(e.reason), e.payload, err);
      case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
        return new AuthenticationError('bad-signature', `The access token's signature does not verify with ${issuer}'s keys; it was altered or not issued there. Get a new token.`, { cause: err });
      case 'ERR_JWKS_NO_MATCHING_KEY':
        return new AuthenticationError(
          'bad-signature',
          `The access token is signed with a key ${typeof header.kid === 'string' ? `(kid ${JSON.stringify(header.kid.slice(0, 100))}) ` : ''}that ${issuer} does not publish (rotated out, or not issued there). Get a new token.`,
          { cause: err },
        );
      case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
        return new AuthenticationError('bad-signature', `The access token names no key id (kid) and ${issuer} publishes several keys for ${String(header.alg)}; use a token with a kid.`, { cause: err });
      case 'ERR_JOSE_ALG_NOT_ALLOWED':
      case 'ERR_JOSE_NOT_SUPPORTED':
        return new AuthenticationError('algorithm', `The access token's algorithm or key type is not accepted; this API accepts ${this.settings.algorithms.join(', ')}.`, { cause: err });
      case 'ERR_JWS_INVALID':
      case 'ERR_JWT_INVALID':
        return new AuthenticationError('malformed', 'The access token is not a valid signed JWT; send the access_token the identity provider returned, unchanged.', { cause: err });
      default:
        // Not a token problem: a bug or an outage; let it surface as a server error.
        return err;
    }
  }

  private translateClaimFailure(claim: string, reason: string, payload: JWTPayload | undefined, cause: unknown): AuthenticationError {
    const { audience, issuer } = this.settings;
    if (claim === 'aud') {
      const aud = payload?.aud;
      const got = aud === undefined ? 'names no audience (aud)' : `is for ${JSON.stringify(Array.isArray(aud) ? aud.slice(0, 10) : aud).slice(0, 300)}`;
      return new AuthenticationError(
        'wrong-audience',
        `The access token ${got}, not for this API (${audience}). Request a token for audience ${audience} ` +
          '(in Keycloak, the client needs an audience mapper for it).',
        { cause },
      );
    }
    if (claim === 'iss') {
      return new AuthenticationError('wrong-issuer', `The access token was not issued by ${issuer}; this API accepts tokens from there only.`, { cause });
    }
    if (claim === 'nbf') {
      return new AuthenticationError('expired', 'The access token is not valid yet (nbf is in the future); check the clocks of the caller and the identity provider.', { cause });
    }
    if (reason === 'missing') {
      return new AuthenticationError('malformed', `The access token has no "${claim}" claim; this API needs it. Use an access token from ${issuer}, not an ID token.`, { cause });
    }
    return new AuthenticationError('malformed', `The access token's "${claim}" claim is invalid (${reason}); use an access token from ${issuer}.`, { cause });
  }
}

function jwksUnavailable(issuer: string, cause: unknown): AuthenticationError {
  return new AuthenticationError('jwks-unavailable', `The API could not fetch the signing keys of ${issuer} to check the access token; retry later.`, { cause });
}
