import { ReactNode } from 'react';
import { useQuery } from '../../api/graphql';
import { BarChart } from '../../components/bar-chart';
import { DataTable, DateTime, ErrorMessage, Loading, PageTitle, Section, StatusBadge } from '../../components/ui';
import { useI18n, useT } from '../../i18n/i18n';
import { Link } from '../../router';
import { reasonText } from '../letters/letter-words';
import { ageParts, channelBars, lettersLink, STATE_GROUPS, statusRows, stockholmDay } from './overview-logic';
import './overview.css';

const COUNTS = 'from total byChannel { key count } byStatus { key count } byChannelAndStatus { channel status count }';
const LETTERS = 'total since letters { id status statusReason subject subjectWithheld caseReference sendingUnit createdAt updatedAt }';
const OVERVIEW = `query { overview {
  scope sendingUnit generatedAt
  today { ${COUNTS} } week { ${COUNTS} }
  failures { ${LETTERS} } held { ${LETTERS} }
  printBatchesWaiting { total batches { id vendorId vendorName status letters pages waitingSince ageMinutes acknowledgeBy overdue } }
  certificates { unitCode unitName state notAfter daysLeft }
} }`;

interface Counts {
  from: string;
  total: number;
  byChannel: { key: string; count: number }[];
  byStatus: { key: string; count: number }[];
  byChannelAndStatus: { channel: string; status: string; count: number }[];
}

interface OverviewLetter {
  id: string;
  status: string;
  statusReason: string | null;
  subject: string | null;
  subjectWithheld: boolean;
  caseReference: string | null;
  sendingUnit: string;
  createdAt: string;
  updatedAt: string;
}

interface ActionList {
  total: number;
  since: string | null;
  letters: OverviewLetter[];
}

interface OverviewData {
  overview: {
    scope: 'MUNICIPALITY' | 'SENDING_UNIT';
    sendingUnit: string | null;
    generatedAt: string;
    today: Counts;
    week: Counts;
    failures: ActionList;
    held: ActionList;
    printBatchesWaiting: {
      total: number;
      batches: { id: string; vendorId: string; vendorName: string | null; status: string; letters: number; pages: number; waitingSince: string; ageMinutes: number; acknowledgeBy: string | null; overdue: boolean }[];
    };
    certificates: { unitCode: string; unitName: string; state: 'EXPIRED' | 'EXPIRING' | 'MISSING'; notAfter: string | null; daysLeft: number | null }[] | null;
  };
}

const FAILURE_STATUSES = ['FAILED', 'PRINT_FAILED', 'RETURNED'];
const ORDER = ['ACCEPTED', 'ROUTING', 'SIGNED', 'SEALED', 'DELIVERED', 'PRINT_PENDING', 'HELD', 'BATCHED', 'PRINTED', 'POSTED', 'RETURNED', 'PRINT_FAILED', 'FAILED', 'CANCELLED'];
const REFRESH_MS = 30_000;

/** The start page: today's and this week's letters, what needs action, print batches waiting and certificates. Refreshes every 30 s. */
export default function OverviewPage() {
  const t = useT();
  const q = useQuery<OverviewData>(OVERVIEW, undefined, { pollMs: REFRESH_MS });
  const o = q.data?.overview;
  if (!o) {
    return (
      <>
        <PageTitle>{t('nav.overview')}</PageTitle>
        {q.error ? <ErrorMessage error={q.error} onRetry={q.reload} /> : <Loading label={t('overview.loading')} />}
      </>
    );
  }
  return (
    <>
      <PageTitle lead={o.scope === 'SENDING_UNIT' ? t('overview.leadUnit', { unit: o.sendingUnit ?? '' }) : t('overview.leadMunicipality')}>{t('nav.overview')}</PageTitle>
      <p className="muted updated">
        {t('overview.updated')} <DateTime value={o.generatedAt} />. {t('overview.refresh')}
      </p>
      {q.error ? <ErrorMessage error={q.error} onRetry={q.reload} /> : null}
      <KeyFigures o={o} />
      <ChannelCharts o={o} />
      <LetterList
        anchor="overview-failures"
        title={t('overview.failures.title')}
        intro={t('overview.failures.intro')}
        list={o.failures}
        empty={t('overview.failures.empty')}
        link={lettersLink(FAILURE_STATUSES, o.failures.since ? stockholmDay(o.failures.since) : undefined)}
        linkText={t('overview.failures.all')}
      />
      <LetterList anchor="overview-held" title={t('overview.held.title')} intro={t('overview.held.intro')} list={o.held} empty={t('overview.held.empty')} link={lettersLink(['HELD'])} linkText={t('overview.held.all')} />
      <PrintBatches batches={o.printBatchesWaiting} />
      {o.certificates && <Certificates certificates={o.certificates} />}
    </>
  );
}

