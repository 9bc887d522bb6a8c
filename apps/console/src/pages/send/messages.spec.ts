/**
 * The send page builds some message keys from the API's codes (send.reason.<ChannelReason>, …).
 * The codes are read from the API's source, so that a code added there without words here fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MESSAGES } from './messages';

const API = join(__dirname, '..', '..', '..', '..', '..', 'libs', 'api-graphql', 'src');

/** The keys of `export const <name> = { … }` in an API source file. */
function enumKeys(file: string, name: string): string[] {
  const text = readFileSync(join(API, file), 'utf8');
  const body = new RegExp(`export const ${name} = \\{([^}]*)\\}`).exec(text)?.[1];
  if (!body) throw new Error(`${name} not found in ${file}`);
  return [...body.matchAll(/^\s*([A-Z_]+):/gm)].map((m) => m[1]);
}

/** The tenant settings the preview can name (the strings tenantSettingOf returns). */
function settings(): string[] {
  const text = readFileSync(join(API, 'send', 'channel-preview.service.ts'), 'utf8');
  return [...text.matchAll(/return [`']([a-zA-Z]+)[.'`]/g)].map((m) => m[1]);
}

const missing = (keys: string[]) => keys.filter((k) => !(k in MESSAGES.sv) || !(k in MESSAGES.en));

describe('send page words for the API’s codes', () => {
  it('has words for every channel reason, hold reason and print block, in both languages', () => {
    const reasons = enumKeys('send/send.types.ts', 'ChannelReasonEnum');
    expect(reasons).toContain('NOT_REGISTERED');
    expect(missing(reasons.map((r) => `send.reason.${r}`))).toEqual([]);
    expect(missing(enumKeys('reachability/reachability.types.ts', 'ReachabilityReasonEnum').map((r) => `send.reason.${r}`))).toEqual([]);
    expect(missing(enumKeys('send/send.types.ts', 'HoldReasonEnum').map((r) => `send.hold.${r}`))).toEqual([]);
    expect(missing(enumKeys('send/send.types.ts', 'PrintBlockedByEnum').map((r) => `send.blocked.${r}`))).toEqual([]);
  });

  it('has words for every tenant setting the preview names, every channel and every id problem', () => {
    const named = settings();
    expect(named).toEqual(['printAllowed', 'fallbackToPrint', 'printByProtectionClass', 'protectedIdentityRule', 'missingAddressRule']);
    expect(missing(named.map((s) => `send.setting.${s}`))).toEqual([]);
    expect(missing(['DIGITAL', 'PRINT', 'HOLD', 'UNDELIVERABLE'].map((c) => `send.preview.channel.${c}`))).toEqual([]);
    expect(missing(['format', 'short', 'century', 'date', 'luhn'].map((p) => `send.idProblem.${p}`))).toEqual([]);
    expect(missing(['unit', 'recipient', 'subject', 'body', 'protectionClass'].map((f) => `send.form.required.${f}`))).toEqual([]);
  });
});
