import { useMemo, useState } from 'react';
import { useGraphql, useQuery } from '../../api/graphql';
import { Alert, Button, DataTable, ErrorMessage, Loading, PageTitle, Section } from '../../components/ui';
import { useI18n, useT } from '../../i18n/i18n';
import { CertificateFacts, CertificateUpload, CertificateUploadApi } from './core/certificate-upload';
import { CREATE_SENDING_UNIT, SENDING_UNITS, SendingUnit, SET_CERTIFICATE, UPDATE_SENDING_UNIT } from './core/core-api';
import { formatOrgNumber } from './core/settings-forms';
import { CertificateBadge } from './core/shared';
import { SendingUnitForm, UnitFormApi } from './core/unit-form';
import './core/settings-core.css';

type Editing = { mode: 'new' } | { mode: 'edit'; code: string } | null;

/** /settings/units: the municipality's sending units, their certificates and when they expire; create, change, install a certificate. */
export default function UnitsPage() {
  const t = useT();
  const { formatDate } = useI18n();
  const { request, upload } = useGraphql();
  const units = useQuery<{ sendingUnits: SendingUnit[] }>(SENDING_UNITS);
  const [editing, setEditing] = useState<Editing>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const api = useMemo<UnitFormApi & CertificateUploadApi>(
    () => ({
      create: async (input) => (await request<{ createSendingUnit: SendingUnit }>(CREATE_SENDING_UNIT, { input })).createSendingUnit,
      update: async (code, input) => (await request<{ updateSendingUnit: SendingUnit }>(UPDATE_SENDING_UNIT, { code, input })).updateSendingUnit,
      upload: async (code, password, files) =>
        (
          await upload<{ setSendingUnitCertificate: SendingUnit }>(
            SET_CERTIFICATE,
            { code, input: { password, ...Object.fromEntries(Object.keys(files).map((k) => [k, null])) } },
            Object.fromEntries(Object.entries(files).map(([k, f]) => [`input.${k}`, f])),
          )
        ).setSendingUnitCertificate,
    }),
    [request, upload],
  );

  const list = units.data?.sendingUnits ?? [];
  const current = editing?.mode === 'edit' ? list.find((u) => u.code === editing.code) ?? null : null;
  const attention = list.filter((u) => !u.certificate || u.certificate.status !== 'VALID' || !u.certificate.matchesOrgNumber);

  const open = (next: Editing) => {
    setNotice(null);
    setEditing(next);
  };

  return (
    <>
      <PageTitle lead={t('settings.units.lead')}>{t('nav.settings.units')}</PageTitle>
      {notice && <Alert kind="success">{notice}</Alert>}
      {attention.length > 0 && (
        <Alert kind="warning" title={t('settings.units.attention')}>
          <ul>
            {attention.map((u) => (
              <li key={u.code}>
                {u.name}: <CertificateBadge certificate={u.certificate} />
              </li>
            ))}
          </ul>
        </Alert>
      )}
      <Section
        title={t('settings.units.listTitle')}
        actions={
          <Button variant="secondary" onClick={() => open({ mode: 'new' })}>
            {t('settings.units.new')}
          </Button>
        }
      >
        {units.error && <ErrorMessage error={units.error} onRetry={units.reload} />}
        {units.loading && !units.data ? (
          <Loading />
        ) : (
          <DataTable
            caption={t('settings.units.caption')}
            rows={list}
            rowKey={(u) => u.code}
            empty={t('settings.units.empty')}
            columns={[
              { key: 'code', header: t('settings.units.code'), cell: (u) => <code>{u.code}</code> },
              { key: 'name', header: t('settings.units.name'), cell: (u) => u.name },
              { key: 'org', header: t('settings.units.orgNumber'), cell: (u) => formatOrgNumber(u.orgNumber) },
              {
                key: 'cert',
                header: t('settings.units.certificate'),
                cell: (u) => (
                  <>
                    <CertificateBadge certificate={u.certificate} />
                    {u.certificate && <div className="muted">{t('settings.units.cert.until', { date: formatDate(u.certificate.notAfter) })}</div>}
                  </>
                ),
              },
              { key: 'key', header: t('settings.units.key'), cell: (u) => (u.keyStored ? t('yes') : t('no')) },
              {
                key: 'actions',
                header: t('settings.core.actions'),
                cell: (u) => (
                  <Button variant="link" onClick={() => open({ mode: 'edit', code: u.code })} aria-label={t('settings.units.editUnit', { name: u.name })}>
                    {t('action.edit')}
                  </Button>
                ),
              },
            ]}
          />
        )}
      </Section>

      {editing?.mode === 'new' && (
        <Section title={t('settings.units.new')}>
          <SendingUnitForm
            unit={null}
            api={api}
            onCancel={() => setEditing(null)}
            onSaved={(u) => {
              units.reload();
              setNotice(t('settings.units.created', { name: u.name }));
              setEditing({ mode: 'edit', code: u.code });
            }}
          />
        </Section>
      )}

      {current && (
        <>
          <Section title={t('settings.units.editTitle', { name: current.name })}>
            <SendingUnitForm
              key={current.code}
              unit={current}
              api={api}
              onCancel={() => setEditing(null)}
              onSaved={(u) => {
                units.reload();
                setNotice(t('settings.units.saved', { name: u.name }));
              }}
            />
          </Section>
          <Section title={t('settings.units.certTitle', { name: current.name })}>
            {current.certificate ? <CertificateFacts certificate={current.certificate} /> : <p>{t('settings.units.cert.noneLong')}</p>}
            <h3>{t('settings.units.upload.title')}</h3>
            <p className="muted">{t('settings.units.upload.lead', { org: formatOrgNumber(current.orgNumber) })}</p>
            <CertificateUpload
              key={current.code}
              unit={current}
              api={api}
              onInstalled={() => {
                setNotice(null);
                units.reload();
              }}
            />
          </Section>
        </>
      )}
    </>
  );
}
