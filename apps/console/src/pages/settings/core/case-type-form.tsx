import { FormEvent, useEffect, useState } from 'react';
import { fieldErrorOf } from '../../../api/graphql';
import { Checkbox, ErrorMessage, FormActions, SelectField, TextArea, TextField } from '../../../components/ui';
import { useT } from '../../../i18n/i18n';
import type { CaseType, RetentionRuleOption, TemplatePreview } from './core-api';
import { CaseTypeForm, caseTypeChanges, caseTypeForm, EMPTY_CASE_TYPE, newCaseTypeInput } from './settings-forms';
import { useDebouncedValue } from './shared';

export interface CaseTypeFormApi {
  create(input: Record<string, unknown>): Promise<CaseType>;
  update(code: string, input: Record<string, unknown>): Promise<CaseType>;
  preview(vars: { subjectTemplate: string; bodyTemplate: string | null; caseTypeName: string | null; sendingUnit: string | null }): Promise<TemplatePreview>;
}

/** How long typing must pause before the preview asks the API. */
export const PREVIEW_DEBOUNCE_MS = 400;

/**
 * The live preview of the templates: filled in by the API with the same code that fills them for
 * letters (the console keeps no copy of the placeholder rules), a moment after typing stops.
 */
function TemplatePreviewPanel({ form, sendingUnit, api }: { form: CaseTypeForm; sendingUnit: string | null; api: CaseTypeFormApi }) {
  const t = useT();
  const wanted = useDebouncedValue(
    JSON.stringify({ subjectTemplate: form.subjectTemplate, bodyTemplate: form.bodyTemplate.trim() === '' ? null : form.bodyTemplate, caseTypeName: form.name.trim() || null, sendingUnit }),
    PREVIEW_DEBOUNCE_MS,
  );
  const [state, setState] = useState<{ key: string; preview?: TemplatePreview; error?: unknown }>({ key: '' });
  useEffect(() => {
    const vars = JSON.parse(wanted) as Parameters<CaseTypeFormApi['preview']>[0];
    if (vars.subjectTemplate.trim() === '') return;
    let live = true;
    api.preview(vars).then(
      (preview) => live && setState({ key: wanted, preview }),
      (error: unknown) => live && setState({ key: wanted, error }),
    );
    return () => {
      live = false;
    };
  }, [wanted, api]);

  const empty = form.subjectTemplate.trim() === '';
  const p = state.preview;
  return (
    <section className="template-preview" aria-labelledby="template-preview-title">
      <h3 id="template-preview-title">{t('settings.caseTypes.preview.title')}</h3>
      <div aria-live="polite">
        {empty ? (
          <p className="muted">{t('settings.caseTypes.preview.empty')}</p>
        ) : state.error !== undefined ? (
          <ErrorMessage error={state.error} />
        ) : !p ? (
          <p className="muted">{t('app.loading')}</p>
        ) : (
          <>
            {p.problems.length > 0 && (
              <ul className="error-text">
                {p.problems.map((x) => (
                  <li key={`${x.path}-${x.rule}`}>
                    {t(`settings.caseTypes.preview.problem.${x.path === 'bodyTemplate' ? 'body' : 'subject'}`)}: {x.message}
                  </li>
                ))}
              </ul>
            )}
            <p className="muted">{t('settings.caseTypes.preview.subject')}</p>
            <p className="subject">{p.subject ?? '–'}</p>
            <p className="muted">{t('settings.caseTypes.preview.body')}</p>
            {p.body ? <pre className="body">{p.body}</pre> : <p>{form.bodyTemplate.trim() === '' ? t('settings.caseTypes.preview.noBody') : '–'}</p>}
          </>
        )}
      </div>
      {p && (
        <>
          <p className="muted">{t('settings.caseTypes.preview.placeholders')}</p>
          <ul className="placeholders">
            {p.placeholders.map((x) => {
              // The API describes its placeholders in English; the known ones have words in the user's language.
              const key = `settings.caseTypes.placeholder.${x.placeholder.replace(/[{}]/g, '')}`;
              const words = t(key);
              return (
                <li key={x.placeholder}>
                  <code>{x.placeholder}</code>: {words === key ? x.description : words}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}

/**
 * A case type's form ("Kod", "Namn", "Standardskyddsklass", "Mall för ärendemening", "Mall för
 * brevtext", allowed channels, retention rule, diary) with the live template preview.
 */
export function CaseTypeEditor({
  caseType,
  retentionRules,
  sendingUnit,
  api,
  onSaved,
  onCancel,
}: {
  caseType: CaseType | null;
  retentionRules: RetentionRuleOption[];
  sendingUnit: string | null;
  api: CaseTypeFormApi;
  onSaved(c: CaseType, created: boolean): void;
  onCancel(): void;
}) {
  const t = useT();
  const [form, setForm] = useState<CaseTypeForm>(caseType ? caseTypeForm(caseType) : EMPTY_CASE_TYPE);
  const [error, setError] = useState<unknown>();
  const [noChannel, setNoChannel] = useState(false);
  const [unchanged, setUnchanged] = useState(false);
  const [busy, setBusy] = useState(false);
  const update = <K extends keyof CaseTypeForm>(k: K, v: CaseTypeForm[K]) => {
    setUnchanged(false);
    setForm((f) => ({ ...f, [k]: v }));
  };

  async function save(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    setNoChannel(!form.digital && !form.print);
    if (!form.digital && !form.print) return;
    const input = caseType ? caseTypeChanges(caseType, form) : newCaseTypeInput(form);
    if (!input) {
      setUnchanged(true);
      return;
    }
    setBusy(true);
    try {
      const saved = caseType ? await api.update(caseType.code, input) : await api.create(input);
      onSaved(saved, !caseType);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const err = (path: string) => fieldErrorOf(error, path);
  const ruleLabel = (r: RetentionRuleOption) =>
    r.description ||
    t('settings.caseTypes.retentionRule', {
      scope: [r.caseTypeCode, r.protectionClass ? t(`protectionClass.${r.protectionClass}`) : null].filter(Boolean).join(', ') || t('settings.caseTypes.retentionAll'),
      days: [r.contentAfterDays, r.identifiersAfterDays, r.logAfterDays].map((d) => (d === null ? '–' : String(d))).join(' / '),
    });
  return (
    <div className="two-col">
      <form className="settings-form" onSubmit={save} noValidate>
        <TextField
          label={t('settings.caseTypes.code')}
          hint={caseType ? t('settings.caseTypes.codeFixed') : t('settings.caseTypes.codeHint')}
          value={form.code}
          onChange={(e) => update('code', e.target.value)}
          readOnly={!!caseType}
          required={!caseType}
          error={err('code')}
          autoComplete="off"
        />
        <TextField label={t('settings.caseTypes.name')} value={form.name} onChange={(e) => update('name', e.target.value)} required error={err('name')} />
        <SelectField
          label={t('settings.caseTypes.defaultClass')}
          hint={t('settings.caseTypes.defaultClassHint')}
          value={form.defaultProtectionClass}
          onChange={(e) => update('defaultProtectionClass', e.target.value)}
          error={err('defaultProtectionClass')}
          options={['1', '2', '3'].map((c) => ({ value: c, label: t(`protectionClass.${c}`) }))}
        />
        <TextField
          label={t('settings.caseTypes.subjectTemplate')}
          hint={t('settings.caseTypes.subjectTemplateHint')}
          value={form.subjectTemplate}
          onChange={(e) => update('subjectTemplate', e.target.value)}
          required
          error={err('subjectTemplate')}
        />
        <TextArea label={t('settings.caseTypes.bodyTemplate')} hint={t('settings.caseTypes.bodyTemplateHint')} value={form.bodyTemplate} onChange={(e) => update('bodyTemplate', e.target.value)} error={err('bodyTemplate')} />
        <fieldset>
          <legend>{t('settings.caseTypes.channels')}</legend>
          {(noChannel || err('allowedChannels')) && <p className="error-text">{noChannel ? t('settings.caseTypes.channelsRequired') : err('allowedChannels')}</p>}
          <Checkbox label={t('channel.DIGITAL')} hint={t('settings.caseTypes.digitalHint')} checked={form.digital} onChange={(e) => update('digital', e.target.checked)} />
          <Checkbox label={t('channel.PRINT')} hint={t('settings.caseTypes.printHint')} checked={form.print} onChange={(e) => update('print', e.target.checked)} />
        </fieldset>
        <SelectField
          label={t('settings.caseTypes.retention')}
          hint={t('settings.caseTypes.retentionHint')}
          value={form.retentionRuleId}
          onChange={(e) => update('retentionRuleId', e.target.value)}
          error={err('retentionRuleId')}
          options={[{ value: '', label: t('settings.caseTypes.retentionDefault') }, ...retentionRules.map((r) => ({ value: r.id, label: ruleLabel(r) }))]}
        />
        <Checkbox label={t('settings.caseTypes.diary')} hint={t('settings.caseTypes.diaryHint')} checked={form.diaryEnabled} onChange={(e) => update('diaryEnabled', e.target.checked)} />
        {error !== undefined && <ErrorMessage error={error} />}
        {unchanged && <p role="status">{t('settings.core.nothingChanged')}</p>}
        <FormActions submit={t('action.save')} busy={busy} onCancel={onCancel} />
      </form>
      <TemplatePreviewPanel form={form} sendingUnit={sendingUnit} api={api} />
    </div>
  );
}
