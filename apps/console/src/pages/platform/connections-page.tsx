import { FormEvent, ReactNode, useState } from 'react';
import { fieldErrorOf, useGraphql, useQuery } from '../../api/graphql';
import { Alert, Button, DataTable, DateTime, ErrorMessage, Facts, Loading, PageTitle, Section, TextField } from '../../components/ui';
import { useI18n, useT } from '../../i18n/i18n';
import { connectionErrorKey, daysUntil, formatOrgNumber } from './platform-forms';
import './platform.css';

interface Certificate {
  subject: string;
  issuer: string;
  serialNumber: string | null;
  notBefore: string;
  notAfter: string;
}

interface Connections {
  settings: { variable: string; value: string | null; isDefault: boolean }[];
  trustedCas: Certificate[];
  caProblem: string | null;
  intermediary: (Certificate & { installedAt: string }) | null;
  intermediaryProblem: string | null;
  operators: { id: string; name: string | null; serviceAddress: string | null; lastSeenAt: string; tenants: number }[];
}

export interface EndpointResult {
  kind: 'SETUP' | 'FAR' | 'MAILBOX_OPERATOR';
  name: string;
  url: string | null;
  ok: boolean;
  latencyMs: number | null;
  httpStatus: number | null;
  serverCertificateNotAfter: string | null;
  errorCode: string | null;
  message: string | null;
  farAnswer: { recipientId: string; deliverable: boolean; reason: string | null; operatorName: string | null } | null;
}

interface Check {
  checkedAt: string;
  ok: boolean;
  senderOrgNumber: string | null;
  results: EndpointResult[];
}

const CERT = 'subject issuer serialNumber notBefore notAfter';
const CONNECTIONS = `{ mmConnections { settings { variable value isDefault } trustedCas { ${CERT} } caProblem intermediary { ${CERT} installedAt } intermediaryProblem
  operators { id name serviceAddress lastSeenAt tenants } } }`;
const CHECK = `mutation($sender: String) { checkMmConnections(senderOrgNumber: $sender) { checkedAt ok senderOrgNumber
  results { kind name url ok latencyMs httpStatus serverCertificateNotAfter errorCode message farAnswer { recipientId deliverable reason operatorName } } } }`;

/** An expiry date with a warning within 30 days and an error once passed (in words, not only colour). */
function Expiry({ notAfter }: { notAfter: string }) {
  const t = useT();
  const days = daysUntil(notAfter);
  return (
    <>
      <DateTime value={notAfter} />{' '}
      {days < 0 ? (
        <span className="badge badge-bad">{t('platform.cert.expired')}</span>
      ) : days <= 30 ? (
        <span className="badge badge-warn">{t('platform.cert.expiresIn', { days })}</span>
      ) : null}
    </>
  );
}

