import type { Principal } from '@hub/auth';
import type { LetterEventView } from '@hub/letters';
import type { Caller } from './caller';

/** The HTTP request as the API sees it: the AuthGuard's principal and what the request log needs. */
export interface ApiRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
  /** Set by the request logger (x-request-id in or a fresh one). */
  requestId?: string;
  /** Set once the caller's tenant is known, for the request log line. */
  tenantId?: string;
}

/** The per-operation GraphQL context. */
export interface GraphqlContext {
  req: ApiRequest;
  caller?: Caller;
  callerPromise?: Promise<Caller>;
  /** Batches the `events` of every letter in one response into one query. */
  eventsLoader?: (letterId: string) => Promise<LetterEventView[]>;
  /** Batches the `print` of every letter in one response into one query. */
  printLoader?: (letterId: string) => Promise<unknown>;
}
