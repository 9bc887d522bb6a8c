/**
 * The console's building blocks. Every form control has a visible <label>, errors are tied to their
 * control with aria-describedby and aria-invalid, status messages are live regions, tables have
 * captions and header cells: pages built from these meet WCAG 2.1 AA without extra work.
 */
import { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes, useEffect, useId, useRef } from 'react';
import { ApiRequestError } from '../api/graphql';
import { useI18n, useT } from '../i18n/i18n';

/** The page's one <h1>; focused after navigation so screen readers announce the new page. */
export function PageTitle({ children, lead }: { children: ReactNode; lead?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <header className="page-title">
      <h1 tabIndex={-1} ref={ref}>
        {children}
      </h1>
      {lead && <p className="lead">{lead}</p>}
    </header>
  );
}

export function Section({ title, children, actions, id }: { title: ReactNode; children: ReactNode; actions?: ReactNode; id?: string }) {
  const generated = useId();
  const headingId = id ?? generated;
  return (
    <section className="card" aria-labelledby={headingId}>
      <div className="card-head">
        <h2 id={headingId}>{title}</h2>
        {actions && <div className="card-actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

type Variant = 'primary' | 'secondary' | 'danger' | 'link';
export function Button({ variant = 'primary', busy, children, ...rest }: { variant?: Variant; busy?: boolean } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button type="button" {...rest} className={`btn btn-${variant} ${rest.className ?? ''}`} disabled={rest.disabled || busy} aria-busy={busy || undefined}>
      {children}
    </button>
  );
}

/** A form's buttons: submit (busy while saving) and cancel, in that order. */
export function FormActions({ submit, busy, onCancel }: { submit: ReactNode; busy?: boolean; onCancel(): void }) {
  const t = useT();
  return (
    <div className="row">
      <Button type="submit" busy={busy}>
        {submit}
      </Button>
      <Button variant="secondary" onClick={onCancel}>
        {t('action.cancel')}
      </Button>
    </div>
  );
}

interface FieldProps {
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  required?: boolean;
}

function FieldFrame({ id, label, hint, error, required, children }: FieldProps & { id: string; children: ReactNode }) {
  const t = useT();
  return (
    <div className={`field${error ? ' field-error' : ''}`}>
      <label htmlFor={id}>
        {label}
        {required && <span className="required"> ({t('form.required')})</span>}
      </label>
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
      {children}
    </div>
  );
}

function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
}

export function TextField({ label, hint, error, required, id: given, ...rest }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const generated = useId();
  const id = given ?? generated;
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} required={required}>
      <input id={id} required={required} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...rest} />
    </FieldFrame>
  );
}

export function TextArea({ label, hint, error, required, id: given, ...rest }: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const generated = useId();
  const id = given ?? generated;
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} required={required}>
      <textarea id={id} required={required} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...rest} />
    </FieldFrame>
  );
}

export function SelectField({
  label,
  hint,
  error,
  required,
  id: given,
  options,
  ...rest
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement> & { options: { value: string; label: string }[] }) {
  const generated = useId();
  const id = given ?? generated;
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} required={required}>
      <select id={id} required={required} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...rest}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

