import { FormEvent, useState } from 'react';
import { fieldErrorOf, useGraphql, useQuery } from '../../api/graphql';
import { Alert, Button, Checkbox, DataTable, DateTime, ErrorMessage, FormActions, Loading, PageTitle, Section, SelectField, TextField } from '../../components/ui';
import { useT } from '../../i18n/i18n';
import { Link } from '../../router';
import { CaseTypeChoice, CREATE_DIARY_HOOK, DELETE_DIARY_HOOK, DIARY_PAGE, DiaryFailure, DiaryHook, RETRY_DIARY, UPDATE_DIARY_HOOK } from './integrations/api';
import { SecretOnce, useAction, useConfirm } from './integrations/shared';
import './integrations/integrations.css';

type Panel = { kind: 'none' } | { kind: 'create' } | { kind: 'edit'; hook: DiaryHook };

interface DiaryData {
  diaryHooks: DiaryHook[];
  diaryFailures: DiaryFailure[];
  caseTypes: CaseTypeChoice[];
}

/** `/settings/diary`: where dispatched letters are registered (diarieföring), and registrations that failed. */
export default function DiaryPage() {
  const t = useT();
  const { request } = useGraphql();
  const [retrying, setRetrying] = useState(false);
  const data = useQuery<DiaryData>(DIARY_PAGE, { retrying });
  const action = useAction();
  const [panel, setPanel] = useState<Panel>({ kind: 'none' });
  const [secret, setSecret] = useState<{ name: string; secret: string }>();
  const confirm = useConfirm(action.busy);

  const caseTypes = data.data?.caseTypes ?? [];
  const caseTypeName = (code: string | null) => (code === null ? t('settings.diary.allCaseTypes') : `${caseTypes.find((c) => c.code === code)?.name ?? code} (${code})`);

  const close = () => {
    setPanel({ kind: 'none' });
    action.reset();
  };
  const saved = (message: string, hook?: { name: string }, newSecret?: string | null) => {
    close();
    action.setDone(message);
    if (hook && newSecret) setSecret({ name: hook.name, secret: newSecret });
    data.reload();
  };
  const create = async ({ name, url, caseTypeCode, enabled, includeRecipient }: HookInput) => {
    const input = { name, url, caseTypeCode, enabled, includeRecipient };
    const r = await action.run(() => request<{ createDiaryHook: { secret: string; hook: DiaryHook } }>(CREATE_DIARY_HOOK, { input }));
    if (r) saved(t('settings.diary.created'), r.createDiaryHook.hook, r.createDiaryHook.secret);
  };
  const update = async (id: string, input: HookInput & { rotateSecret: boolean }) => {
    const r = await action.run(() => request<{ updateDiaryHook: { secret: string | null; hook: DiaryHook } }>(UPDATE_DIARY_HOOK, { id, input }));
    if (r) saved(input.rotateSecret ? t('settings.diary.rotated') : t('form.saved'), r.updateDiaryHook.hook, r.updateDiaryHook.secret);
  };
  const remove = async (h: DiaryHook) => {
    const r = await action.run(() => request(DELETE_DIARY_HOOK, { id: h.id }));
    if (r) saved(t('settings.diary.deleted', { name: h.name }));
  };
  const retry = async (f: DiaryFailure) => {
    const r = await action.run(() => request(RETRY_DIARY, { letterId: f.letterId }), t('settings.diary.retried'));
    if (r) data.reload();
  };

  return (
    <>
      <PageTitle lead={t('settings.diary.lead')}>{t('nav.settings.diary')}</PageTitle>
      {action.done && <Alert kind="success">{action.done}</Alert>}
      {panel.kind === 'none' && <ErrorMessage error={action.error} />}
      {confirm.panel}
      {secret && (
        <SecretOnce
          title={t('settings.diary.secretTitle', { name: secret.name })}
          values={[{ label: t('settings.diary.secret'), value: secret.secret, secret: true }]}
          onDone={() => setSecret(undefined)}
        />
      )}
      <Section
        title={t('settings.diary.hooks')}
        actions={
          panel.kind === 'none' && (
            <Button
              onClick={() => {
                action.reset();
                setPanel({ kind: 'create' });
              }}
            >
              {t('settings.diary.new')}
            </Button>
          )
        }
      >
        <p className="hint">{t('settings.diary.hooksHint')}</p>
        {data.loading && !data.data && <Loading />}
        <ErrorMessage error={data.error} onRetry={data.reload} />
        {data.data && (
          <DataTable
            caption={t('settings.diary.hooks')}
            hideCaption
            rows={data.data.diaryHooks}
            rowKey={(h) => h.id}
            empty={t('settings.diary.none')}
            columns={[
              { key: 'name', header: t('settings.diary.name'), cell: (h) => h.name },
              { key: 'caseType', header: t('settings.diary.caseType'), cell: (h) => caseTypeName(h.caseTypeCode) },
              { key: 'url', header: t('settings.diary.url'), cell: (h) => <span className="break">{h.url}</span> },
              { key: 'enabled', header: t('settings.diary.state'), cell: (h) => <span className={`badge badge-${h.enabled ? 'good' : 'neutral'}`}>{h.enabled ? t('settings.diary.on') : t('settings.diary.off')}</span> },
              { key: 'recipient', header: t('settings.diary.includeRecipientShort'), cell: (h) => (h.includeRecipient ? t('yes') : t('no')) },
              { key: 'secret', header: t('settings.diary.secretRotatedAt'), cell: (h) => <DateTime value={h.secretRotatedAt ?? h.createdAt} /> },
              {
                key: 'actions',
                header: t('settings.int.actions'),
                cell: (h) => (
                  <div className="row-actions">
                    <Button
                      variant="secondary"
                      aria-label={t('settings.int.editNamed', { name: h.name })}
                      onClick={() => {
                        action.reset();
                        setPanel({ kind: 'edit', hook: h });
                      }}
                    >
                      {t('action.edit')}
                    </Button>
                    <Button
                      variant="secondary"
                      aria-label={t('settings.int.deleteNamed', { name: h.name })}
                      onClick={() =>
                        confirm.ask({
                          title: t('settings.diary.deleteTitle', { name: h.name }),
                          text: t('settings.diary.deleteQuestion', { name: h.name }),
                          confirmLabel: t('settings.diary.deleteConfirm'),
                          action: () => remove(h),
                        })
                      }
                    >
                      {t('action.delete')}
                    </Button>
                  </div>
                ),
              },
            ]}
          />
        )}
      </Section>
      {panel.kind === 'create' && <HookForm title={t('settings.diary.new')} caseTypes={caseTypes} busy={action.busy} error={action.error} onCancel={close} onSubmit={(i) => void create(i)} />}
      {panel.kind === 'edit' && (
        <HookForm
          title={t('settings.diary.editTitle', { name: panel.hook.name })}
          initial={panel.hook}
          caseTypes={caseTypes}
          busy={action.busy}
          error={action.error}
          onCancel={close}
          onSubmit={(i) => void update(panel.hook.id, i)}
        />
      )}

      <Section title={t('settings.diary.failures')}>
        <p className="hint">{t('settings.diary.failuresHint')}</p>
        <Checkbox label={t('settings.diary.includeRetrying')} checked={retrying} onChange={(e) => setRetrying(e.target.checked)} />
        {data.data && (
          <DataTable
            caption={t('settings.diary.failures')}
            hideCaption
            rows={data.data.diaryFailures}
            rowKey={(f) => f.id}
            empty={t('settings.diary.noFailures')}
            columns={[
              { key: 'letter', header: t('settings.int.letter'), cell: (f) => <Link to={`/letters/${f.letterId}`}>{f.caseReference ?? f.letterId.slice(0, 8)}</Link> },
              { key: 'hook', header: t('settings.diary.hook'), cell: (f) => f.hookName },
              { key: 'status', header: t('settings.diary.status'), cell: (f) => <span className={`badge badge-${f.status === 'FAILED' ? 'bad' : 'warn'}`}>{t(`settings.diary.status.${f.status}`)}</span> },
              { key: 'attempts', header: t('settings.webhooks.attempts'), numeric: true, cell: (f) => f.attempts },
              {
                key: 'error',
                header: t('settings.diary.lastError'),
                cell: (f) => (
                  <>
                    {f.lastHttpStatus !== null && `HTTP ${f.lastHttpStatus} `}
                    <span className="break">{f.lastError ?? '–'}</span>
                  </>
                ),
              },
              { key: 'when', header: t('settings.webhooks.when'), cell: (f) => <DateTime value={f.failedAt ?? f.lastAttemptAt} /> },
              {
                key: 'actions',
                header: t('settings.int.actions'),
                cell: (f) =>
                  f.status === 'FAILED' ? (
                    <Button variant="secondary" busy={action.busy} aria-label={t('settings.diary.retryOf', { letter: f.caseReference ?? f.letterId })} onClick={() => void retry(f)}>
                      {t('settings.diary.retry')}
                    </Button>
                  ) : (
                    <span className="muted">
                      {t('settings.diary.nextAttempt')} <DateTime value={f.nextAttemptAt} />
                    </span>
                  ),
              },
            ]}
          />
        )}
      </Section>
    </>
  );
}