function Figure({ label, value, detail, link }: { label: string; value: string; detail?: ReactNode; link?: ReactNode }) {
  return (
    <li className="card figure">
      <p className="figure-label">{label}</p>
      <p className="stat">{value}</p>
      {detail && <p className="figure-detail">{detail}</p>}
      {link && <p className="figure-link">{link}</p>}
    </li>
  );
}

function KeyFigures({ o }: { o: OverviewData['overview'] }) {
  const t = useT();
  const { formatNumber } = useI18n();
  const channel = (c: Counts, key: string) => formatNumber(c.byChannel.find((x) => x.key === key)?.count ?? 0);
  const split = (c: Counts) => t('overview.figures.split', { digital: channel(c, 'DIGITAL'), print: channel(c, 'PRINT'), none: channel(c, 'NONE') });
  return (
    <section aria-labelledby="overview-figures">
      <h2 id="overview-figures" className="visually-hidden">
        {t('overview.figures.title')}
      </h2>
      <ul className="figures">
        <Figure label={t('overview.figures.today')} value={formatNumber(o.today.total)} detail={split(o.today)} />
        <Figure label={t('overview.figures.week')} value={formatNumber(o.week.total)} detail={split(o.week)} />
        <Figure
          label={t('overview.figures.failures')}
          value={formatNumber(o.failures.total)}
          detail={t('overview.figures.failuresDetail')}
          link={o.failures.total > 0 ? <a href="#overview-failures">{t('overview.figures.showList')}</a> : undefined}
        />
        <Figure label={t('overview.figures.held')} value={formatNumber(o.held.total)} detail={t('overview.figures.heldDetail')} link={o.held.total > 0 ? <a href="#overview-held">{t('overview.figures.showList')}</a> : undefined} />
        <Figure label={t('overview.figures.batches')} value={formatNumber(o.printBatchesWaiting.total)} detail={t('overview.figures.batchesDetail')} />
      </ul>
    </section>
  );
}

function ChannelCharts({ o }: { o: OverviewData['overview'] }) {
  const t = useT();
  const { formatNumber } = useI18n();
  const series = STATE_GROUPS.map((g) => ({ key: g.key, label: t(`overview.group.${g.key}`), colour: g.colour }));
  const groups = (c: Counts) => channelBars(c.byChannelAndStatus).map((b) => ({ label: t(`overview.channel.${b.channel}`), values: b.values }));
  const rows = statusRows(ORDER, o.today.byStatus, o.week.byStatus);
  return (
    <Section title={t('overview.charts.title')}>
      <p className="hint">{t('overview.charts.intro')}</p>
      <div className="chart-grid">
        {o.today.total > 0 ? (
          <BarChart title={t('overview.charts.today', { count: formatNumber(o.today.total) })} series={series} groups={groups(o.today)} showTable />
        ) : (
          <p>{t('overview.charts.noneToday')}</p>
        )}
        {o.week.total > 0 ? (
          <BarChart title={t('overview.charts.week', { count: formatNumber(o.week.total) })} series={series} groups={groups(o.week)} showTable />
        ) : (
          <p>{t('overview.charts.noneWeek')}</p>
        )}
      </div>
      <DataTable
        caption={t('overview.byStatus.caption')}
        rows={rows}
        rowKey={(r) => r.status}
        empty={t('overview.byStatus.empty')}
        columns={[
          { key: 'status', header: t('overview.byStatus.status'), cell: (r) => <StatusBadge status={r.status} /> },
          { key: 'today', header: t('overview.byStatus.today'), numeric: true, cell: (r) => formatNumber(r.today) },
          { key: 'week', header: t('overview.byStatus.week'), numeric: true, cell: (r) => formatNumber(r.week) },
        ]}
      />
    </Section>
  );
}

