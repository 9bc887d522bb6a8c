import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { I18nProvider } from '../../i18n/i18n';
import { ReachabilitySection } from './reachability-section';
import type { ReachabilityRow } from './send-api';

const ROWS: ReachabilityRow[] = [
  { recipient: '198101032384', deliverable: true, reason: null, operator: { name: 'Kivra-lik brevlåda (simulator)' } },
  { recipient: '201001012382', deliverable: false, reason: 'NOT_REGISTERED', operator: null },
];

function setup(check = jest.fn(async (ids: string[]) => ROWS.filter((r) => ids.includes(r.recipient)))) {
  const onWrite = jest.fn();
  render(
    <I18nProvider lang="sv">
      <ReachabilitySection sendingUnit="bygg" check={check} onWrite={onWrite} />
    </I18nProvider>,
  );
  const textarea = screen.getByLabelText(/Personnummer eller samordningsnummer \(ett per rad\)/);
  const run = async (text: string) => {
    fireEvent.change(textarea, { target: { value: text } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Kontrollera' })));
  };
  return { check, onWrite, textarea, run };
}

describe('checking recipients', () => {
  it('names the bad lines and asks nothing until they are fixed', async () => {
    const { check, textarea, run } = setup();
    await run('198101032384\n198101032385\n8101032384');
    expect(check).not.toHaveBeenCalled();
    expect(textarea.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText(/Rätta 2 rad\(er\) innan kontrollen: rad 2 \(198101032385\): kontrollsiffran stämmer inte; rad 3 \(8101032384\): skriv numret med 12 siffror/)).toBeTruthy();
    await run('');
    expect(screen.getByText('Skriv minst ett personnummer eller samordningsnummer.')).toBeTruthy();
    expect(check).not.toHaveBeenCalled();
  });

  it('refuses more than 5,000 numbers and says so', async () => {
    const { check, run } = setup();
    const file = join(__dirname, '..', '..', '..', '..', '..', 'testdata', 'testpersonnummer-1980-1989.csv');
    const ids = readFileSync(file, 'utf8').split(/\r?\n/).slice(1).filter((l) => l.trim() !== '').slice(0, 5001);
    expect(ids).toHaveLength(5001);
    await run(ids.join('\n'));
    expect(check).not.toHaveBeenCalled();
    expect(screen.getByText(/^Listan har 5\s001 nummer; högst 5\s000 kan kontrolleras åt gången/)).toBeTruthy();
    await run(ids.slice(0, 5000).join('\n'));
    expect(check).toHaveBeenCalledTimes(1);
  });

  it('shows FaR’s answers with counts, and starts a letter from a reachable row', async () => {
    const { check, onWrite, run } = setup();
    await run('personnummer;namn\n198101032384;Anna\n201001012382;Bo\n19810103-2384;Anna igen');
    expect(check).toHaveBeenCalledWith(['198101032384', '201001012382']);
    const table = screen.getByRole('table', { name: 'Svar från FaR per mottagare' });
    const rows = within(table).getAllByRole('row').slice(1).map((r) => r.textContent);
    expect(rows[0]).toMatch(/^19810103-2384JaKivra-lik brevlåda \(simulator\)Har en digital brevlåda/);
    expect(rows[1]).toMatch(/^20100101-2382Nej–Mottagaren har ingen digital brevlåda\.$/);
    const summary = screen.getByRole('list', { name: 'Sammanfattning' });
    expect(summary.textContent).toBe('2 kontrollerade1 kan ta emot digital post1 kan inte ta emot digital post');
    expect(screen.getByText('1 nummer fanns flera gånger i listan och kontrollerades en gång.')).toBeTruthy();
    expect(screen.getByText('Första raden saknade siffror och lästes som rubrikrad.')).toBeTruthy();
    const links = within(table).getAllByRole('link');
    expect(links.map((l) => l.textContent)).toEqual(['Skicka brev till 19810103-2384']);
    fireEvent.click(links[0]);
    expect(onWrite).toHaveBeenCalledWith('198101032384');
  });

  it('shows the API’s error when the check fails', async () => {
    const { run } = setup(jest.fn(async (_ids: string[]): Promise<ReachabilityRow[]> => Promise.reject(new Error('FaR did not answer'))));
    await run('198101032384');
    expect(screen.getByRole('alert').textContent).toContain('FaR did not answer');
  });
});
