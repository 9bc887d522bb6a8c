import { FormEvent, MouseEvent, useState } from 'react';
import { Alert, Button, Column, DataTable, ErrorMessage, Loading, TextArea } from '../../components/ui';
import { Translate, useI18n, useT } from '../../i18n/i18n';
import { BadLine, formatRecipientId, MAX_CHECK_RECIPIENTS, parseRecipientIds } from './recipient-ids';
import type { ReachabilityRow } from './send-api';

/** How many bad lines are named one by one (the rest are counted). */
const BAD_LINES_LISTED = 10;

/** The bad lines in words, for the error next to the text area. */
export function describeBadLines(bad: BadLine[], t: Translate): string {
  const listed = bad.slice(0, BAD_LINES_LISTED).map((b) => t('send.check.badLine', { line: b.line, text: b.text, problem: t(`send.idProblem.${b.problem}`) }));
  const more = bad.length > BAD_LINES_LISTED ? ` ${t('send.check.badMore', { count: bad.length - BAD_LINES_LISTED })}` : '';
  return `${t('send.check.badLines', { count: bad.length })} ${listed.join('; ')}.${more}`;
}

interface Result {
  rows: ReachabilityRow[];
  duplicates: number;
  skipped: number;
}

/**
 * "Kontrollera mottagare": the officer's control step (K2) for one or many recipients. The list is
 * checked in the browser first (the bad lines are named and nothing is sent), then FaR answers
 * through `check` for the chosen sending unit.
 */
export function ReachabilitySection({
  sendingUnit,
  check,
  onWrite,
}: {
  sendingUnit: string;
  check(ids: string[]): Promise<ReachabilityRow[]>;
  /** "Skicka brev" on a row: start a letter to this recipient. */
  onWrite(recipient: string): void;
}) {
  const t = useT();
  const { formatNumber } = useI18n();
  const [text, setText] = useState('');
  const [inputError, setInputError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<Result | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseRecipientIds(text);
    let problem: string | undefined;
    if (parsed.bad.length) problem = describeBadLines(parsed.bad, t);
    else if (parsed.ids.length === 0) problem = t('send.check.empty');
    else if (parsed.ids.length > MAX_CHECK_RECIPIENTS) problem = t('send.check.tooMany', { count: formatNumber(parsed.ids.length), max: formatNumber(MAX_CHECK_RECIPIENTS) });
    setInputError(problem);
    setError(undefined);
    if (problem) {
      setResult(null);
      return;
    }
    setBusy(true);
    try {
      setResult({ rows: await check(parsed.ids), duplicates: parsed.duplicates, skipped: parsed.skipped });
    } catch (err) {
      setResult(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    // Not a named region (ui.tsx's Section): its name "Kontrollera mottagare" would also answer to the
    // label "Mottagare" of the letter form below, for people and for tests that find fields by label.
    <section className="card">
      <div className="card-head">
        <h2>{t('send.check.title')}</h2>
      </div>
      <p className="lead">{t('send.check.lead')}</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <TextArea
          label={t('send.check.ids')}
          hint={t('send.check.idsHint', { max: formatNumber(MAX_CHECK_RECIPIENTS) })}
          value={text}
          onChange={(e) => setText(e.target.value)}
          error={inputError}
          rows={6}
          spellCheck={false}
          autoComplete="off"
        />
        <Button type="submit" busy={busy} disabled={!sendingUnit}>
          {t('send.check.button')}
        </Button>
      </form>
      {busy && <Loading label={t('send.check.busy')} />}
      <ErrorMessage error={error} />
      {result && <ReachabilityResults result={result} onWrite={onWrite} />}
    </section>
  );
}

function ReachabilityResults({ result, onWrite }: { result: Result; onWrite(recipient: string): void }) {
  const t = useT();
  const { formatNumber } = useI18n();
  const { rows } = result;
  const yes = rows.filter((r) => r.deliverable).length;
  const byReason = new Map<string, number>();
  for (const r of rows) if (!r.deliverable && r.reason) byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + 1);

  const write = (e: MouseEvent<HTMLAnchorElement>, id: string) => {
    e.preventDefault();
    onWrite(id);
  };
  const columns: Column<ReachabilityRow>[] = [
    { key: 'recipient', header: t('send.check.col.recipient'), cell: (r) => formatRecipientId(r.recipient) },
    {
      key: 'deliverable',
      header: t('send.check.col.digital'),
      cell: (r) => <span className={`badge badge-${r.deliverable ? 'good' : 'neutral'}`}>{r.deliverable ? t('yes') : t('no')}</span>,
    },
    { key: 'operator', header: t('send.check.col.operator'), cell: (r) => r.operator?.name ?? '–' },
    { key: 'reason', header: t('send.check.col.reason'), cell: (r) => (r.reason ? t(`send.reason.${r.reason}`) : t('send.check.canReceive')) },
    {
      key: 'action',
      header: <span className="visually-hidden">{t('send.check.col.action')}</span>,
      cell: (r) =>
        r.deliverable ? (
          <a href={`/send?recipient=${r.recipient}`} onClick={(e) => write(e, r.recipient)}>
            {t('send.check.write')}
            <span className="visually-hidden"> {t('send.check.writeTo', { id: formatRecipientId(r.recipient) })}</span>
          </a>
        ) : null,
    },
  ];
  return (
    <div className="reach-results">
      <h3>{t('send.check.resultTitle')}</h3>
      <ul className="reach-summary plain" aria-label={t('send.check.summaryLabel')}>
        <li>
          <span className="stat">{formatNumber(rows.length)}</span> {t('send.check.total')}
        </li>
        <li>
          <span className="stat">{formatNumber(yes)}</span> {t('send.check.yes')}
        </li>
        <li>
          <span className="stat">{formatNumber(rows.length - yes)}</span> {t('send.check.no')}
        </li>
      </ul>
      {byReason.size > 0 && (
        <ul className="reach-reasons">
          {[...byReason].map(([reason, n]) => (
            <li key={reason}>{t('send.check.reasonCount', { count: formatNumber(n), reason: t(`send.reason.${reason}`) })}</li>
          ))}
        </ul>
      )}
      {(result.duplicates > 0 || result.skipped > 0) && (
        <Alert kind="info">
          {result.duplicates > 0 && <p>{t('send.check.duplicates', { count: formatNumber(result.duplicates) })}</p>}
          {result.skipped > 0 && <p>{t('send.check.skipped')}</p>}
        </Alert>
      )}
      <DataTable caption={t('send.check.caption')} columns={columns} rows={rows} rowKey={(r) => r.recipient} />
    </div>
  );
}
