import { useEffect, useState } from 'react';
import { ApiRequestError, fetchFile, saveBlob, useGraphql, useQuery } from '../../api/graphql';
import { Alert, Button, DataTable, DateTime, ErrorMessage, Facts, Loading, PageTitle, Section, StatusBadge } from '../../components/ui';
import { useI18n, useT } from '../../i18n/i18n';
import { Link, useRouter } from '../../router';
import { HtmlBody } from './html-body';
import { ActionLetter, canRelease, LetterActions, PostalAddress } from './letter-actions';
import { formatRecipient } from './letter-filter';
import { describeEvent, FINISHED_STATUSES, reasonText } from './letter-words';
import './letters.css';

const LETTER = `query($id: ID!) { letter(id: $id) {
  id status statusReason channel channelDecision protectedIdentity postageClass recipient recipientKind
  sendingUnit { code name } caseReference subject bodyType protectionClass caseType category channelPreference
  postalAddress { name lines postalCode city country } operator { id name } transId attempts
  attachments { position filename contentType sizeBytes sha256 }
  deadlineAt createdAt updatedAt dispatchedAt
  events { id type fromStatus toStatus detail createdAt }
  print { vendorId postageClass status pages sheets duplex colour envelopeProfile renderedAt firstPage lastPage
          batch { id status readyAt acknowledgedAt } history { status at reason } }
  diaryRegistration { status number registeredAt lastError }
  body { contentType text } contentPurgedAt identifiersPurgedAt resendOf resentAs cancellable
  resend { allowed refusal message }
} }`;

interface LetterData extends ActionLetter {
  statusReason: string | null;
  channel: string | null;
  channelDecision: string | null;
  protectedIdentity: boolean;
  postageClass: string | null;
  recipient: string;
  recipientKind: string;
  sendingUnit: { code: string; name: string };
  caseReference: string | null;
  subject: string;
  bodyType: string;
  protectionClass: number;
  caseType: string | null;
  category: string;
  postalAddress: PostalAddress | null;
  operator: { id: string; name: string | null } | null;
  transId: string | null;
  attempts: number;
  attachments: { position: number; filename: string; contentType: string; sizeBytes: number; sha256: string }[];
  deadlineAt: string;
  createdAt: string;
  updatedAt: string;
  dispatchedAt: string | null;
  events: { id: string; type: string; fromStatus: string | null; toStatus: string | null; detail: Record<string, unknown>; createdAt: string }[];
  print: {
    vendorId: string;
    postageClass: string;
    status: string;
    pages: number;
    sheets: number;
    duplex: boolean;
    colour: boolean;
    envelopeProfile: string;
    renderedAt: string;
    firstPage: number | null;
    lastPage: number | null;
    batch: { id: string; status: string; readyAt: string | null; acknowledgedAt: string | null } | null;
    history: { status: string; at: string; reason: string | null }[];
  } | null;
  diaryRegistration: { status: string; number: string | null; registeredAt: string | null; lastError: string | null } | null;
  body: { contentType: string; text: string } | null;
  contentPurgedAt: string | null;
  identifiersPurgedAt: string | null;
  resendOf: string | null;
  resentAs: string | null;
}

