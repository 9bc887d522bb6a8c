import { useMemo, useState } from 'react';
import { useGraphql, useQuery } from '../../api/graphql';
import { Alert, Button, DataTable, ErrorMessage, Loading, PageTitle, Section } from '../../components/ui';
import { useT } from '../../i18n/i18n';
import { CaseTypeEditor, CaseTypeFormApi } from './core/case-type-form';
import { ARCHIVE_CASE_TYPE, CASE_TYPES, CaseType, CREATE_CASE_TYPE, RESTORE_CASE_TYPE, RetentionRuleOption, TEMPLATE_PREVIEW, TemplatePreview, UPDATE_CASE_TYPE } from './core/core-api';
import { ConfirmStep } from '../../components/confirm';
import './core/settings-core.css';

type Editing = { mode: 'new' } | { mode: 'edit'; code: string } | null;

/** /settings/case-types: case types (ärendetyper) with their templates, protection class and channels; archive and restore. */
export default function CaseTypesPage() {
  const t = useT();
  const { request } = useGraphql();
  const data = useQuery<{ caseTypes: CaseType[]; retentionRules: RetentionRuleOption[] }>(CASE_TYPES);
  const [editing, setEditing] = useState<Editing>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<'archive' | 'restore' | null>(null);
  const [archiveError, setArchiveError] = useState<unknown>();
  const [archiving, setArchiving] = useState(false);

  const api = useMemo<CaseTypeFormApi>(
    () => ({
      create: async (input) => (await request<{ createCaseType: CaseType }>(CREATE_CASE_TYPE, { input })).createCaseType,
      update: async (code, input) => (await request<{ updateCaseType: CaseType }>(UPDATE_CASE_TYPE, { code, input })).updateCaseType,
      preview: async (vars) => (await request<{ caseTypeTemplatePreview: TemplatePreview }>(TEMPLATE_PREVIEW, vars)).caseTypeTemplatePreview,
    }),
    [request],
  );

  const list = data.data?.caseTypes ?? [];
  const current = editing?.mode === 'edit' ? list.find((c) => c.code === editing.code) ?? null : null;
  const open = (next: Editing) => {
    setNotice(null);
    setConfirming(null);
    setArchiveError(undefined);
    setEditing(next);
  };

  async function archiveOrRestore(c: CaseType, action: 'archive' | 'restore') {
    setArchiving(true);
    setArchiveError(undefined);
    try {
      await request(action === 'archive' ? ARCHIVE_CASE_TYPE : RESTORE_CASE_TYPE, { code: c.code });
      setConfirming(null);
      setNotice(t(action === 'archive' ? 'settings.caseTypes.archived' : 'settings.caseTypes.restored', { name: c.name }));
      data.reload();
    } catch (err) {
      setArchiveError(err);
    } finally {
      setArchiving(false);
    }
  }

  const channelWords = (c: CaseType) => c.allowedChannels.map((ch) => t(`channel.${ch}`)).join(', ');
  return (
    <>
      <PageTitle lead={t('settings.caseTypes.lead')}>{t('nav.settings.caseTypes')}</PageTitle>
      {notice && <Alert kind="success">{notice}</Alert>}
      <Section
        title={t('settings.caseTypes.listTitle')}
        actions={
          <Button variant="secondary" onClick={() => open({ mode: 'new' })}>
            {t('settings.caseTypes.new')}
          </Button>
        }
      >
        {data.error && <ErrorMessage error={data.error} onRetry={data.reload} />}
        {data.loading && !data.data ? (
          <Loading />
        ) : (
          <DataTable
            caption={t('settings.caseTypes.caption')}
            rows={list}
            rowKey={(c) => c.code}
            empty={t('settings.caseTypes.empty')}
            columns={[
              { key: 'code', header: t('settings.caseTypes.code'), cell: (c) => <code>{c.code}</code> },
              { key: 'name', header: t('settings.caseTypes.name'), cell: (c) => c.name },
              { key: 'class', header: t('settings.caseTypes.defaultClass'), cell: (c) => t(`protectionClass.${c.defaultProtectionClass}`) },
              { key: 'channels', header: t('settings.caseTypes.channels'), cell: channelWords },
              { key: 'diary', header: t('settings.caseTypes.diaryColumn'), cell: (c) => (c.diaryEnabled ? t('yes') : t('no')) },
              {
                key: 'archived',
                header: t('settings.caseTypes.archivedColumn'),
                cell: (c) => (c.active ? t('no') : <span className="badge badge-neutral">{t('settings.caseTypes.archivedBadge')}</span>),
              },
              {
                key: 'actions',
                header: t('settings.core.actions'),
                cell: (c) => (
                  <Button variant="link" onClick={() => open({ mode: 'edit', code: c.code })} aria-label={t('settings.caseTypes.editNamed', { name: c.name })}>
                    {t('action.edit')}
                  </Button>
                ),
              },
            ]}
          />
        )}
      </Section>

      {editing?.mode === 'new' && (
        <Section title={t('settings.caseTypes.new')}>
          <CaseTypeEditor
            caseType={null}
            retentionRules={data.data?.retentionRules ?? []}
            sendingUnit={null}
            api={api}
            onCancel={() => setEditing(null)}
            onSaved={(c) => {
              data.reload();
              setNotice(t('settings.caseTypes.created', { name: c.name }));
              setEditing({ mode: 'edit', code: c.code });
            }}
          />
        </Section>
      )}

      {current && (
        <Section title={t('settings.caseTypes.editTitle', { name: current.name })}>
          {!current.active && <Alert kind="warning">{t('settings.caseTypes.isArchived')}</Alert>}
          <CaseTypeEditor
            key={`${current.code}-${current.version}`}
            caseType={current}
            retentionRules={data.data?.retentionRules ?? []}
            sendingUnit={null}
            api={api}
            onCancel={() => setEditing(null)}
            onSaved={(c) => {
              data.reload();
              setNotice(t('settings.caseTypes.saved', { name: c.name }));
            }}
          />
          <h3>{current.active ? t('settings.caseTypes.archiveTitle') : t('settings.caseTypes.restoreTitle')}</h3>
          <p className="muted">{current.active ? t('settings.caseTypes.archiveLead') : t('settings.caseTypes.restoreLead')}</p>
          {confirming ? (
            <ConfirmStep
              headingLevel={3}
              title={t(confirming === 'archive' ? 'settings.caseTypes.archiveQuestion' : 'settings.caseTypes.restoreQuestion', { name: current.name })}
              confirmLabel={t(confirming === 'archive' ? 'settings.caseTypes.archive' : 'settings.caseTypes.restore')}
              busy={archiving}
              onConfirm={() => void archiveOrRestore(current, confirming)}
              onCancel={() => setConfirming(null)}
            >
              {archiveError !== undefined && <ErrorMessage error={archiveError} />}
            </ConfirmStep>
          ) : (
            <Button variant={current.active ? 'danger' : 'secondary'} onClick={() => setConfirming(current.active ? 'archive' : 'restore')}>
              {current.active ? t('settings.caseTypes.archive') : t('settings.caseTypes.restore')}
            </Button>
          )}
        </Section>
      )}
    </>
  );
}
