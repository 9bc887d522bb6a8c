import { useCallback, useMemo, useState } from 'react';
import { useGraphql, useQuery } from '../../api/graphql';
import { useAuth } from '../../auth/auth';
import { Alert, ErrorMessage, Loading, PageTitle, SelectField } from '../../components/ui';
import { useT } from '../../i18n/i18n';
import { useRouter } from '../../router';
import { LetterDraft, newDraft } from './letter-draft';
import { LetterFormApi, LetterFormSection } from './letter-form';
import { ReachabilitySection } from './reachability-section';
import { checkRecipientId } from './recipient-ids';
import { CHANNEL_PREVIEW, CHECK_REACHABILITY, ChannelPreview, ReachabilityRow, SEND_PAGE_DATA, SendPageData, SUBMIT_LETTER, SubmittedLetter } from './send-api';
import './send.css';

/** The unit a user starts with: their own (token claim sending_unit), else the only or first one. */
function defaultUnit(units: { code: string }[], own: string | undefined): string {
  if (own && units.some((u) => u.code === own)) return own;
  return units[0]?.code ?? '';
}

/** `/send`: check recipients ahead of sending (K2), and write and send a letter by hand. */
export default function SendPage() {
  const t = useT();
  const { user } = useAuth();
  const { search, navigate } = useRouter();
  const { request, upload } = useGraphql();
  const data = useQuery<SendPageData>(SEND_PAGE_DATA);
  const [chosenUnit, setChosenUnit] = useState<string>();
  // A link such as /send?recipient=198101032384 starts a letter to that recipient.
  const [draft, setDraft] = useState<LetterDraft>(() => {
    const given = search.get('recipient') ?? '';
    const id = checkRecipientId(given);
    return newDraft(id.ok ? id.id : '');
  });

  const units = useMemo(() => data.data?.sendingUnitChoices ?? [], [data.data]);
  const unit = chosenUnit ?? defaultUnit(units, user?.sendingUnit);

  const check = useCallback(
    async (ids: string[]) => (await request<{ checkReachability: ReachabilityRow[] }>(CHECK_REACHABILITY, { recipients: ids, sendingUnit: unit || null })).checkReachability,
    [request, unit],
  );
  const api = useMemo<LetterFormApi>(
    () => ({
      preview: async (input) => (await request<{ channelPreview: ChannelPreview }>(CHANNEL_PREVIEW, { input })).channelPreview,
      submit: async (input, files) =>
        (Object.keys(files).length ? await upload<SubmittedLetter>(SUBMIT_LETTER, { input }, files) : await request<SubmittedLetter>(SUBMIT_LETTER, { input })).submitLetter,
    }),
    [request, upload],
  );

  const writeTo = (recipient: string) => {
    setDraft((d) => ({ ...d, recipient }));
    // After React has rendered the new value: move focus to the form, where the officer goes on.
    requestAnimationFrame(() => {
      const field = document.getElementById('send-recipient');
      field?.scrollIntoView({ block: 'center' });
      field?.focus();
    });
  };

  return (
    <>
      <PageTitle lead={t('send.lead')}>{t('send.title')}</PageTitle>
      {data.loading && !data.data && <Loading />}
      <ErrorMessage error={data.error} onRetry={data.reload} />
      {data.data && units.length === 0 && <Alert kind="warning">{t('send.unit.none')}</Alert>}
      {data.data && units.length > 0 && (
        <>
          <div className="card send-unit">
            <SelectField
              label={t('send.unit.label')}
              hint={t('send.unit.hint')}
              value={unit}
              onChange={(e) => setChosenUnit(e.target.value)}
              options={units.map((u) => ({ value: u.code, label: `${u.name} (${u.code})` }))}
            />
          </div>
          <ReachabilitySection sendingUnit={unit} check={check} onWrite={writeTo} />
          <LetterFormSection
            draft={draft}
            onDraftChange={setDraft}
            sendingUnit={unit}
            caseTypes={data.data.caseTypes}
            api={api}
            onSent={(id) => navigate(`/letters/${id}`)}
          />
        </>
      )}
    </>
  );
}
