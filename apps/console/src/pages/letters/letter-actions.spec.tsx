import { act, fireEvent, render, screen } from '@testing-library/react';
import { ApiRequestError } from '../../api/graphql';
import { I18nProvider } from '../../i18n/i18n';
import { ActionLetter, addressInput, canRelease, LetterActions } from './letter-actions';

const request = jest.fn();
jest.mock('../../api/graphql', () => {
  const actual = jest.requireActual('../../api/graphql');
  return { ...actual, useGraphql: () => ({ request, accessToken: async () => 'token' }) };
});

const LETTER: ActionLetter = {
  id: 'l-1',
  status: 'HELD',
  statusReason: 'PROTECTED_IDENTITY',
  channelPreference: 'AUTO',
  postalAddress: null,
  cancellable: true,
  resend: { allowed: false, refusal: 'STATUS_NOT_RESENDABLE', message: 'no' },
};

const show = (letter: ActionLetter, onDone = jest.fn()) => {
  render(
    <I18nProvider lang="sv">
      <LetterActions letter={letter} onDone={onDone} />
    </I18nProvider>,
  );
  return onDone;
};

beforeEach(() => request.mockReset());

it('asks before cancelling, then cancels with the reason', async () => {
  request.mockResolvedValue({ cancelLetter: { id: 'l-1', status: 'CANCELLED' } });
  const onDone = show(LETTER);
  fireEvent.click(screen.getByRole('button', { name: 'Avbryt brevet' }));
  expect(request).not.toHaveBeenCalled();
  expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Avbryta brevet?' }));
  fireEvent.change(screen.getByLabelText(/Anledning/), { target: { value: 'Fel mottagare' } });
  await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Ja, avbryt brevet' })));
  expect(request).toHaveBeenCalledWith(expect.stringContaining('cancelLetter'), { id: 'l-1', reason: 'Fel mottagare' });
  expect(onDone).toHaveBeenCalledWith('Brevet är avbrutet.');
});

it('lets the user keep the letter', () => {
  show(LETTER);
  fireEvent.click(screen.getByRole('button', { name: 'Avbryt brevet' }));
  fireEvent.click(screen.getByRole('button', { name: 'Nej, behåll brevet' }));
  expect(screen.queryByRole('heading', { name: 'Avbryta brevet?' })).toBeNull();
  expect(request).not.toHaveBeenCalled();
});

it('asks for an address to release a held letter without one, and shows the API\'s field errors next to the fields', async () => {
  request.mockRejectedValue(new ApiRequestError([{ message: 'The postal address was refused', code: 'VALIDATION_FAILED', fields: [{ path: 'postalAddress.postalCode', message: 'must be five digits' }] }]));
  const onDone = show(LETTER);
  fireEvent.click(screen.getByRole('button', { name: 'Släpp till utskrift' }));
  expect(screen.getByText(/mottagaren har skyddade personuppgifter/)).toBeTruthy();
  fireEvent.change(screen.getByLabelText(/^Namn/), { target: { value: 'Test Testsson' } });
  fireEvent.change(screen.getByLabelText(/^Adressrad 1/), { target: { value: 'Storgatan 1' } });
  fireEvent.change(screen.getByLabelText(/^Postnummer/), { target: { value: '12' } });
  fireEvent.change(screen.getByLabelText(/^Ort/), { target: { value: 'Demostad' } });
  fireEvent.change(screen.getByLabelText('Anteckning'), { target: { value: 'Adress från Skatteverket' } });
  await act(async () => fireEvent.click(screen.getAllByRole('button', { name: 'Släpp till utskrift' }).at(-1)!));
  expect(request).toHaveBeenCalledWith(expect.stringContaining('releaseHeldLetter'), {
    id: 'l-1',
    postalAddress: { name: 'Test Testsson', lines: ['Storgatan 1'], postalCode: '12', city: 'Demostad' },
    note: 'Adress från Skatteverket',
  });
  expect(screen.getByLabelText(/^Postnummer/).getAttribute('aria-invalid')).toBe('true');
  expect(screen.getByText('must be five digits')).toBeTruthy();
  expect(onDone).not.toHaveBeenCalled();
});

it('resends and hands over the new letter', async () => {
  request.mockResolvedValue({ resendLetter: { id: 'l-2' } });
  const onDone = show({ ...LETTER, status: 'RETURNED', cancellable: false, postalAddress: { name: 'A', lines: ['B'], postalCode: '123 45', city: 'C' }, resend: { allowed: true, refusal: null, message: null } });
  expect(screen.queryByRole('button', { name: 'Avbryt brevet' })).toBeNull();
  fireEvent.click(screen.getByRole('button', { name: 'Skicka igen' }));
  await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Skicka ett nytt brev' })));
  expect(request).toHaveBeenCalledWith(expect.stringContaining('resendLetter'), { id: 'l-1', reason: null, postalAddress: null });
  expect(onDone).toHaveBeenCalledWith('Brevet har skickats igen.', 'l-2');
});

it('says why a finished letter cannot be resent', () => {
  show({ ...LETTER, status: 'FAILED', cancellable: false, resend: { allowed: false, refusal: 'CONTENT_PURGED', message: 'purged' } });
  expect(screen.getByText('Brevet kan inte skickas igen: dess innehåll eller mottagare är gallrat.')).toBeTruthy();
});

it('releases only held letters that may go on paper, and drops an empty second address line', () => {
  expect([canRelease({ status: 'HELD', channelPreference: 'AUTO' }), canRelease({ status: 'HELD', channelPreference: 'DIGITAL_ONLY' }), canRelease({ status: 'FAILED', channelPreference: 'AUTO' })]).toEqual([true, false, false]);
  expect(addressInput({ name: ' A ', line1: 'B', line2: ' ', postalCode: '123 45', city: 'C' })).toEqual({ name: 'A', lines: ['B'], postalCode: '123 45', city: 'C' });
});
