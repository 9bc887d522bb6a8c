/** The diary hooks' signature scheme, the URL rule and the retry delays (no database). */
import { createHmac } from 'node:crypto';
import { diaryRetryDelayMs } from './diary-sender';
import { signDiaryBody, verifyDiarySignature } from './diary-signature';
import { displayUrl, hookUrlProblem } from './hook-url';

const SECRET = 'dhs_test-secret';
const BODY = JSON.stringify({ letter: { id: 'x', subject: 'Beslut om bygglov åäö' } });
const T = 1_795_000_000;
const at = (seconds: number) => () => seconds * 1000;

describe('signDiaryBody / verifyDiarySignature', () => {
  it('signs HMAC-SHA256 over "<unix>.<body>" as t=<unix>,v1=<hex>, which an independent HMAC reproduces', () => {
    const header = signDiaryBody(SECRET, BODY, T);
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`, 'utf8').digest('hex');
    expect(header).toBe(`t=${T},v1=${expected}`);
    expect(verifyDiarySignature(SECRET, BODY, header, { now: at(T + 10) })).toEqual({ ok: true, timestamp: T });
  });

  it('refuses a changed body, another secret, a stale or future timestamp, and malformed headers', () => {
    const header = signDiaryBody(SECRET, BODY, T);
    expect(verifyDiarySignature(SECRET, BODY.replace('bygglov', 'rivning'), header, { now: at(T) })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyDiarySignature('dhs_other', BODY, header, { now: at(T) })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyDiarySignature(SECRET, BODY, header, { now: at(T + 301) })).toEqual({ ok: false, reason: 'stale' });
    expect(verifyDiarySignature(SECRET, BODY, header, { now: at(T - 301) })).toEqual({ ok: false, reason: 'stale' });
    expect(verifyDiarySignature(SECRET, BODY, header, { now: at(T + 3600), toleranceSeconds: 7200 })).toEqual({ ok: true, timestamp: T });
    // The timestamp is signed: moving it forward to pass the window breaks the signature.
    expect(verifyDiarySignature(SECRET, BODY, header.replace(`t=${T}`, `t=${T + 1000}`), { now: at(T + 1000) })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyDiarySignature(SECRET, BODY, undefined)).toEqual({ ok: false, reason: 'missing' });
    for (const bad of ['garbage', `t=${T}`, `v1=${'a'.repeat(64)}`, `t=abc,v1=${'a'.repeat(64)}`, `t=${T},v1=xyz`]) {
      expect({ bad, check: verifyDiarySignature(SECRET, BODY, bad, { now: at(T) }) }).toEqual({ bad, check: { ok: false, reason: 'malformed' } });
    }
  });

  it('accepts a header with an old and a new signature while a secret is rotated', () => {
    const old = signDiaryBody('dhs_old', BODY, T).split(',')[1];
    const header = `${signDiaryBody(SECRET, BODY, T)},${old}`;
    expect(verifyDiarySignature(SECRET, BODY, header, { now: at(T) }).ok).toBe(true);
    expect(verifyDiarySignature('dhs_old', BODY, header, { now: at(T) }).ok).toBe(true);
    expect(verifyDiarySignature('dhs_third', BODY, header, { now: at(T) }).ok).toBe(false);
  });

  it('refuses timestamps that are not whole unix seconds', () => {
    expect(() => signDiaryBody(SECRET, BODY, 1.5)).toThrow(RangeError);
    expect(() => signDiaryBody(SECRET, BODY, -1)).toThrow(RangeError);
  });
});

describe('hookUrlProblem', () => {
  it('takes https; plain http only to this machine and only when allowed', () => {
    expect(hookUrlProblem('https://diarium.kommun.se/hub', false)).toBeUndefined();
    expect(hookUrlProblem('http://diarium.kommun.se/hub', true)).toMatchObject({ rule: 'https' });
    expect(hookUrlProblem('http://127.0.0.1:8080/hub', false)).toMatchObject({ rule: 'https' });
    for (const local of ['http://127.0.0.1:8080/hub', 'http://localhost/hub', 'http://[::1]:9/hub']) expect(hookUrlProblem(local, true)).toBeUndefined();
    // A host that only starts like localhost is somewhere else.
    expect(hookUrlProblem('http://localhost.evil.example/hub', true)).toMatchObject({ rule: 'https' });
    expect(hookUrlProblem('http://127.0.0.1.nip.io/hub', true)).toMatchObject({ rule: 'https' });
  });

  it('refuses what is not an absolute URL, credentials, fragments, other schemes and overlong URLs', () => {
    expect(hookUrlProblem('/relative', false)).toMatchObject({ rule: 'format' });
    expect(hookUrlProblem('https://u:p@diarium.kommun.se/', false)).toMatchObject({ rule: 'noCredentials' });
    expect(hookUrlProblem('https://diarium.kommun.se/#x', false)).toMatchObject({ rule: 'format' });
    expect(hookUrlProblem('ftp://diarium.kommun.se/', false)).toMatchObject({ rule: 'https', message: expect.stringContaining('ftp') });
    expect(hookUrlProblem(`https://diarium.kommun.se/${'a'.repeat(2000)}`, false)).toMatchObject({ rule: 'maxLength' });
  });

  it('shows URLs without their query string', () => {
    expect(displayUrl('https://diarium.kommun.se/hub?apikey=secret')).toBe('https://diarium.kommun.se/hub?…');
    expect(displayUrl('https://diarium.kommun.se/hub')).toBe('https://diarium.kommun.se/hub');
  });
});

describe('diaryRetryDelayMs', () => {
  it('doubles from the base up to the cap, with ±20 % jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 10, 40].map((a) => diaryRetryDelayMs(a, 30_000, 3_600_000, mid))).toEqual([30_000, 60_000, 120_000, 240_000, 3_600_000, 3_600_000]);
    expect(diaryRetryDelayMs(1, 30_000, 3_600_000, () => 0)).toBe(24_000);
    expect(diaryRetryDelayMs(1, 30_000, 3_600_000, () => 1)).toBe(36_000);
  });
});
