/**
 * The print-vendor pull API's wire types (REST under `/print/v1`, JSON). The API (apps/api) serves
 * them and the print-vendor simulator (apps/simulators) speaks them; the OpenAPI document
 * (`GET /print/v1/openapi.json`) describes the same shapes.
 *
 * Authentication: `Authorization: Bearer <access token>` from the identity provider, client
 * credentials grant, role `print-vendor`. The vendor is the token's client (`azp`/`client_id`),
 * registered with the hub as a print vendor; a vendor sees only its own batches.
 *
 * Endpoints:
 * - `GET  /print/v1/batches?status=READY`            → `BatchList` (status optional; READY by default)
 * - `GET  /print/v1/batches/{batchId}`               → `PrintBatchSummary`
 * - `GET  /print/v1/batches/{batchId}/pdf`           → the batch PDF (application/pdf, streamed;
 *                                                      header `X-Checksum-SHA256: <hex>`)
 * - `GET  /print/v1/batches/{batchId}/manifest.json` → `BatchManifest` (streamed)
 * - `GET  /print/v1/batches/{batchId}/manifest.csv`  → the manifest as CSV (RFC 4180, UTF-8, streamed)
 * - `POST /print/v1/batches/{batchId}/acknowledge`   → `PrintBatchSummary` (idempotent: acknowledging
 *                                                      again returns the first acknowledgement's time)
 * - `POST /print/v1/batches/{batchId}/status`        body `BatchStatusReport` → `StatusReportResult`
 *                                                      (applies to every letter of the batch that has not
 *                                                      reported that status or a later one)
 * - `POST /print/v1/letters/status`                  body `LetterStatusReports` → `StatusReportResult`
 * - `GET  /print/v1/openapi.json`                    → the OpenAPI 3.1 document (no authentication)
 *
 * Errors: HTTP 400 (the body names what was wrong), 401 (no or bad token), 403 (not a print vendor,
 * or not this vendor's batch/letter), 404, 409 (e.g. status reported for a batch not yet
 * acknowledged), each with `ApiError` as the body.
 */

export type PrintBatchStatus = 'ASSEMBLING' | 'READY' | 'ACKNOWLEDGED' | 'PRINTED' | 'POSTED' | 'FAILED';
export type PrintLetterStatus = 'PRINTED' | 'POSTED' | 'RETURNED' | 'FAILED';

export interface ApiError {
  error: { code: string; message: string; details?: unknown };
}

export interface BatchFileRef {
  /** Path of the download, relative to the API's base URL, e.g. `/print/v1/batches/…/pdf`. */
  href: string;
  contentType: string;
  bytes: number;
  sha256: string;
}

export interface PrintBatchSummary {
  id: string;
  /** The municipality the letters come from (name, for the vendor's own records). */
  tenant: { id: string; name: string };
  postageClass: 'FIRST_CLASS' | 'ECONOMY';
  status: PrintBatchStatus;
  letters: number;
  pages: number;
  sheets: number;
  createdAt: string;
  readyAt?: string;
  acknowledgedAt?: string;
  /** Acknowledge before this time, or the batch is flagged to the platform operator. */
  acknowledgeBy?: string;
  files: { pdf: BatchFileRef; manifestJson: BatchFileRef; manifestCsv: BatchFileRef };
}

export interface BatchList {
  batches: PrintBatchSummary[];
}

/** The JSON manifest: the batch, then one entry per letter in the order of the PDF. */
export interface BatchManifest {
  batchId: string;
  tenant: { id: string; name: string };
  vendorId: string;
  postageClass: 'FIRST_CLASS' | 'ECONOMY';
  createdAt: string;
  letters: {
    /** The letter id, which is the print job id. */
    letterId: string;
    sequence: number;
    firstPage: number;
    lastPage: number;
    firstSheet: number;
    lastSheet: number;
    pages: number;
    sheets: number;
    duplex: boolean;
    colour: boolean;
    postageClass: 'FIRST_CLASS' | 'ECONOMY';
    addressLines: string[];
    returnAddress: string[];
  }[];
  totals: { letters: number; pages: number; sheets: number };
  /** SHA-256 (hex) of the batch PDF this manifest describes. */
  pdfSha256: string;
}

export interface BatchStatusReport {
  status: 'PRINTED' | 'POSTED' | 'FAILED';
  /** Required for FAILED. */
  reason?: string;
  /** When it happened (ISO 8601); default: when the hub received the report. */
  occurredAt?: string;
}

export interface LetterStatusReport {
  letterId: string;
  status: PrintLetterStatus;
  /** Required for RETURNED and FAILED, e.g. `ADDRESSEE_UNKNOWN`, `MOVED`, `DAMAGED`. */
  reason?: string;
  occurredAt?: string;
}

export interface LetterStatusReports {
  /** At most 1,000 per call. */
  reports: LetterStatusReport[];
}

export interface StatusReportResult {
  /** One result per report (per letter for a batch report), in order. */
  results: { letterId: string; accepted: boolean; /** the report changed nothing (already reported) */ duplicate?: boolean; error?: string }[];
}