/** FaR and the mailbox operators: the settings from the environment (read-only), certificates, known operators, a live check. */
export default function ConnectionsPage() {
  const t = useT();
  const { formatNumber } = useI18n();
  const data = useQuery<{ mmConnections: Connections }>(CONNECTIONS);
  const c = data.data?.mmConnections;

  return (
    <>
      <PageTitle lead={t('platform.connections.lead')}>{t('nav.platform.connections')}</PageTitle>
      {data.error && <ErrorMessage error={data.error} onRetry={data.reload} />}
      {data.loading && !c && <Loading />}
      {c && (
        <>
          <Section title={t('platform.connections.settingsTitle')}>
            <Alert kind="info">{t('platform.connections.readOnly')}</Alert>
            <DataTable
              caption={t('platform.connections.settingsTitle')}
              hideCaption
              rows={c.settings}
              rowKey={(s) => s.variable}
              columns={[
                { key: 'variable', header: t('platform.connections.variable'), cell: (s) => <code>{s.variable}</code> },
                {
                  key: 'value',
                  header: t('platform.connections.value'),
                  cell: (s) => (
                    <>
                      <code className="wrap">{s.value ?? '–'}</code>
                      {s.isDefault && <span className="badge badge-warn">{t('platform.connections.demoDefault')}</span>}
                    </>
                  ),
                },
                { key: 'meaning', header: t('platform.connections.meaning'), cell: (s) => t(`platform.connections.setting.${s.variable}`) },
              ]}
            />
          </Section>
          <Section title={t('platform.connections.intermediaryTitle')}>
            <p className="hint">{t('platform.connections.intermediaryHint')}</p>
            {c.intermediary ? (
              <Facts
                items={[
                  [t('platform.cert.subject'), <code className="wrap" key="s">{c.intermediary.subject}</code>],
                  [t('platform.cert.orgNumber'), c.intermediary.serialNumber ? formatOrgNumber(c.intermediary.serialNumber) : '–'],
                  [t('platform.cert.issuer'), c.intermediary.issuer],
                  [t('platform.cert.notBefore'), <DateTime key="nb" value={c.intermediary.notBefore} />],
                  [t('platform.cert.notAfter'), <Expiry key="na" notAfter={c.intermediary.notAfter} />],
                  [t('platform.cert.installedAt'), <DateTime key="i" value={c.intermediary.installedAt} />],
                ]}
              />
            ) : (
              <Alert kind="error">{c.intermediaryProblem}</Alert>
            )}
          </Section>
          <Section title={t('platform.connections.casTitle')}>
            {c.caProblem && <Alert kind="error">{c.caProblem}</Alert>}
            <DataTable<Certificate>
              caption={t('platform.connections.casCaption')}
              hideCaption
              rows={c.trustedCas}
              rowKey={(x) => `${x.subject}-${x.notAfter}`}
              empty={t('platform.connections.casEmpty')}
              columns={[
                { key: 'subject', header: t('platform.cert.subject'), cell: (x) => <code className="wrap">{x.subject}</code> },
                { key: 'notAfter', header: t('platform.cert.notAfter'), cell: (x) => <Expiry notAfter={x.notAfter} /> },
              ]}
            />
          </Section>
          <Section title={t('platform.connections.operatorsTitle')}>
            <p className="hint">{t('platform.connections.operatorsHint')}</p>
            <DataTable
              caption={t('platform.connections.operatorsTitle')}
              hideCaption
              rows={c.operators}
              rowKey={(o) => o.id}
              empty={t('platform.connections.operatorsEmpty')}
              columns={[
                { key: 'name', header: t('platform.connections.operator'), cell: (o) => o.name ?? o.id },
                { key: 'id', header: t('platform.cert.orgNumber'), cell: (o) => formatOrgNumber(o.id) },
                { key: 'address', header: t('platform.connections.serviceAddress'), cell: (o) => <code className="wrap">{o.serviceAddress ?? '–'}</code> },
                { key: 'seen', header: t('platform.connections.lastSeen'), cell: (o) => <DateTime value={o.lastSeenAt} /> },
                { key: 'tenants', header: t('platform.connections.tenants'), numeric: true, cell: (o) => formatNumber(o.tenants) },
              ]}
            />
          </Section>
        </>
      )}
      <CheckSection defaultSender={c?.intermediary?.serialNumber ?? null} />
    </>
  );
}

