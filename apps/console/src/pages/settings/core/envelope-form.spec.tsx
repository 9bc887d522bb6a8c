import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { ApiRequestError } from '../../../api/graphql';
import { I18nProvider } from '../../../i18n/i18n';
import type { EnvelopeProfile, PrintPreview, TenantSettings } from './core-api';
import { EnvelopeApi, EnvelopeSettingsForm } from './envelope-form';

const profile = (id: string, x: number): EnvelopeProfile => ({
  id,
  name: id,
  envelope: id.slice(0, 2),
  window: { x, y: 44, width: 105, height: 35 },
  windowPaddingMm: 4,
  senderBlock: { x: 15, y: 12, width: 85, height: 26 },
  printableArea: { topMm: 10, rightMm: 15, bottomMm: 15, leftMm: 15 },
  source: 's',
});
const PROFILES = [profile('C5-H2', 90), profile('C5-V2', 15)];
const VENDOR = { id: 'demo-print', name: 'Demo Print', envelopeProfile: 'C5-H2', maxPages: 20, duplex: true, colour: false, postageClasses: ['FIRST_CLASS' as const, 'ECONOMY' as const], active: true };
const SETTINGS: TenantSettings = {
  printAllowed: true,
  fallbackToPrint: true,
  protectedIdentityRule: 'HOLD',
  missingAddressRule: 'HOLD',
  deadlineHours: 24,
  deadlineHoursIsDefault: true,
  defaultDeadlineHours: 24,
  print: {
    vendorId: null,
    vendor: VENDOR,
    postageClass: 'ECONOMY',
    envelopeProfile: null,
    customEnvelopeProfile: null,
    effectiveEnvelopeProfile: PROFILES[0],
    problem: null,
    duplex: null,
    colour: null,
    effectiveDuplex: true,
    effectiveColour: false,
  },
};
const PREVIEW: PrintPreview = {
  pdfBase64: btoa('%PDF-1.7 test'),
  pages: 2,
  addressLines: ['Anna Exempelsson', 'Exempelgatan 12 lgh 1101', '123 45 EXEMPELSTAD'],
  envelopeProfile: PROFILES[1],
  vendorId: 'demo-print',
  duplex: true,
  colour: false,
  problems: [],
};

function setup(over: Partial<EnvelopeApi> = {}) {
  const api = { save: jest.fn(async () => SETTINGS), preview: jest.fn(async () => PREVIEW), ...over };
  render(
    <I18nProvider lang="sv">
      <EnvelopeSettingsForm settings={SETTINGS} vendors={[VENDOR]} profiles={PROFILES} api={api} />
    </I18nProvider>,
  );
  return api;
}

beforeAll(() => {
  // jsdom has no blob: URLs; the browser tests check the real iframe.
  Object.assign(URL, { createObjectURL: jest.fn(() => 'blob:preview'), revokeObjectURL: jest.fn() });
});

describe('the envelope form', () => {
  it('previews the unsaved settings as a PDF in a frame', async () => {
    const api = setup();
    fireEvent.change(screen.getByLabelText(/^Kuvertprofil/), { target: { value: 'C5-V2' } });
    fireEvent.change(screen.getByLabelText(/^Dubbelsidig utskrift/), { target: { value: 'no' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Förhandsgranska' })));
    expect(api.preview).toHaveBeenCalledWith({ vendorId: null, postageClass: 'ECONOMY', duplex: false, colour: null, envelopeProfile: 'C5-V2', customEnvelopeProfile: null });
    expect(api.save).not.toHaveBeenCalled();
    const frame = screen.getByTitle('Provutskrift (PDF)');
    expect(frame.getAttribute('src')).toBe('blob:preview');
    expect(screen.getByText('Anna Exempelsson, Exempelgatan 12 lgh 1101, 123 45 EXEMPELSTAD')).toBeTruthy();
  });

  it('starts an own profile from the vendor’s numbers and refuses a measurement that is not a number', async () => {
    const api = setup();
    fireEvent.change(screen.getByLabelText(/^Kuvertprofil/), { target: { value: 'custom' } });
    expect((screen.getByLabelText(/^Fönster, vänsterkant/) as HTMLInputElement).value).toBe('90');
    fireEvent.change(screen.getByLabelText(/^Fönster, överkant/), { target: { value: 'fyrtio' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Spara' })));
    expect(api.save).not.toHaveBeenCalled();
    expect(screen.getByText('Ange ett tal i millimeter, t.ex. 44 eller 4,5.')).toBeTruthy();
  });

  it('shows the print library’s refusal of an own profile in the group it concerns', async () => {
    const refusal = new ApiRequestError([
      { message: 'The settings were not changed', code: 'VALIDATION_FAILED', fields: [{ path: 'print.customEnvelopeProfile.window', message: 'for a C5 envelope the window must lie in the top 148.5 mm of the sheet' }] },
    ]);
    const api = setup({ save: jest.fn().mockRejectedValue(refusal) });
    fireEvent.change(screen.getByLabelText(/^Kuvertprofil/), { target: { value: 'custom' } });
    fireEvent.change(screen.getByLabelText(/^Namn på profilen/), { target: { value: 'Vårt kuvert' } });
    fireEvent.change(screen.getByLabelText(/^Fönster, överkant/), { target: { value: '140' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Spara' })));
    expect(api.save).toHaveBeenCalledWith(expect.objectContaining({ envelopeProfile: null, customEnvelopeProfile: expect.objectContaining({ name: 'Vårt kuvert', window: { x: 90, y: 140, width: 105, height: 35 } }) }));
    const group = screen.getByRole('group', { name: 'Fönster' });
    expect(within(group).getByText(/the window must lie in the top 148.5 mm/)).toBeTruthy();
  });
});
