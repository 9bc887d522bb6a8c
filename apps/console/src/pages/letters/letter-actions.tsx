import { FormEvent, ReactNode, useEffect, useId, useRef, useState } from 'react';
import { ApiRequestError, useGraphql } from '../../api/graphql';
import { Alert, Button, Checkbox, ErrorMessage, TextArea, TextField } from '../../components/ui';
import { useT } from '../../i18n/i18n';
import { reasonText } from './letter-words';

export interface PostalAddress {
  name: string;
  lines: string[];
  postalCode: string;
  city: string;
  country?: string | null;
}

/** What the actions need to know about the letter. */
export interface ActionLetter {
  id: string;
  status: string;
  statusReason: string | null;
  channelPreference: string;
  postalAddress: PostalAddress | null;
  cancellable: boolean;
  resend: { allowed: boolean; refusal: string | null; message: string | null };
}

interface AddressForm {
  name: string;
  line1: string;
  line2: string;
  postalCode: string;
  city: string;
}

const addressForm = (a: PostalAddress | null): AddressForm => ({ name: a?.name ?? '', line1: a?.lines[0] ?? '', line2: a?.lines[1] ?? '', postalCode: a?.postalCode ?? '', city: a?.city ?? '' });

/** The API's PostalAddressInput from the form (empty second line left out). */
export function addressInput(f: AddressForm): PostalAddress {
  return { name: f.name.trim(), lines: [f.line1, f.line2].map((l) => l.trim()).filter(Boolean), postalCode: f.postalCode.trim(), city: f.city.trim() };
}

/** A held letter may go to print unless it may only go digitally (the API refuses that too). */
export function canRelease(l: Pick<ActionLetter, 'status' | 'channelPreference'>): boolean {
  return l.status === 'HELD' && l.channelPreference !== 'DIGITAL_ONLY';
}

function AddressFields({ value, onChange, error }: { value: AddressForm; onChange(v: AddressForm): void; error: ApiRequestError | null }) {
  const t = useT();
  const set = (k: keyof AddressForm) => (e: { target: { value: string } }) => onChange({ ...value, [k]: e.target.value });
  const err = (path: string) => error?.fieldError(`postalAddress.${path}`);
  return (
    <fieldset>
      <legend>{t('letters.actions.address')}</legend>
      <TextField label={t('letters.address.name')} value={value.name} onChange={set('name')} autoComplete="off" error={err('name')} required />
      <TextField label={t('letters.address.line1')} value={value.line1} onChange={set('line1')} autoComplete="off" error={err('lines')} required />
      <TextField label={t('letters.address.line2')} value={value.line2} onChange={set('line2')} autoComplete="off" />
      <TextField label={t('letters.address.postalCode')} value={value.postalCode} onChange={set('postalCode')} autoComplete="off" inputMode="numeric" error={err('postalCode')} required />
      <TextField label={t('letters.address.city')} value={value.city} onChange={set('city')} autoComplete="off" error={err('city')} required />
    </fieldset>
  );
}

/** A confirmation step inside the page: its heading takes the focus when it opens. */
function Panel({ title, children, onSubmit }: { title: string; children: ReactNode; onSubmit(e: FormEvent): void }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const id = useId();
  useEffect(() => ref.current?.focus(), []);
  return (
    <form className="action-panel" aria-labelledby={id} onSubmit={onSubmit} noValidate>
      <h3 id={id} ref={ref} tabIndex={-1}>
        {title}
      </h3>
      {children}
    </form>
  );
}

const CANCEL = `mutation($id: ID!, $reason: String) { cancelLetter(id: $id, reason: $reason) { id status } }`;
const RELEASE = `mutation($id: ID!, $postalAddress: PostalAddressInput, $note: String) { releaseHeldLetter(id: $id, postalAddress: $postalAddress, note: $note) { id status } }`;
const RESEND = `mutation($id: ID!, $reason: String, $postalAddress: PostalAddressInput) { resendLetter(id: $id, reason: $reason, postalAddress: $postalAddress) { id } }`;

type Open = null | 'cancel' | 'release' | 'resend';

/**
 * The letter's actions, each behind a confirmation step: cancel (while it can be cancelled), release
 * a held letter to print (optionally with a corrected address, and a note), and resend a letter that
 * ended without reaching its recipient (optionally to a corrected address). `onDone` gets the message
 * to show and, for a resend, the new letter's id.
 */
