import { ChangeEvent, FormEvent, useRef, useState } from 'react';
import { ApiRequestError } from '../../api/graphql';
import { Alert, Button, Checkbox, ErrorMessage, Section, SelectField, TextArea, TextField } from '../../components/ui';
import { Translate, useI18n, useT } from '../../i18n/i18n';
import { ChannelPreviewPanel, PreviewState } from './channel-preview-panel';
import {
  AddressDraft,
  CaseTypeOption,
  channelOptions,
  classOptions,
  DraftField,
  DraftProblem,
  draftProblems,
  fieldErrors,
  LetterDraft,
  MAX_ATTACHMENT_BYTES,
  toLetterInput,
  toPreviewInput,
  withCaseType,
} from './letter-draft';
import type { ChannelPreview } from './send-api';

/** What the form asks the API (the page passes the real calls; tests pass their own). */
export interface LetterFormApi {
  preview(input: ReturnType<typeof toPreviewInput>): Promise<ChannelPreview>;
  submit(input: Record<string, unknown>, files: Record<string, File>): Promise<{ id: string }>;
}

/** Bytes in words: 12 345 → "12,1 kB" (binary kilo- and megabytes, as file managers show them). */
export function formatSize(bytes: number, formatNumber: (n: number) => string): string {
  if (bytes < 1024) return `${formatNumber(bytes)} B`;
  if (bytes < 1024 * 1024) return `${formatNumber(Math.round((bytes / 1024) * 10) / 10)} kB`;
  return `${formatNumber(Math.round((bytes / (1024 * 1024)) * 10) / 10)} MB`;
}

function problemText(t: Translate, p: DraftProblem, formatNumber: (n: number) => string): string {
  if (p.kind === 'required') return t(`send.form.required.${p.field}`);
  if (p.kind === 'id') return t(`send.idProblem.${p.problem}`);
  return p.problem.kind === 'notPdf'
    ? t('send.files.notPdf', { name: p.problem.name })
    : t('send.files.tooLarge', { size: formatSize(p.problem.bytes, formatNumber), max: formatSize(p.problem.max, formatNumber) });
}

/** The browser's own findings by field (several for one field joined). */
function problemsByField(t: Translate, problems: DraftProblem[], formatNumber: (n: number) => string): Partial<Record<DraftField, string>> {
  const out: Partial<Record<DraftField, string>> = {};
  for (const p of problems) out[p.field] = out[p.field] ? `${out[p.field]} ${problemText(t, p, formatNumber)}` : problemText(t, p, formatNumber);
  return out;
}

/**
 * "Skriv brev": a letter written by hand. The case type narrows the class and channel choices as the
 * intake does; "Förhandsgranska kanal" asks channelPreview; "Skicka brevet" submits the draft with
 * its idempotency key (a second click or a retry gives the same letter), then `onSent` opens it.
 */