export function Checkbox({ label, hint, id: given, ...rest }: { label: ReactNode; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  const generated = useId();
  const id = given ?? generated;
  return (
    <div className="checkbox">
      <input type="checkbox" id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...rest} />
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** A group of radio buttons in a fieldset with a legend. */
export function RadioGroup({ legend, name, value, options, onChange, hint }: { legend: ReactNode; name: string; value: string; options: { value: string; label: ReactNode; hint?: ReactNode }[]; onChange(v: string): void; hint?: ReactNode }) {
  const base = useId();
  return (
    <fieldset className="radio-group">
      <legend>{legend}</legend>
      {hint && <p className="hint">{hint}</p>}
      {options.map((o, i) => (
        <div className="radio" key={o.value}>
          <input type="radio" id={`${base}-${i}`} name={name} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} />
          <label htmlFor={`${base}-${i}`}>{o.label}</label>
          {o.hint && <p className="hint">{o.hint}</p>}
        </div>
      ))}
    </fieldset>
  );
}

/** A status message: `polite` for success/info (role=status), `assertive` for errors (role=alert). */
export function Alert({ kind = 'info', children, title }: { kind?: 'info' | 'success' | 'warning' | 'error'; children: ReactNode; title?: ReactNode }) {
  return (
    <div className={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {title && <p className="alert-title">{title}</p>}
      <div>{children}</div>
    </div>
  );
}

/** Shows an API or network error: its message, the code and the error id the hub's logs know. */
export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  if (!error) return null;
  const items = error instanceof ApiRequestError ? error.errors : [{ message: error instanceof Error ? error.message : String(error), fields: [] as { path: string; message: string }[] }];
  return (
    <Alert kind="error" title={t('app.error')}>
      <ul className="plain">
        {items.map((e, i) => (
          <li key={i}>
            {e.message}
            {'code' in e && e.code ? <span className="muted"> ({e.code})</span> : null}
            {e.fields.length > 0 && (
              <ul>
                {e.fields.map((f) => (
                  <li key={f.path}>
                    <code>{f.path}</code>: {f.message}
                  </li>
                ))}
              </ul>
            )}
            {'errorId' in e && e.errorId ? <div className="muted">{t('app.errorId', { code: e.errorId })}</div> : null}
          </li>
        ))}
      </ul>
      {onRetry && (
        <Button variant="secondary" onClick={onRetry}>
          {t('app.retry')}
        </Button>
      )}
    </Alert>
  );
}

export function Loading({ label }: { label?: string }) {
  const t = useT();
  return (
    <p className="loading" role="status">
      {label ?? t('app.loading')}
    </p>
  );
}

export interface Column<T> {
  key: string;
  header: ReactNode;
  cell(row: T): ReactNode;
  /** Right-aligned numbers. */
  numeric?: boolean;
}

/** A data table with a caption (visually hidden when `hideCaption`) and row headers in the first column. */
export function DataTable<T>({ caption, columns, rows, rowKey, hideCaption, empty }: { caption: ReactNode; columns: Column<T>[]; rows: T[]; rowKey(row: T): string; hideCaption?: boolean; empty?: ReactNode }) {
  const t = useT();
  return (
    <div className="table-wrap">
      <table>
        <caption className={hideCaption ? 'visually-hidden' : undefined}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.numeric ? 'num' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={columns.length} className="empty">
                {empty ?? t('table.empty')}
              </td>
            </tr>
          )}
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c, i) =>
                i === 0 ? (
                  <th key={c.key} scope="row" className={c.numeric ? 'num' : undefined}>
                    {c.cell(row)}
                  </th>
                ) : (
                  <td key={c.key} className={c.numeric ? 'num' : undefined}>
                    {c.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Term/value pairs (a letter's facts, a setting's current values). */
export function Facts({ items }: { items: [ReactNode, ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([k, v], i) => (
        <div key={i}>
          <dt>{k}</dt>
          <dd>{v ?? '–'}</dd>
        </div>
      ))}
    </dl>
  );
}

const STATUS_TONE: Record<string, string> = {
  DELIVERED: 'good',
  POSTED: 'good',
  PRINTED: 'good',
  FAILED: 'bad',
  PRINT_FAILED: 'bad',
  RETURNED: 'bad',
  UNDELIVERABLE: 'bad',
  HELD: 'warn',
  CANCELLED: 'neutral',
};

/** A letter state as text with a colour that is never the only cue (the word is always there). */
export function StatusBadge({ status }: { status: string }) {
  const t = useT();
  return <span className={`badge badge-${STATUS_TONE[status] ?? 'info'}`}>{t(`status.${status}`)}</span>;
}

export function DateTime({ value }: { value: string | null | undefined }) {
  const { formatDateTime } = useI18n();
  return value ? <time dateTime={value}>{formatDateTime(value)}</time> : <>–</>;
}
