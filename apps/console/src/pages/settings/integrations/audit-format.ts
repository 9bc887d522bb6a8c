/**
 * The audit trail's `detail` in a readable form: a list of fields with their value before and after
 * the change. The hub's services write three shapes: `{ changes: { field: { from, to } } }` (an
 * update), `{ rule|values|…: {...}, previous: {...} }` (before and after as whole objects), and plain
 * values (what was created, deleted or done).
 */
export interface AuditChange {
  /** Dotted path, e.g. "url" or "values.name". */
  field: string;
  before?: unknown;
  after?: unknown;
  /** A plain value (neither before nor after): what was created or done. */
  value?: unknown;
  kind: 'change' | 'value';
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isChange = (v: unknown): v is { from?: unknown; to?: unknown } => isObject(v) && ('from' in v || 'to' in v) && Object.keys(v).every((k) => k === 'from' || k === 'to');
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function changesIn(changes: Json, prefix: string, out: AuditChange[]): void {
  for (const [key, v] of Object.entries(changes)) {
    const field = prefix ? `${prefix}.${key}` : key;
    if (isChange(v)) out.push({ field, before: v.from, after: v.to, kind: 'change' });
    else if (isObject(v)) changesIn(v, field, out);
    else out.push({ field, value: v, kind: 'value' });
  }
}

function valuesIn(values: Json, prefix: string, out: AuditChange[]): void {
  for (const [key, v] of Object.entries(values)) {
    const field = prefix ? `${prefix}.${key}` : key;
    if (isObject(v) && Object.keys(v).length > 0) valuesIn(v, field, out);
    else out.push({ field, value: v, kind: 'value' });
  }
}

function diffObjects(before: Json, after: Json, prefix: string, out: AuditChange[]): void {
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])]) {
    const field = prefix ? `${prefix}.${key}` : key;
    if (isObject(before[key]) && isObject(after[key])) diffObjects(before[key] as Json, after[key] as Json, field, out);
    else if (!same(before[key], after[key])) out.push({ field, before: before[key], after: after[key], kind: 'change' });
  }
}

export function auditChanges(detail: unknown): AuditChange[] {
  if (!isObject(detail)) return detail === undefined || detail === null ? [] : [{ field: '', value: detail, kind: 'value' }];
  const out: AuditChange[] = [];
  const { changes, previous, ...rest } = detail;
  if (isObject(changes)) changesIn(changes, '', out);
  if (isObject(previous)) {
    // The whole object before; the one after is the other object-valued key (e.g. `rule`), if any.
    const afterKey = Object.keys(rest).find((k) => isObject(rest[k]));
    if (afterKey) {
      diffObjects(previous, rest[afterKey] as Json, '', out);
      delete rest[afterKey];
    } else {
      for (const [key, v] of Object.entries(previous)) out.push({ field: key, before: v, kind: 'change' });
    }
  }
  if (changes !== undefined && !isObject(changes)) rest.changes = changes;
  valuesIn(rest, '', out);
  return out;
}

/** A value as text: lists joined, nothing as a dash; booleans and objects through the caller's words. */
export function auditValueText(v: unknown, words: { yes: string; no: string; none: string }): string {
  if (v === undefined || v === null || v === '') return words.none;
  if (typeof v === 'boolean') return v ? words.yes : words.no;
  if (Array.isArray(v)) return v.length ? v.map((x) => auditValueText(x, words)).join(', ') : words.none;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
