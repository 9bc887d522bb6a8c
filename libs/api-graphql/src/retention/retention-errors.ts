import { RetentionError, RetentionValidationError } from '@hub/retention';
import { ApiError, ApiErrorCode } from '../errors/api-error-code';

/** Runs `fn`, turning retention's domain errors into the API's error codes (field paths kept). */
export async function retentionCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof RetentionValidationError) throw new ApiError(ApiErrorCode.ValidationFailed, e.message, { fields: e.fields });
    if (e instanceof RetentionError) {
      throw new ApiError(e.code === 'NOT_FOUND' ? ApiErrorCode.NotFound : e.code === 'VALIDATION_FAILED' ? ApiErrorCode.ValidationFailed : ApiErrorCode.BadUserInput, e.message);
    }
    throw e;
  }
}

/** The page size a connection asks for: default when left out, PAGE_SIZE_EXCEEDED above the maximum. */
export function pageSize(first: number | null | undefined, max: number, defaultSize = 50): number {
  if (first === null || first === undefined) return Math.min(defaultSize, max);
  if (first < 1) throw new ApiError(ApiErrorCode.BadUserInput, `first must be at least 1 (it was ${first}).`);
  if (first > max) throw new ApiError(ApiErrorCode.PageSizeExceeded, `first may be at most ${max} (it was ${first}); follow pageInfo.endCursor with after for more.`);
  return first;
}
