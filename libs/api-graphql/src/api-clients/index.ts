import type { Type } from '@nestjs/common';
import { ApiClientResolver } from './api-client.resolver';

/** API clients of a municipality (case systems): register at the identity provider, rotate, revoke. */
export const API_CLIENT_RESOLVERS: Type<unknown>[] = [ApiClientResolver];
