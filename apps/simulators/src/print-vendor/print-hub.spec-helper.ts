import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { PDFDocument } from 'pdf-lib';
import type {
  ApiError,
  BatchList,
  BatchManifest,
  BatchStatusReport,
  LetterStatusReport,
  LetterStatusReports,
  PrintBatchStatus,
  PrintBatchSummary,
  PrintLetterStatus,
  StatusReportResult,
} from '@hub/print';
import { closeServer, listen, readBody } from '../soap-http';

/**
 * A test double of the hub's print-vendor pull API (`@hub/print` vendor-api.types.ts), faithful to
 * the contract: bearer tokens verified against the issuer's JWKS (issuer, audience, role
 * `print-vendor`, the vendor's client id), READY listing, streamed-like downloads with
 * X-Checksum-SHA256, idempotent acknowledgement, status reports only after acknowledgement, one
 * result per letter with `duplicate`, ApiError bodies. It records every call for the assertions.
 */
export interface HubCall {
  at: number;
  method: string;
  path: string;
  /** The bearer token, when one was sent. */
  token?: string;
  /** Why the token was refused, if it was. */
  authError?: string;
  status: number;
  body?: unknown;
}

export interface TestLetter {
  name: string;
  pages: number;
}

interface HubBatch {
  summary: PrintBatchSummary;
  pdf: Buffer;
  manifestJson: Buffer;
  manifestCsv: Buffer;
  letterStatus: Map<string, PrintLetterStatus[]>;
}

const LETTER_ORDER: Record<PrintLetterStatus, number> = { PRINTED: 1, POSTED: 2, RETURNED: 3, FAILED: 3 };

export class PrintHubDouble {
  readonly calls: HubCall[] = [];
  readonly batches = new Map<string, HubBatch>();
  /** Answer every call with HTTP 500. */
  failAll = false;
  /** Answer status reports (batch and letter) with HTTP 503. */
  failStatusReports = false;
  /** Keep listing acknowledged batches as READY (a lagging replica), to prove the vendor acknowledges once. */
  listAcknowledgedAsReady = false;
  /** Tokens refused with 401 although valid (as after a revocation). */
  readonly revokedTokens = new Set<string>();
  private server?: Server;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  private port = 0;

  constructor(
    private readonly auth: { issuer: string; jwksUri: string; audience: string; vendorClientId: string },
    /** Serve https with this key and certificate (for 127.0.0.1). */
    private readonly tls?: { key: string; cert: string },
  ) {
    this.jwks = createRemoteJWKSet(new URL(auth.jwksUri));
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** Listens on `port` (0: a free one; the same port again after `close()` to simulate a restart). */
  async listen(port = this.port): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.route(req, res).catch((e) => send(res, 500, apiError('INTERNAL', (e as Error).message)));
    };
    this.server = this.tls ? createHttpsServer(this.tls, handler) : createServer(handler);
    this.port = await listen(this.server, port, '127.0.0.1');
    return this.url;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  /** Adds a READY batch of real PDF pages, with its manifests; `tamper` spoils it after the checksums are computed. */
  async addBatch(id: string, letters: TestLetter[], tamper?: (b: HubBatch) => void): Promise<HubBatch> {
    const doc = await PDFDocument.create();
    for (const l of letters) for (let p = 0; p < l.pages; p++) doc.addPage([595.28, 841.89]).drawText(`${l.name} ${p + 1}`, { x: 50, y: 780 });
    // pdf-lib writes object streams by default, like the hub's batch writer may: page objects are compressed.
    const pdf = Buffer.from(await doc.save());
    const tenant = { id: 'tenant-demo', name: 'Demo kommun' };
    let page = 1;
    const manifest: BatchManifest = {
      batchId: id,
      tenant,
      vendorId: this.auth.vendorClientId,
      postageClass: 'FIRST_CLASS',
      createdAt: new Date().toISOString(),
      letters: letters.map((l, i) => {
        const first = page;
        page += l.pages;
        return {
          letterId: `${id}-letter-${i + 1}`,
          sequence: i + 1,
          firstPage: first,
          lastPage: page - 1,
          firstSheet: first,
          lastSheet: page - 1,
          pages: l.pages,
          sheets: l.pages,
          duplex: false,
          colour: false,
          postageClass: 'FIRST_CLASS',
          addressLines: [l.name, 'Storgatan 1', '123 45 Demostad'],
          returnAddress: ['Demo kommun', 'Box 1', '111 11 Demostad'],
        };
      }),
      totals: { letters: letters.length, pages: page - 1, sheets: page - 1 },
      pdfSha256: sha256(pdf),
    };
    const manifestJson = Buffer.from(JSON.stringify(manifest, null, 2));
    const manifestCsv = Buffer.from(
      ['letterId,sequence,firstPage,lastPage,name', ...manifest.letters.map((l) => [l.letterId, l.sequence, l.firstPage, l.lastPage, `"${l.addressLines[0]}"`].join(','))].join('\r\n') + '\r\n',
    );
    const file = (name: string, contentType: string, bytes: Buffer) => ({ href: `/print/v1/batches/${id}/${name}`, contentType, bytes: bytes.length, sha256: sha256(bytes) });
    const batch: HubBatch = {
      summary: {
        id,
        tenant,
        postageClass: 'FIRST_CLASS',
        status: 'READY',
        letters: letters.length,
        pages: page - 1,
        sheets: page - 1,
        createdAt: manifest.createdAt,
        readyAt: manifest.createdAt,
        acknowledgeBy: new Date(Date.now() + 3600_000).toISOString(),
        files: {
          pdf: file('pdf', 'application/pdf', pdf),
          manifestJson: file('manifest.json', 'application/json', manifestJson),
          manifestCsv: file('manifest.csv', 'text/csv; charset=utf-8', manifestCsv),
        },
      },
      pdf,
      manifestJson,
      manifestCsv,
      letterStatus: new Map(manifest.letters.map((l) => [l.letterId, []])),
    };
    tamper?.(batch);
    this.batches.set(id, batch);
    return batch;
  }

