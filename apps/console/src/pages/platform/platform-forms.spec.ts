import { ApiRequestError, fieldErrorOf } from '../../api/graphql';
import { connectionErrorKey, daysUntil, EMPTY_TENANT_FORM, formatOrgNumber, NEW_VENDOR_FORM, parseCutoffTimes, suggestAlias, toOnboardInput, toVendorInput, Vendor, vendorToForm } from './platform-forms';
import { MESSAGES } from './messages';

describe('the platform forms', () => {
  it('turn an onboarding form into the API input: address lines split, empty deadline left to the hub, vendor "" = none', () => {
    const { input, errors } = toOnboardInput({
      ...EMPTY_TENANT_FORM,
      name: ' Ny kommun ',
      alias: 'ny-kommun',
      orgNumber: '212000-2411',
      unitCode: 'bygg',
      unitName: 'Ny kommun, Bygg',
      unitOrgNumber: '2120002411',
      addressLines: 'Byggförvaltningen\n\n  Box 7 \n',
      postalCode: '999 88',
      city: 'Nystad',
      fallbackToPrint: false,
    });
    expect(errors).toEqual([]);
    expect(input).toEqual({
      alias: 'ny-kommun',
      name: 'Ny kommun',
      orgNumber: '212000-2411',
      firstSendingUnit: { code: 'bygg', name: 'Ny kommun, Bygg', orgNumber: '2120002411', postalAddress: { lines: ['Byggförvaltningen', 'Box 7'], postalCode: '999 88', city: 'Nystad' } },
      settings: { printAllowed: true, fallbackToPrint: false, deadlineHours: null, protectedIdentityRule: 'HOLD', missingAddressRule: 'HOLD', printVendorId: null, postageClass: 'ECONOMY' },
    });
    expect(toOnboardInput({ ...EMPTY_TENANT_FORM, deadlineHours: '24' }).input.settings).toMatchObject({ deadlineHours: 24 });
    expect(toOnboardInput({ ...EMPTY_TENANT_FORM, deadlineHours: '1,5' }).errors).toEqual([{ path: 'settings.deadlineHours', key: 'platform.form.wholeNumber' }]);
  });

  it('turn a vendor form into create and update inputs, normalising cut-off times and refusing non-numbers', () => {
    const form = { ...NEW_VENDOR_FORM, id: ' nord ', name: 'Nordtryck AB', clientId: 'nord-client', cutoffTimes: '9:30, 15.00 17:00;', maxWaitSeconds: '', postageClasses: ['ECONOMY'] };
    const created = toVendorInput(form, 'create');
    expect(created.errors).toEqual([]);
    expect(created.input).toEqual({
      id: 'nord',
      name: 'Nordtryck AB',
      clientId: 'nord-client',
      envelopeProfile: 'C5-H2',
      maxPages: 20,
      maxBatchLetters: 5000,
      cutoffTimes: ['09:30', '15:00', '17:00'],
      maxWaitSeconds: null,
      ackDeadlineMinutes: 240,
      duplex: true,
      colour: false,
      postageClasses: ['ECONOMY'],
      active: false,
    });
    expect(toVendorInput(form, 'update').input).not.toHaveProperty('id');
    expect(toVendorInput({ ...form, maxPages: '', ackDeadlineMinutes: 'fyra', maxWaitSeconds: '-1' }, 'create').errors.map((e) => e.path)).toEqual(['maxPages', 'maxWaitSeconds', 'ackDeadlineMinutes']);
    expect(parseCutoffTimes('  ')).toEqual([]);
  });

  it('round-trip a vendor through its form', () => {
    const vendor: Vendor = {
      id: 'demo-print',
      name: 'Demo',
      clientId: 'demo',
      envelopeProfile: 'C4-V2',
      hasCustomEnvelopeProfile: false,
      maxPages: 12,
      maxBatchLetters: 100,
      cutoffTimes: ['10:00', '15:00'],
      maxWaitSeconds: 10,
      ackDeadlineMinutes: 60,
      duplex: false,
      colour: true,
      postageClasses: ['FIRST_CLASS'],
      active: true,
      createdAt: '2026-11-26T10:00:00Z',
      updatedAt: null,
      tenantsUsing: [],
    };
    const { input } = toVendorInput(vendorToForm(vendor), 'update');
    expect(input).toEqual({ name: 'Demo', clientId: 'demo', envelopeProfile: 'C4-V2', maxPages: 12, maxBatchLetters: 100, cutoffTimes: ['10:00', '15:00'], maxWaitSeconds: 10, ackDeadlineMinutes: 60, duplex: false, colour: true, postageClasses: ['FIRST_CLASS'], active: true });
  });

  it('find an API error by its exact field path, never by a nested field of the same name', () => {
    const error = new ApiRequestError([
      { message: 'refused', code: 'VALIDATION_FAILED', fields: [{ path: 'firstSendingUnit.name', message: 'unit name' }, { path: 'cutoffTimes[1]', message: 'bad time' }] },
    ]);
    expect(fieldErrorOf(error, 'name', { exact: true })).toBeUndefined();
    expect(fieldErrorOf(error, 'firstSendingUnit.name', { exact: true })).toBe('unit name');
    expect(fieldErrorOf(error, 'cutoffTimes', { exact: true })).toBe('bad time');
    expect(fieldErrorOf(new Error('x'), 'name', { exact: true })).toBeUndefined();
  });

  it('format organisation numbers and suggest aliases', () => {
    expect(formatOrgNumber('162120001231')).toBe('212000-1231');
    expect(formatOrgNumber('2120001231')).toBe('212000-1231');
    expect(formatOrgNumber('abc')).toBe('abc');
    expect(suggestAlias('Malmö stad')).toBe('malmo-stad');
    expect(suggestAlias('  Region Västra Götaland! ')).toBe('region-vastra-gotaland');
  });

  it('say connection errors in words the page knows, in both languages', () => {
    for (const code of ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_HAS_EXPIRED', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'ECONNREFUSED', 'ENOTFOUND', 'TIMEOUT', 'ECONNRESET']) {
      const key = connectionErrorKey(code)!;
      expect(key).toMatch(/^platform\.connections\.error\./);
      expect(MESSAGES.sv[key]).toBeTruthy();
      expect(MESSAGES.en[key]).toBeTruthy();
    }
    expect(connectionErrorKey('FAR_FAULT')).toBeNull();
    expect(connectionErrorKey(null)).toBeNull();
    expect(daysUntil('2026-01-11T00:00:00Z', Date.parse('2026-01-01T00:00:00Z'))).toBe(10);
    expect(daysUntil('2025-12-31T00:00:00Z', Date.parse('2026-01-01T00:00:00Z'))).toBe(-1);
  });
});
