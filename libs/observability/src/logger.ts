import pino, { Logger } from 'pino';
import { TenantContext } from '@hub/tenancy';

// 12 digits that look like a personnummer/samordningsnummer (century 18–20), also with a dash: keep
// the birth date, hide the rest. Organisation ids ("16…") are public and stay readable.
const PERSONAL_ID = /\b((?:18|19|20)\d{6})-?\d{4}\b/g;

/** Masks personnummer and samordningsnummer anywhere in a string. */
export function maskPersonalIds(text: string): string {
  return text.replace(PERSONAL_ID, '$1-****');
}

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPersonalIds(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  if (value instanceof Error) return { type: value.name, message: maskPersonalIds(value.message), stack: value.stack && maskPersonalIds(value.stack) };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, depth + 1);
  return out;
}

/**
 * The hub's structured logger: JSON lines (pino) with the tenant id of the current scope, secrets
 * redacted and personnummer masked in every field and message.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    redact: {
      paths: ['*.authorization', '*.Authorization', 'authorization', '*.password', '*.clientSecret', '*.client_secret', '*.key', '*.privateKey', 'MASTER_KEY', '*.token'],
      censor: '[redacted]',
    },
    mixin() {
      const scope = TenantContext.currentOrUndefined();
      return scope ? { tenantId: scope.tenantId } : {};
    },
    formatters: {
      log: (obj) => maskDeep(obj) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? maskPersonalIds(a) : a)) as Parameters<typeof method>,
        );
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