export function LetterActions({ letter, onDone }: { letter: ActionLetter; onDone(message: string, newLetterId?: string): void }) {
  const t = useT();
  const { request } = useGraphql();
  const [open, setOpen] = useState<Open>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [withAddress, setWithAddress] = useState(false);
  const [address, setAddress] = useState<AddressForm>(() => addressForm(letter.postalAddress));
  const release = canRelease(letter);
  const needsAddress = open === 'release' && !letter.postalAddress;

  const start = (which: Open) => {
    setOpen(which);
    setError(null);
    setReason('');
    setNote('');
    setWithAddress(false);
    setAddress(addressForm(letter.postalAddress));
  };

  const run = async (e: FormEvent, action: () => Promise<void>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const apiError = error instanceof ApiRequestError ? error : null;
  const addressValue = () => (withAddress || needsAddress ? addressInput(address) : null);

  if (!letter.cancellable && !release && !letter.resend.allowed) {
    return letter.resend.refusal && letter.resend.refusal !== 'STATUS_NOT_RESENDABLE' ? <p className="muted">{t(`letters.resend.refusal.${letter.resend.refusal}`)}</p> : <p className="muted">{t('letters.actions.none')}</p>;
  }

  return (
    <div className="letter-actions">
      {open === null && (
        <div className="row">
          {release && <Button onClick={() => start('release')}>{t('letters.actions.release')}</Button>}
          {letter.resend.allowed && <Button onClick={() => start('resend')}>{t('letters.actions.resend')}</Button>}
          {letter.cancellable && (
            <Button variant="danger" onClick={() => start('cancel')}>
              {t('letters.actions.cancel')}
            </Button>
          )}
        </div>
      )}
      {open === 'cancel' && (
        <Panel
          title={t('letters.actions.cancelTitle')}
          onSubmit={(e) =>
            void run(e, async () => {
              await request(CANCEL, { id: letter.id, reason: reason.trim() || null });
              setOpen(null);
              onDone(t('letters.actions.cancelled'));
            })
          }
        >
          <Alert kind="warning">{t('letters.actions.cancelWarning')}</Alert>
          <TextField label={t('letters.actions.cancelReason')} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} error={apiError?.fieldError('reason')} />
          {error ? <ErrorMessage error={error} /> : null}
          <div className="row">
            <Button type="submit" variant="danger" busy={busy}>
              {t('letters.actions.cancelConfirm')}
            </Button>
            <Button variant="secondary" onClick={() => setOpen(null)}>
              {t('letters.actions.keep')}
            </Button>
          </div>
        </Panel>
      )}
      {open === 'release' && (
        <Panel
          title={t('letters.actions.releaseTitle')}
          onSubmit={(e) =>
            void run(e, async () => {
              await request(RELEASE, { id: letter.id, postalAddress: addressValue(), note: note.trim() || null });
              setOpen(null);
              onDone(t('letters.actions.released'));
            })
          }
        >
          <p>{t('letters.actions.releaseIntro', { reason: reasonText(t, letter.statusReason) || t('letters.reason.unknown') })}</p>
          {needsAddress ? <Alert kind="info">{t('letters.actions.releaseNeedsAddress')}</Alert> : <Checkbox label={t('letters.actions.correctAddress')} checked={withAddress} onChange={(e) => setWithAddress(e.target.checked)} />}
          {(withAddress || needsAddress) && <AddressFields value={address} onChange={setAddress} error={apiError} />}
          <TextArea label={t('letters.actions.note')} hint={t('letters.actions.noteHint')} value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
          {error ? <ErrorMessage error={error} /> : null}
          <div className="row">
            <Button type="submit" busy={busy}>
              {t('letters.actions.releaseConfirm')}
            </Button>
            <Button variant="secondary" onClick={() => setOpen(null)}>
              {t('action.close')}
            </Button>
          </div>
        </Panel>
      )}
      {open === 'resend' && (
        <Panel
          title={t('letters.actions.resendTitle')}
          onSubmit={(e) =>
            void run(e, async () => {
              const data = await request<{ resendLetter: { id: string } }>(RESEND, { id: letter.id, reason: reason.trim() || null, postalAddress: addressValue() });
              setOpen(null);
              onDone(t('letters.actions.resent'), data.resendLetter.id);
            })
          }
        >
          <p>{t('letters.actions.resendIntro')}</p>
          <TextField label={t('letters.actions.resendReason')} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} error={apiError?.fieldError('reason')} />
          <Checkbox label={t('letters.actions.correctAddress')} checked={withAddress} onChange={(e) => setWithAddress(e.target.checked)} />
          {withAddress && <AddressFields value={address} onChange={setAddress} error={apiError} />}
          {error ? <ErrorMessage error={error} /> : null}
          <div className="row">
            <Button type="submit" busy={busy}>
              {t('letters.actions.resendConfirm')}
            </Button>
            <Button variant="secondary" onClick={() => setOpen(null)}>
              {t('action.close')}
            </Button>
          </div>
        </Panel>
      )}
    </div>
  );
}