interface HookInput {
  name: string;
  url: string;
  caseTypeCode: string | null;
  enabled: boolean;
  includeRecipient: boolean;
}

function HookForm({
  title,
  initial,
  caseTypes,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  title: string;
  initial?: DiaryHook;
  caseTypes: CaseTypeChoice[];
  busy: boolean;
  error: unknown;
  onSubmit(i: HookInput & { rotateSecret: boolean }): void;
  onCancel(): void;
}) {
  const t = useT();
  const [name, setName] = useState(initial?.name ?? '');
  const [url, setUrl] = useState(initial?.url ?? 'https://');
  const [caseTypeCode, setCaseTypeCode] = useState(initial?.caseTypeCode ?? '');
  const [enabled, setEnabled] = useState(initial?.enabled ?? true);
  const [includeRecipient, setIncludeRecipient] = useState(initial?.includeRecipient ?? true);
  const [rotateSecret, setRotateSecret] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit({ name: name.trim(), url: url.trim(), caseTypeCode: caseTypeCode || null, enabled, includeRecipient, rotateSecret });
  };
  return (
    <Section title={title}>
      <form onSubmit={submit} noValidate>
        <TextField label={t('settings.diary.name')} hint={t('settings.diary.nameHint')} required value={name} onChange={(e) => setName(e.target.value)} error={fieldErrorOf(error, 'name')} />
        <TextField label={t('settings.diary.url')} hint={t('settings.diary.urlHint')} required type="url" value={url} onChange={(e) => setUrl(e.target.value)} error={fieldErrorOf(error, 'url')} />
        <SelectField
          label={t('settings.diary.caseType')}
          hint={t('settings.diary.caseTypeHint')}
          value={caseTypeCode}
          onChange={(e) => setCaseTypeCode(e.target.value)}
          error={fieldErrorOf(error, 'caseTypeCode')}
          options={[{ value: '', label: t('settings.diary.allCaseTypes') }, ...caseTypes.map((c) => ({ value: c.code, label: `${c.name} (${c.code})` }))]}
        />
        <Checkbox label={t('settings.diary.enabled')} hint={t('settings.diary.enabledHint')} checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        <Checkbox label={t('settings.diary.includeRecipient')} hint={t('settings.diary.includeRecipientHint')} checked={includeRecipient} onChange={(e) => setIncludeRecipient(e.target.checked)} />
        {initial && <Checkbox label={t('settings.diary.rotateSecret')} hint={t('settings.diary.rotateSecretHint')} checked={rotateSecret} onChange={(e) => setRotateSecret(e.target.checked)} />}
        <ErrorMessage error={error} />
        <FormActions submit={initial ? t('action.save') : t('settings.diary.create')} busy={busy} onCancel={onCancel} />
      </form>
    </Section>
  );
}
