/** Hosts that are this machine: the only ones a hook may reach over plain http, and only when allowed. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export const MAX_HOOK_URL_LENGTH = 2000;

/**
 * Why a hook URL is refused, or undefined when it is fine: an absolute https URL without
 * credentials in it; plain http only to this machine (localhost, 127.0.0.1, ::1) when
 * `allowHttpLocalhost` is set (development and tests: a registry double on the same host).
 */
export function hookUrlProblem(url: string, allowHttpLocalhost: boolean): { rule: string; message: string } | undefined {
  if (url.length > MAX_HOOK_URL_LENGTH) return { rule: 'maxLength', message: `is ${url.length} characters; at most ${MAX_HOOK_URL_LENGTH}` };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { rule: 'format', message: 'is not an absolute URL (e.g. https://diarium.kommun.se/hub/registrations)' };
  }
  if (parsed.username || parsed.password) return { rule: 'noCredentials', message: 'must not carry a user name or password; the hub signs each request with the hook\'s secret instead' };
  if (parsed.hash) return { rule: 'format', message: 'must not have a #fragment' };
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:') {
    if (allowHttpLocalhost && LOOPBACK.has(parsed.hostname)) return undefined;
    return {
      rule: 'https',
      message: allowHttpLocalhost
        ? 'must use https (plain http only to localhost, 127.0.0.1 or ::1)'
        : 'must use https: the document and its metadata must not cross a network in clear text',
    };
  }
  return { rule: 'https', message: `must use https, not ${parsed.protocol.replace(/:$/, '')}` };
}

/** The URL as audit entries and logs show it: without its query string, which may carry a key. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}
