import { useCallback, useEffect, useRef, useState } from 'react';
import { SessionEndedError, useAuth } from '../auth/auth';

/** One error the API returned, as the console shows it: the code, the message and the fields it names. */
export interface ApiErrorItem {
  message: string;
  code?: string;
  /** Field paths the API named (extensions.fields[].path or extensions.field), with the rule broken when it says. */
  fields: { path: string; message: string; rule?: string }[];
  errorId?: string;
}

export class ApiRequestError extends Error {
  constructor(readonly errors: ApiErrorItem[], readonly status?: number) {
    super(errors.map((e) => e.message).join('; ') || `HTTP ${status}`);
  }
  get code(): string | undefined {
    return this.errors[0]?.code;
  }
  /**
   * The API's messages for a field (joined), or undefined when it named none: the field itself, its
   * items and sub-fields ("events[1]", "postalAddress.city") and, unless `exact`, the same field
   * under an input prefix ("input.subject" for "subject").
   */
  fieldError(path: string, options: { exact?: boolean } = {}): string | undefined {
    const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const belongs = new RegExp(`${options.exact ? '^' : '(^|\\.)'}${escaped}($|[.[])`);
    const hits = this.errors.flatMap((e) => e.fields).filter((f) => belongs.test(f.path));
    return hits.length ? hits.map((f) => f.message).join(' ') : undefined;
  }
}

/** {@link ApiRequestError.fieldError} for any caught error (undefined unless the API named the field). */
export function fieldErrorOf(error: unknown, path: string, options: { exact?: boolean } = {}): string | undefined {
  return error instanceof ApiRequestError ? error.fieldError(path, options) : undefined;
}

interface RawError {
  message: string;
  extensions?: { code?: string; errorId?: string; fields?: { path?: string | string[]; field?: string; message: string; rule?: string }[]; field?: string };
}

export function toApiErrors(errors: RawError[]): ApiErrorItem[] {
  return errors.map((e) => ({
    message: e.message,
    ...(e.extensions?.code ? { code: e.extensions.code } : {}),
    ...(e.extensions?.errorId ? { errorId: e.extensions.errorId } : {}),
    fields: [
      ...(e.extensions?.fields ?? []).map((f) => ({
        path: Array.isArray(f.path) ? f.path.join('.') : (f.path ?? f.field ?? ''),
        message: f.message,
        ...(f.rule ? { rule: f.rule } : {}),
      })),
      ...(e.extensions?.field ? [{ path: e.extensions.field, message: e.message }] : []),
    ],
  }));
}

export type TokenSource = () => Promise<string>;

/** POSTs a GraphQL operation with the user's bearer token; data or an {@link ApiRequestError}. */
export async function graphqlRequest<T>(token: TokenSource, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await token()}`, 'apollo-require-preflight': 'true' },
    body: JSON.stringify({ query, variables }),
  });
  return readGraphqlResponse<T>(res);
}

/**
 * A GraphQL multipart request (the GraphQL multipart request spec, as graphql-upload reads it):
 * `files` maps variable paths (e.g. "input.attachments.0.file") to files.
 */
export async function graphqlUpload<T>(token: TokenSource, query: string, variables: Record<string, unknown>, files: Record<string, File | Blob>): Promise<T> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables }));
  const entries = Object.entries(files);
  form.append('map', JSON.stringify(Object.fromEntries(entries.map(([path], i) => [String(i), [`variables.${path}`]]))));
  entries.forEach(([, file], i) => form.append(String(i), file, file instanceof File ? file.name : `file-${i}`));
  const res = await fetch('/graphql', { method: 'POST', headers: { authorization: `Bearer ${await token()}`, 'apollo-require-preflight': 'true' }, body: form });
  return readGraphqlResponse<T>(res);
}

async function readGraphqlResponse<T>(res: Response): Promise<T> {
  const json = (await res.json().catch(() => null)) as { data?: T; errors?: RawError[] } | null;
  if (!json) throw new ApiRequestError([{ message: `The API answered HTTP ${res.status} without a GraphQL answer.`, fields: [] }], res.status);
  if (json.errors?.length) throw new ApiRequestError(toApiErrors(json.errors), res.status);
  if (!res.ok || json.data === undefined) throw new ApiRequestError([{ message: `HTTP ${res.status}`, fields: [] }], res.status);
  return json.data;
}

/** A file the API sent: its bytes and headers. */
export interface FetchedFile {
  blob: Blob;
  headers: Headers;
}

/**
 * GETs (or POSTs) a REST resource of the API with the bearer token. A refusal becomes an
 * {@link ApiRequestError} with the API's code and message (the REST APIs answer
 * `{ error: { code, message, fields?, errorId? } }`), so the page can say what was wrong (e.g. 410 after retention).
 */
export async function fetchFile(token: TokenSource, path: string, init: RequestInit = {}): Promise<FetchedFile> {
  const res = await fetch(path, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${await token()}` } });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; errorId?: string; fields?: { path: string; message: string }[] } } | null;
    const e = body?.error;
    throw new ApiRequestError(
      [{ message: e?.message ?? `HTTP ${res.status}`, ...(e?.code ? { code: e.code } : {}), ...(e?.errorId ? { errorId: e.errorId } : {}), fields: e?.fields ?? [] }],
      res.status,
    );
  }
  return { blob: await res.blob(), headers: res.headers };
}

/** Saves a blob as a download named `filename` (the browser's own save dialog or downloads folder). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Downloads a REST resource of the API with the bearer token and saves it under `filename`. */
export async function downloadWithToken(token: TokenSource, path: string, filename: string, init: RequestInit = {}): Promise<void> {
  saveBlob((await fetchFile(token, path, init)).blob, filename);
}

/** The signed-in user's GraphQL client. */
export function useGraphql() {
  const { accessToken } = useAuth();
  return {
    request: useCallback(<T,>(query: string, variables?: Record<string, unknown>) => graphqlRequest<T>(accessToken, query, variables), [accessToken]),
    upload: useCallback(
      <T,>(query: string, variables: Record<string, unknown>, files: Record<string, File | Blob>) => graphqlUpload<T>(accessToken, query, variables, files),
      [accessToken],
    ),
    download: useCallback((path: string, filename: string, init?: RequestInit) => downloadWithToken(accessToken, path, filename, init), [accessToken]),
    accessToken,
  };
}

export interface QueryState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * Runs a query when the component mounts and whenever `variables` change (compared as JSON);
 * `skip` holds it. A newer run wins over an older one still in flight.
 */
export function useQuery<T>(query: string, variables?: Record<string, unknown>, options: { skip?: boolean; pollMs?: number } = {}): QueryState<T> {
  const { request } = useGraphql();
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: !options.skip });
  const [tick, setTick] = useState(0);
  const run = useRef(0);
  const key = JSON.stringify(variables ?? {});
  useEffect(() => {
    if (options.skip) return;
    const id = ++run.current;
    setState((s) => ({ ...s, loading: true }));
    request<T>(query, JSON.parse(key) as Record<string, unknown>).then(
      (data) => id === run.current && setState({ data, loading: false }),
      (error: Error) => id === run.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
  }, [request, query, key, tick, options.skip]);
  useEffect(() => {
    if (!options.pollMs || options.skip) return;
    const timer = setInterval(() => setTick((x) => x + 1), options.pollMs);
    return () => clearInterval(timer);
  }, [options.pollMs, options.skip]);
  return { ...state, reload: useCallback(() => setTick((x) => x + 1), []) } as QueryState<T>;
}

export { SessionEndedError };
