import { act, fireEvent, render, screen } from '@testing-library/react';
import { I18nProvider } from '../../../i18n/i18n';
import type { ProtectionClassRule } from './core-api';
import { policyChanges, ProtectionClassPolicyTable } from './policy-table';

const POLICY: ProtectionClassRule[] = [
  { protectionClass: 1, print: 'ALLOW', notificationMayIncludeSubject: true },
  { protectionClass: 2, print: 'ALLOW', notificationMayIncludeSubject: false },
  { protectionClass: 3, print: 'ALLOW', notificationMayIncludeSubject: false },
];

describe('the protection-class policy table', () => {
  it('names each control by its column and row, and offers no subject for class 3', () => {
    render(
      <I18nProvider lang="sv">
        <ProtectionClassPolicyTable policy={POLICY} api={{ save: jest.fn() }} />
      </I18nProvider>,
    );
    expect(screen.getByRole('table', { name: 'Vad varje skyddsklass tillåter' })).toBeTruthy();
    expect(screen.getByRole('combobox', { name: /Brev som ska skrivas ut Skyddsklass 3/ })).toBeTruthy();
    expect(screen.getByRole('checkbox', { name: /Ärendemening i aviseringar Skyddsklass 1/ })).toBeTruthy();
    expect(screen.queryByRole('checkbox', { name: /Skyddsklass 3/ })).toBeNull();
    expect(screen.getByText('Aldrig för skyddsklass 3')).toBeTruthy();
  });

  it('saves only the classes that changed', async () => {
    const save = jest.fn(async (rules: ProtectionClassRule[]) => POLICY.map((p) => rules.find((r) => r.protectionClass === p.protectionClass) ?? p));
    render(
      <I18nProvider lang="sv">
        <ProtectionClassPolicyTable policy={POLICY} api={{ save }} />
      </I18nProvider>,
    );
    fireEvent.change(screen.getByRole('combobox', { name: /Skyddsklass 3/ }), { target: { value: 'HOLD' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Spara skyddsklasser' })));
    expect(save).toHaveBeenCalledWith([{ protectionClass: 3, print: 'HOLD', notificationMayIncludeSubject: false }]);
    expect(screen.getByRole('status').textContent).toBe('Skyddsklasserna är sparade.');
    // Saved again without a change: nothing is sent.
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Spara skyddsklasser' })));
    expect(save).toHaveBeenCalledTimes(1);
    expect(policyChanges(POLICY, POLICY)).toEqual([]);
  });
});
