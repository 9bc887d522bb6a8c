import { act, fireEvent, render, screen } from '@testing-library/react';
import { ApiRequestError } from '../../../api/graphql';
import { I18nProvider } from '../../../i18n/i18n';
import { CertificateUpload, CertificateUploadApi } from './certificate-upload';
import type { SendingUnit } from './core-api';

const UNIT: SendingUnit = { id: 'u1', code: 'miljo', name: 'Miljönämnden', orgNumber: '162120001231', postalAddress: ['Box 1', '123 45 Demostad'], keyStored: false, certificate: null };
const INSTALLED: SendingUnit = {
  ...UNIT,
  keyStored: true,
  certificate: {
    subject: 'CN=Demo kommun, SERIALNUMBER=162120001231, O=Demo kommun, C=SE',
    issuer: 'CN=Dispatch Hub Test CA, O=Dispatch Hub Test, C=SE',
    serialNumber: '4A1B',
    subjectSerialNumber: '162120001231',
    matchesOrgNumber: true,
    notBefore: '2026-01-01T00:00:00Z',
    notAfter: '2028-01-01T00:00:00Z',
    daysLeft: 400,
    status: 'VALID',
    fingerprintSha256: 'AB:CD',
  },
};

function setup(upload: CertificateUploadApi['upload']) {
  const api = { upload: jest.fn(upload) };
  const onInstalled = jest.fn();
  render(
    <I18nProvider lang="sv">
      <CertificateUpload unit={UNIT} api={api} onInstalled={onInstalled} />
    </I18nProvider>,
  );
  return { api, onInstalled };
}

const file = (name: string) => new File(['x'], name);
const choose = (label: RegExp, f: File) => fireEvent.change(screen.getByLabelText(label), { target: { files: [f] } });
const submit = () => act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Installera certifikat' })));
/** The error tied to a field (the last of its descriptions; only when it is marked invalid). */
const errorOf = (label: RegExp) => {
  const input = screen.getByLabelText(label);
  if (input.getAttribute('aria-invalid') !== 'true') return undefined;
  return document.getElementById(input.getAttribute('aria-describedby')!.split(' ').pop()!)!.textContent;
};

describe('installing a certificate', () => {
  it('asks for the files before calling the API', async () => {
    const { api } = setup(async () => INSTALLED);
    await submit();
    expect(errorOf(/^PKCS#12-fil$/)).toBe('Välj en fil.');
    fireEvent.click(screen.getByLabelText(/^PEM-filer/));
    choose(/^Certifikat \(PEM/, file('cert.pem'));
    await submit();
    expect(errorOf(/^Privat nyckel/)).toBe('Välj en fil.');
    expect(api.upload).not.toHaveBeenCalled();
  });

  it('sends the PKCS#12 file with its password, and shows the installed certificate', async () => {
    const { api, onInstalled } = setup(async () => INSTALLED);
    const p12 = file('miljo.p12');
    choose(/^PKCS#12-fil$/, p12);
    fireEvent.change(screen.getByLabelText(/^Lösenord/), { target: { value: 'hemligt' } });
    await submit();
    expect(api.upload).toHaveBeenCalledWith('miljo', 'hemligt', { pkcs12: p12 });
    expect(onInstalled).toHaveBeenCalledWith(INSTALLED);
    expect(screen.getByRole('status').textContent).toContain('Certifikatet är installerat för Miljönämnden');
    expect(screen.getByRole('status').textContent).toMatch(/giltigt till .*2028 \(400 dagar kvar\)/);
    // The password does not stay in the form.
    expect((screen.getByLabelText(/^Lösenord/) as HTMLInputElement).value).toBe('');
  });

  it('shows the hub’s refusal next to the field it names', async () => {
    setup(async () => {
      throw new ApiRequestError([{ message: 'The certificate was not installed', code: 'VALIDATION_FAILED', fields: [{ path: 'password', message: 'does not open the PKCS#12 file' }] }]);
    });
    choose(/^PKCS#12-fil$/, file('miljo.p12'));
    await submit();
    expect(errorOf(/^Lösenord/)).toBe('does not open the PKCS#12 file');
    expect(screen.getByRole('alert').textContent).toContain('VALIDATION_FAILED');
  });
});
