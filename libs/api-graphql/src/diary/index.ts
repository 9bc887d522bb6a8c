import { DiaryHookResolver, LetterDiaryResolver } from './diary.resolver';

/** The GraphQL resolvers of diary hooks and their registrations. */
export const DIARY_RESOLVERS = [DiaryHookResolver, LetterDiaryResolver];
