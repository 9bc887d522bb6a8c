import { FormEvent, useId, useState } from 'react';
import { fieldErrorOf, useGraphql, useQuery } from '../../api/graphql';
import { useAuth } from '../../auth/auth';
import { Alert, Button, DataTable, DateTime, ErrorMessage, FormActions, Loading, PageTitle, RadioGroup, Section, SelectField, TextArea, TextField } from '../../components/ui';
import { useI18n, useT } from '../../i18n/i18n';
import { CaseTypeChoice, CREATE_RULE, DELETE_RULE, DRY_RUN, PURGE_RECORDS, PurgeRecord, RetentionCounts, RetentionRule, RETENTION_PAGE, UPDATE_RULE } from './integrations/api';
import { checkRetentionDraft, DAY_FIELDS, DayField, draftOf, RetentionDraft, RetentionProblems, RetentionRuleInput, retentionSentences } from './integrations/retention-words';
import { useAction, useConfirm, usePaged } from './integrations/shared';
import './integrations/integrations.css';

type Panel = { kind: 'none' } | { kind: 'create' } | { kind: 'edit'; rule: RetentionRule };
interface DryRun {
  asOf: string | null;
  rules: PurgeRecord[];
  totals: RetentionCounts;
}

const pickRecords = (d: { purgeRecords: { edges: { node: PurgeRecord }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }) => d.purgeRecords;

/** `/settings/retention`: retention (gallring) rules, a dry-run of what the daily run would remove, and the purge records. */
export default function RetentionPage() {
  const t = useT();
  const { request } = useGraphql();
  const data = useQuery<{ retentionRules: RetentionRule[]; caseTypes: CaseTypeChoice[] }>(RETENTION_PAGE);
  const action = useAction();
  const confirm = useConfirm(action.busy);
  const [panel, setPanel] = useState<Panel>({ kind: 'none' });
  const [dryRun, setDryRun] = useState<DryRun>();
  const [onlyDry, setOnlyDry] = useState('');
  const records = usePaged(PURGE_RECORDS, { dryRun: onlyDry === '' ? null : onlyDry === 'dry' }, pickRecords, 20);

  const caseTypes = data.data?.caseTypes ?? [];
  const scope = useScope(caseTypes);
  const { user } = useAuth();
  const who = (actor: string) => (user && actor === user.subject ? t('settings.audit.you', { name: user.name }) : actor);
  const close = () => {
    setPanel({ kind: 'none' });
    action.reset();
  };
  const saved = (message: string) => {
    close();
    action.setDone(message);
    setDryRun(undefined);
    data.reload();
  };
  const save = async (input: RetentionRuleInput) => {
    const r = await action.run(() => (panel.kind === 'edit' ? request(UPDATE_RULE, { id: panel.rule.id, input }) : request(CREATE_RULE, { input })));
    if (r) saved(panel.kind === 'edit' ? t('form.saved') : t('settings.retention.created'));
  };
  const remove = async (rule: RetentionRule) => {
    const r = await action.run(() => request(DELETE_RULE, { id: rule.id }));
    if (r) saved(t('settings.retention.deleted', { scope: scope(rule) }));
  };
  const preview = async () => {
    const r = await action.run(() => request<{ retentionDryRun: DryRun }>(DRY_RUN, {}));
    if (r) {
      setDryRun(r.retentionDryRun);
      records.reload();
    }
  };

  const rules = data.data?.retentionRules ?? [];
  return (
    <>
      <PageTitle lead={t('settings.retention.lead')}>{t('nav.settings.retention')}</PageTitle>
      {action.done && <Alert kind="success">{action.done}</Alert>}
      {panel.kind === 'none' && <ErrorMessage error={action.error} />}
      {confirm.panel}
      <Section
        title={t('settings.retention.rules')}
        actions={
          panel.kind === 'none' && (
            <Button
              onClick={() => {
                action.reset();
                setPanel({ kind: 'create' });
              }}
            >
              {t('settings.retention.new')}
            </Button>
          )
        }
      >
        <p className="hint">{t('settings.retention.rulesHint')}</p>
        {data.loading && !data.data && <Loading />}
        <ErrorMessage error={data.error} onRetry={data.reload} />
        {data.data && (
          <DataTable
            caption={t('settings.retention.rules')}
            hideCaption
            rows={rules}
            rowKey={(r) => r.id}
            empty={t('settings.retention.none')}
            columns={[
              { key: 'scope', header: t('settings.retention.scope'), cell: (r) => scope(r) },
              { key: 'n', header: t('settings.retention.n'), numeric: true, cell: (r) => r.contentAfterDays ?? '–' },
              { key: 'm', header: t('settings.retention.m'), numeric: true, cell: (r) => r.identifiersAfterDays ?? '–' },
              { key: 'k', header: t('settings.retention.k'), numeric: true, cell: (r) => r.logAfterDays ?? '–' },
              { key: 'words', header: t('settings.retention.inWords'), cell: (r) => <RuleWords rule={r} /> },
              { key: 'description', header: t('settings.retention.description'), cell: (r) => r.description ?? '–' },
              {
                key: 'actions',
                header: t('settings.int.actions'),
                cell: (r) => (
                  <div className="row-actions">
                    <Button
                      variant="secondary"
                      aria-label={t('settings.int.editNamed', { name: scope(r) })}
                      onClick={() => {
                        action.reset();
                        setPanel({ kind: 'edit', rule: r });
                      }}
                    >
                      {t('action.edit')}
                    </Button>
                    <Button
                      variant="secondary"
                      aria-label={t('settings.int.deleteNamed', { name: scope(r) })}
                      onClick={() =>
                        confirm.ask({
                          title: t('settings.retention.deleteTitle', { scope: scope(r) }),
                          text: t('settings.retention.deleteQuestion', { scope: scope(r) }),
                          confirmLabel: t('settings.retention.deleteConfirm'),
                          action: () => remove(r),
                        })
                      }
                    >
                      {t('action.delete')}
                    </Button>
                  </div>
                ),
              },
            ]}
          />
        )}
      </Section>

      {panel.kind !== 'none' && (
        <RuleForm
          key={panel.kind === 'edit' ? panel.rule.id : 'new'}
          title={panel.kind === 'edit' ? t('settings.retention.editTitle', { scope: scope(panel.rule) }) : t('settings.retention.new')}
          initial={panel.kind === 'edit' ? panel.rule : undefined}
          caseTypes={caseTypes}
          busy={action.busy}
          error={action.error}
          onCancel={close}
          onSubmit={(input) => void save(input)}
        />
      )}

      <Section
        title={t('settings.retention.dryRun')}
        actions={
          <Button onClick={() => void preview()} busy={action.busy} disabled={rules.length === 0}>
            {t('settings.retention.dryRunButton')}
          </Button>
        }
      >
        <p className="hint">{rules.length === 0 ? t('settings.retention.dryRunNoRules') : t('settings.retention.dryRunHint')}</p>
        {dryRun && <DryRunTable run={dryRun} scope={scope} />}
      </Section>

      <Section title={t('settings.retention.records')}>
        <p className="hint">{t('settings.retention.recordsHint')}</p>
        <SelectField
          label={t('settings.retention.recordsShow')}
          value={onlyDry}
          onChange={(e) => setOnlyDry(e.target.value)}
          options={[
            { value: '', label: t('settings.retention.recordsAll') },
            { value: 'real', label: t('settings.retention.recordsReal') },
            { value: 'dry', label: t('settings.retention.recordsDry') },
          ]}
        />
        <ErrorMessage error={records.error} onRetry={records.reload} />
        <DataTable
          caption={t('settings.retention.records')}
          hideCaption
          rows={records.items}
          rowKey={(r) => r.id}
          empty={records.loading ? t('app.loading') : t('settings.retention.noRecords')}
          columns={[
            { key: 'when', header: t('settings.retention.recordWhen'), cell: (r) => <DateTime value={r.startedAt} /> },
            { key: 'kind', header: t('settings.retention.recordKind'), cell: (r) => (r.dryRun ? t('settings.retention.kindDry') : t('settings.retention.kindReal')) },
            { key: 'rule', header: t('settings.retention.scope'), cell: (r) => scope(r.rule) },
            { key: 'actor', header: t('settings.retention.recordActor'), cell: (r) => (r.trigger === 'SCHEDULE' ? t('settings.retention.schedule') : <span className="break">{who(r.actor)}</span>) },
            { key: 'content', header: t('settings.retention.col.contentLetters'), numeric: true, cell: (r) => r.counts.contentLetters },
            { key: 'ids', header: t('settings.retention.col.identifierLetters'), numeric: true, cell: (r) => r.counts.identifierLetters },
            { key: 'log', header: t('settings.retention.col.logLetters'), numeric: true, cell: (r) => r.counts.logLetters },
            { key: 'error', header: t('settings.retention.recordError'), cell: (r) => (r.error ? <span className="break">{r.error}</span> : '–') },
          ]}
        />
        {records.hasMore && (
          <Button variant="secondary" busy={records.loading} onClick={() => void records.more()}>
            {t('action.more')}
          </Button>
        )}
      </Section>
    </>
  );
}

/** "Bygglov (BYGGLOV), skyddsklass 2" / "Alla ärendetyper, alla skyddsklasser". */
function useScope(caseTypes: CaseTypeChoice[]) {
  const t = useT();
  return (r: { caseTypeCode: string | null; protectionClass: number | null }) => {
    const type = r.caseTypeCode === null ? t('settings.retention.allCaseTypes') : `${caseTypes.find((c) => c.code === r.caseTypeCode)?.name ?? r.caseTypeCode} (${r.caseTypeCode})`;
    const cls = r.protectionClass === null ? t('settings.retention.allClasses') : t(`protectionClass.${r.protectionClass}`).toLowerCase();
    return `${type}, ${cls}`;
  };
}

function RuleWords({ rule }: { rule: Pick<RetentionRule, 'contentAfterDays' | 'identifiersAfterDays' | 'identifiersAction' | 'logAfterDays'> }) {
  const t = useT();
  return (
    <ul className="rule-words">
      {retentionSentences(rule).map((s) => (
        <li key={s.key}>{t(s.key, s.params)}</li>
      ))}
    </ul>
  );
}

const COUNT_ROWS: (keyof Omit<RetentionCounts, 'purgers'>)[] = ['contentLetters', 'contentAttachments', 'contentPrintPdfs', 'identifierLetters', 'logLetters', 'logEvents', 'logAttachments', 'logPrintItems', 'logOutboxRows'];

/** The dry-run as a table: one row per step's count (in the order the steps happen), one column per rule, and the totals. */
function DryRunTable({ run, scope }: { run: DryRun; scope: (r: { caseTypeCode: string | null; protectionClass: number | null }) => string }) {
  const t = useT();
  const { formatNumber } = useI18n();
  const captionId = useId();
  const purgerNames = [...new Set([...run.rules.flatMap((r) => r.counts.purgers.map((p) => p.name)), ...run.totals.purgers.map((p) => p.name)])];
  const purger = (c: RetentionCounts, name: string) => c.purgers.find((p) => p.name === name)?.count ?? 0;
  const rows: { key: string; label: string; count(c: RetentionCounts): number }[] = [
    ...COUNT_ROWS.map((k) => ({ key: k, label: t(`settings.retention.col.${k}`), count: (c: RetentionCounts) => c[k] })),
    ...purgerNames.map((n) => ({ key: `purger-${n}`, label: n, count: (c: RetentionCounts) => purger(c, n) })),
  ];
  return (
    <>
      <p>
        {t('settings.retention.asOf')} <DateTime value={run.asOf} />
      </p>
      {run.rules
        .filter((r) => r.error)
        .map((r) => (
          <Alert key={r.id} kind="error">
            {scope(r.rule)}: {r.error}
          </Alert>
        ))}
      {/* Wider than the page with many rules: the scrolling region can be reached and scrolled with the keyboard. */}
      <div className="table-wrap" tabIndex={0} role="region" aria-labelledby={captionId}>
        <table>
          <caption id={captionId}>{t('settings.retention.dryRunCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('settings.retention.step')}</th>
              {run.rules.map((r) => (
                <th key={r.id} scope="col" className="num">
                  {scope(r.rule)}
                </th>
              ))}
              <th scope="col" className="num">
                {t('settings.retention.total')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                <th scope="row">{row.label}</th>
                {run.rules.map((r) => (
                  <td key={r.id} className="num">
                    {formatNumber(row.count(r.counts))}
                  </td>
                ))}
                <td className="num total-cell">{formatNumber(row.count(run.totals))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function RuleForm({
  title,
  initial,
  caseTypes,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  title: string;
  initial?: RetentionRule;
  caseTypes: CaseTypeChoice[];
  busy: boolean;
  error: unknown;
  onSubmit(input: RetentionRuleInput): void;
  onCancel(): void;
}) {
  const t = useT();
  const [draft, setDraft] = useState<RetentionDraft>(() => draftOf(initial));
  const [problems, setProblems] = useState<RetentionProblems>({});
  const set = (field: keyof RetentionDraft) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkRetentionDraft(draft);
    setProblems(checked.problems);
    if (checked.input) onSubmit(checked.input);
  };
  const problem = (f: DayField | 'description' | '') => (problems[f] ? t(problems[f].key, problems[f].params) : undefined);
  // What the rule would do, as it is typed (only once the days make sense).
  const live = checkRetentionDraft(draft).input;
  const dayLabels: Record<DayField, [string, string]> = {
    contentAfterDays: [t('settings.retention.contentAfterDays'), t('settings.retention.contentAfterDaysHint')],
    identifiersAfterDays: [t('settings.retention.identifiersAfterDays'), t('settings.retention.identifiersAfterDaysHint')],
    logAfterDays: [t('settings.retention.logAfterDays'), t('settings.retention.logAfterDaysHint')],
  };
  return (
    <Section title={title}>
      <form onSubmit={submit} noValidate>
        <div className="days-grid">
          <SelectField
            label={t('settings.retention.caseType')}
            value={draft.caseTypeCode}
            onChange={set('caseTypeCode')}
            error={fieldErrorOf(error, 'caseTypeCode')}
            options={[{ value: '', label: t('settings.retention.allCaseTypes') }, ...caseTypes.map((c) => ({ value: c.code, label: `${c.name} (${c.code})` }))]}
          />
          <SelectField
            label={t('settings.retention.protectionClass')}
            value={draft.protectionClass}
            onChange={set('protectionClass')}
            error={fieldErrorOf(error, 'protectionClass')}
            options={[{ value: '', label: t('settings.retention.allClasses') }, ...[1, 2, 3].map((n) => ({ value: String(n), label: t(`protectionClass.${n}`) }))]}
          />
        </div>
        <p className="hint">{t('settings.retention.orderHint')}</p>
        {problem('') && (
          <p className="error-text" role="alert">
            {problem('')}
          </p>
        )}
        <div className="days-grid">
          {DAY_FIELDS.map((f) => (
            <TextField key={f} label={dayLabels[f][0]} hint={dayLabels[f][1]} inputMode="numeric" value={draft[f]} onChange={set(f)} error={problem(f) ?? fieldErrorOf(error, f)} />
          ))}
        </div>
        <RadioGroup
          legend={t('settings.retention.identifiersAction')}
          name="identifiersAction"
          value={draft.identifiersAction}
          onChange={(v) => setDraft((d) => ({ ...d, identifiersAction: v as RetentionDraft['identifiersAction'] }))}
          options={[
            { value: 'PSEUDONYMISE', label: t('settings.retention.action.PSEUDONYMISE'), hint: t('settings.retention.action.PSEUDONYMISE.hint') },
            { value: 'REMOVE', label: t('settings.retention.action.REMOVE'), hint: t('settings.retention.action.REMOVE.hint') },
          ]}
        />
        <TextArea label={t('settings.retention.description')} hint={t('settings.retention.descriptionHint')} value={draft.description} onChange={set('description')} error={problem('description') ?? fieldErrorOf(error, 'description')} />
        {live && (
          <div className="preview-words" aria-live="polite">
            <p className="alert-title">{t('settings.retention.preview')}</p>
            <RuleWords rule={live} />
          </div>
        )}
        <ErrorMessage error={error} />
        <FormActions submit={initial ? t('action.save') : t('settings.retention.create')} busy={busy} onCancel={onCancel} />
      </form>
    </Section>
  );
}