function LetterList({ anchor, title, intro, list, empty, link, linkText }: { anchor: string; title: string; intro: string; list: ActionList; empty: string; link: string; linkText: string }) {
  const t = useT();
  const { formatNumber } = useI18n();
  return (
    <Section title={`${title} (${formatNumber(list.total)})`} id={anchor}>
      <p className="hint">{intro}</p>
      <DataTable<OverviewLetter>
        caption={title}
        hideCaption
        rows={list.letters}
        rowKey={(l) => l.id}
        empty={empty}
        columns={[
          {
            key: 'subject',
            header: t('overview.list.subject'),
            cell: (l) => <Link to={`/letters/${l.id}`}>{l.subjectWithheld ? t('overview.list.withheld') : l.subject || t('overview.list.noSubject')}</Link>,
          },
          { key: 'status', header: t('overview.list.status'), cell: (l) => <StatusBadge status={l.status} /> },
          { key: 'reason', header: t('overview.list.reason'), cell: (l) => (l.statusReason ? reasonText(t, l.statusReason) : '–') },
          { key: 'reference', header: t('overview.list.caseReference'), cell: (l) => l.caseReference ?? '–' },
          { key: 'unit', header: t('overview.list.unit'), cell: (l) => l.sendingUnit },
          { key: 'changed', header: t('overview.list.changed'), cell: (l) => <DateTime value={l.updatedAt} /> },
        ]}
      />
      {list.total > list.letters.length && (
        <p>
          <Link to={link}>{t('overview.list.more', { count: formatNumber(list.total - list.letters.length) })}</Link>
        </p>
      )}
      {list.total > 0 && list.total <= list.letters.length && (
        <p>
          <Link to={link}>{linkText}</Link>
        </p>
      )}
    </Section>
  );
}

function Age({ minutes }: { minutes: number }) {
  const t = useT();
  return <>{ageParts(minutes).map((p) => t(`overview.age.${p.unit}`, { n: p.value })).join(' ')}</>;
}

function PrintBatches({ batches }: { batches: OverviewData['overview']['printBatchesWaiting'] }) {
  const t = useT();
  const { formatNumber } = useI18n();
  return (
    <Section title={`${t('overview.batches.title')} (${formatNumber(batches.total)})`}>
      <p className="hint">{t('overview.batches.intro')}</p>
      <DataTable
        caption={t('overview.batches.title')}
        hideCaption
        rows={batches.batches}
        rowKey={(b) => b.id}
        empty={t('overview.batches.empty')}
        columns={[
          { key: 'id', header: t('overview.batches.batch'), cell: (b) => <code title={b.id}>{b.id.slice(0, 8)}</code> },
          { key: 'vendor', header: t('overview.batches.vendor'), cell: (b) => b.vendorName ?? b.vendorId },
          { key: 'status', header: t('overview.batches.status'), cell: (b) => t(`overview.batchStatus.${b.status}`) },
          { key: 'letters', header: t('overview.batches.letters'), numeric: true, cell: (b) => formatNumber(b.letters) },
          { key: 'pages', header: t('overview.batches.pages'), numeric: true, cell: (b) => formatNumber(b.pages) },
          { key: 'since', header: t('overview.batches.since'), cell: (b) => <DateTime value={b.waitingSince} /> },
          { key: 'age', header: t('overview.batches.age'), cell: (b) => <Age minutes={b.ageMinutes} /> },
          {
            key: 'ack',
            header: t('overview.batches.ackBy'),
            cell: (b) => (
              <>
                <DateTime value={b.acknowledgeBy} />
                {b.overdue && <span className="badge badge-bad overdue">{t('overview.batches.overdue')}</span>}
              </>
            ),
          },
        ]}
      />
    </Section>
  );
}

function Certificates({ certificates }: { certificates: NonNullable<OverviewData['overview']['certificates']> }) {
  const t = useT();
  const { formatDate } = useI18n();
  return (
    <Section title={t('overview.certificates.title')}>
      <p className="hint">{t('overview.certificates.intro')}</p>
      <DataTable
        caption={t('overview.certificates.title')}
        hideCaption
        rows={certificates}
        rowKey={(c) => c.unitCode}
        empty={t('overview.certificates.empty')}
        columns={[
          { key: 'unit', header: t('overview.certificates.unit'), cell: (c) => `${c.unitName} (${c.unitCode})` },
          {
            key: 'state',
            header: t('overview.certificates.state'),
            cell: (c) => <span className={`badge ${c.state === 'EXPIRING' ? 'badge-warn' : 'badge-bad'}`}>{t(`overview.certificates.${c.state}`)}</span>,
          },
          { key: 'notAfter', header: t('overview.certificates.notAfter'), cell: (c) => (c.notAfter ? formatDate(c.notAfter) : '–') },
          {
            key: 'days',
            header: t('overview.certificates.daysLeft'),
            numeric: true,
            cell: (c) => (c.daysLeft === null ? '–' : c.daysLeft < 0 ? t('overview.certificates.daysAgo', { n: -c.daysLeft }) : t('overview.certificates.days', { n: c.daysLeft })),
          },
        ]}
      />
      <p>
        <Link to="/settings/units">{t('overview.certificates.manage')}</Link>
      </p>
    </Section>
  );
}