/** One letter: its state (refreshed while it moves), facts, history, the message as sent, its PDF and actions. */
export default function LetterPage({ params }: { params: Record<string, string> }) {
  const id = params.id;
  const t = useT();
  const { navigate } = useRouter();
  const [finished, setFinished] = useState(false);
  const q = useQuery<{ letter: LetterData }>(LETTER, { id }, { pollMs: finished ? undefined : 2000 });
  const letter = q.data?.letter;
  const [notice, setNotice] = useState<string | null>(null);
  const done = letter ? FINISHED_STATUSES.includes(letter.status) : false;
  useEffect(() => setFinished(done), [done]);

  if (q.loading && !letter) return <Loading label={t('letters.page.loading')} />;
  if (!letter) {
    const notFound = q.error instanceof ApiRequestError && q.error.code === 'NOT_FOUND';
    return (
      <>
        <PageTitle>{t('letters.page.title')}</PageTitle>
        {notFound ? <Alert kind="error">{t('letters.page.notFound')}</Alert> : <ErrorMessage error={q.error} onRetry={q.reload} />}
        <p>
          <Link to="/letters">{t('letters.page.backToList')}</Link>
        </p>
      </>
    );
  }

  const onDone = (message: string, newLetterId?: string) => {
    if (newLetterId) navigate(`/letters/${newLetterId}`);
    else {
      setNotice(message);
      q.reload();
    }
  };

  return (
    <>
      <PageTitle lead={t('letters.page.lead', { id: letter.id })}>{letter.subject || t('letters.page.title')}</PageTitle>
      <p id="letter-status" className="status-line" aria-live="polite">
        <span className="status-label">{t('letters.page.status')}:</span> <StatusBadge status={letter.status} />
        {letter.statusReason ? <span className="status-reason"> {reasonText(t, letter.statusReason)}</span> : null}
        {!done && <span className="muted"> {t('letters.page.refreshing')}</span>}
      </p>
      {notice && <Alert kind="success">{notice}</Alert>}
      {q.error ? <ErrorMessage error={q.error} onRetry={q.reload} /> : null}
      {letter.resendOf && (
        <Alert kind="info">
          {t('letters.page.resendOf')} <Link to={`/letters/${letter.resendOf}`}>{t('letters.page.originalLetter')}</Link>
        </Alert>
      )}
      {letter.resentAs && (
        <Alert kind="info">
          {t('letters.page.resentAs')} <Link to={`/letters/${letter.resentAs}`}>{t('letters.page.newLetter')}</Link>
        </Alert>
      )}
      {letter.contentPurgedAt && (
        <Alert kind="warning" title={t('letters.page.purgedTitle')}>
          {t('letters.page.purged')} <DateTime value={letter.contentPurgedAt} />
        </Alert>
      )}

      {hasActions(letter) && (
        <Section title={t('letters.page.actions')}>
          <LetterActions key={`${letter.status}-${letter.resentAs ?? ''}`} letter={letter} onDone={onDone} />
        </Section>
      )}

      <LetterFacts letter={letter} />
      {letter.print && <PrintSection print={letter.print} />}
      <Timeline letter={letter} />
      <Message letter={letter} />
      <LetterPdf id={letter.id} purged={!!letter.contentPurgedAt} printed={!!letter.print} />
    </>
  );
}

/** Whether the letter has an action to offer, or a reason worth saying why it cannot be resent. */
function hasActions(l: LetterData): boolean {
  return l.cancellable || canRelease(l) || l.resend.allowed || (!!l.resend.refusal && l.resend.refusal !== 'STATUS_NOT_RESENDABLE');
}

function LetterFacts({ letter }: { letter: LetterData }) {
  const t = useT();
  const { formatNumber } = useI18n();
  const decision = letter.channelDecision ? `${t(`channel.${letter.channelDecision}`)}${letter.statusReason ? ` – ${reasonText(t, letter.statusReason)}` : ''}` : t('letters.facts.notDecided');
  const address = letter.postalAddress;
  const diary = letter.diaryRegistration;
  return (
    <Section title={t('letters.page.facts')}>
      <Facts
        items={[
          [t('letters.facts.recipient'), `${formatRecipient(letter.recipient)} (${t(`letters.kind.${letter.recipientKind}`)})`],
          [t('letters.facts.sendingUnit'), `${letter.sendingUnit.name} (${letter.sendingUnit.code})`],
          [t('letters.facts.caseType'), letter.caseType ?? t('letters.facts.none')],
          [t('letters.facts.caseReference'), letter.caseReference ?? t('letters.facts.none')],
          [t('letters.facts.protectionClass'), t(`protectionClass.${letter.protectionClass}`)],
          [t('letters.facts.category'), t(`letters.category.${letter.category}`)],
          [t('letters.facts.preference'), t(`channel.${letter.channelPreference}`)],
          [t('letters.facts.decision'), decision],
          [t('letters.facts.channel'), letter.channel ? t(`channel.${letter.channel}`) : '–'],
          [t('letters.facts.operator'), letter.operator ? `${letter.operator.name ?? ''} (${letter.operator.id})`.trim() : '–'],
          [t('letters.facts.transId'), letter.transId ? <code>{letter.transId}</code> : '–'],
          [t('letters.facts.attempts'), formatNumber(letter.attempts)],
          [t('letters.facts.protectedIdentity'), letter.protectedIdentity ? t('yes') : t('no')],
          [
            t('letters.facts.postalAddress'),
            address ? (
              <span className="address">
                {[address.name, ...address.lines, `${address.postalCode} ${address.city}`, address.country && address.country !== 'SE' ? address.country : ''].filter(Boolean).join(', ')}
              </span>
            ) : (
              t('letters.facts.noAddress')
            ),
          ],
          [t('letters.facts.created'), <DateTime key="c" value={letter.createdAt} />],
          [t('letters.facts.dispatched'), <DateTime key="d" value={letter.dispatchedAt} />],
          [t('letters.facts.deadline'), <DateTime key="dl" value={letter.deadlineAt} />],
          [
            t('letters.facts.diary'),
            diary ? (diary.number ? t('letters.facts.diaryNumber', { number: diary.number }) : t(`letters.diary.${diary.status}`) + (diary.lastError ? ` – ${diary.lastError}` : '')) : t('letters.facts.diaryNone'),
          ],
        ]}
      />
    </Section>
  );
}

