import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { ApiRequestError } from '../../api/graphql';
import { I18nProvider } from '../../i18n/i18n';
import { CaseTypeOption, LetterDraft, newDraft } from './letter-draft';
import { LetterFormApi, LetterFormSection } from './letter-form';
import type { ChannelPreview } from './send-api';

const CASE_TYPES: CaseTypeOption[] = [
  { code: 'bygglov', name: 'Bygglov', defaultProtectionClass: 2, allowedChannels: ['DIGITAL', 'PRINT'], subjectTemplate: 'Beslut i ärende {caseReference}', bodyTemplate: null },
  { code: 'digitalt', name: 'Digitalt beslut', defaultProtectionClass: 3, allowedChannels: ['DIGITAL'], subjectTemplate: 'Beslut', bodyTemplate: 'Hej' },
];

const DIGITAL: ChannelPreview = {
  channel: 'DIGITAL',
  reason: null,
  holdReason: null,
  printBlockedBy: null,
  explanation: 'Digital: …',
  operator: { name: 'Kivra-lik brevlåda (simulator)' },
  reachability: { deliverable: true, reason: null },
  recipient: '198101032384',
  sendingUnit: { code: 'bygg', name: 'Byggnadsnämnden' },
  protectionClass: 2,
  protectionClassFromCaseType: false,
  requestedChannelPreference: 'AUTO',
  channelPreference: 'AUTO',
  caseType: null,
  decidedByTenantSetting: null,
};

function Harness({ api, onSent = () => undefined, initial = newDraft() }: { api: LetterFormApi; onSent?: (id: string) => void; initial?: LetterDraft }) {
  const [draft, setDraft] = useState(initial);
  return (
    <I18nProvider lang="sv">
      <LetterFormSection draft={draft} onDraftChange={setDraft} sendingUnit="bygg" caseTypes={CASE_TYPES} api={api} onSent={onSent} />
    </I18nProvider>
  );
}

const fakeApi = (over: Partial<LetterFormApi> = {}): LetterFormApi & { preview: jest.Mock; submit: jest.Mock } =>
  ({ preview: jest.fn(async () => DIGITAL), submit: jest.fn(async () => ({ id: 'letter-1' })), ...over }) as never;

const optionValues = (label: RegExp) => within(screen.getByLabelText(label)).getAllByRole('option').map((o) => (o as HTMLOptionElement).value);
const type = (label: RegExp, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });
const fill = () => {
  type(/^Mottagare/, '19810103-2384');
  type(/^Skyddsklass/, '2');
  type(/^Ärendemening/, 'Beslut om bygglov');
  type(/^Brevtext/, 'Ni har fått bygglov.');
};

