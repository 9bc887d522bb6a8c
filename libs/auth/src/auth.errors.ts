import { Role } from './roles';

/** Why a request could not be authenticated. */
export type AuthFailureReason =
  | 'missing-token'
  | 'malformed'
  | 'expired'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'bad-signature'
  | 'algorithm'
  | 'jwks-unavailable';

/**
 * The caller is not authenticated. Carries no HTTP type so that each API layer maps it itself
 * (401 with `WWW-Authenticate: Bearer`, GraphQL `extensions.code = UNAUTHENTICATED`). The message
 * says what to fix and never contains the token.
 */
export class AuthenticationError extends Error {
  readonly code = 'UNAUTHENTICATED' as const;

  constructor(
    readonly reason: AuthFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuthenticationError';
  }
}

/** The caller is authenticated but holds none of the roles the operation requires. */
export class ForbiddenError extends Error {
  readonly code = 'FORBIDDEN' as const;

  constructor(
    readonly requiredRoles: readonly Role[],
    readonly heldRoles: readonly Role[],
  ) {
    super(
      `This operation requires one of the roles ${requiredRoles.join(', ')}; ` +
        `the token carries ${heldRoles.length ? heldRoles.join(', ') : 'no hub role'}. ` +
        'Ask the tenant admin to grant the role in the identity provider, then get a new token.',
    );
    this.name = 'ForbiddenError';
  }
}
