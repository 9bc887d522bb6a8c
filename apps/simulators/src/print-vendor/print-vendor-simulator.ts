import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { PDFDocument } from 'pdf-lib';
import type { ApiError, BatchList, BatchManifest, BatchStatusReport, LetterStatusReports, PrintBatchSummary, StatusReportResult } from '@hub/print';

export interface ReturnedMailRule {
  /** Compared with the first address line (the name), ignoring case, surrounding and repeated spaces. */
  name: string;
  reason: string;
  /** Milliseconds after the acknowledgement. */
  afterMs: number;
}

export interface PrintVendorConfig {
  /** Base URL of the hub's API; the API's paths (`/print/v1/…`) and the batch files' `href`s are appended to it. */
  hubUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** PEM CA certificate(s) to trust for https, added to the process's default CAs (so that global fetch uses them). */
  caFile?: string;
  pollIntervalMs: number;
  printedAfterMs: number;
  postedAfterMs: number;
  returned: ReturnedMailRule[];
}

export interface PrintVendorOptions {
  /** Where log lines go; default stderr with a `print-vendor:` prefix. */
  log?: (line: string) => void;
  /** Per HTTP request, downloads included; default 60 s. */
  requestTimeoutMs?: number;
}

type ReportStatus = 'PRINTED' | 'POSTED' | 'RETURNED';

/** One status report the vendor makes (or will make) for a batch or a letter. */
export interface StatusReportState {
  scope: 'batch' | 'letter';
  status: ReportStatus;
  letterId?: string;
  /** The name on the letter that matched a `returned` rule. */
  name?: string;
  reason?: string;
  /** When it is due, and sent as `occurredAt` (retries keep the time it happened). */
  dueAt: string;
  /** waiting: not due or not yet delivered; sent: the hub accepted it; rejected: the hub refused it (4xx, or `accepted: false`). */
  state: 'waiting' | 'sent' | 'rejected';
  attempts: number;
  sentAt?: string;
  lastError?: string;
  /** For a batch report: how the hub took it, letter by letter. */
  outcome?: { letters: number; accepted: number; duplicate: number; notAccepted: { letterId: string; error?: string }[] };
}

export interface BatchState {
  id: string;
  tenant: { id: string; name: string };
  postageClass: string;
  letters: number;
  pages: number;
  firstSeenAt: string;
  checkedAt: string;
  check: 'passed' | 'failed';
  /** Why the batch was refused (empty when the checks passed). */
  problems: string[];
  /** The hub's acknowledgement time; absent while not acknowledged. */
  acknowledgedAt?: string;
  reports: StatusReportState[];
}

export interface PrintVendorState {
  hubUrl: string;
  tokenUrl: string;
  clientId: string;
  running: boolean;
  polls: { count: number; failed: number; lastAt?: string; lastOkAt?: string; lastError?: string };
  totals: { seen: number; passed: number; failed: number; acknowledged: number; reportsSent: number; reportsWaiting: number; reportsRejected: number };
  /** In the order first seen. */
  batches: BatchState[];
}

/** A failed call to the hub or the token endpoint: transient (retried next poll) unless `status` is a 4xx. */
class HubError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

interface Download {
  bytes: Buffer;
  sha256: string;
  header?: string;
}

interface BatchRecord extends BatchState {
  /** The summary's file checksums when the batch was checked: a refused batch is checked again only if they change. */
  checkedFiles: string;
  manifest?: BatchManifest;
  flushing?: Promise<void>;
}

const TOKEN_REFRESH_MARGIN_MS = 30_000;
const FILES = ['pdf', 'manifestJson', 'manifestCsv'] as const;

