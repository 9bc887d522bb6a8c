import { FormEvent, useState } from 'react';
import { fieldErrorOf } from '../../../api/graphql';
import { ErrorMessage, FormActions, TextArea, TextField } from '../../../components/ui';
import { useT } from '../../../i18n/i18n';
import type { SendingUnit } from './core-api';
import { EMPTY_UNIT, newUnitInput, UnitForm, unitChanges, unitForm } from './settings-forms';

export interface UnitFormApi {
  create(input: Record<string, unknown>): Promise<SendingUnit>;
  update(code: string, input: Record<string, unknown>): Promise<SendingUnit>;
}

/**
 * A sending unit's name, organisation number and return address: new (with a code) or changed (the
 * code stays). Field errors from the API sit next to their fields.
 */
export function SendingUnitForm({ unit, api, onSaved, onCancel }: { unit: SendingUnit | null; api: UnitFormApi; onSaved(unit: SendingUnit, created: boolean): void; onCancel(): void }) {
  const t = useT();
  const [form, setForm] = useState<UnitForm>(unit ? unitForm(unit) : EMPTY_UNIT);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [unchanged, setUnchanged] = useState(false);
  const set = (k: keyof UnitForm) => (e: { target: { value: string } }) => {
    setUnchanged(false);
    setForm((f) => ({ ...f, [k]: e.target.value }));
  };

  async function save(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    const changes = unit ? unitChanges(unit, form) : newUnitInput(form);
    if (!changes) {
      setUnchanged(true);
      return;
    }
    setBusy(true);
    try {
      const saved = unit ? await api.update(unit.code, changes) : await api.create(changes);
      onSaved(saved, !unit);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const err = (path: string) => fieldErrorOf(error, path);
  return (
    <form className="settings-form" onSubmit={save} noValidate>
      <TextField
        label={t('settings.units.code')}
        hint={unit ? t('settings.units.codeFixed') : t('settings.units.codeHint')}
        value={form.code}
        onChange={set('code')}
        readOnly={!!unit}
        required={!unit}
        error={err('code')}
        autoComplete="off"
      />
      <TextField label={t('settings.units.name')} hint={t('settings.units.nameHint')} value={form.name} onChange={set('name')} required error={err('name')} />
      <TextField label={t('settings.units.orgNumber')} hint={t('settings.units.orgNumberHint')} value={form.orgNumber} onChange={set('orgNumber')} required error={err('orgNumber')} inputMode="numeric" />
      <TextArea label={t('settings.units.address')} hint={t('settings.units.addressHint')} value={form.address} onChange={set('address')} required error={err('postalAddress')} rows={4} />
      {error !== undefined && <ErrorMessage error={error} />}
      {unchanged && <p role="status">{t('settings.core.nothingChanged')}</p>}
      <FormActions submit={t('action.save')} busy={busy} onCancel={onCancel} />
    </form>
  );
}