function PrintSection({ print }: { print: NonNullable<LetterData['print']> }) {
  const t = useT();
  return (
    <Section title={t('letters.page.print')}>
      <Facts
        items={[
          [t('letters.print.vendor'), print.vendorId],
          [t('letters.print.batch'), print.batch ? `${print.batch.id} (${t(`letters.batchStatus.${print.batch.status}`)})` : t('letters.print.noBatch')],
          [t('letters.print.pages'), t('letters.print.pagesSheets', { pages: print.pages, sheets: print.sheets })],
          [t('letters.print.pageRange'), print.firstPage ? `${print.firstPage}–${print.lastPage}` : '–'],
          [t('letters.print.postage'), t(`letters.postage.${print.postageClass}`)],
          [t('letters.print.envelope'), print.envelopeProfile],
          [t('letters.print.sides'), print.duplex ? t('letters.print.duplex') : t('letters.print.simplex')],
          [t('letters.print.rendered'), <DateTime key="r" value={print.renderedAt} />],
        ]}
      />
      <DataTable
        caption={t('letters.print.history')}
        rows={print.history}
        rowKey={(h) => `${h.status}-${h.at}`}
        columns={[
          { key: 'at', header: t('letters.print.when'), cell: (h) => <DateTime value={h.at} /> },
          { key: 'status', header: t('letters.print.step'), cell: (h) => t(`letters.event.${h.status}`) },
          { key: 'reason', header: t('letters.print.reason'), cell: (h) => (h.reason ? reasonText(t, h.reason) : '–') },
        ]}
      />
    </Section>
  );
}

function Timeline({ letter }: { letter: LetterData }) {
  const t = useT();
  const { formatDateTime } = useI18n();
  return (
    <Section title={t('letters.page.events')}>
      <ol className="timeline">
        {letter.events.map((e) => {
          const words = describeEvent(t, e, formatDateTime);
          return (
            <li key={e.id}>
              <p className="event-head">
                <DateTime value={e.createdAt} /> <strong>{words.title}</strong>
                {e.toStatus && e.toStatus !== e.fromStatus ? (
                  <>
                    {' '}
                    <span className="visually-hidden">{t('letters.event.newStatus')}</span>
                    <StatusBadge status={e.toStatus} />
                  </>
                ) : null}
              </p>
              {words.text && <p className="event-text">{words.text}</p>}
              {words.problems.length > 0 && (
                <ul className="event-problems">
                  {words.problems.map((p, i) => (
                    <li key={i}>{p}</li>
                  ))}
                </ul>
              )}
              {words.letterId && (
                <p className="event-text">
                  <Link to={`/letters/${words.letterId}`}>{e.type === 'RESENT' ? t('letters.page.newLetter') : t('letters.page.originalLetter')}</Link>
                </p>
              )}
            </li>
          );
        })}
      </ol>
    </Section>
  );
}