/**
 * A stand-in for a print and enveloping vendor that pulls batches from the hub's print-vendor API
 * (`@hub/print` vendor-api.types.ts). Every `pollIntervalMs` it lists the READY batches, downloads
 * each batch's PDF and manifests, verifies them (checksums of the summary and the header, the
 * manifest's `pdfSha256`, the PDF's page count against the manifest), refuses a batch that fails
 * (it is not acknowledged, the problems are logged and kept), acknowledges a good one, and then
 * reports PRINTED, POSTED, and RETURNED for the letters of the configured names, each after its
 * delay from the acknowledgement.
 *
 * State is in memory. The hub being down is logged (once per distinct error) and everything is
 * retried at the next poll, status reports included (with `occurredAt` of when they were due). After
 * a restart the batches this vendor acknowledged are ACKNOWLEDGED at the hub, no longer READY, so
 * they are not listed again; their pending PRINTED/POSTED/RETURNED reports are lost, which a real
 * vendor would not do but a simulator may.
 *
 * https: the hub or token endpoint may use a private CA (`caFile`). Global fetch takes no CA option,
 * so the CA is added to the process's default CA list (`tls.setDefaultCACertificates`); in the
 * simulators' process no other TLS client depends on that list.
 */
export class PrintVendorSimulator {
  private readonly batches = new Map<string, BatchRecord>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly polls: PrintVendorState['polls'] = { count: 0, failed: 0 };
  private readonly log: (line: string) => void;
  private readonly requestTimeoutMs: number;
  private readonly base: string;
  private running = false;
  private abort = new AbortController();
  private pollTimer?: NodeJS.Timeout;
  private currentPoll?: Promise<void>;
  private token?: { value: string; refreshAt: number };
  private tokenRequest?: Promise<string>;
  /** The last message logged per topic, so a hub that stays down is logged once, not every poll. */
  private readonly lastLogged = new Map<string, string>();

  constructor(
    readonly config: PrintVendorConfig,
    options: PrintVendorOptions = {},
  ) {
    this.log = options.log ?? ((line) => process.stderr.write(`print-vendor: ${line}\n`));
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.base = config.hubUrl.replace(/\/+$/, '');
  }

  /** Starts polling (the first poll right away). Never throws for an unreachable hub. */
  start(): void {
    if (this.running) return;
    if (this.config.caFile) {
      setDefaultCACertificates([...getCACertificates('default'), readFileSync(this.config.caFile, 'utf8')]);
    }
    this.running = true;
    this.abort = new AbortController();
    this.schedulePoll(0);
  }

  /** Stops polling, cancels the pending status reports' timers and in-flight requests. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.pollTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.abort.abort();
    await Promise.allSettled([this.currentPoll, ...[...this.batches.values()].map((b) => b.flushing)]);
  }

  /** What the vendor has seen and done, for tests and the admin server (`GET /print-vendor`). */
  state(): PrintVendorState {
    const batches = [...this.batches.values()].map(({ checkedFiles: _f, manifest: _m, flushing: _p, reports, ...b }) => ({
      ...b,
      problems: [...b.problems],
      reports: reports.map((r) => ({ ...r })),
    }));
    const reports = batches.flatMap((b) => b.reports);
    return {
      hubUrl: this.config.hubUrl,
      tokenUrl: this.config.tokenUrl,
      clientId: this.config.clientId,
      running: this.running,
      polls: { ...this.polls },
      totals: {
        seen: batches.length,
        passed: batches.filter((b) => b.check === 'passed').length,
        failed: batches.filter((b) => b.check === 'failed').length,
        acknowledged: batches.filter((b) => b.acknowledgedAt).length,
        reportsSent: reports.filter((r) => r.state === 'sent').length,
        reportsWaiting: reports.filter((r) => r.state === 'waiting').length,
        reportsRejected: reports.filter((r) => r.state === 'rejected').length,
      },
      batches,
    };
  }

  private schedulePoll(delayMs: number): void {
    this.pollTimer = setTimeout(() => {
      this.currentPoll = this.poll().finally(() => {
        this.currentPoll = undefined;
        if (this.running) this.schedulePoll(this.config.pollIntervalMs);
      });
    }, delayMs);
  }