  callsTo(method: string, pathPattern: RegExp): HubCall[] {
    return this.calls.filter((c) => c.method === method && pathPattern.test(c.path) && c.status < 400);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hub');
    const method = req.method ?? 'GET';
    const raw = await readBody(req, 1024 * 1024);
    const call: HubCall = { at: Date.now(), method, path: url.pathname + url.search, status: 0 };
    this.calls.push(call);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      send(res, status, body, headers);
    };
    if (this.failAll) return reply(500, apiError('INTERNAL', 'the hub is having a bad day'));

    const authorization = req.headers.authorization ?? '';
    const token = /^Bearer (.+)$/.exec(authorization)?.[1];
    call.token = token;
    if (!token) return reply(401, apiError('UNAUTHENTICATED', 'send Authorization: Bearer <access token>'));
    if (this.revokedTokens.has(token)) {
      call.authError = 'revoked';
      return reply(401, apiError('UNAUTHENTICATED', 'the token was revoked'));
    }
    try {
      const { payload } = await jwtVerify(token, this.jwks, { issuer: this.auth.issuer, audience: this.auth.audience });
      const roles = (payload.realm_access as { roles?: string[] } | undefined)?.roles ?? [];
      if (!roles.includes('print-vendor') || payload.azp !== this.auth.vendorClientId) {
        call.authError = 'not this print vendor';
        return reply(403, apiError('FORBIDDEN', 'the token is not the print vendor\'s'));
      }
    } catch (e) {
      call.authError = (e as Error).message;
      return reply(401, apiError('UNAUTHENTICATED', `bad token: ${(e as Error).message}`));
    }

