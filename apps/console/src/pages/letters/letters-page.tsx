import { FormEvent, useMemo, useState } from 'react';
import { ApiRequestError, fetchFile, saveBlob, useGraphql, useQuery } from '../../api/graphql';
import { Button, Checkbox, DataTable, DateTime, ErrorMessage, Loading, PageTitle, Section, SelectField, StatusBadge, TextField } from '../../components/ui';
import { useI18n, useT } from '../../i18n/i18n';
import { Link, useRouter } from '../../router';
import { apiFilter, CHANNELS, DATE_FIELDS, formatRecipient, isFiltered, LETTER_STATUSES, LetterSearch, maskRecipient, queryFromSearch, searchFromQuery, searchProblems } from './letter-filter';
import './letters.css';

const PAGE_SIZE = 50;

const LOG = `query($filter: DeliveryLogFilter, $first: Int, $after: String) {
  deliveryLog(filter: $filter, first: $first, after: $after) {
    totalCount totalCountExact
    pageInfo { hasNextPage endCursor }
    edges { node { letterId createdAt dispatchedAt recipient recipientKind subject subjectWithheld status channel caseReference sendingUnit } }
  }
}`;

interface LogRow {
  letterId: string;
  createdAt: string;
  dispatchedAt: string | null;
  recipient: string;
  recipientKind: string;
  subject: string | null;
  subjectWithheld: boolean;
  status: string;
  channel: string | null;
  caseReference: string | null;
  sendingUnit: string;
}

interface LogPage {
  deliveryLog: {
    totalCount: number;
    totalCountExact: boolean;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: LogRow }[];
  };
}

const OPTIONS = `query { letterSearchOptions { sendingUnits { code name } operators { id name } } caseTypes(includeArchived: true) { code name } }`;
interface Options {
  letterSearchOptions: { sendingUnits: { code: string; name: string }[]; operators: { id: string; name: string | null }[] };
  caseTypes: { code: string; name: string }[];
}

