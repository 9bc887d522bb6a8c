import { ConfigError, loadConfig } from './config';

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('loadConfig', () => {
  it('uses the demo defaults and parses numbers', () => {
    const c = loadConfig({ MASTER_KEY: KEY });
    expect(c.API_PORT).toBe(3000);
    expect(c.DATABASE_URL).toBe('postgres://hub_app@127.0.0.1:5432/dispatch_hub');
    expect(c.OIDC_JWKS_URI).toBeUndefined();
  });

  it('stops with a message naming every bad or missing setting', () => {
    let error: Error | undefined;
    try {
      loadConfig({ API_PORT: 'eighty', REDIS_URL: 'http://x', FAR_URL: 'http://far' });
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toMatch(/MASTER_KEY is required/);
    expect(error!.message).toMatch(/API_PORT="eighty"/);
    expect(error!.message).toMatch(/REDIS_URL="http:\/\/x": must be a redis: or rediss: URL/);
    expect(error!.message).toMatch(/FAR_URL="http:\/\/far": must be a https: URL/);
  });

  it('never prints the master key', () => {
    expect(() => loadConfig({ MASTER_KEY: 'c2hvcnQ=' })).toThrow(/MASTER_KEY=\(hidden\): must be 32 bytes/);
  });
});
