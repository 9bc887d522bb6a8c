import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { ApiRequestError, fieldErrorOf } from '../../../api/graphql';
import { I18nProvider } from '../../../i18n/i18n';
import { Button } from '../../../components/ui';
import { parseWhole, SecretOnce, useConfirm } from './shared';

const wrap = (ui: React.ReactNode) => render(<I18nProvider lang="sv">{ui}</I18nProvider>);

describe('SecretOnce', () => {
  it('shows each value in a labelled read-only field, warns that it is shown once, and takes the focus', () => {
    const done = jest.fn();
    wrap(<SecretOnce title="Inloggningsuppgifter för X" values={[{ label: 'Klient-id', value: 'abc' }, { label: 'Klienthemlighet', value: 's3cr3t', secret: true }]} onDone={done} />);
    const secret = screen.getByLabelText('Klienthemlighet') as HTMLInputElement;
    expect(secret.value).toBe('s3cr3t');
    expect(secret.readOnly).toBe(true);
    expect((screen.getByLabelText('Klient-id') as HTMLInputElement).value).toBe('abc');
    expect(screen.getByText('Du kommer inte att se det här igen').closest('[role="status"]')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Inloggningsuppgifter för X' }));
    expect(screen.getByRole('button', { name: 'Kopiera Klienthemlighet' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Jag har sparat uppgifterna' }));
    expect(done).toHaveBeenCalled();
  });

  it('copies to the clipboard and says so', async () => {
    const writeText = jest.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    wrap(<SecretOnce title="Hemlighet" values={[{ label: 'Signeringshemlighet', value: 'whsec_1' }]} onDone={() => undefined} />);
    fireEvent.click(screen.getByRole('button', { name: 'Kopiera Signeringshemlighet' }));
    expect(await screen.findByText('Kopierat till urklipp.')).toBeTruthy();
    expect(writeText).toHaveBeenCalledWith('whsec_1');
  });
});

function Deleter({ onDelete }: { onDelete(): void }) {
  const confirm = useConfirm(false);
  return (
    <>
      {confirm.panel}
      <Button aria-label="Ta bort https://x" onClick={() => confirm.ask({ title: 'Ta bort webhooken https://x?', text: 'Det går inte att ångra.', confirmLabel: 'Ja, ta bort', action: onDelete })}>
        Ta bort
      </Button>
    </>
  );
}

describe('useConfirm', () => {
  it('asks first, then runs the action; cancel and Escape close the question and give the focus back', async () => {
    const remove = jest.fn();
    wrap(<Deleter onDelete={remove} />);
    const opener = screen.getByRole('button', { name: 'Ta bort https://x' });
    opener.focus();
    fireEvent.click(opener);
    const dialog = screen.getByRole('alertdialog', { name: 'Ta bort webhooken https://x?' });
    expect(dialog.textContent).toContain('Det går inte att ångra.');
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Ta bort webhooken https://x?' }));
    fireEvent.click(screen.getByRole('button', { name: 'Avbryt' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    await new Promise((r) => requestAnimationFrame(r));
    expect(document.activeElement).toBe(opener);
    expect(remove).not.toHaveBeenCalled();

    fireEvent.click(opener);
    fireEvent.keyDown(screen.getByRole('alertdialog'), { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();

    fireEvent.click(opener);
    fireEvent.click(screen.getByRole('button', { name: 'Ja, ta bort' }));
    expect(remove).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
  });
});

describe('form helpers', () => {
  it('finds the API\'s error for a field or its items', () => {
    const e = new ApiRequestError([{ message: 'refused', code: 'VALIDATION_FAILED', fields: [{ path: 'events[1]', message: 'unknown event' }, { path: 'input.url', message: 'https only' }] }]);
    expect(fieldErrorOf(e, 'events')).toBe('unknown event');
    expect(fieldErrorOf(e, 'url')).toBe('https only');
    expect(fieldErrorOf(e, 'description')).toBeUndefined();
    expect(fieldErrorOf(new Error('x'), 'url')).toBeUndefined();
  });

  it('reads whole numbers', () => {
    expect(parseWhole('')).toBeNull();
    expect(parseWhole(' 24 ')).toBe(24);
    expect(parseWhole('2.5')).toBe('invalid');
    expect(parseWhole('-1')).toBe('invalid');
  });
});