describe('the letter form', () => {
  it('offers only the classes and channels the chosen case type allows, with its class chosen', () => {
    render(<Harness api={fakeApi()} />);
    expect(optionValues(/^Ärendetyp/)).toEqual(['', 'bygglov', 'digitalt']);
    expect(screen.getByRole('option', { name: 'Ingen ärendetyp' })).toBeTruthy();
    expect(optionValues(/^Skyddsklass/)).toEqual(['', '1', '2', '3']);
    type(/^Ärendetyp/, 'bygglov');
    expect(optionValues(/^Skyddsklass/)).toEqual(['2', '3']);
    expect((screen.getByLabelText(/^Skyddsklass/) as HTMLSelectElement).value).toBe('2');
    expect(optionValues(/^Kanal/)).toEqual(['AUTO', 'DIGITAL_ONLY', 'PRINT_ONLY']);
    type(/^Ärendetyp/, 'digitalt');
    expect(optionValues(/^Skyddsklass/)).toEqual(['3']);
    expect(optionValues(/^Kanal/)).toEqual(['DIGITAL_ONLY']);
    expect(screen.getByText(/Lämna tomt så används ärendetypens mall: ”Beslut”/)).toBeTruthy();
  });

  it('shows the channel preview in a status region, and marks it stale when the draft changes', async () => {
    const api = fakeApi();
    render(<Harness api={api} />);
    fill();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Förhandsgranska kanal' })));
    expect(api.preview).toHaveBeenCalledWith(expect.objectContaining({ recipient: '19810103-2384', sendingUnit: 'bygg', protectionClass: 2, channelPreference: 'AUTO' }));
    const panel = screen.getByRole('status', { name: 'Så skickas brevet' });
    expect(panel.textContent).toContain('Digitalt');
    expect(panel.textContent).toContain('Kivra-lik brevlåda (simulator)');
    type(/^Skyddsklass/, '3');
    expect(screen.getByRole('status', { name: 'Så skickas brevet' }).textContent).toMatch(/Uppgifterna har ändrats/);
    // Subject and body do not change the channel: the answer stays current.
    type(/^Skyddsklass/, '2');
    type(/^Brevtext/, 'Annan text');
    expect(screen.getByRole('status', { name: 'Så skickas brevet' }).textContent).not.toMatch(/Uppgifterna har ändrats/);
  });

  it('puts the API’s field errors next to their fields', async () => {
    const refusal = new ApiRequestError([
      { message: 'The letter was refused', code: 'VALIDATION_FAILED', fields: [{ path: 'subject', message: 'contains a personnummer or samordningsnummer' }] },
    ]);
    const api = fakeApi({ submit: jest.fn(async () => Promise.reject(refusal)) });
    render(<Harness api={api} />);
    fill();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Skicka brevet' })));
    const subject = screen.getByLabelText(/^Ärendemening/);
    expect(subject.getAttribute('aria-invalid')).toBe('true');
    const described = subject.getAttribute('aria-describedby')!.split(' ').map((id) => document.getElementById(id)!.textContent);
    expect(described).toContain('contains a personnummer or samordningsnummer');
    expect(screen.getAllByRole('alert').length).toBeGreaterThan(0);
  });

  it('sends a draft once, however often it is submitted, with its idempotency key', async () => {
    let finish: (v: { id: string }) => void = () => undefined;
    const submit = jest.fn((_input: Record<string, unknown>, _files: Record<string, File>) => new Promise<{ id: string }>((resolve) => (finish = resolve)));
    const onSent = jest.fn();
    const initial = newDraft();
    render(<Harness api={fakeApi({ submit })} onSent={onSent} initial={initial} />);
    fill();
    const button = screen.getByRole('button', { name: 'Skicka brevet' });
    fireEvent.click(button);
    fireEvent.click(button);
    fireEvent.submit(button.closest('form')!);
    await act(async () => finish({ id: 'letter-7' }));
    expect(submit).toHaveBeenCalledTimes(1);
    expect(submit.mock.calls[0][0]).toMatchObject({ idempotencyKey: initial.key, recipient: '19810103-2384', protectionClass: 2, subject: 'Beslut om bygglov' });
    expect(onSent).toHaveBeenCalledWith('letter-7');
  });

  it('refuses what the browser can tell is wrong before sending: a bad id, a file that is not PDF', async () => {
    const api = fakeApi();
    render(<Harness api={api} />);
    fill();
    type(/^Mottagare/, '198101032385');
    fireEvent.change(screen.getByLabelText(/^Bilagor \(PDF\)/), { target: { files: [new File(['x'], 'bild.png', { type: 'image/png' }), new File(['%PDF-1.4'], 'beslut.pdf', { type: 'application/pdf' })] } });
    expect(screen.getByRole('list', { name: 'Valda bilagor' }).textContent).toMatch(/bild\.png.*beslut\.pdf \(8 B\)/);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Skicka brevet' })));
    expect(api.submit).not.toHaveBeenCalled();
    expect(screen.getByText('kontrollsiffran stämmer inte')).toBeTruthy();
    expect(screen.getByText('bild.png är ingen PDF-fil; bara PDF kan skickas.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Ta bort bild.png' }));
    type(/^Mottagare/, '198101032384');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Skicka brevet' })));
    expect(api.submit).toHaveBeenCalledTimes(1);
    const [input, files] = api.submit.mock.calls[0] as [Record<string, unknown>, Record<string, File>];
    expect(input.attachments).toEqual([{ filename: 'beslut.pdf', contentType: 'application/pdf', file: null }]);
    expect(Object.keys(files)).toEqual(['input.attachments.0.file']);
  });
});
