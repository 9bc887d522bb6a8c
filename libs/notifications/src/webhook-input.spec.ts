/** What a webhook subscription may look like: URL, events, description, secret. */
import { checkWebhookUrl, redactUrl, validateCreateWebhook, validateUpdateWebhook } from './webhook-input';

describe('webhook URLs', () => {
  it('accepts https anywhere', () => {
    expect(checkWebhookUrl('https://arende.demo.se/hooks/hub?x=1', false)).toBeNull();
  });

  it('accepts http only to this machine, and only when allowed', () => {
    for (const url of ['http://localhost:8080/hook', 'http://127.0.0.1:9000/', 'http://[::1]:9000/x']) {
      expect(checkWebhookUrl(url, true)).toBeNull();
      expect(checkWebhookUrl(url, false)).toMatch(/WEBHOOK_ALLOW_HTTP_LOCALHOST is off/);
    }
    expect(checkWebhookUrl('http://arende.demo.se/hook', true)).toMatch(/https only/);
    expect(checkWebhookUrl('http://localhost.evil.example/hook', true)).toMatch(/https only/);
  });

  it('refuses other schemes, credentials in the URL, non-URLs and overlong ones, saying why', () => {
    expect(checkWebhookUrl('ftp://files.demo.se/in', true)).toBe('uses the scheme ftp; only https:// is allowed');
    expect(checkWebhookUrl('javascript:alert(1)', true)).toMatch(/scheme javascript/);
    expect(checkWebhookUrl('https://user:pw@arende.demo.se/hook', true)).toMatch(/user name or password/);
    expect(checkWebhookUrl('arende.demo.se/hook', true)).toMatch(/not an absolute URL/);
    expect(checkWebhookUrl(`https://a.se/${'x'.repeat(2000)}`, true)).toMatch(/at most 2000/);
  });

  it('hides query values in what is audited and logged', () => {
    expect(redactUrl('https://a.se/hook?token=abc&x=1')).toBe('https://a.se/hook?token=***&x=***');
  });
});

describe('creating and changing a subscription', () => {
  it('lists every bad field with its path', () => {
    const r = validateCreateWebhook({ url: 'http://arende.demo.se', events: ['letter.delivered', 'letter.opened', null], description: 'a\u0007b', secret: 'short' }, false);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fields.map((f) => [f.path, f.rule])).toEqual([
      ['url', 'url'],
      ['events[1]', 'enum'],
      ['events[2]', 'enum'],
      ['description', 'characters'],
      ['secret', 'format'],
    ]);
    expect(r.fields[1].message).toMatch(/letter\.opened.*choose from letter\.delivered/);
  });

  it('requires a URL and at least one event', () => {
    const r = validateCreateWebhook({}, true);
    expect(r.ok ? [] : r.fields.map((f) => f.path)).toEqual(['url', 'events']);
    expect(validateCreateWebhook({ url: 'https://a.se', events: [] }, true)).toMatchObject({ ok: false, fields: [{ path: 'events', rule: 'required' }] });
  });

  it('normalises a good input: events once each, blank description dropped, active by default', () => {
    expect(validateCreateWebhook({ url: ' https://a.se/h ', events: ['letter.held', 'letter.held', 'letter.returned'], description: '  ' }, false)).toEqual({
      ok: true,
      value: { url: 'https://a.se/h', events: ['letter.held', 'letter.returned'], description: null, secret: null, active: true },
    });
    expect(validateCreateWebhook({ url: 'https://a.se', events: ['letter.held'], secret: 'x'.repeat(24) }, false)).toMatchObject({ ok: true, value: { secret: 'x'.repeat(24) } });
  });

  it('refuses a change that changes nothing, and checks only what is given', () => {
    expect(validateUpdateWebhook({}, false)).toMatchObject({ ok: false, fields: [{ path: '', rule: 'required' }] });
    expect(validateUpdateWebhook({ active: false }, false)).toEqual({ ok: true, value: { active: false } });
    expect(validateUpdateWebhook({ url: 'ftp://x' }, false)).toMatchObject({ ok: false, fields: [{ path: 'url' }] });
  });
});
