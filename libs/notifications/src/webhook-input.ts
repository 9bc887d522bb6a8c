import type { FieldViolation } from '@hub/letters';
import { isNotificationEventType, NOTIFICATION_EVENT_TYPES, NotificationEventType } from './notification-events';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
export const MAX_URL_LENGTH = 2000;
export const MAX_DESCRIPTION_LENGTH = 200;
const SECRET = /^[\x21-\x7e]{24,256}$/;

/** A webhook subscription as an admin creates it (every field optional here, so each missing one is reported). */
export interface CreateWebhookInput {
  url?: string | null;
  /** Public event names (`letter.delivered`…); at least one. */
  events?: readonly (string | null)[] | null;
  description?: string | null;
  /** The signing secret, when the municipality brings its own (24–256 printable characters); otherwise the hub generates one. */
  secret?: string | null;
  /** Default true. */
  active?: boolean | null;
}

/** A change to a subscription: only the fields given change. */
export interface UpdateWebhookInput {
  url?: string | null;
  events?: readonly (string | null)[] | null;
  description?: string | null;
  active?: boolean | null;
}

/**
 * Why a URL cannot receive webhooks, or null when it can: https only (payloads and their signatures
 * must not travel in clear text), except http to this machine (localhost, 127.0.0.1, [::1]) when
 * `allowHttpLocalhost` is on (tests and the demo); no other scheme; no user or password in the URL
 * (it would be stored and shown in clear: put credentials in the receiver's check of the signature).
 */
export function checkWebhookUrl(raw: string, allowHttpLocalhost: boolean): string | null {
  if (raw.length > MAX_URL_LENGTH) return `is ${raw.length} characters long; at most ${MAX_URL_LENGTH} are allowed`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not an absolute URL: give it as https://host/path';
  }
  if (url.protocol === 'http:') {
    if (!LOCAL_HOSTS.has(url.hostname)) return 'uses http; webhooks are sent over https only, so that payloads and signatures are never readable on the way: use https://';
    if (!allowHttpLocalhost) return 'uses http to this machine, which this hub does not allow (WEBHOOK_ALLOW_HTTP_LOCALHOST is off): use https://';
  } else if (url.protocol !== 'https:') {
    return `uses the scheme ${url.protocol.replace(/:$/, '')}; only https:// is allowed`;
  }
  if (url.username || url.password) return 'contains a user name or password; remove them (the request is authenticated by its signature instead)';
  return null;
}

/** A URL for the audit trail and logs: query values hidden (they may be tokens). */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    for (const key of [...url.searchParams.keys()]) url.searchParams.set(key, '***');
    return url.toString();
  } catch {
    return '(invalid URL)';
  }
}

/** A control character (C0 or DEL): descriptions are one line of text. */
const hasControlChars = (text: string): boolean => [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

class Violations {
  readonly list: FieldViolation[] = [];
  add(path: string, rule: string, message: string): void {
    this.list.push({ path, rule, message });
  }
}

function checkEvents(v: Violations, events: readonly (string | null)[] | null | undefined): NotificationEventType[] {
  if (!Array.isArray(events) || events.length === 0) {
    v.add('events', 'required', `needs at least one event; choose from ${NOTIFICATION_EVENT_TYPES.join(', ')}`);
    return [];
  }
  const out: NotificationEventType[] = [];
  events.forEach((e, i) => {
    if (isNotificationEventType(e)) {
      if (!out.includes(e)) out.push(e);
    } else {
      v.add(`events[${i}]`, 'enum', `is ${JSON.stringify(e)}, which is not an event; choose from ${NOTIFICATION_EVENT_TYPES.join(', ')}`);
    }
  });
  return out;
}

function checkDescription(v: Violations, description: string | null | undefined): string | null {
  if (description === undefined || description === null) return null;
  const d = description.trim();
  if (d.length > MAX_DESCRIPTION_LENGTH) v.add('description', 'maxLength', `is ${d.length} characters long; at most ${MAX_DESCRIPTION_LENGTH} are allowed`);
  if (hasControlChars(d)) v.add('description', 'characters', 'must be one line without control characters');
  return d === '' ? null : d;
}

function checkUrl(v: Violations, url: string | null | undefined, allowHttpLocalhost: boolean): string {
  if (typeof url !== 'string' || url.trim() === '') {
    v.add('url', 'required', 'is required: the https:// address the hub POSTs events to');
    return '';
  }
  const problem = checkWebhookUrl(url.trim(), allowHttpLocalhost);
  if (problem) v.add('url', 'url', problem);
  return url.trim();
}

/** A secret the municipality brings: 24–256 printable ASCII characters without spaces. */
export function checkSecret(secret: string): string | null {
  return SECRET.test(secret) ? null : 'must be 24 to 256 printable ASCII characters without spaces (or leave it out and the hub generates one)';
}

export interface ValidCreateWebhook {
  url: string;
  events: NotificationEventType[];
  description: string | null;
  secret: string | null;
  active: boolean;
}

export function validateCreateWebhook(input: CreateWebhookInput, allowHttpLocalhost: boolean): { ok: true; value: ValidCreateWebhook } | { ok: false; fields: FieldViolation[] } {
  const v = new Violations();
  const url = checkUrl(v, input.url, allowHttpLocalhost);
  const events = checkEvents(v, input.events);
  const description = checkDescription(v, input.description);
  let secret: string | null = null;
  if (input.secret !== undefined && input.secret !== null) {
    const problem = checkSecret(input.secret);
    if (problem) v.add('secret', 'format', problem);
    secret = input.secret;
  }
  if (v.list.length) return { ok: false, fields: v.list };
  return { ok: true, value: { url, events, description, secret, active: input.active ?? true } };
}

export interface ValidUpdateWebhook {
  url?: string;
  events?: NotificationEventType[];
  description?: string | null;
  active?: boolean;
}

export function validateUpdateWebhook(input: UpdateWebhookInput, allowHttpLocalhost: boolean): { ok: true; value: ValidUpdateWebhook } | { ok: false; fields: FieldViolation[] } {
  const v = new Violations();
  const out: ValidUpdateWebhook = {};
  if (input.url !== undefined && input.url !== null) out.url = checkUrl(v, input.url, allowHttpLocalhost);
  if (input.events !== undefined && input.events !== null) out.events = checkEvents(v, input.events);
  if (input.description !== undefined) out.description = checkDescription(v, input.description);
  if (input.active !== undefined && input.active !== null) out.active = input.active;
  if (v.list.length === 0 && Object.keys(out).length === 0) v.add('', 'required', 'changes nothing: give url, events, description or active');
  if (v.list.length) return { ok: false, fields: v.list };
  return { ok: true, value: out };
}