  private async poll(): Promise<void> {
    this.polls.count++;
    this.polls.lastAt = new Date().toISOString();
    try {
      const list = await this.json<BatchList>('GET', '/print/v1/batches?status=READY', 'listing READY batches');
      if (!Array.isArray(list?.batches)) throw new HubError('listing READY batches: the answer has no batches list');
      for (const summary of list.batches) {
        if (!this.running) return;
        await this.handle(summary);
      }
      this.polls.lastOkAt = new Date().toISOString();
      delete this.polls.lastError;
      this.note('hub', undefined, 'the hub answers again');
    } catch (e) {
      if (!this.running) return;
      this.polls.failed++;
      this.polls.lastError = (e as Error).message;
      this.note('hub', `${(e as Error).message} (retrying every ${this.config.pollIntervalMs} ms)`);
    }
    // Reports whose earlier attempt failed (hub down) go again now.
    await Promise.allSettled([...this.batches.values()].filter((b) => b.reports.some((r) => r.state === 'waiting')).map((b) => this.flush(b)));
  }

  private async handle(summary: PrintBatchSummary): Promise<void> {
    const files = JSON.stringify(FILES.map((f) => summary.files?.[f]?.sha256));
    const known = this.batches.get(summary.id);
    if (known?.acknowledgedAt) return;
    if (known?.check === 'failed' && known.checkedFiles === files) return; // refused; the same files would fail again
    try {
      const record = known?.check === 'passed' ? known : await this.check(summary, files, known);
      if (record.check === 'passed') await this.acknowledge(record);
      this.note(`batch ${summary.id}`, undefined);
    } catch (e) {
      if (!this.running) return;
      // A download or the acknowledgement failed in transit: the batch is still READY, try again next poll.
      this.note(`batch ${summary.id}`, `batch ${summary.id}: ${(e as Error).message}; trying again next poll`);
    }
  }

  private async check(summary: PrintBatchSummary, checkedFiles: string, known: BatchRecord | undefined): Promise<BatchRecord> {
    const problems: string[] = [];
    const downloads: Partial<Record<(typeof FILES)[number], Download>> = {};
    for (const f of FILES) {
      const ref = summary.files?.[f];
      if (!ref?.href) {
        problems.push(`files.${f}: no href in the batch summary`);
        continue;
      }
      const url = this.resolve(ref.href);
      if (!url.ok) {
        problems.push(`files.${f}: ${url.problem}`);
        continue;
      }
      const d = await this.download(url.url, `downloading ${f}`);
      downloads[f] = d;
      if (d.sha256 !== ref.sha256?.toLowerCase()) problems.push(`files.${f}: the download hashes to ${d.sha256}, the summary says sha256 ${ref.sha256}`);
      if (d.header !== undefined && d.header !== d.sha256) problems.push(`files.${f}: the X-Checksum-SHA256 header says ${d.header}, the download hashes to ${d.sha256}`);
      if (d.header === undefined && f === 'pdf') problems.push('files.pdf: the download has no X-Checksum-SHA256 header');
      if (d.bytes.length !== ref.bytes) problems.push(`files.${f}: ${d.bytes.length} bytes downloaded, the summary says ${ref.bytes}`);
    }
    const manifest = downloads.manifestJson && parseManifest(downloads.manifestJson.bytes, problems);
    if (manifest && downloads.pdf) problems.push(...(await checkAgainstPdf(summary, manifest, downloads.pdf)));

    const now = new Date().toISOString();
    const record: BatchRecord = {
      id: summary.id,
      tenant: summary.tenant,
      postageClass: summary.postageClass,
      letters: summary.letters,
      pages: summary.pages,
      firstSeenAt: known?.firstSeenAt ?? now,
      checkedAt: now,
      check: problems.length ? 'failed' : 'passed',
      problems,
      reports: [],
      checkedFiles,
      manifest: problems.length ? undefined : manifest,
    };
    this.batches.set(summary.id, record);
    if (problems.length) this.log(`refused batch ${summary.id} (not acknowledged): ${problems.join('; ')}`);
    return record;
  }