function Message({ letter }: { letter: LetterData }) {
  const t = useT();
  const { formatNumber } = useI18n();
  const { accessToken } = useGraphql();
  const [error, setError] = useState<unknown>(null);
  const save = async (a: LetterData['attachments'][number]) => {
    setError(null);
    try {
      saveBlob((await fetchFile(accessToken, `/console/v1/letters/${letter.id}/attachments/${a.position}`)).blob, a.filename);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Section title={t('letters.page.message')}>
      {letter.contentPurgedAt ? (
        <p>{t('letters.message.purged')}</p>
      ) : (
        <>
          <h3>{t('letters.message.subject')}</h3>
          <p className="letter-subject">{letter.subject}</p>
          <h3>{t('letters.message.body')}</h3>
          {letter.body ? (
            letter.body.contentType === 'text/html' ? (
              <HtmlBody html={letter.body.text} />
            ) : (
              <div className="letter-body plain">{letter.body.text}</div>
            )
          ) : (
            <p className="muted">{t('letters.message.noBody')}</p>
          )}
        </>
      )}
      <DataTable
        caption={t('letters.message.attachments')}
        rows={letter.attachments}
        rowKey={(a) => String(a.position)}
        empty={t('letters.message.noAttachments')}
        columns={[
          { key: 'name', header: t('letters.message.filename'), cell: (a) => a.filename },
          { key: 'size', header: t('letters.message.size'), numeric: true, cell: (a) => t('letters.message.kb', { size: formatNumber(Math.max(1, Math.round(a.sizeBytes / 1024))) }) },
          {
            key: 'get',
            header: t('letters.message.download'),
            cell: (a) =>
              letter.contentPurgedAt ? (
                '–'
              ) : (
                <Button variant="link" aria-label={t('letters.message.downloadNamed', { name: a.filename })} onClick={() => void save(a)}>
                  {t('action.download')}
                </Button>
              ),
          },
        ]}
      />
      {error ? <ErrorMessage error={error} /> : null}
    </Section>
  );
}

/** The PDF: shown in the page on request (from a blob URL: the token never goes into a URL), and downloadable. */
function LetterPdf({ id, purged, printed }: { id: string; purged: boolean; printed: boolean }) {
  const t = useT();
  const { accessToken } = useGraphql();
  const [preview, setPreview] = useState<{ url: string; kind: string | null; merged: boolean } | null>(null);
  const [busy, setBusy] = useState<'show' | 'save' | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => () => void (preview && URL.revokeObjectURL(preview.url)), [preview]);
  const path = `/console/v1/letters/${id}/pdf`;
  const show = async () => {
    setBusy('show');
    setError(null);
    try {
      const file = await fetchFile(accessToken, path);
      setPreview({ url: URL.createObjectURL(file.blob), kind: file.headers.get('x-letter-pdf'), merged: file.headers.get('x-attachments-merged') !== 'false' });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  const save = async () => {
    setBusy('save');
    setError(null);
    try {
      saveBlob((await fetchFile(accessToken, path)).blob, `brev-${id}.pdf`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  return (
    <Section title={t('letters.page.pdf')}>
      <p>{printed ? t('letters.pdf.printedIntro') : t('letters.pdf.renditionIntro')}</p>
      {purged ? (
        <p className="muted">{t('letters.pdf.purged')}</p>
      ) : (
        <div className="row">
          <Button variant="secondary" busy={busy === 'show'} onClick={() => void show()}>
            {preview ? t('letters.pdf.refresh') : t('letters.pdf.show')}
          </Button>
          <Button variant="secondary" busy={busy === 'save'} onClick={() => void save()}>
            {t('letters.pdf.download')}
          </Button>
        </div>
      )}
      {error ? <ErrorMessage error={error} /> : null}
      {preview && (
        <>
          <p role="status">{preview.kind === 'AS_PRINTED' ? t('letters.pdf.asPrinted') : t('letters.pdf.rendition')}</p>
          {!preview.merged && <Alert kind="warning">{t('letters.pdf.notMerged')}</Alert>}
          <iframe className="pdf" title={t('letters.pdf.frameTitle')} src={preview.url} />
        </>
      )}
    </Section>
  );
}
