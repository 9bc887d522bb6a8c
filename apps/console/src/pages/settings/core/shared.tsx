/** Building blocks the settings-core pages share: a labelled file field, certificate badge, debounce, PDF frame. */
import { InputHTMLAttributes, ReactNode, useEffect, useId, useMemo, useState } from 'react';
import { useI18n, useT } from '../../../i18n/i18n';
import type { SenderCertificate } from './core-api';
import { certificateBadge, pdfBlob } from './settings-forms';

/** A file input with its visible label, hint and error tied to it (as the ui.tsx fields do). */
export function FileField({ label, hint, error, id: given, ...rest }: { label: ReactNode; hint?: ReactNode; error?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const generated = useId();
  const id = given ?? generated;
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field file-field${error ? ' field-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="error-text" id={`${id}-error`}>
          {error}
        </p>
      )}
      <input type="file" id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...rest} />
    </div>
  );
}

/** A certificate's state in words and colour, with its expiry date. */
export function CertificateBadge({ certificate }: { certificate: SenderCertificate | null }) {
  const t = useT();
  const { formatDate } = useI18n();
  const { tone, key } = certificateBadge(certificate);
  return (
    <span className={`badge badge-${tone}`}>
      {t(key, certificate ? { date: formatDate(certificate.notAfter), days: Math.abs(certificate.daysLeft) } : {})}
    </span>
  );
}

/** `value` once it has stopped changing for `ms`. */
export function useDebouncedValue<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** A PDF (base64) shown in an iframe from a blob: URL, released when it changes or goes away. */
export function PdfFrame({ base64, title }: { base64: string; title: string }) {
  const url = useMemo(() => URL.createObjectURL(pdfBlob(base64)), [base64]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return <iframe className="pdf" src={url} title={title} />;
}
