import { render, screen } from '@testing-library/react';
import { ApiRequestError } from '../api/graphql';
import { I18nProvider } from '../i18n/i18n';
import { DataTable, ErrorMessage, TextField } from './ui';

const wrap = (ui: React.ReactNode) => render(<I18nProvider lang="sv">{ui}</I18nProvider>);

describe('ui building blocks', () => {
  it('ties a field to its label, hint and error', () => {
    wrap(<TextField label="Ärendemening" hint="Syns för mottagaren" error="Får inte innehålla personnummer" required defaultValue="x" />);
    const input = screen.getByLabelText(/Ärendemening/);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const described = input.getAttribute('aria-describedby')!.split(' ').map((id) => document.getElementById(id)!.textContent);
    expect(described).toEqual(['Syns för mottagaren', 'Får inte innehålla personnummer']);
    expect(input.hasAttribute('required')).toBe(true);
  });

  it('shows an API error with its code, the fields and the error id', () => {
    const error = new ApiRequestError([{ message: 'Invalid letter', code: 'VALIDATION_FAILED', fields: [{ path: 'input.subject', message: 'too long' }], errorId: 'e-1' }]);
    wrap(<ErrorMessage error={error} />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('VALIDATION_FAILED');
    expect(alert.textContent).toContain('input.subject: too long');
    expect(alert.textContent).toContain('e-1');
    expect(error.fieldError('subject')).toBe('too long');
    const several = new ApiRequestError([
      { message: 'x', fields: [{ path: 'input.postalAddress.lines[0]', message: 'too long' }, { path: 'input.postalAddress.city', message: 'required' }, { path: 'input.firstUnit.name', message: 'unit' }] },
    ]);
    expect(several.fieldError('postalAddress')).toBe('too long required');
    expect(several.fieldError('name')).toBe('unit');
    expect(several.fieldError('name', { exact: true })).toBeUndefined();
  });

  it('renders a table with row headers and an empty text', () => {
    wrap(<DataTable caption="Brev" rows={[] as { id: string }[]} rowKey={(r) => r.id} columns={[{ key: 'id', header: 'Id', cell: (r) => r.id }]} />);
    expect(screen.getByRole('table', { name: 'Brev' })).toBeTruthy();
    expect(screen.getByText('Inget att visa.')).toBeTruthy();
  });
});
