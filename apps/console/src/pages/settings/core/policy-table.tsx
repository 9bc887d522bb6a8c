import { useId, useState } from 'react';
import { Alert, Button, ErrorMessage } from '../../../components/ui';
import { useT } from '../../../i18n/i18n';
import type { PrintRule, ProtectionClassRule } from './core-api';

export interface PolicyApi {
  save(rules: { protectionClass: number; print: PrintRule; notificationMayIncludeSubject: boolean }[]): Promise<ProtectionClassRule[]>;
}

const PRINT_RULES: PrintRule[] = ['ALLOW', 'HOLD', 'DENY'];

/** The rules that differ from the saved policy, as setProtectionClassPolicy takes them. */
export function policyChanges(saved: ProtectionClassRule[], edited: ProtectionClassRule[]): ProtectionClassRule[] {
  return edited.filter((e) => {
    const s = saved.find((x) => x.protectionClass === e.protectionClass);
    return !s || s.print !== e.print || s.notificationMayIncludeSubject !== e.notificationMayIncludeSubject;
  });
}

/**
 * The protection-class policy (skyddsklass): per class, what happens to a letter that would go to
 * print, and whether notifications may show its subject (never for class 3). Each control is named
 * by its column and row headers.
 */
export function ProtectionClassPolicyTable({ policy, api, onSaved }: { policy: ProtectionClassRule[]; api: PolicyApi; onSaved?(policy: ProtectionClassRule[]): void }) {
  const t = useT();
  const base = useId();
  const [rules, setRules] = useState(policy);
  const [saved, setSavedPolicy] = useState(policy);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<'saved' | 'unchanged' | null>(null);
  const set = (cls: number, change: Partial<ProtectionClassRule>) => {
    setStatus(null);
    setRules((rs) => rs.map((r) => (r.protectionClass === cls ? { ...r, ...change } : r)));
  };

  async function save() {
    setError(undefined);
    const changes = policyChanges(saved, rules);
    if (changes.length === 0) {
      setStatus('unchanged');
      return;
    }
    setBusy(true);
    try {
      const next = await api.save(changes.map(({ protectionClass, print, notificationMayIncludeSubject }) => ({ protectionClass, print, notificationMayIncludeSubject })));
      setRules(next);
      setSavedPolicy(next);
      setStatus('saved');
      onSaved?.(next);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <div className="table-wrap">
        <table className="policy-table">
          <caption>{t('settings.rules.policy.caption')}</caption>
          <thead>
            <tr>
              <th scope="col" id={`${base}-class`}>
                {t('settings.rules.policy.class')}
              </th>
              <th scope="col" id={`${base}-print`}>
                {t('settings.rules.policy.print')}
              </th>
              <th scope="col" id={`${base}-subject`}>
                {t('settings.rules.policy.subject')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => (
              <tr key={r.protectionClass}>
                <th scope="row" id={`${base}-row-${r.protectionClass}`}>
                  {t(`protectionClass.${r.protectionClass}`)}
                  <div className="muted">{t(`settings.rules.policy.classHint.${r.protectionClass}`)}</div>
                </th>
                <td>
                  <select
                    aria-labelledby={`${base}-print ${base}-row-${r.protectionClass}`}
                    value={r.print}
                    onChange={(e) => set(r.protectionClass, { print: e.target.value as PrintRule })}
                  >
                    {PRINT_RULES.map((p) => (
                      <option key={p} value={p}>
                        {t(`settings.rules.policy.printRule.${p}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  {r.protectionClass === 3 ? (
                    <span>{t('settings.rules.policy.never')}</span>
                  ) : (
                    <input
                      type="checkbox"
                      aria-labelledby={`${base}-subject ${base}-row-${r.protectionClass}`}
                      checked={r.notificationMayIncludeSubject}
                      onChange={(e) => set(r.protectionClass, { notificationMayIncludeSubject: e.target.checked })}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="hint">
        {PRINT_RULES.map((p) => (
          <li key={p}>
            <strong>{t(`settings.rules.policy.printRule.${p}`)}</strong>: {t(`settings.rules.policy.printRuleHint.${p}`)}
          </li>
        ))}
      </ul>
      {error !== undefined && <ErrorMessage error={error} />}
      {status === 'saved' && <Alert kind="success">{t('settings.rules.policy.saved')}</Alert>}
      {status === 'unchanged' && <p role="status">{t('settings.core.nothingChanged')}</p>}
      <div className="actions">
        <Button onClick={() => void save()} busy={busy}>
          {t('settings.rules.policy.save')}
        </Button>
      </div>
    </>
  );
}