    let body: unknown;
    if (raw?.length) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return reply(400, apiError('BAD_REQUEST', 'the body is not JSON'));
      }
    }
    call.body = body;
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'print' || parts[1] !== 'v1') return reply(404, apiError('NOT_FOUND', `no ${url.pathname}`));

    if (method === 'GET' && parts.length === 3 && parts[2] === 'batches') {
      const status = (url.searchParams.get('status') ?? 'READY') as PrintBatchStatus;
      if (!['ASSEMBLING', 'READY', 'ACKNOWLEDGED', 'PRINTED', 'POSTED', 'FAILED'].includes(status)) return reply(400, apiError('BAD_REQUEST', `status ${status} is not a batch status`));
      const list: BatchList = {
        batches: [...this.batches.values()]
          .filter((b) => b.summary.status === status || (status === 'READY' && this.listAcknowledgedAsReady && b.summary.status === 'ACKNOWLEDGED'))
          .map((b) => (this.listAcknowledgedAsReady ? { ...b.summary, status } : b.summary)),
      };
      return reply(200, list);
    }
    if (method === 'POST' && parts.length === 4 && parts[2] === 'letters' && parts[3] === 'status') return this.letterStatus(body as LetterStatusReports, reply);
    if (parts[2] !== 'batches' || !parts[3]) return reply(404, apiError('NOT_FOUND', `no ${url.pathname}`));
    const batch = this.batches.get(parts[3]);
    if (!batch) return reply(404, apiError('BATCH_NOT_FOUND', `no batch ${parts[3]}`));
    const file = (bytes: Buffer, contentType: string) => {
      call.status = 200;
      res.writeHead(200, { 'content-type': contentType, 'content-length': bytes.length, 'x-checksum-sha256': sha256(bytes) }).end(bytes);
    };
    switch (`${method} ${parts.slice(4).join('/')}`) {
      case 'GET ':
        return reply(200, batch.summary);
      case 'GET pdf':
        return file(batch.pdf, 'application/pdf');
      case 'GET manifest.json':
        return file(batch.manifestJson, 'application/json');
      case 'GET manifest.csv':
        return file(batch.manifestCsv, 'text/csv; charset=utf-8');
      case 'POST acknowledge':
        if (batch.summary.status === 'READY') {
          batch.summary = { ...batch.summary, status: 'ACKNOWLEDGED', acknowledgedAt: new Date().toISOString() };
        }
        return reply(200, batch.summary);
      case 'POST status':
        return this.batchStatus(batch, body as BatchStatusReport, reply);
    }
    return reply(404, apiError('NOT_FOUND', `no ${method} ${url.pathname}`));
  }

  private batchStatus(batch: HubBatch, report: BatchStatusReport, reply: (s: number, b: unknown) => void): void {
    if (this.failStatusReports) return reply(503, apiError('UNAVAILABLE', 'try again later'));
    if (!report || !['PRINTED', 'POSTED', 'FAILED'].includes(report.status)) return reply(400, apiError('BAD_REQUEST', 'status must be PRINTED, POSTED or FAILED'));
    if (report.status === 'FAILED' && !report.reason) return reply(400, apiError('BAD_REQUEST', 'reason is required for FAILED'));
    if (batch.summary.status === 'READY' || batch.summary.status === 'ASSEMBLING') return reply(409, apiError('BATCH_NOT_ACKNOWLEDGED', `acknowledge batch ${batch.summary.id} first`));
    const results: StatusReportResult['results'] = [...batch.letterStatus.entries()].map(([letterId, history]) => {
      const latest = Math.max(0, ...history.map((s) => LETTER_ORDER[s]));
      if (latest >= LETTER_ORDER[report.status]) return { letterId, accepted: true, duplicate: true };
      history.push(report.status);
      return { letterId, accepted: true };
    });
    if (report.status !== 'FAILED') batch.summary = { ...batch.summary, status: report.status };
    reply(200, { results } satisfies StatusReportResult);
  }

  private letterStatus(body: LetterStatusReports, reply: (s: number, b: unknown) => void): void {
    if (this.failStatusReports) return reply(503, apiError('UNAVAILABLE', 'try again later'));
    if (!Array.isArray(body?.reports) || body.reports.length > 1000) return reply(400, apiError('BAD_REQUEST', 'reports must be a list of at most 1,000'));
    const results = body.reports.map((r: LetterStatusReport) => {
      const batch = [...this.batches.values()].find((b) => b.letterStatus.has(r.letterId));
      if (!batch) return { letterId: r.letterId, accepted: false, error: 'unknown letter' };
      if ((r.status === 'RETURNED' || r.status === 'FAILED') && !r.reason) return { letterId: r.letterId, accepted: false, error: 'reason is required' };
      const history = batch.letterStatus.get(r.letterId)!;
      if (r.status === 'RETURNED' && !history.includes('POSTED')) return { letterId: r.letterId, accepted: false, error: 'a letter is returned only after it was posted' };
      if (history.includes(r.status)) return { letterId: r.letterId, accepted: true, duplicate: true };
      history.push(r.status);
      return { letterId: r.letterId, accepted: true };
    });
    reply(200, { results } satisfies StatusReportResult);
  }
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function apiError(code: string, message: string): ApiError {
  return { error: { code, message } };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...headers }).end(payload);
}