function sessionStore(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

/** The letters: a search of the delivery log kept in the URL, its results page by page, and exports of it. */
export default function LettersPage() {
  const t = useT();
  const { search, navigate } = useRouter();
  const queryString = search.toString();
  const applied = useMemo(() => searchFromQuery(new URLSearchParams(queryString), sessionStore()), [queryString]);
  const onSearch = (s: LetterSearch) => {
    const q = queryFromSearch(s, sessionStore()).toString();
    navigate(q ? `/letters?${q}` : '/letters');
  };
  return (
    <>
      <PageTitle lead={t('letters.list.lead')}>{t('nav.letters')}</PageTitle>
      {/* Keyed by the URL query: Back and a bookmark put the form and the results in step with the address. */}
      <SearchForm key={`form-${queryString}`} initial={applied} onSearch={onSearch} onClear={() => navigate('/letters')} />
      <Results key={`results-${queryString}`} search={applied} />
    </>
  );
}

function SearchForm({ initial, onSearch, onClear }: { initial: LetterSearch; onSearch(s: LetterSearch): void; onClear(): void }) {
  const t = useT();
  const options = useQuery<Options>(OPTIONS);
  const [form, setForm] = useState<LetterSearch>(initial);
  const [checked, setChecked] = useState(false);
  const problems = checked ? searchProblems(form) : {};
  const set = <K extends keyof LetterSearch>(key: K, value: LetterSearch[K]) => setForm((f) => ({ ...f, [key]: value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setChecked(true);
    if (Object.keys(searchProblems(form)).length === 0) onSearch(form);
  };
  const units = options.data?.letterSearchOptions.sendingUnits ?? [];
  const operators = options.data?.letterSearchOptions.operators ?? [];
  const caseTypes = options.data?.caseTypes ?? [];
  // Keep a value from the URL selectable even before (or without) the options that list it.
  const withCurrent = (list: { value: string; label: string }[], current: string) => (current && !list.some((o) => o.value === current) ? [...list, { value: current, label: current }] : list);
  return (
    <Section title={t('letters.search.title')}>
      <form role="search" aria-label={t('letters.search.title')} onSubmit={submit} noValidate>
        <fieldset className="status-filter">
          <legend>{t('letters.search.status')}</legend>
          <p className="hint">{t('letters.search.statusHint')}</p>
          <div className="status-grid">
            {LETTER_STATUSES.map((s) => (
              <Checkbox
                key={s}
                label={t(`status.${s}`)}
                checked={form.status.includes(s)}
                onChange={(e) => set('status', e.target.checked ? [...form.status, s] : form.status.filter((x) => x !== s))}
              />
            ))}
          </div>
        </fieldset>
        <div className="search-grid">
          <SelectField
            label={t('letters.search.channel')}
            value={form.channel}
            onChange={(e) => set('channel', e.target.value as LetterSearch['channel'])}
            options={[{ value: '', label: t('letters.search.anyChannel') }, ...CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }))]}
          />
          <SelectField
            label={t('letters.search.dateField')}
            value={form.dateField}
            onChange={(e) => set('dateField', e.target.value as LetterSearch['dateField'])}
            options={DATE_FIELDS.map((d) => ({ value: d, label: t(`letters.search.dateField.${d}`) }))}
          />
          <TextField type="date" label={t('letters.search.from')} value={form.from} onChange={(e) => set('from', e.target.value)} />
          <TextField type="date" label={t('letters.search.to')} value={form.to} onChange={(e) => set('to', e.target.value)} error={problems.to ? t('letters.search.rangeError') : undefined} />
          <TextField
            label={t('letters.search.recipient')}
            hint={t('letters.search.recipientHint')}
            inputMode="numeric"
            autoComplete="off"
            value={form.recipient}
            onChange={(e) => set('recipient', e.target.value)}
            error={problems.recipient ? t('letters.search.recipientError') : undefined}
          />
          <TextField label={t('letters.search.caseReference')} value={form.caseReference} onChange={(e) => set('caseReference', e.target.value)} />
          <SelectField
            label={t('letters.search.caseType')}
            value={form.caseType}
            onChange={(e) => set('caseType', e.target.value)}
            options={withCurrent([{ value: '', label: t('letters.search.anyCaseType') }, ...caseTypes.map((c) => ({ value: c.code, label: `${c.name} (${c.code})` }))], form.caseType)}
          />
          <SelectField
            label={t('letters.search.sendingUnit')}
            value={form.sendingUnit}
            onChange={(e) => set('sendingUnit', e.target.value)}
            options={withCurrent([{ value: '', label: t('letters.search.anyUnit') }, ...units.map((u) => ({ value: u.code, label: u.name }))], form.sendingUnit)}
          />
          <SelectField
            label={t('letters.search.operator')}
            value={form.operator}
            onChange={(e) => set('operator', e.target.value)}
            options={withCurrent([{ value: '', label: t('letters.search.anyOperator') }, ...operators.map((o) => ({ value: o.id, label: o.name ?? o.id }))], form.operator)}
          />
        </div>
        {options.error && <ErrorMessage error={options.error} onRetry={options.reload} />}
        <div className="row">
          <Button type="submit">{t('action.search')}</Button>
          <Button variant="secondary" onClick={onClear}>
            {t('action.clear')}
          </Button>
        </div>
      </form>
    </Section>
  );
}

