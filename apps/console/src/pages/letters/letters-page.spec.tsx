import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { I18nProvider } from '../../i18n/i18n';
import { RouterProvider } from '../../router';
import LettersPage from './letters-page';

const calls: { query: string; variables?: Record<string, unknown> }[] = [];
const request = jest.fn();
let firstPage = { hasNextPage: false, endCursor: null as string | null };
const ROW = {
  letterId: '0193a6a2-5b0e-7c1d-9f3e-2a4b6c8d0e1f',
  createdAt: '2026-03-02T08:00:00Z',
  dispatchedAt: null,
  recipient: '198101032384',
  recipientKind: 'personnummer',
  subject: 'Beslut om bygglov',
  subjectWithheld: false,
  status: 'FAILED',
  channel: null,
  caseReference: 'BN 2026-1',
  sendingUnit: 'bygg',
};

jest.mock('../../api/graphql', () => {
  const actual = jest.requireActual('../../api/graphql');
  return {
    ...actual,
    useGraphql: () => ({ request, accessToken: async () => 'token' }),
    useQuery: (query: string, variables?: Record<string, unknown>) => {
      calls.push({ query, variables });
      const data = query.includes('deliveryLog')
        ? { deliveryLog: { totalCount: firstPage.hasNextPage ? 2 : 1, totalCountExact: true, pageInfo: firstPage, edges: [{ node: ROW }] } }
        : { letterSearchOptions: { sendingUnits: [{ code: 'bygg', name: 'Samhällsbyggnadsnämnden' }], operators: [] }, caseTypes: [] };
      return { data, loading: false, error: undefined, reload: () => undefined };
    },
  };
});

const page = () =>
  render(
    <I18nProvider lang="sv">
      <RouterProvider>
        <LettersPage />
      </RouterProvider>
    </I18nProvider>,
  );

beforeEach(() => {
  calls.length = 0;
  request.mockReset();
  firstPage = { hasNextPage: false, endCursor: null };
  sessionStorage.clear();
  window.history.replaceState(null, '', '/letters');
});

const lastFilter = () => calls.filter((c) => c.query.includes('deliveryLog')).at(-1)?.variables?.filter;

it('puts the search in the URL without the personnummer, and restores it from the URL', () => {
  const view = page();
  fireEvent.click(screen.getByLabelText('Misslyckades'));
  fireEvent.change(screen.getByLabelText(/^Mottagare/), { target: { value: '19810103-2384' } });
  fireEvent.change(screen.getByLabelText('Från och med'), { target: { value: '2026-03-01' } });
  fireEvent.click(screen.getByRole('button', { name: 'Sök' }));

  const search = window.location.search;
  expect(search).toMatch(/^\?status=FAILED&from=2026-03-01&rk=[0-9a-f]{16}$/);
  expect(search).not.toContain('2384');
  expect(lastFilter()).toEqual({ status: ['FAILED'], from: '2026-02-28T23:00:00.000Z', recipient: '198101032384' });

  // Coming back to this address (Back, a reload) gives the same search in the form.
  view.unmount();
  page();
  expect((screen.getByLabelText('Misslyckades') as HTMLInputElement).checked).toBe(true);
  expect((screen.getByLabelText(/^Mottagare/) as HTMLInputElement).value).toBe('19810103-2384');
  expect((screen.getByLabelText('Från och med') as HTMLInputElement).value).toBe('2026-03-01');
  expect(lastFilter()).toEqual({ status: ['FAILED'], from: '2026-02-28T23:00:00.000Z', recipient: '198101032384' });
});

it('refuses a malformed personnummer next to its field before asking the API', () => {
  page();
  fireEvent.change(screen.getByLabelText(/^Mottagare/), { target: { value: '1981' } });
  fireEvent.click(screen.getByRole('button', { name: 'Sök' }));
  expect(window.location.search).toBe('');
  expect(screen.getByLabelText(/^Mottagare/).getAttribute('aria-invalid')).toBe('true');
  expect(screen.getByText('Skriv 12 siffror, till exempel 19810103-2384.')).toBeTruthy();
});

it('masks the recipient until the row is opened', () => {
  page();
  const table = screen.getByRole('table', { name: 'Brev som matchar sökningen, nyast först' });
  expect(within(table).getByText('19810103-XXXX')).toBeTruthy();
  expect(within(table).queryByText('19810103-2384')).toBeNull();
  const show = within(table).getByRole('button', { name: 'Visa hela personnumret 19810103-XXXX' });
  expect(show.getAttribute('aria-pressed')).toBe('false');
  fireEvent.click(show);
  expect(within(table).getByText('19810103-2384')).toBeTruthy();
  expect(within(table).getByRole('button', { name: 'Dölj personnumret 19810103-XXXX igen' }).getAttribute('aria-pressed')).toBe('true');
  expect(within(table).getByRole('link', { name: 'Beslut om bygglov' }).getAttribute('href')).toBe(`/letters/${ROW.letterId}`);
});

it('shows more letters with "Visa fler", from where the page ended, with the same filter', async () => {
  window.history.replaceState(null, '', '/letters?status=FAILED');
  firstPage = { hasNextPage: true, endCursor: 'c1' };
  const older = { ...ROW, letterId: '0193a6a2-5b0e-7c1d-9f3e-000000000002', subject: 'Äldre beslut' };
  request.mockResolvedValue({ deliveryLog: { totalCount: 2, totalCountExact: true, pageInfo: { hasNextPage: false, endCursor: 'c2' }, edges: [{ node: older }] } });
  page();
  expect(screen.getByText('2 brev. Visar de 1 senaste.')).toBeTruthy();
  await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Visa fler' })));
  expect(request).toHaveBeenCalledWith(expect.stringContaining('deliveryLog'), { filter: { status: ['FAILED'] }, first: 50, after: 'c1' });
  expect(screen.getByRole('link', { name: 'Äldre beslut' })).toBeTruthy();
  expect(screen.queryByRole('button', { name: 'Visa fler' })).toBeNull();
});
