import { useState } from 'react';
import { useGraphql } from '../../api/graphql';
import { useAuth } from '../../auth/auth';
import { Alert, Button, DataTable, DateTime, ErrorMessage, Facts, PageTitle, Section } from '../../components/ui';
import { Translate, useI18n, useT } from '../../i18n/i18n';
import { AUDIT_TRAIL, AuditEntry, AuditPage as AuditConnection, AuditVerification, VERIFY_AUDIT } from './integrations/api';
import { auditChanges, auditValueText } from './integrations/audit-format';
import { useAction, usePaged } from './integrations/shared';
import './integrations/integrations.css';

const pickTrail = (d: { auditTrail: AuditConnection }) => d.auditTrail;

/** A message when the key exists, else the fallback (actions and fields the console has no words for yet). */
function known(t: Translate, key: string, fallback: string, params?: Record<string, string | number>): string {
  const text = t(key, params);
  return text === key ? fallback : text;
}

/** `/settings/audit`: every admin change of the municipality, newest first, and a check of the hash chain. */
export default function AuditPage() {
  const t = useT();
  const { user } = useAuth();
  const { request } = useGraphql();
  const trail = usePaged(AUDIT_TRAIL, {}, pickTrail, 50);
  const action = useAction();
  const [verification, setVerification] = useState<AuditVerification>();

  const verify = async () => {
    setVerification(undefined);
    const r = await action.run(() => request<{ verifyAuditTrail: AuditVerification }>(VERIFY_AUDIT));
    if (r) setVerification(r.verifyAuditTrail);
  };
  const who = (actor: string) => (user && actor === user.subject ? t('settings.audit.you', { name: user.name }) : actor);

  return (
    <>
      <PageTitle lead={t('settings.audit.lead')}>{t('nav.settings.audit')}</PageTitle>
      <Section
        title={t('settings.audit.verifyTitle')}
        actions={
          <Button onClick={() => void verify()} busy={action.busy}>
            {t('settings.audit.verify')}
          </Button>
        }
      >
        <p className="hint">{t('settings.audit.verifyHint')}</p>
        <ErrorMessage error={action.error} />
        {verification?.ok && (
          <Alert kind="success" title={t('settings.audit.ok')}>
            <p>{t('settings.audit.okText', { entries: verification.entries })}</p>
            <Facts items={[[t('settings.audit.lastHash'), <code className="break">{verification.lastHash || '–'}</code>]]} />
          </Alert>
        )}
        {verification && !verification.ok && verification.firstBroken && (
          <Alert kind="error" title={t('settings.audit.broken')}>
            <p>{t('settings.audit.brokenText', { seq: verification.firstBroken.seq })}</p>
            <Facts
              items={[
                [t('settings.audit.brokenSeq'), verification.firstBroken.seq],
                [t('settings.audit.brokenProblem'), known(t, `settings.audit.problem.${verification.firstBroken.problem}`, verification.firstBroken.problem)],
                [t('settings.audit.brokenMessage'), verification.firstBroken.message],
                [t('settings.audit.expected'), <code className="break">{verification.firstBroken.expected}</code>],
                [t('settings.audit.actual'), <code className="break">{verification.firstBroken.actual}</code>],
              ]}
            />
          </Alert>
        )}
      </Section>
      <Section title={t('settings.audit.trail')}>
        <ErrorMessage error={trail.error} onRetry={trail.reload} />
        <DataTable
          caption={t('settings.audit.trail')}
          hideCaption
          rows={trail.items}
          rowKey={(e) => e.id}
          empty={trail.loading ? t('app.loading') : t('settings.audit.none')}
          columns={[
            { key: 'seq', header: t('settings.audit.seq'), numeric: true, cell: (e) => e.seq },
            { key: 'when', header: t('settings.audit.when'), cell: (e) => <DateTime value={e.createdAt} /> },
            { key: 'who', header: t('settings.audit.who'), cell: (e) => <span className="break">{who(e.actor)}</span> },
            { key: 'what', header: t('settings.audit.what'), cell: (e) => <What entry={e} /> },
            { key: 'change', header: t('settings.audit.change'), cell: (e) => <Changes detail={e.detail} /> },
          ]}
        />
        {trail.hasMore && (
          <Button variant="secondary" busy={trail.loading} onClick={() => void trail.more()}>
            {t('action.more')}
          </Button>
        )}
      </Section>
    </>
  );
}

function What({ entry }: { entry: AuditEntry }) {
  const t = useT();
  const [kind, id] = [entry.target.slice(0, entry.target.indexOf(':')), entry.target.slice(entry.target.indexOf(':') + 1)];
  return (
    <>
      <strong>{known(t, `settings.audit.action.${entry.action}`, entry.action)}</strong>
      <div className="muted break">
        {known(t, `settings.audit.target.${kind}`, kind || entry.target)} {id && <code>{id}</code>}
      </div>
    </>
  );
}

function Changes({ detail }: { detail: unknown }) {
  const t = useT();
  const { formatDateTime } = useI18n();
  const changes = auditChanges(detail);
  if (changes.length === 0) return <>–</>;
  const words = { yes: t('yes'), no: t('no'), none: '–' };
  const text = (v: unknown): string => {
    if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v)) return formatDateTime(v);
    // Words for the few coded values the hub writes (outcomes, choices); anything else as it is.
    if (typeof v === 'string' && /^[A-Za-z_]{2,30}$/.test(v)) return known(t, `settings.audit.val.${v}`, v);
    return auditValueText(v, words);
  };
  const label = (field: string) => field.split('.').map((part) => known(t, `settings.audit.field.${part}`, part)).join(' › ');
  return (
    <table className="audit-changes">
      <tbody>
        {changes.map((c, i) => (
          <tr key={`${c.field}-${i}`}>
            <th scope="row">{label(c.field) || t('settings.audit.value')}</th>
            <td className="break">
              {c.kind === 'value' ? (
                text(c.value)
              ) : (
                <>
                  <span className="visually-hidden">{t('settings.audit.before')} </span>
                  <span className="before">{text(c.before)}</span> → <span className="visually-hidden">{t('settings.audit.after')} </span>
                  {text(c.after)}
                </>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
