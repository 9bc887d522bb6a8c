import { FormEvent, useState } from 'react';
import { fieldErrorOf } from '../../../api/graphql';
import { Alert, Button, Checkbox, ErrorMessage, RadioGroup, TextField } from '../../../components/ui';
import { useT } from '../../../i18n/i18n';
import type { MissingAddressRule, ProtectedIdentityRule, TenantSettings } from './core-api';
import { RulesForm, rulesChanges, rulesForm } from './settings-forms';

export interface RulesApi {
  save(input: Record<string, unknown>): Promise<TenantSettings>;
}

/** The channel rules: may letters go to print, fall back to print, what happens with protected identities and missing addresses, the deadline. */
export function ChannelRulesForm({ settings, api, onSaved }: { settings: TenantSettings; api: RulesApi; onSaved?(s: TenantSettings): void }) {
  const t = useT();
  const [form, setForm] = useState<RulesForm>(rulesForm(settings));
  const [saved, setSaved] = useState(settings);
  const [error, setError] = useState<unknown>();
  const [badHours, setBadHours] = useState(false);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<'saved' | 'unchanged' | null>(null);
  const update = <K extends keyof RulesForm>(k: K, v: RulesForm[K]) => {
    setStatus(null);
    setForm((f) => ({ ...f, [k]: v }));
  };

  async function save(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    const out = rulesChanges(saved, form);
    setBadHours(!out.ok);
    if (!out.ok) return;
    if (!out.input) {
      setStatus('unchanged');
      return;
    }
    setBusy(true);
    try {
      const next = await api.save(out.input);
      setSaved(next);
      setForm(rulesForm(next));
      setStatus('saved');
      onSaved?.(next);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="settings-form" onSubmit={save} noValidate>
      <fieldset>
        <legend>{t('settings.rules.print.legend')}</legend>
        <Checkbox label={t('settings.rules.printAllowed')} hint={t('settings.rules.printAllowedHint')} checked={form.printAllowed} onChange={(e) => update('printAllowed', e.target.checked)} />
        <Checkbox
          label={t('settings.rules.fallbackToPrint')}
          hint={t('settings.rules.fallbackToPrintHint')}
          checked={form.fallbackToPrint}
          onChange={(e) => update('fallbackToPrint', e.target.checked)}
        />
      </fieldset>
      <TextField
        label={t('settings.rules.deadlineHours')}
        hint={t('settings.rules.deadlineHoursHint', { hours: saved.defaultDeadlineHours })}
        value={form.deadlineHours}
        inputMode="numeric"
        onChange={(e) => update('deadlineHours', e.target.value)}
        error={badHours ? t('settings.rules.deadlineHoursWhole') : fieldErrorOf(error, 'deadlineHours')}
      />
      <RadioGroup
        legend={t('settings.rules.protectedIdentity')}
        hint={t('settings.rules.protectedIdentityHint')}
        name="protectedIdentityRule"
        value={form.protectedIdentityRule}
        onChange={(v) => update('protectedIdentityRule', v as ProtectedIdentityRule)}
        options={(['HOLD', 'UNDELIVERABLE', 'PRINT_GIVEN_ADDRESS'] as const).map((v) => ({ value: v, label: t(`settings.rules.protectedIdentity.${v}`), hint: t(`settings.rules.protectedIdentityHint.${v}`) }))}
      />
      <RadioGroup
        legend={t('settings.rules.missingAddress')}
        name="missingAddressRule"
        value={form.missingAddressRule}
        onChange={(v) => update('missingAddressRule', v as MissingAddressRule)}
        options={(['HOLD', 'UNDELIVERABLE'] as const).map((v) => ({ value: v, label: t(`settings.rules.missingAddress.${v}`), hint: t(`settings.rules.missingAddressHint.${v}`) }))}
      />
      {error !== undefined && <ErrorMessage error={error} />}
      {status === 'saved' && <Alert kind="success">{t('settings.rules.saved')}</Alert>}
      {status === 'unchanged' && <p role="status">{t('settings.core.nothingChanged')}</p>}
      <div className="actions">
        <Button type="submit" busy={busy}>
          {t('action.save')}
        </Button>
      </div>
    </form>
  );
}