function CheckSection({ defaultSender }: { defaultSender: string | null }) {
  const t = useT();
  const { request } = useGraphql();
  const [sender, setSender] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [check, setCheck] = useState<Check | null>(null);
  const run = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setCheck(null);
    try {
      setCheck((await request<{ checkMmConnections: Check }>(CHECK, { sender: sender.trim() || null })).checkMmConnections);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const failed = check?.results.filter((r) => !r.ok).length ?? 0;
  return (
    <Section title={t('platform.connections.checkTitle')}>
      <p className="hint">{t('platform.connections.checkHint')}</p>
      <form onSubmit={(e) => void run(e)} noValidate aria-label={t('platform.connections.checkTitle')}>
        <TextField
          label={t('platform.connections.sender')}
          hint={defaultSender ? t('platform.connections.senderHint', { org: formatOrgNumber(defaultSender) }) : t('platform.connections.senderHintNone')}
          value={sender}
          onChange={(e) => setSender(e.target.value)}
          error={fieldErrorOf(error, 'senderOrgNumber', { exact: true })}
          inputMode="numeric"
        />
        <Button type="submit" busy={busy}>
          {busy ? t('platform.connections.checking') : t('platform.connections.check')}
        </Button>
      </form>
      {error && !fieldErrorOf(error, 'senderOrgNumber', { exact: true }) ? <ErrorMessage error={error} /> : null}
      {check && (
        <div className="check-result">
          {check.ok ? (
            <Alert kind="success" title={t('platform.connections.allOk')}>
              {t('platform.connections.checkedAt')} <DateTime value={check.checkedAt} />
            </Alert>
          ) : (
            <Alert kind="warning" title={t('platform.connections.someFailed', { failed, total: check.results.length })}>
              {t('platform.connections.checkedAt')} <DateTime value={check.checkedAt} />
            </Alert>
          )}
          <CheckResults results={check.results} sender={check.senderOrgNumber} />
        </div>
      )}
    </Section>
  );
}

/** One row per endpoint: the result in words (never only a colour), latency and details. */
export function CheckResults({ results, sender }: { results: EndpointResult[]; sender: string | null }) {
  const t = useT();
  const { formatNumber } = useI18n();
  const details = (r: EndpointResult) => {
    const parts: ReactNode[] = [];
    if (r.farAnswer) {
      const who = { id: r.farAnswer.recipientId, sender: formatOrgNumber(sender) };
      parts.push(
        <p key="far">
          {r.farAnswer.deliverable
            ? t('platform.connections.farDeliverable', { ...who, operator: r.farAnswer.operatorName ?? '–' })
            : t('platform.connections.farNotDeliverable', { ...who, reason: t(`platform.connections.reason.${r.farAnswer.reason ?? 'NOT_REGISTERED'}`) })}
        </p>,
      );
    }
    if (!r.ok) {
      const key = connectionErrorKey(r.errorCode);
      parts.push(
        <p key="error">
          {key ? t(key) : r.message}
          {r.errorCode && <span className="muted"> ({r.errorCode})</span>}
        </p>,
      );
      if (key && r.message) parts.push(<p key="detail" className="muted">{r.message}</p>);
    } else if (r.kind === 'MAILBOX_OPERATOR') {
      parts.push(<p key="http">{t('platform.connections.operatorAnswered', { status: r.httpStatus ?? '–' })}</p>);
    }
    if (r.serverCertificateNotAfter) {
      parts.push(
        <p key="cert">
          {t('platform.connections.serverCert')} <Expiry notAfter={r.serverCertificateNotAfter} />
        </p>,
      );
    }
    return parts;
  };
  return (
    <DataTable<EndpointResult>
      caption={t('platform.connections.resultsCaption')}
      rows={results}
      rowKey={(r) => `${r.kind}-${r.url ?? r.name}`}
      columns={[
        {
          key: 'name',
          header: t('platform.connections.endpoint'),
          cell: (r) => (
            <>
              {r.kind === 'FAR' ? 'FaR' : r.name}
              {r.url && (
                <>
                  <br />
                  <code className="wrap muted">{r.url}</code>
                </>
              )}
            </>
          ),
        },
        { key: 'result', header: t('platform.connections.result'), cell: (r) => <span className={`badge badge-${r.ok ? 'good' : 'bad'}`}>{t(r.ok ? 'platform.connections.ok' : 'platform.connections.failed')}</span> },
        { key: 'latency', header: t('platform.connections.latency'), numeric: true, cell: (r) => (r.latencyMs === null ? '–' : t('platform.connections.ms', { n: formatNumber(r.latencyMs) })) },
        { key: 'details', header: t('platform.connections.details'), cell: details },
      ]}
    />
  );
}
