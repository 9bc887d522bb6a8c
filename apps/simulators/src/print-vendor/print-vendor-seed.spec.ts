import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkSeed, PrintVendorSeed, SeedError, SimulatorSeed, withFreePorts } from '../seed';

const demo = (): SimulatorSeed => JSON.parse(readFileSync(join(__dirname, '..', '..', 'seed', 'demo.json'), 'utf8')) as SimulatorSeed;

/** The problems checkSeed reports for the demo seed with `printVendor` changed. */
function problems(change: (v: PrintVendorSeed, seed: SimulatorSeed) => void): string {
  const seed = demo();
  change(seed.printVendor!, seed);
  try {
    checkSeed(seed, 'seed');
  } catch (e) {
    expect(e).toBeInstanceOf(SeedError);
    return (e as Error).message;
  }
  return '';
}

describe('the printVendor section of the seed', () => {
  it('is in the demo seed, with its OIDC client, and valid', () => {
    const seed = checkSeed(demo(), 'demo.json');
    expect(seed.printVendor).toEqual({
      hubUrl: 'http://127.0.0.1:3000',
      clientId: 'demo-print-vendor',
      clientSecret: 'demo-print-vendor-secret',
      pollIntervalMs: 2000,
      printedAfterMs: 3000,
      postedAfterMs: 6000,
      returned: [{ name: 'Okänd Mottagare', reason: 'ADDRESSEE_UNKNOWN', afterMs: 9000 }],
    });
    expect(seed.oidc!.clients).toContainEqual({ clientId: 'demo-print-vendor', clientSecret: 'demo-print-vendor-secret', roles: ['print-vendor'] });
  });

  it('is optional', () => {
    expect(problems((_v, seed) => delete seed.printVendor)).toBe('');
  });

  it('names every missing or wrong field', () => {
    const message = problems((_v, seed) => {
      seed.printVendor = { hubUrl: 'ftp://hub', clientId: '', clientSecret: 7, pollIntervalMs: 0, printedAfterMs: -1, postedAfterMs: 1.5, returned: [{ name: ' ', reason: '', afterMs: 'soon' }] } as unknown as PrintVendorSeed;
    });
    for (const field of [
      'printVendor.hubUrl must be the http(s) base URL',
      'printVendor.clientId must be',
      'printVendor.clientSecret must be',
      'printVendor.pollIntervalMs must be a whole number of milliseconds, at least 1',
      'printVendor.printedAfterMs must be a whole number of milliseconds, at least 0',
      'printVendor.postedAfterMs must be a whole number of milliseconds',
      "printVendor.returned[0].name must be the recipient's name",
      'printVendor.returned[0].reason is required',
      'printVendor.returned[0].afterMs must be a whole number of milliseconds',
    ]) {
      expect(message).toContain(field);
    }
    expect(problems((_v, seed) => (seed.printVendor = 'yes' as unknown as PrintVendorSeed))).toContain('printVendor must be an object');
    expect(problems((v) => delete (v as Partial<PrintVendorSeed>).returned)).toContain('printVendor.returned must be a list');
    expect(problems((v) => (v.returned = [null as unknown as PrintVendorSeed['returned'][0]]))).toContain('printVendor.returned[0] must be an object');
  });

  it('keeps the reports in order: printed, then posted, then returned', () => {
    expect(problems((v) => (v.postedAfterMs = 1000))).toContain('printVendor.postedAfterMs must be a whole number of milliseconds, at least printedAfterMs (3000): letters are posted after they are printed');
    expect(problems((v) => (v.returned[0].afterMs = 5000))).toContain('printVendor.returned[0].afterMs must be a whole number of milliseconds, at least postedAfterMs (6000): mail comes back after it was posted');
  });

  it('takes the token endpoint from the simulators\' issuer only for one of its confidential clients', () => {
    expect(problems((v) => (v.clientId = 'nobody'))).toContain('printVendor.clientId "nobody" is not one of oidc.clients');
    expect(problems((v) => (v.clientSecret = 'wrong'))).toContain('printVendor.clientSecret is not the clientSecret of oidc.clients "demo-print-vendor"');
    expect(problems((_v, seed) => delete seed.oidc)).toContain('printVendor.tokenUrl is required when the seed has no oidc section');
    // With a token URL of its own, the vendor may be any client of another identity provider.
    expect(
      problems((v, seed) => {
        delete seed.oidc;
        v.tokenUrl = 'https://keycloak.example.invalid/realms/x/protocol/openid-connect/token';
        v.clientId = 'elsewhere';
      }),
    ).toBe('');
    expect(problems((v) => (v.tokenUrl = 'not a url'))).toContain('printVendor.tokenUrl must be an http(s) URL');
  });

  it('checks that the CA file can be read', () => {
    expect(problems((v) => (v.caFile = '/nonexistent/ca.pem'))).toContain('printVendor.caFile: cannot read /nonexistent/ca.pem');
    expect(problems((v) => (v.caFile = join(__dirname, '..', '..', 'seed', 'demo.json')))).toBe('');
  });

  it('is left alone by withFreePorts (the vendor listens on no port)', () => {
    const seed = withFreePorts(demo());
    expect(seed.printVendor).toEqual(demo().printVendor);
  });
});