  private async acknowledge(record: BatchRecord): Promise<void> {
    const ack = await this.json<PrintBatchSummary>('POST', `/print/v1/batches/${encodeURIComponent(record.id)}/acknowledge`, `acknowledging batch ${record.id}`);
    const at = Date.now();
    record.acknowledgedAt = ack?.acknowledgedAt ?? new Date(at).toISOString();
    const due = (ms: number) => new Date(at + ms).toISOString();
    record.reports = [
      { scope: 'batch', status: 'PRINTED', dueAt: due(this.config.printedAfterMs), state: 'waiting', attempts: 0 },
      { scope: 'batch', status: 'POSTED', dueAt: due(this.config.postedAfterMs), state: 'waiting', attempts: 0 },
      ...(record.manifest?.letters ?? [])
        .flatMap((letter) => {
          const rule = this.config.returned.find((r) => sameName(r.name, letter.addressLines?.[0]));
          return rule ? [{ letter, rule }] : [];
        })
        .sort((a, b) => a.rule.afterMs - b.rule.afterMs)
        .map(({ letter, rule }): StatusReportState => ({
          scope: 'letter',
          status: 'RETURNED',
          letterId: letter.letterId,
          name: letter.addressLines[0],
          reason: rule.reason,
          dueAt: due(rule.afterMs),
          state: 'waiting',
          attempts: 0,
        })),
    ];
    record.manifest = undefined;
    this.log(`acknowledged batch ${record.id} (${record.letters} letters, ${record.pages} pages)`);
    for (const dueAt of new Set(record.reports.map((r) => r.dueAt))) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.flush(record);
      }, Date.parse(dueAt) - Date.now());
      this.timers.add(timer);
    }
  }

  /** Sends the batch's due reports in order (PRINTED, POSTED, then RETURNED letters); stops at a transient failure. */
  private flush(record: BatchRecord): Promise<void> {
    record.flushing ??= this.flushNow(record).finally(() => (record.flushing = undefined));
    return record.flushing;
  }

  private async flushNow(record: BatchRecord): Promise<void> {
    while (this.running) {
      const next = record.reports.find((r) => r.state === 'waiting');
      if (!next || Date.parse(next.dueAt) > Date.now()) return;
      const group = next.scope === 'batch' ? [next] : record.reports.filter((r) => r.scope === 'letter' && r.state === 'waiting' && Date.parse(r.dueAt) <= Date.now()).slice(0, 1000);
      for (const r of group) r.attempts++;
      try {
        if (next.scope === 'batch') {
          const body: BatchStatusReport = { status: next.status as BatchStatusReport['status'], occurredAt: next.dueAt };
          const result = await this.json<StatusReportResult>('POST', `/print/v1/batches/${encodeURIComponent(record.id)}/status`, `reporting ${next.status} for batch ${record.id}`, body);
          const results = Array.isArray(result?.results) ? result.results : [];
          next.outcome = {
            letters: results.length,
            accepted: results.filter((r) => r.accepted).length,
            duplicate: results.filter((r) => r.duplicate).length,
            notAccepted: results.filter((r) => !r.accepted).map((r) => ({ letterId: r.letterId, error: r.error })),
          };
          this.settle(next, 'sent');
          this.log(`reported ${next.status} for batch ${record.id} (${next.outcome.accepted} of ${next.outcome.letters} letters accepted)`);
        } else {
          const body: LetterStatusReports = { reports: group.map((r) => ({ letterId: r.letterId!, status: r.status, reason: r.reason, occurredAt: r.dueAt })) };
          const result = await this.json<StatusReportResult>('POST', '/print/v1/letters/status', `reporting RETURNED for ${group.length} letter(s) of batch ${record.id}`, body);
          group.forEach((r, i) => {
            const answer = result?.results?.[i];
            if (answer && !answer.accepted) this.settle(r, 'rejected', answer.error ?? 'not accepted');
            else this.settle(r, 'sent');
          });
          this.log(`reported RETURNED (${group.map((r) => `${r.letterId} ${r.reason}`).join(', ')}) for batch ${record.id}`);
        }
      } catch (e) {
        const err = e as HubError;
        if (!this.running) return;
        if (err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 429) {
          // The hub refuses it: retrying would not help, so it is recorded and the next report goes.
          for (const r of group) this.settle(r, 'rejected', err.message);
          this.log(`the hub refused: ${err.message}`);
          continue;
        }
        for (const r of group) r.lastError = err.message;
        this.note('hub', `${err.message} (retrying at the next poll)`);
        return;
      }
    }
  }

  private settle(r: StatusReportState, state: 'sent' | 'rejected', error?: string): void {
    r.state = state;
    r.sentAt = new Date().toISOString();
    if (error) r.lastError = error;
    else delete r.lastError;
  }

  private async json<T>(method: 'GET' | 'POST', path: string, what: string, body?: unknown): Promise<T> {
    const res = await this.call(method, this.base + path, what, body);
    try {
      return (await res.json()) as T;
    } catch (e) {
      throw new HubError(`${what}: the answer is not JSON (${(e as Error).message})`);
    }
  }

  private async download(url: string, what: string): Promise<Download> {
    const res = await this.call('GET', url, what);
    const bytes = Buffer.from(await res.arrayBuffer());
    return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), header: res.headers.get('x-checksum-sha256')?.trim().toLowerCase() };
  }

  /** `href`s are relative to the API's base URL; an absolute one must stay on the hub, which is the only party that gets the token. */
  private resolve(href: string): { ok: true; url: string } | { ok: false; problem: string } {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) {
      return URL.parse(href)?.origin === new URL(this.base).origin
        ? { ok: true, url: href }
        : { ok: false, problem: `href ${href} is not on the hub (${this.base}); the access token is only sent to the hub` };
    }
    return { ok: true, url: this.base + (href.startsWith('/') ? href : `/${href}`) };
  }

  /** One authenticated request; a 401 gets one retry with a new token (the cached one may have been revoked). */
  private async call(method: 'GET' | 'POST', url: string, what: string, body?: unknown): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: { authorization: `Bearer ${token}`, accept: 'application/json, application/pdf, text/csv, */*', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: this.signal(),
        });
      } catch (e) {
        throw new HubError(`${what}: ${method} ${url} failed: ${describeFetchError(e)}`);
      }
      if (res.status === 401 && attempt === 0) {
        await res.body?.cancel();
        this.token = undefined;
        continue;
      }
      if (!res.ok) throw new HubError(`${what}: ${method} ${url} answered HTTP ${res.status}${await errorText(res)}`, res.status);
      return res;
    }
  }

  private accessToken(): Promise<string> {
    if (this.token && Date.now() < this.token.refreshAt) return Promise.resolve(this.token.value);
    this.tokenRequest ??= this.requestToken().finally(() => (this.tokenRequest = undefined));
    return this.tokenRequest;
  }

  private async requestToken(): Promise<string> {
    const { tokenUrl, clientId, clientSecret } = this.config;
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before they go into the Basic header.
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
    let res: Response;
    try {
      res = await fetch(tokenUrl, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
        signal: this.signal(),
      });
    } catch (e) {
      throw new HubError(`getting an access token: POST ${tokenUrl} failed: ${describeFetchError(e)}`);
    }
    const json = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!res.ok || typeof json.access_token !== 'string') {
      throw new HubError(`getting an access token for ${clientId}: ${tokenUrl} answered HTTP ${res.status} ${json.error ?? ''} ${json.error_description ?? ''}`.trim());
    }
    const lifetimeMs = (typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : 60) * 1000;
    this.token = { value: json.access_token, refreshAt: Date.now() + lifetimeMs - Math.min(TOKEN_REFRESH_MARGIN_MS, lifetimeMs / 5) };
    return json.access_token;
  }

  private signal(): AbortSignal {
    return AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.requestTimeoutMs)]);
  }

  /** Logs `message` for `topic` unless it is what was logged last; `undefined` clears the topic (logging `recovered` if it had a problem). */
  private note(topic: string, message: string | undefined, recovered?: string): void {
    const last = this.lastLogged.get(topic);
    if (message === undefined) {
      if (last !== undefined && recovered) this.log(recovered);
      this.lastLogged.delete(topic);
      return;
    }
    if (last === message) return;
    this.lastLogged.set(topic, message);
    this.log(message);
  }
}

