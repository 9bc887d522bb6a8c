/** Why a batch could not be assembled (machine-readable; the message says what to fix). */
export type BatchAssemblyErrorCode =
  | 'INVALID_BATCH_ID'
  | 'EMPTY_BATCH'
  | 'DUPLICATE_LETTER'
  | 'POSTAGE_CLASS_MISMATCH'
  | 'INVALID_ENTRY'
  | 'PAGE_COUNT_MISMATCH'
  | 'SHEET_COUNT_MISMATCH'
  | 'UNREADABLE_PDF'
  | 'ENCRYPTED_PDF'
  | 'TOO_MANY_ADDRESS_LINES';

/**
 * A batch could not be assembled. No file is left under a final name when this is thrown; `letterId`
 * names the letter at fault when one is.
 */
export class BatchAssemblyError extends Error {
  constructor(
    readonly code: BatchAssemblyErrorCode,
    message: string,
    readonly letterId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BatchAssemblyError';
  }
}
