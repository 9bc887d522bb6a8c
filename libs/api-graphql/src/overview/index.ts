import type { Type } from '@nestjs/common';
import { LetterFilesController } from './letter-files.controller';
import { LetterConsoleResolver, OverviewResolver } from './overview.resolver';

/** The console's overview and letter views: counts by channel and state, a letter's rendition, resending. */
export const OVERVIEW_RESOLVERS: Type<unknown>[] = [OverviewResolver, LetterConsoleResolver];

/** REST controllers the console needs besides GraphQL (e.g. a letter's PDF), under /console/v1. */
export const CONSOLE_CONTROLLERS: Type<unknown>[] = [LetterFilesController];
