import type { Type } from '@nestjs/common';
import { SendResolver } from './send.resolver';

/** Sending by hand: which channel the hub would choose for a letter, before it is sent. */
export const SEND_RESOLVERS: Type<unknown>[] = [SendResolver];