function Results({ search }: { search: LetterSearch }) {
  const t = useT();
  const { formatNumber } = useI18n();
  const { request, accessToken } = useGraphql();
  const filter = useMemo(() => apiFilter(search), [search]);
  const first = useQuery<LogPage>(LOG, { filter, first: PAGE_SIZE });
  const [more, setMore] = useState<{ rows: LogRow[]; hasNextPage: boolean; endCursor: string | null } | null>(null);
  const [moreBusy, setMoreBusy] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [opened, setOpened] = useState<Set<string>>(new Set());
  const [exporting, setExporting] = useState<'CSV' | 'JSONL' | null>(null);
  const [exportError, setExportError] = useState<unknown>(null);

  if (first.loading && !first.data) return <Loading label={t('letters.list.loading')} />;
  if (first.error && !first.data) return <ErrorMessage error={first.error} onRetry={first.reload} />;
  if (!first.data) return null;
  const log = first.data.deliveryLog;
  const rows = [...log.edges.map((e) => e.node), ...(more?.rows ?? [])];
  const pageInfo = more ?? log.pageInfo;

  const loadMore = async () => {
    setMoreBusy(true);
    setMoreError(null);
    try {
      const next = (await request<LogPage>(LOG, { filter, first: PAGE_SIZE, after: pageInfo.endCursor })).deliveryLog;
      setMore((m) => ({ rows: [...(m?.rows ?? []), ...next.edges.map((e) => e.node)], hasNextPage: next.pageInfo.hasNextPage, endCursor: next.pageInfo.endCursor }));
    } catch (e) {
      setMoreError(e);
    } finally {
      setMoreBusy(false);
    }
  };

  const exportAs = async (format: 'CSV' | 'JSONL') => {
    setExporting(format);
    setExportError(null);
    try {
      const ext = format === 'CSV' ? 'csv' : 'jsonl';
      // POST with the filter as JSON: a personnummer filter stays out of URLs and server logs.
      const file = await fetchFile(accessToken, `/delivery-log/v1/export.${ext}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(filter) });
      saveBlob(file.blob, `brev-${new Date().toISOString().slice(0, 10)}.${ext}`);
    } catch (e) {
      setExportError(e);
    } finally {
      setExporting(null);
    }
  };

  const toggle = (id: string) =>
    setOpened((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const count = log.totalCountExact ? t('letters.list.count', { count: formatNumber(log.totalCount) }) : t('letters.list.countMore', { count: formatNumber(log.totalCount - 1) });
  return (
    <Section
      title={t('letters.list.title')}
      actions={
        <>
          <Button variant="secondary" busy={exporting === 'CSV'} disabled={exporting !== null} onClick={() => void exportAs('CSV')}>
            {t('letters.list.exportCsv')}
          </Button>
          <Button variant="secondary" busy={exporting === 'JSONL'} disabled={exporting !== null} onClick={() => void exportAs('JSONL')}>
            {t('letters.list.exportJsonl')}
          </Button>
        </>
      }
    >
      <p role="status" className="result-count">
        {count}
        {rows.length < log.totalCount ? ` ${t('letters.list.showing', { shown: formatNumber(rows.length) })}` : ''}
      </p>
      {exportError ? (
        <ExportError error={exportError} />
      ) : null}
      <DataTable<LogRow>
        caption={t('letters.list.caption')}
        rows={rows}
        rowKey={(r) => r.letterId}
        empty={isFiltered(search) ? t('letters.list.emptyFiltered') : t('letters.list.empty')}
        columns={[
          { key: 'created', header: t('letters.col.created'), cell: (r) => <DateTime value={r.createdAt} /> },
          {
            key: 'recipient',
            header: t('letters.col.recipient'),
            cell: (r) => {
              const open = opened.has(r.letterId);
              const masked = maskRecipient(r.recipient);
              return (
                <span className="recipient-cell">
                  <span className="recipient">{open ? formatRecipient(r.recipient) : masked}</span>
                  {masked !== r.recipient && (
                    <Button variant="link" aria-pressed={open} aria-label={t(open ? 'letters.list.hideRecipientFor' : 'letters.list.showRecipientFor', { id: masked })} onClick={() => toggle(r.letterId)}>
                      {t(open ? 'letters.list.hideRecipient' : 'letters.list.showRecipient')}
                    </Button>
                  )}
                </span>
              );
            },
          },
          {
            key: 'subject',
            header: t('letters.col.subject'),
            cell: (r) => (
              <Link to={`/letters/${r.letterId}`}>
                {r.subjectWithheld ? t('letters.list.subjectWithheld') : r.subject || t('letters.list.noSubject')}
              </Link>
            ),
          },
          { key: 'status', header: t('letters.col.status'), cell: (r) => <StatusBadge status={r.status} /> },
          { key: 'channel', header: t('letters.col.channel'), cell: (r) => (r.channel ? t(`channel.${r.channel}`) : '–') },
          { key: 'dispatched', header: t('letters.col.dispatched'), cell: (r) => <DateTime value={r.dispatchedAt} /> },
        ]}
      />
      {first.error ? <ErrorMessage error={first.error} onRetry={first.reload} /> : null}
      {moreError ? <ErrorMessage error={moreError} /> : null}
      {pageInfo.hasNextPage && (
        <div className="row more">
          <Button variant="secondary" busy={moreBusy} onClick={() => void loadMore()}>
            {t('action.more')}
          </Button>
        </div>
      )}
    </Section>
  );
}

function ExportError({ error }: { error: unknown }) {
  const t = useT();
  // Too many letters for a direct download: say what to do instead of only the code.
  if (error instanceof ApiRequestError && error.code === 'EXPORT_TOO_LARGE') {
    return <ErrorMessage error={new ApiRequestError([{ message: t('letters.list.exportTooLarge'), code: error.code, fields: [] }, ...error.errors.slice(0, 1)])} />;
  }
  return <ErrorMessage error={error} />;
}