export function LetterFormSection({
  draft,
  onDraftChange,
  sendingUnit,
  caseTypes,
  api,
  onSent,
}: {
  draft: LetterDraft;
  onDraftChange(update: (d: LetterDraft) => LetterDraft): void;
  sendingUnit: string;
  caseTypes: CaseTypeOption[];
  api: LetterFormApi;
  onSent(letterId: string): void;
}) {
  const t = useT();
  const { formatNumber } = useI18n();
  const [errors, setErrors] = useState<Partial<Record<DraftField, string>>>({});
  const [submitError, setSubmitError] = useState<unknown>();
  const [busy, setBusy] = useState<'preview' | 'send' | null>(null);
  const [preview, setPreview] = useState<{ state: PreviewState; input: string }>({ state: { kind: 'none' }, input: '' });
  const sending = useRef(false);

  const caseType = caseTypes.find((c) => c.code === draft.caseType);
  const classes = classOptions(caseType);
  const channels = channelOptions(caseType);
  const previewInput = toPreviewInput(draft, sendingUnit);
  const previewKey = JSON.stringify(previewInput);
  const previewState: PreviewState = preview.state.kind === 'answer' ? { ...preview.state, stale: preview.input !== previewKey } : preview.state;

  const set = <K extends keyof LetterDraft>(key: K) => (value: LetterDraft[K]) => onDraftChange((d) => ({ ...d, [key]: value }));
  const setAddress = (key: keyof AddressDraft) => (e: ChangeEvent<HTMLInputElement>) => {
    const value = e.target.value;
    onDraftChange((d) => ({ ...d, address: { ...d.address, [key]: value } }));
  };

  /** Checks what the browser can; shows the problems next to their fields. */
  const checkDraft = (): boolean => {
    const problems = draftProblems(draft, sendingUnit, caseType);
    setErrors(problemsByField(t, problems, formatNumber));
    return problems.length === 0;
  };

  /** The API's field errors next to their fields; true when it was such a refusal. */
  const showApiErrors = (e: unknown): boolean => {
    if (e instanceof ApiRequestError && e.code === 'VALIDATION_FAILED') {
      setErrors(fieldErrors(e.errors.flatMap((x) => x.fields)));
      return true;
    }
    return false;
  };

  const runPreview = async () => {
    const problems = draftProblems(draft, sendingUnit, caseType).filter((p) => p.field === 'recipient' || p.field === 'unit' || (p.field === 'protectionClass' && !caseType));
    setErrors(problemsByField(t, problems, formatNumber));
    setSubmitError(undefined);
    if (problems.length) {
      setPreview({ state: { kind: 'refused' }, input: previewKey });
      return;
    }
    setBusy('preview');
    try {
      const answer = await api.preview(previewInput);
      setPreview({ state: { kind: 'answer', preview: answer, stale: false }, input: previewKey });
    } catch (e) {
      const refused = showApiErrors(e);
      if (!refused) setSubmitError(e);
      setPreview({ state: { kind: refused ? 'refused' : 'failed' }, input: previewKey });
    } finally {
      setBusy(null);
    }
  };

  const send = async (e: FormEvent) => {
    e.preventDefault();
    // One request at a time: the button is disabled while it runs, and a second submit (Enter twice) is ignored.
    if (sending.current) return;
    setSubmitError(undefined);
    if (!checkDraft()) return;
    sending.current = true;
    setBusy('send');
    try {
      const { input, files } = toLetterInput(draft, sendingUnit);
      const letter = await api.submit(input, files);
      onSent(letter.id);
    } catch (err) {
      showApiErrors(err);
      setSubmitError(err);
    } finally {
      sending.current = false;
      setBusy(null);
    }
  };

  const addFiles = (e: ChangeEvent<HTMLInputElement>) => {
    const chosen = Array.from(e.target.files ?? []);
    // The list below is the state; the input is emptied so that the same file can be chosen again after removing it.
    e.target.value = '';
    if (chosen.length) onDraftChange((d) => ({ ...d, files: [...d.files, ...chosen] }));
  };
  const removeFile = (index: number) => onDraftChange((d) => ({ ...d, files: d.files.filter((_, i) => i !== index) }));
  const total = draft.files.reduce((n, f) => n + f.size, 0);
  const hasErrors = Object.keys(errors).length > 0;

  return (
    <Section title={t('send.form.title')} id="write-letter">
      <p className="lead">{t('send.form.lead')}</p>
      <form onSubmit={(e) => void send(e)} noValidate>
        {errors.unit && (
          <p className="error-text">
            {t('send.unit.label')}: {errors.unit}
          </p>
        )}
        <TextField
          id="send-recipient"
          label={t('send.form.recipient')}
          hint={t('send.form.recipientHint')}
          required
          value={draft.recipient}
          onChange={(e) => set('recipient')(e.target.value)}
          error={errors.recipient}
          autoComplete="off"
          inputMode="numeric"
        />
        <SelectField
          label={t('send.form.caseType')}
          value={draft.caseType}
          onChange={(e) => onDraftChange((d) => withCaseType(d, caseTypes.find((c) => c.code === e.target.value)))}
          error={errors.caseType}
          hint={caseTypes.length === 0 ? t('send.form.noCaseTypes') : undefined}
          options={[{ value: '', label: t('send.form.noCaseType') }, ...caseTypes.map((c) => ({ value: c.code, label: `${c.name} (${c.code})` }))]}
        />
        <SelectField
          label={t('send.form.protectionClass')}
          value={draft.protectionClass}
          onChange={(e) => set('protectionClass')(e.target.value)}
          error={errors.protectionClass}
          required={!caseType}
          hint={caseType ? t('send.form.classFromCaseType', { class: caseType.defaultProtectionClass }) : t('send.form.classHint')}
          options={[...(caseType ? [] : [{ value: '', label: t('send.form.chooseClass') }]), ...classes.map((c) => ({ value: c, label: t(`send.form.class.${c}`) }))]}
        />
        <SelectField
          label={t('send.form.channel')}
          value={draft.channelPreference}
          onChange={(e) => set('channelPreference')(e.target.value as LetterDraft['channelPreference'])}
          error={errors.channelPreference}
          hint={caseType && channels.length === 1 ? t('send.form.channelFromCaseType', { channel: t(`channel.${channels[0]}`) }) : t('send.form.channelHint')}
          options={channels.map((c) => ({ value: c, label: t(`channel.${c}`) }))}
        />
        <TextField
          label={t('send.form.subject')}
          required={!caseType}
          value={draft.subject}
          onChange={(e) => set('subject')(e.target.value)}
          error={errors.subject}
          hint={caseType ? t('send.form.subjectFromTemplate', { template: caseType.subjectTemplate }) : t('send.form.subjectHint')}
          maxLength={255}
        />
        <TextArea
          label={t('send.form.body')}
          required={!caseType?.bodyTemplate}
          value={draft.body}
          onChange={(e) => set('body')(e.target.value)}
          error={errors.body}
          hint={caseType?.bodyTemplate ? t('send.form.bodyFromTemplate') : undefined}
          rows={8}
        />
        <TextField label={t('send.form.caseReference')} value={draft.caseReference} onChange={(e) => set('caseReference')(e.target.value)} error={errors.caseReference} hint={t('send.form.caseReferenceHint')} />
        <Checkbox label={t('send.form.protectedIdentity')} hint={t('send.form.protectedIdentityHint')} checked={draft.protectedIdentity} onChange={(e) => set('protectedIdentity')(e.target.checked)} />
        {errors.protectedIdentity && <p className="error-text">{errors.protectedIdentity}</p>}
        <fieldset className="address" aria-describedby={errors.address ? 'send-address-error' : 'send-address-hint'}>
          <legend>{t('send.form.address')}</legend>
          <p className="hint" id="send-address-hint">
            {t('send.form.addressHint')}
          </p>
          {errors.address && (
            <p className="error-text" id="send-address-error">
              {errors.address}
            </p>
          )}
          <TextField label={t('send.form.addressName')} value={draft.address.name} onChange={setAddress('name')} error={errors.addressName} autoComplete="off" />
          <TextField label={t('send.form.addressLine1')} value={draft.address.line1} onChange={setAddress('line1')} error={errors.addressLine1} autoComplete="off" />
          <TextField label={t('send.form.addressLine2')} value={draft.address.line2} onChange={setAddress('line2')} error={errors.addressLine2} autoComplete="off" />
          <div className="row">
            <TextField label={t('send.form.postalCode')} value={draft.address.postalCode} onChange={setAddress('postalCode')} error={errors.postalCode} inputMode="numeric" autoComplete="off" />
            <TextField label={t('send.form.city')} value={draft.address.city} onChange={setAddress('city')} error={errors.city} autoComplete="off" />
          </div>
        </fieldset>
        <TextField
          label={t('send.form.attachments')}
          type="file"
          accept="application/pdf,.pdf"
          multiple
          onChange={addFiles}
          error={errors.attachments}
          hint={t('send.form.attachmentsHint', { max: formatSize(MAX_ATTACHMENT_BYTES, formatNumber) })}
        />
        {draft.files.length > 0 && (
          <div className="file-list">
            <ul aria-label={t('send.files.chosen')}>
              {draft.files.map((f, i) => (
                <li key={`${i}-${f.name}`}>
                  <span>
                    {f.name} <span className="muted">({formatSize(f.size, formatNumber)})</span>
                  </span>
                  <Button variant="link" onClick={() => removeFile(i)}>
                    {t('send.files.remove')}
                    <span className="visually-hidden"> {f.name}</span>
                  </Button>
                </li>
              ))}
            </ul>
            <p className="muted">{t('send.files.total', { count: draft.files.length, size: formatSize(total, formatNumber) })}</p>
          </div>
        )}
        <div className="row send-actions">
          <Button variant="secondary" onClick={() => void runPreview()} busy={busy === 'preview'} disabled={busy === 'send'}>
            {t('send.form.preview')}
          </Button>
          <Button type="submit" busy={busy === 'send'} disabled={busy === 'preview'}>
            {t('send.form.send')}
          </Button>
        </div>
        {busy === 'send' && <p role="status">{t('send.form.sending')}</p>}
        {hasErrors && !submitError && <Alert kind="error">{t('form.invalid')}</Alert>}
        <ErrorMessage error={submitError} />
      </form>
      <ChannelPreviewPanel state={previewState} busy={busy === 'preview'} />
    </Section>
  );
}
