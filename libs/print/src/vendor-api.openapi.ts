/**
 * The OpenAPI 3.1 description of the print-vendor pull API, served at `GET /print/v1/openapi.json`.
 * It describes exactly the shapes of `vendor-api.types.ts`; `vendor-api.openapi.spec.ts` compares the
 * two (paths of the contract comment, every property, required-ness and enum), so a change to one
 * without the other fails the tests.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const ERROR_RESPONSE = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict' } as const;
const errorResponses = (...codes: (keyof typeof ERROR_RESPONSE)[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { $ref: `#/components/responses/${ERROR_RESPONSE[c]}` }]));

const json = (schema: object) => ({ 'application/json': { schema } });
const sha256Hex = { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the bytes, lower-case hex.' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const tenantRef = {
  type: 'object',
  description: 'The municipality the letters come from (for the vendor\'s own records).',
  required: ['id', 'name'],
  properties: { id: { type: 'string' }, name: { type: 'string' } },
} as const;
const checksumHeader = (required: boolean, of: string) => ({
  'X-Checksum-SHA256': {
    required,
    description: `SHA-256 (lower-case hex) of the response body; equal to \`${of}\` of the batch summary. Verify it before acknowledging.`,
    schema: sha256Hex,
  },
});

/** The print-vendor pull API as an OpenAPI 3.1 document (a plain, JSON-serialisable object). */
export const PRINT_VENDOR_OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Dispatch hub print-vendor pull API',
    version: '1.0.0',
    description: [
      'Print and enveloping vendors pull print batches from the dispatch hub: list the batches that are READY,',
      'download each batch\'s PDF and manifest, verify the checksums, acknowledge the batch, then report',
      'PRINTED and POSTED for the batch and RETURNED or FAILED for single letters.',
      '',
      'A vendor sees only its own batches and letters. Every download is verified with SHA-256: the batch summary',
      '(`files.*.sha256`), the `X-Checksum-SHA256` header of the PDF and the manifest\'s `pdfSha256` must agree',
      'with the bytes received, and the PDF\'s page count with the manifest\'s `totals.pages`.',
      '',
      'Errors carry `ApiError` as the body: 400 names what was wrong with the request, 401 means no or a bad',
      'access token, 403 a token without the role `print-vendor` or a batch/letter of another vendor, 404 an',
      'unknown batch, 409 a request the batch\'s state does not allow (e.g. a status for a batch not yet acknowledged).',
    ].join('\n'),
  },
  servers: [
    {
      url: '{hubUrl}',
      description: 'The hub\'s API; paths are relative to it (also the `href` of the batch files).',
      variables: { hubUrl: { default: 'http://127.0.0.1:3000', description: 'Base URL of the hub\'s API (deployment-specific; the default is the local demo).' } },
    },
  ],
  security: [{ vendorClientCredentials: [] }],
  tags: [
    { name: 'batches', description: 'Print batches: listing, downloads, acknowledgement and batch status.' },
    { name: 'letters', description: 'Status of single letters (returned mail, damaged in production).' },
    { name: 'meta', description: 'This document.' },
  ],
  paths: {
    '/print/v1/batches': {
      get: {
        operationId: 'listBatches',
        tags: ['batches'],
        summary: 'List this vendor\'s batches in a status',
        description: 'The batches assigned to the calling vendor with the given status, oldest first. Poll with `status=READY` to find new work; an acknowledged batch is no longer READY.',
        parameters: [
          {
            name: 'status',
            in: 'query',
            required: false,
            description: 'The batch status to list; READY when omitted.',
            schema: { ...ref('PrintBatchStatus'), default: 'READY' },
          },
        ],
        responses: {
          '200': { description: 'The batches, possibly none.', content: json(ref('BatchList')) },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    '/print/v1/batches/{batchId}': {
      parameters: [{ $ref: '#/components/parameters/BatchId' }],
      get: {
        operationId: 'getBatch',
        tags: ['batches'],
        summary: 'One batch',
        responses: {
          '200': { description: 'The batch.', content: json(ref('PrintBatchSummary')) },
          ...errorResponses(401, 403, 404),
        },
      },
    },
    '/print/v1/batches/{batchId}/pdf': {
      parameters: [{ $ref: '#/components/parameters/BatchId' }],
      get: {
        operationId: 'downloadBatchPdf',
        tags: ['batches'],
        summary: 'The batch PDF',
        description: 'Every letter of the batch in manifest order, streamed. Its page count equals the manifest\'s `totals.pages`.',
        responses: {
          '200': {
            description: 'The batch PDF.',
            headers: checksumHeader(true, 'files.pdf.sha256'),
            content: { 'application/pdf': { schema: { type: 'string', contentMediaType: 'application/pdf' } } },
          },
          ...errorResponses(401, 403, 404),
        },
      },
    },
    '/print/v1/batches/{batchId}/manifest.json': {
      parameters: [{ $ref: '#/components/parameters/BatchId' }],
      get: {
        operationId: 'downloadBatchManifestJson',
        tags: ['batches'],
        summary: 'The batch manifest as JSON',
        description: 'One entry per letter in the order of the PDF, streamed. The bytes hash to `files.manifestJson.sha256`.',
        responses: {
          '200': {
            description: 'The manifest.',
            headers: checksumHeader(false, 'files.manifestJson.sha256'),
            content: json(ref('BatchManifest')),
          },
          ...errorResponses(401, 403, 404),
        },
      },
    },
    '/print/v1/batches/{batchId}/manifest.csv': {
      parameters: [{ $ref: '#/components/parameters/BatchId' }],
      get: {
        operationId: 'downloadBatchManifestCsv',
        tags: ['batches'],
        summary: 'The batch manifest as CSV',
        description: 'The manifest\'s letters as CSV (RFC 4180, UTF-8, a header row, one row per letter in the order of the PDF), streamed. The bytes hash to `files.manifestCsv.sha256`.',
        responses: {
          '200': {
            description: 'The manifest as CSV.',
            headers: checksumHeader(false, 'files.manifestCsv.sha256'),
            content: { 'text/csv; charset=utf-8': { schema: { type: 'string', contentMediaType: 'text/csv' } } },
          },
          ...errorResponses(401, 403, 404),
        },
      },
    },
    '/print/v1/batches/{batchId}/acknowledge': {
      parameters: [{ $ref: '#/components/parameters/BatchId' }],
      post: {
        operationId: 'acknowledgeBatch',
        tags: ['batches'],
        summary: 'Acknowledge a batch: the vendor has it and takes responsibility for printing it',
        description: 'Acknowledge only after the downloads were verified. Idempotent: acknowledging again returns the first acknowledgement\'s time. Acknowledge before `acknowledgeBy`, or the batch is flagged to the platform operator.',
        responses: {
          '200': { description: 'The acknowledged batch (status ACKNOWLEDGED or later, `acknowledgedAt` set).', content: json(ref('PrintBatchSummary')) },
          ...errorResponses(401, 403, 404, 409),
        },
      },
    },
    '/print/v1/batches/{batchId}/status': {
      parameters: [{ $ref: '#/components/parameters/BatchId' }],
      post: {
        operationId: 'reportBatchStatus',
        tags: ['batches'],
        summary: 'Report PRINTED, POSTED or FAILED for a whole batch',
        description: 'Applies to every letter of the batch that has not reported that status or a later one; the result has one entry per letter. The batch must be acknowledged first (409 otherwise).',
        requestBody: { required: true, content: json(ref('BatchStatusReport')) },
        responses: {
          '200': { description: 'One result per letter of the batch, in manifest order.', content: json(ref('StatusReportResult')) },
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    '/print/v1/letters/status': {
      post: {
        operationId: 'reportLetterStatus',
        tags: ['letters'],
        summary: 'Report the status of single letters',
        description: 'For RETURNED mail (with the reason, e.g. `ADDRESSEE_UNKNOWN`) and letters that FAILED in production. At most 1,000 reports per call; a report for a letter of another vendor is refused (403).',
        requestBody: { required: true, content: json(ref('LetterStatusReports')) },
        responses: {
          '200': { description: 'One result per report, in order.', content: json(ref('StatusReportResult')) },
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    '/print/v1/openapi.json': {
      get: {
        operationId: 'getOpenApiDocument',
        tags: ['meta'],
        summary: 'This OpenAPI document',
        security: [],
        responses: {
          '200': { description: 'The OpenAPI 3.1 document.', content: json({ type: 'object' }) },
        },
      },
    },
  },
  components: {
    securitySchemes: {
      vendorClientCredentials: {
        type: 'oauth2',
        description: [
          'Send `Authorization: Bearer <access token>` on every call. The access token is a JWT from the identity',
          'provider (Keycloak), obtained with the OAuth 2.0 client credentials grant by the vendor\'s client, which',
          'carries the realm role `print-vendor` and is registered with the hub as a print vendor.',
          'The token URL below is a placeholder: the real one is deployment-specific (the Keycloak realm\'s token',
          'endpoint, `…/realms/<realm>/protocol/openid-connect/token`); the platform operator gives it with the',
          'client credentials.',
        ].join(' '),
        flows: {
          clientCredentials: {
            tokenUrl: 'https://keycloak.example.invalid/realms/dispatch-hub/protocol/openid-connect/token',
            scopes: {},
          },
        },
      },
    },
    parameters: {
      BatchId: { name: 'batchId', in: 'path', required: true, description: 'The batch id (from the batch list).', schema: { type: 'string' } },
    },
    responses: {
      BadRequest: { description: 'The request is malformed; the message names what was wrong.', content: json(ref('ApiError')) },
      Unauthorized: { description: 'No access token, or an invalid or expired one.', content: json(ref('ApiError')) },
      Forbidden: { description: 'The token lacks the role `print-vendor`, or the batch or letter belongs to another vendor.', content: json(ref('ApiError')) },
      NotFound: { description: 'No such batch (or letter).', content: json(ref('ApiError')) },
      Conflict: { description: 'The batch\'s or letter\'s state does not allow this, e.g. a status reported for a batch not yet acknowledged.', content: json(ref('ApiError')) },
    },
    schemas: {
      PrintBatchStatus: {
        type: 'string',
        enum: ['ASSEMBLING', 'READY', 'ACKNOWLEDGED', 'PRINTED', 'POSTED', 'FAILED'],
        description: 'ASSEMBLING: being built (not yet downloadable); READY: waiting for the vendor; ACKNOWLEDGED: the vendor has it; PRINTED, POSTED: reported by the vendor; FAILED: the batch failed.',
      },
      PrintLetterStatus: {
        type: 'string',
        enum: ['PRINTED', 'POSTED', 'RETURNED', 'FAILED'],
        description: 'The status of a single letter as the vendor reports it.',
      },
      PostageClass: {
        type: 'string',
        enum: ['FIRST_CLASS', 'ECONOMY'],
        description: 'FIRST_CLASS: priority mail; ECONOMY: economy mail (slower, cheaper).',
      },
      ApiError: {
        type: 'object',
        description: 'The body of every error response.',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string', description: 'A stable, machine-readable error code.' },
              message: { type: 'string', description: 'What was wrong and how to fix it, in English.' },
              details: { description: 'More about the error (e.g. the invalid fields); any JSON value.' },
            },
          },
        },
      },
      BatchFileRef: {
        type: 'object',
        description: 'A downloadable file of a batch.',
        required: ['href', 'contentType', 'bytes', 'sha256'],
        properties: {
          href: { type: 'string', description: 'Path of the download, relative to the API\'s base URL, e.g. `/print/v1/batches/{batchId}/pdf`.' },
          contentType: { type: 'string', description: 'The media type of the download.' },
          bytes: { type: 'integer', minimum: 0, description: 'Size of the download in bytes.' },
          sha256: { ...sha256Hex, description: 'SHA-256 (lower-case hex) of the download.' },
        },
      },
      PrintBatchSummary: {
        type: 'object',
        description: 'A print batch: letters of one municipality and one postage class, in one PDF.',
        required: ['id', 'tenant', 'postageClass', 'status', 'letters', 'pages', 'sheets', 'createdAt', 'files'],
        properties: {
          id: { type: 'string' },
          tenant: tenantRef,
          postageClass: ref('PostageClass'),
          status: ref('PrintBatchStatus'),
          letters: { type: 'integer', minimum: 0, description: 'Number of letters (envelopes).' },
          pages: { type: 'integer', minimum: 0, description: 'Number of PDF pages.' },
          sheets: { type: 'integer', minimum: 0, description: 'Number of sheets of paper (duplex letters use both sides).' },
          createdAt: dateTime,
          readyAt: { ...dateTime, description: 'When the batch became READY.' },
          acknowledgedAt: { ...dateTime, description: 'When the vendor first acknowledged the batch.' },
          acknowledgeBy: { ...dateTime, description: 'Acknowledge before this time, or the batch is flagged to the platform operator.' },
          files: {
            type: 'object',
            required: ['pdf', 'manifestJson', 'manifestCsv'],
            properties: { pdf: ref('BatchFileRef'), manifestJson: ref('BatchFileRef'), manifestCsv: ref('BatchFileRef') },
          },
        },
      },
      BatchList: {
        type: 'object',
        required: ['batches'],
        properties: { batches: { type: 'array', items: ref('PrintBatchSummary') } },
      },
      BatchManifest: {
        type: 'object',
        description: 'The JSON manifest: the batch, then one entry per letter in the order of the PDF.',
        required: ['batchId', 'tenant', 'vendorId', 'postageClass', 'createdAt', 'letters', 'totals', 'pdfSha256'],
        properties: {
          batchId: { type: 'string' },
          tenant: tenantRef,
          vendorId: { type: 'string', description: 'The vendor the batch is for.' },
          postageClass: ref('PostageClass'),
          createdAt: dateTime,
          letters: { type: 'array', items: ref('BatchManifestLetter') },
          totals: {
            type: 'object',
            required: ['letters', 'pages', 'sheets'],
            properties: { letters: { type: 'integer', minimum: 0 }, pages: { type: 'integer', minimum: 0 }, sheets: { type: 'integer', minimum: 0 } },
          },
          pdfSha256: { ...sha256Hex, description: 'SHA-256 (lower-case hex) of the batch PDF this manifest describes.' },
        },
      },
      BatchManifestLetter: {
        type: 'object',
        description: 'One letter (one envelope) of the batch. Page and sheet numbers count from 1 within the batch PDF.',
        required: ['letterId', 'sequence', 'firstPage', 'lastPage', 'firstSheet', 'lastSheet', 'pages', 'sheets', 'duplex', 'colour', 'postageClass', 'addressLines', 'returnAddress'],
        properties: {
          letterId: { type: 'string', description: 'The letter id, which is the print job id; used in letter status reports.' },
          sequence: { type: 'integer', minimum: 1, description: 'Position of the letter in the batch.' },
          firstPage: { type: 'integer', minimum: 1 },
          lastPage: { type: 'integer', minimum: 1 },
          firstSheet: { type: 'integer', minimum: 1 },
          lastSheet: { type: 'integer', minimum: 1 },
          pages: { type: 'integer', minimum: 1 },
          sheets: { type: 'integer', minimum: 1 },
          duplex: { type: 'boolean', description: 'Print on both sides of the sheet.' },
          colour: { type: 'boolean', description: 'Print in colour.' },
          postageClass: ref('PostageClass'),
          addressLines: { type: 'array', items: { type: 'string' }, description: 'The recipient\'s address as printed in the window; the first line is the name.' },
          returnAddress: { type: 'array', items: { type: 'string' }, description: 'Where undeliverable mail goes.' },
        },
      },
      BatchStatusReport: {
        type: 'object',
        required: ['status'],
        properties: {
          status: { type: 'string', enum: ['PRINTED', 'POSTED', 'FAILED'] },
          reason: { type: 'string', description: 'Required for FAILED.' },
          occurredAt: { ...dateTime, description: 'When it happened; default: when the hub received the report.' },
        },
      },
      LetterStatusReport: {
        type: 'object',
        required: ['letterId', 'status'],
        properties: {
          letterId: { type: 'string' },
          status: ref('PrintLetterStatus'),
          reason: { type: 'string', description: 'Required for RETURNED and FAILED, e.g. `ADDRESSEE_UNKNOWN`, `MOVED`, `DAMAGED`.' },
          occurredAt: { ...dateTime, description: 'When it happened; default: when the hub received the report.' },
        },
      },
      LetterStatusReports: {
        type: 'object',
        required: ['reports'],
        properties: { reports: { type: 'array', maxItems: 1000, items: ref('LetterStatusReport') } },
      },
      StatusReportResult: {
        type: 'object',
        required: ['results'],
        properties: {
          results: {
            type: 'array',
            description: 'One result per report (per letter for a batch report), in order.',
            items: {
              type: 'object',
              required: ['letterId', 'accepted'],
              properties: {
                letterId: { type: 'string' },
                accepted: { type: 'boolean' },
                duplicate: { type: 'boolean', description: 'The report changed nothing (already reported).' },
                error: { type: 'string', description: 'Why the report was not accepted.' },
              },
            },
          },
        },
      },
    },
  },
} as const;
