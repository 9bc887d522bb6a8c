import { FormEvent, useState } from 'react';
import { fieldErrorOf } from '../../../api/graphql';
import { Alert, Button, ErrorMessage, Facts, RadioGroup, TextField } from '../../../components/ui';
import { useI18n, useT } from '../../../i18n/i18n';
import type { SenderCertificate, SendingUnit } from './core-api';
import { formatOrgNumber } from './settings-forms';
import { CertificateBadge, FileField } from './shared';

export interface CertificateUploadApi {
  /** setSendingUnitCertificate as a multipart request: `files` maps input fields (pkcs12, certificatePem, privateKeyPem) to files. */
  upload(code: string, password: string | null, files: Record<string, File>): Promise<SendingUnit>;
}

/** The facts of an installed certificate: to whom, by whom, how long. */
export function CertificateFacts({ certificate }: { certificate: SenderCertificate }) {
  const t = useT();
  const { formatDateTime, formatNumber } = useI18n();
  return (
    <Facts
      items={[
        [t('settings.units.cert.state'), <CertificateBadge key="b" certificate={certificate} />],
        [t('settings.units.cert.subject'), certificate.subject],
        [t('settings.units.cert.issuedTo'), certificate.subjectSerialNumber ? formatOrgNumber(certificate.subjectSerialNumber) : t('settings.units.cert.noSerial')],
        [t('settings.units.cert.issuer'), certificate.issuer],
        [t('settings.units.cert.serial'), <code key="s">{certificate.serialNumber}</code>],
        [t('settings.units.cert.notBefore'), formatDateTime(certificate.notBefore)],
        [t('settings.units.cert.notAfter'), formatDateTime(certificate.notAfter)],
        [t('settings.units.cert.daysLeft'), formatNumber(certificate.daysLeft)],
      ]}
    />
  );
}

type Format = 'pkcs12' | 'pem';

/**
 * Installs a unit's certificate with its private key: a PKCS#12 file and its password, or PEM
 * certificate and key files. The hub checks them before storing (key belongs to the certificate,
 * valid now, issued to the unit's organisation number); each refusal shows next to its field.
 */
export function CertificateUpload({ unit, api, onInstalled }: { unit: SendingUnit; api: CertificateUploadApi; onInstalled(unit: SendingUnit): void }) {
  const t = useT();
  const { formatDate, formatNumber } = useI18n();
  const [format, setFormat] = useState<Format>('pkcs12');
  const [files, setFiles] = useState<Record<string, File>>({});
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [missing, setMissing] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [installed, setInstalled] = useState<SendingUnit | null>(null);

  const pick = (field: string) => (e: { target: { files: FileList | null } }) => {
    const file = e.target.files?.[0];
    setFiles((f) => {
      const next = { ...f };
      if (file) next[field] = file;
      else delete next[field];
      return next;
    });
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    setInstalled(null);
    const needed = format === 'pkcs12' ? ['pkcs12'] : ['certificatePem', 'privateKeyPem'];
    const lacking = needed.filter((f) => !files[f]);
    setMissing(lacking);
    if (lacking.length) return;
    setBusy(true);
    try {
      const chosen = Object.fromEntries(needed.map((f) => [f, files[f]]));
      const saved = await api.upload(unit.code, password === '' ? null : password, chosen);
      setInstalled(saved);
      setPassword('');
      onInstalled(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const err = (field: string) => (missing.includes(field) ? t('settings.units.upload.choose') : fieldErrorOf(error, field));
  return (
    <form className="settings-form" onSubmit={submit} noValidate>
      <RadioGroup
        legend={t('settings.units.upload.format')}
        name={`format-${unit.code}`}
        value={format}
        onChange={(v) => {
          setFormat(v as Format);
          setMissing([]);
          setError(undefined);
        }}
        options={[
          { value: 'pkcs12', label: t('settings.units.upload.pkcs12Format'), hint: t('settings.units.upload.pkcs12FormatHint') },
          { value: 'pem', label: t('settings.units.upload.pemFormat'), hint: t('settings.units.upload.pemFormatHint') },
        ]}
      />
      {format === 'pkcs12' ? (
        <FileField label={t('settings.units.upload.pkcs12')} accept=".p12,.pfx,application/x-pkcs12" onChange={pick('pkcs12')} error={err('pkcs12')} />
      ) : (
        <>
          <FileField label={t('settings.units.upload.certificate')} hint={t('settings.units.upload.certificateHint')} accept=".pem,.crt,.cer,.der" onChange={pick('certificatePem')} error={err('certificatePem')} />
          <FileField label={t('settings.units.upload.key')} accept=".pem,.key" onChange={pick('privateKeyPem')} error={err('privateKeyPem')} />
        </>
      )}
      <TextField
        label={t('settings.units.upload.password')}
        hint={format === 'pkcs12' ? t('settings.units.upload.passwordHintPkcs12') : t('settings.units.upload.passwordHintPem')}
        type="password"
        autoComplete="off"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={fieldErrorOf(error, 'password')}
      />
      {error !== undefined && <ErrorMessage error={error} />}
      {installed?.certificate && (
        <Alert kind="success" title={t('settings.units.upload.done', { name: installed.name })}>
          {t('settings.units.upload.doneText', { date: formatDate(installed.certificate.notAfter), days: formatNumber(installed.certificate.daysLeft) })}
        </Alert>
      )}
      <div className="actions">
        <Button type="submit" busy={busy}>
          {t('settings.units.upload.submit')}
        </Button>
      </div>
    </form>
  );
}
