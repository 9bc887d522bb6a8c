import { IntakeError, IntakeErrorCode } from '@hub/letters';

/**
 * The delivery log's refusals. They extend the letters' {@link IntakeError}, so the GraphQL layer maps
 * them to `extensions.code` in its one place, and the REST controller to an HTTP status.
 */
export class LogAccessDeniedError extends IntakeError {
  constructor(message: string) {
    super(IntakeErrorCode.Forbidden, message);
  }
}

export class LogExportNotFoundError extends IntakeError {
  constructor(readonly exportId: string) {
    super(IntakeErrorCode.NotFound, `No log export ${JSON.stringify(exportId)} exists that you may see; use the id startLogExport returned (exports are visible to whoever started them and to tenant admins).`);
  }
}

/** The export's file is not there (yet, or any more). `httpStatus` is 409 (not ready, failed) or 410 (expired). */
export class LogExportUnavailableError extends IntakeError {
  constructor(
    readonly exportId: string,
    readonly status: string,
    message: string,
    readonly httpStatus: 409 | 410,
  ) {
    super(IntakeErrorCode.BadInput, message);
  }
}

/** A synchronous download that would be larger than allowed: the caller should start an export job. */
export class LogDownloadTooLargeError extends IntakeError {
  constructor(readonly maxRows: number) {
    super(
      IntakeErrorCode.BadInput,
      `The filter matches more than ${maxRows.toLocaleString('en-US')} letters, more than a direct download may hold. ` +
        'Narrow the filter (e.g. a shorter date range), or start an export job (GraphQL startLogExport) and download its file when it is done.',
    );
  }
}