function parseManifest(bytes: Buffer, problems: string[]): BatchManifest | undefined {
  let manifest: BatchManifest;
  try {
    manifest = JSON.parse(bytes.toString('utf8')) as BatchManifest;
  } catch (e) {
    problems.push(`manifest.json is not JSON: ${(e as Error).message}`);
    return undefined;
  }
  if (!manifest || typeof manifest !== 'object' || !Array.isArray(manifest.letters) || !manifest.totals) {
    problems.push('manifest.json has no letters list or no totals');
    return undefined;
  }
  return manifest;
}

async function checkAgainstPdf(summary: PrintBatchSummary, manifest: BatchManifest, pdf: Download): Promise<string[]> {
  const problems: string[] = [];
  if (manifest.batchId !== summary.id) problems.push(`manifest.json is for batch ${manifest.batchId}, not ${summary.id}`);
  if (manifest.pdfSha256?.toLowerCase() !== pdf.sha256) problems.push(`manifest.json pdfSha256 is ${manifest.pdfSha256}, the PDF hashes to ${pdf.sha256}`);
  const pages = await countPages(pdf.bytes);
  if (typeof pages === 'string') problems.push(pages);
  else if (pages !== manifest.totals.pages) problems.push(`the PDF has ${pages} pages, the manifest's totals.pages says ${manifest.totals.pages}`);
  if (manifest.totals.letters !== manifest.letters.length) problems.push(`manifest.json lists ${manifest.letters.length} letters, its totals.letters says ${manifest.totals.letters}`);
  const letterPages = manifest.letters.reduce((n, l) => n + (l.pages ?? 0), 0);
  if (letterPages !== manifest.totals.pages) problems.push(`the manifest's letters have ${letterPages} pages together, its totals.pages says ${manifest.totals.pages}`);
  if (summary.letters !== manifest.totals.letters || summary.pages !== manifest.totals.pages) {
    problems.push(`the batch summary says ${summary.letters} letters and ${summary.pages} pages, the manifest ${manifest.totals.letters} and ${manifest.totals.pages}`);
  }
  manifest.letters.forEach((l, i) => {
    if (!Array.isArray(l.addressLines) || l.addressLines.length === 0) problems.push(`manifest.json letters[${i}] (${l.letterId}) has no addressLines`);
  });
  return problems;
}

/**
 * The page count from the PDF's page tree, read with pdf-lib. Counting `/Type /Page` in the bytes
 * would be cheaper but wrong for PDFs written with object streams (pdf-lib's default on save, so
 * likely the hub's batches): the page objects are compressed there. pdf-lib parses in slices and
 * yields to the event loop between them, so the other simulators keep answering meanwhile.
 */
async function countPages(bytes: Buffer): Promise<number | string> {
  try {
    const doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false });
    return doc.getPageCount();
  } catch (e) {
    return `the PDF cannot be read: ${(e as Error).message}`;
  }
}

function sameName(rule: string, line: string | undefined): boolean {
  const norm = (s: string) => s.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('sv-SE');
  return typeof line === 'string' && norm(rule) === norm(line);
}

async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const e = (JSON.parse(text) as ApiError).error;
    if (e?.message) return ` ${e.code}: ${e.message}`;
  } catch {
    // not an ApiError: show the start of the body
  }
  return text ? `: ${text.slice(0, 200)}` : '';
}

function describeFetchError(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return 'timed out';
  if (err.name === 'AbortError') return 'aborted';
  return err.cause?.code ?? err.cause?.message ?? err.message;
}
