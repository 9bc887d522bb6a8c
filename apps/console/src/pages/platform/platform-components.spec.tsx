import { act, fireEvent, render, screen } from '@testing-library/react';
import { ApiRequestError } from '../../api/graphql';
import { I18nProvider } from '../../i18n/i18n';
import { CheckResults, EndpointResult } from './connections-page';
import type { Vendor } from './platform-forms';
import { VendorFormView } from './print-vendors-page';

const wrap = (ui: React.ReactNode) => render(<I18nProvider lang="sv">{ui}</I18nProvider>);

const VENDOR: Vendor = {
  id: 'demo-print',
  name: 'Demo Print AB',
  clientId: 'demo-print-vendor',
  envelopeProfile: 'C5-H2',
  hasCustomEnvelopeProfile: false,
  maxPages: 20,
  maxBatchLetters: 5000,
  cutoffTimes: ['10:00', '15:00'],
  maxWaitSeconds: 10,
  ackDeadlineMinutes: 240,
  duplex: true,
  colour: false,
  postageClasses: ['FIRST_CLASS', 'ECONOMY'],
  active: true,
  createdAt: '2026-11-26T10:00:00Z',
  updatedAt: null,
  tenantsUsing: ['Demo kommun'],
};

describe('the print vendor form', () => {
  it('sends a new vendor with the fields as typed, and shows the API’s field errors next to their fields', async () => {
    const onSubmit = jest.fn().mockRejectedValueOnce(
      new ApiRequestError([
        {
          message: 'refused',
          code: 'VALIDATION_FAILED',
          fields: [
            { path: 'cutoffTimes[0]', message: 'is "25:00"; a cut-off time is HH:MM' },
            { path: 'active', message: 'Demo kommun name no print vendor' },
          ],
        },
      ]),
    );
    wrap(<VendorFormView vendor={null} title="Nytt tryckeri" onSubmit={onSubmit} onCancel={() => undefined} />);
    fireEvent.change(screen.getByLabelText(/^Id/), { target: { value: 'nord' } });
    fireEvent.change(screen.getByLabelText(/^Namn/), { target: { value: 'Nordtryck AB' } });
    fireEvent.change(screen.getByLabelText(/^Klient-id/), { target: { value: 'nord-client' } });
    fireEvent.change(screen.getByLabelText(/^Brytpunkter/), { target: { value: '25:00' } });
    fireEvent.click(screen.getByLabelText('Första klass'));
    fireEvent.click(screen.getByLabelText('Aktivt: får brev'));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Spara' }));
    });
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ id: 'nord', name: 'Nordtryck AB', clientId: 'nord-client', cutoffTimes: ['25:00'], postageClasses: ['ECONOMY'], active: true }));
    expect(screen.getByRole('alert').textContent).toBe('Rätta de markerade fälten.');
    const cutoffs = screen.getByLabelText(/^Brytpunkter/);
    expect(cutoffs.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(cutoffs.getAttribute('aria-describedby')!.split(' ')[1])!.textContent).toContain('25:00');
    const active = screen.getByLabelText('Aktivt: får brev');
    expect(active.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById('vendor-active-error')!.textContent).toContain('Demo kommun');
  });

  it('refuses a non-number before sending, and asks before deactivating a vendor', async () => {
    const onSubmit = jest.fn().mockResolvedValue(undefined);
    wrap(<VendorFormView vendor={VENDOR} title="Ändra" onSubmit={onSubmit} onCancel={() => undefined} />);
    fireEvent.change(screen.getByLabelText(/^Största antal sidor/), { target: { value: 'tjugo' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Spara' }));
    });
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText('Skriv ett heltal med siffror, t.ex. 240.')).toBeTruthy();

    fireEvent.change(screen.getByLabelText(/^Största antal sidor/), { target: { value: '30' } });
    fireEvent.click(screen.getByLabelText('Aktivt: får brev'));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Spara' }));
    });
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText('Inaktivera Demo Print AB?')).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Inaktivera och spara' }));
    });
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ maxPages: 30, active: false }));
    expect(onSubmit.mock.calls[0][0]).not.toHaveProperty('id');
  });
});

describe('the connection check results', () => {
  it('say each result in words (not colour only), FaR’s answer and a TLS failure included', () => {
    const results: EndpointResult[] = [
      {
        kind: 'FAR',
        name: 'FaR',
        url: 'https://far.example/Recipient/v3',
        ok: true,
        latencyMs: 42,
        httpStatus: 404,
        serverCertificateNotAfter: '2099-01-01T00:00:00Z',
        errorCode: null,
        message: null,
        farAnswer: { recipientId: '198101032384', deliverable: true, reason: null, operatorName: 'Kivra' },
      },
      {
        kind: 'MAILBOX_OPERATOR',
        name: 'Min myndighetspost',
        url: 'https://mmp.example/service/v3',
        ok: false,
        latencyMs: 12,
        httpStatus: null,
        serverCertificateNotAfter: null,
        errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        message: "The server's TLS certificate is not issued by a CA in MM_CA_FILE",
        farAnswer: null,
      },
    ];
    wrap(<CheckResults results={results} sender="165591234561" />);
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows[0].textContent).toContain('Fungerar');
    expect(rows[0].textContent).toContain('FaR svarade att testpersonen 198101032384 kan ta emot digital post från 559123-4561 hos Kivra.');
    expect(rows[0].textContent).toContain('42 ms');
    expect(rows[1].textContent).toContain('Fungerar inte');
    expect(rows[1].textContent).toContain('Serverns certifikat är inte utfärdat av en CA i MM_CA_FILE');
    expect(rows[1].textContent).toContain('(UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
  });
});
