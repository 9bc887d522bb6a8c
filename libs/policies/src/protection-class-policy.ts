import type { FieldViolation } from '@hub/letters';
import type { TenantSettings } from '@hub/tenancy';

/** What happens to a letter of a class that would go to print: it goes, waits for a person, or does not go at all. */
export const PRINT_RULES = ['ALLOW', 'HOLD', 'DENY'] as const;
export type PrintRule = (typeof PRINT_RULES)[number];

export const PROTECTION_CLASSES = [1, 2, 3] as const;
export type ProtectionClass = (typeof PROTECTION_CLASSES)[number];

/** What one protection class (skyddsklass) allows in a municipality (SK3). */
export interface ProtectionClassRule {
  protectionClass: ProtectionClass;
  /** A letter of this class that would go to print: ALLOW (default), HOLD for a person, or DENY (undeliverable). */
  print: PrintRule;
  /** May a notification text (e-mail, SMS, a webhook's text for a person) include the letter's subject? */
  notificationMayIncludeSubject: boolean;
  /**
   * Digital delivery goes only to the recipient's secure digital mailbox (Mina meddelanden has no
   * other kind): true for every class, stated so that the policy reads completely; not settable.
   */
  digitalSecureMailboxOnly: true;
}

/**
 * Safe defaults: only class 1 subjects may appear in notification texts; class 3 never has any
 * content in a notification, whatever the tenant sets (SK3). Print follows `printByProtectionClass`
 * (default ALLOW), the one rule the channel switch reads.
 */
export const DEFAULT_NOTIFICATION_SUBJECT: Readonly<Record<ProtectionClass, boolean>> = { 1: true, 2: false, 3: false };

function isProtectionClass(n: unknown): n is ProtectionClass {
  return n === 1 || n === 2 || n === 3;
}

/**
 * Whether a notification about a letter of this protection class may include its subject (the
 * notifications work calls this before writing any text for a person). Never for class 3 or for a
 * class that is not 1–3; otherwise the tenant's setting, default true for class 1 and false for 2.
 */
export function notificationMayIncludeSubject(settings: TenantSettings | null | undefined, protectionClass: number): boolean {
  if (!isProtectionClass(protectionClass) || protectionClass === 3) return false;
  const set = settings?.protectionClassPolicy?.notificationSubject?.[String(protectionClass) as '1' | '2'];
  return typeof set === 'boolean' ? set : DEFAULT_NOTIFICATION_SUBJECT[protectionClass];
}

/** A tenant's protection-class policy, every class with its defaults filled in. */
export function protectionClassPolicy(settings: TenantSettings | null | undefined): ProtectionClassRule[] {
  return PROTECTION_CLASSES.map((c) => ({
    protectionClass: c,
    print: printRule(settings, c),
    notificationMayIncludeSubject: notificationMayIncludeSubject(settings, c),
    digitalSecureMailboxOnly: true,
  }));
}

function printRule(settings: TenantSettings | null | undefined, c: ProtectionClass): PrintRule {
  const rule = settings?.printByProtectionClass?.[String(c) as '1' | '2' | '3'];
  return rule && PRINT_RULES.includes(rule) ? rule : 'ALLOW';
}

/** One class's change, as an admin sends it: absent fields stay as they are. */
export interface ProtectionClassRuleInput {
  protectionClass?: number | null;
  print?: PrintRule | null;
  notificationMayIncludeSubject?: boolean | null;
}

/** The policy settings after a change, and what changed (for the audit trail). */
export interface PolicyChange {
  printByProtectionClass: Record<'1' | '2' | '3', PrintRule>;
  notificationSubject: Record<'1' | '2' | '3', boolean>;
  changes: { protectionClass: ProtectionClass; field: 'print' | 'notificationMayIncludeSubject'; from: unknown; to: unknown }[];
}

/**
 * Applies an admin's change to a tenant's policy, refusing what the policy may not allow: a class
 * other than 1–3 (or one named twice), an unknown print rule, and class 3 subjects in notifications.
 * Paths are `rules[i].field`.
 */
export function changeProtectionClassPolicy(settings: TenantSettings | null | undefined, inputs: readonly (ProtectionClassRuleInput | null)[] | null | undefined): { ok: true; change: PolicyChange } | { ok: false; fields: FieldViolation[] } {
  const fields: FieldViolation[] = [];
  const current = protectionClassPolicy(settings);
  const next = new Map(current.map((r) => [r.protectionClass, { ...r }]));
  if (!Array.isArray(inputs) || inputs.length === 0) {
    return { ok: false, fields: [{ path: 'rules', rule: 'required', message: 'is empty: give at least one class { protectionClass, print?, notificationMayIncludeSubject? }' }] };
  }
  const seen = new Map<number, number>();
  inputs.forEach((input, i) => {
    const path = `rules[${i}]`;
    if (!input || typeof input !== 'object') {
      fields.push({ path, rule: 'required', message: 'must be { protectionClass, print?, notificationMayIncludeSubject? }' });
      return;
    }
    const c = input.protectionClass;
    if (c === undefined || c === null) {
      fields.push({ path: `${path}.protectionClass`, rule: 'required', message: 'is required: 1, 2 or 3' });
      return;
    }
    if (!isProtectionClass(c)) {
      fields.push({ path: `${path}.protectionClass`, rule: 'range', message: `is ${String(c)}; it must be 1, 2 or 3` });
      return;
    }
    if (seen.has(c)) {
      fields.push({ path: `${path}.protectionClass`, rule: 'duplicate', message: `class ${c} is already given at rules[${seen.get(c)}]: give each class once` });
      return;
    }
    seen.set(c, i);
    const rule = next.get(c)!;
    if (input.print !== undefined && input.print !== null) {
      if (!PRINT_RULES.includes(input.print)) fields.push({ path: `${path}.print`, rule: 'enum', message: `is ${JSON.stringify(input.print)}; it must be one of ${PRINT_RULES.join(', ')}` });
      else rule.print = input.print;
    }
    if (input.notificationMayIncludeSubject !== undefined && input.notificationMayIncludeSubject !== null) {
      if (typeof input.notificationMayIncludeSubject !== 'boolean') fields.push({ path: `${path}.notificationMayIncludeSubject`, rule: 'type', message: 'must be true or false' });
      else if (c === 3 && input.notificationMayIncludeSubject) {
        fields.push({
          path: `${path}.notificationMayIncludeSubject`,
          rule: 'policy',
          message: 'cannot be true for class 3: a class 3 letter never has any of its content in a notification (SK3)',
        });
      } else rule.notificationMayIncludeSubject = input.notificationMayIncludeSubject;
    }
  });
  if (fields.length) return { ok: false, fields };
  const changes: PolicyChange['changes'] = [];
  for (const before of current) {
    const after = next.get(before.protectionClass)!;
    if (after.print !== before.print) changes.push({ protectionClass: before.protectionClass, field: 'print', from: before.print, to: after.print });
    if (after.notificationMayIncludeSubject !== before.notificationMayIncludeSubject) {
      changes.push({ protectionClass: before.protectionClass, field: 'notificationMayIncludeSubject', from: before.notificationMayIncludeSubject, to: after.notificationMayIncludeSubject });
    }
  }
  const byClass = <T>(f: (r: ProtectionClassRule) => T) => Object.fromEntries(PROTECTION_CLASSES.map((c) => [String(c), f(next.get(c)!)])) as Record<'1' | '2' | '3', T>;
  return { ok: true, change: { printByProtectionClass: byClass((r) => r.print), notificationSubject: byClass((r) => r.notificationMayIncludeSubject), changes } };
}
