import { ReactNode, useEffect, useId, useRef } from 'react';
import './confirm.css';
import { useT } from '../i18n/i18n';
import { Button } from './ui';

/**
 * A confirmation step inside the page before a destructive or irreversible action: the question as a
 * heading that takes the focus (keyboard and screen-reader users land on it, right before its two
 * buttons), what will happen, confirm and cancel; Escape cancels.
 */
export function ConfirmStep({
  title,
  children,
  confirmLabel,
  variant = 'danger',
  busy,
  headingLevel = 2,
  onConfirm,
  onCancel,
}: {
  title: ReactNode;
  children?: ReactNode;
  confirmLabel: string;
  variant?: 'danger' | 'primary';
  busy?: boolean;
  headingLevel?: 2 | 3;
  onConfirm(): void;
  onCancel(): void;
}) {
  const t = useT();
  const headingId = useId();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.scrollIntoView?.({ block: 'center' });
  }, []);
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section className={`card confirm confirm-${variant}`} role="alertdialog" aria-labelledby={headingId} aria-modal="false" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <Heading id={headingId} tabIndex={-1} ref={ref}>
        {title}
      </Heading>
      {children}
      <div className="row">
        <Button variant={variant} busy={busy} onClick={onConfirm}>
          {confirmLabel}
        </Button>
        <Button variant="secondary" onClick={onCancel}>
          {t('action.cancel')}
        </Button>
      </div>
    </section>
  );
}
