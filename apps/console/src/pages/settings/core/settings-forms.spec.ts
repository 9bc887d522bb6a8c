import type { CaseType, SendingUnit, TenantSettings } from './core-api';
import {
  addressLines,
  caseTypeChanges,
  caseTypeForm,
  certificateBadge,
  CUSTOM,
  envelopeForm,
  envelopeInput,
  formatOrgNumber,
  newCaseTypeInput,
  parseMm,
  rulesChanges,
  rulesForm,
  unitChanges,
  unitForm,
  withCustomFrom,
} from './settings-forms';

const C5H2 = {
  id: 'C5-H2',
  name: 'C5 envelope, right window (H2)',
  envelope: 'C5',
  window: { x: 90, y: 44, width: 105, height: 35 },
  windowPaddingMm: 4,
  senderBlock: { x: 15, y: 12, width: 85, height: 26 },
  printableArea: { topMm: 10, rightMm: 15, bottomMm: 15, leftMm: 15 },
  source: 's',
};

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
    vendor: { id: 'demo-print', name: 'Demo', envelopeProfile: 'C5-H2', maxPages: 20, duplex: true, colour: false, postageClasses: ['FIRST_CLASS', 'ECONOMY'], active: true },
    postageClass: 'ECONOMY',
    envelopeProfile: null,
    customEnvelopeProfile: null,
    effectiveEnvelopeProfile: C5H2,
    problem: null,
    duplex: null,
    colour: null,
    effectiveDuplex: true,
    effectiveColour: false,
  },
};

describe('sending unit forms', () => {
  const unit: SendingUnit = { id: 'u', code: 'bygg', name: 'Byggnadsnämnden', orgNumber: '162120001231', postalAddress: ['Box 100', '123 45 Demostad'], keyStored: true, certificate: null };

  it('write the organisation number as people do, and the address one line per row', () => {
    expect(formatOrgNumber('162120001231')).toBe('212000-1231');
    expect(formatOrgNumber('2120001231')).toBe('212000-1231');
    expect(formatOrgNumber('abc')).toBe('abc');
    expect(unitForm(unit)).toEqual({ code: 'bygg', name: 'Byggnadsnämnden', orgNumber: '212000-1231', address: 'Box 100\n123 45 Demostad' });
    expect(addressLines(' Box 100 \r\n\n123 45 Demostad\n')).toEqual(['Box 100', '123 45 Demostad']);
  });

  it('send only what changed (the same number written either way is no change)', () => {
    expect(unitChanges(unit, unitForm(unit))).toBeNull();
    expect(unitChanges(unit, { ...unitForm(unit), orgNumber: '2120001231' })).toBeNull();
    expect(unitChanges(unit, { ...unitForm(unit), name: ' Bygg ', address: 'Box 1\n123 45 Demostad' })).toEqual({ name: 'Bygg', postalAddress: ['Box 1', '123 45 Demostad'] });
    expect(unitChanges(unit, { ...unitForm(unit), orgNumber: '212000-9879' })).toEqual({ orgNumber: '212000-9879' });
  });

  it('show a certificate’s state by word and tone: warning when it runs out soon, error when expired, missing or for another organisation', () => {
    expect(certificateBadge(null)).toEqual({ tone: 'bad', key: 'settings.units.cert.none' });
    expect(certificateBadge({ status: 'VALID', matchesOrgNumber: true }).tone).toBe('good');
    expect(certificateBadge({ status: 'EXPIRES_SOON', matchesOrgNumber: true }).tone).toBe('warn');
    expect(certificateBadge({ status: 'EXPIRED', matchesOrgNumber: true })).toEqual({ tone: 'bad', key: 'settings.units.cert.expired' });
    expect(certificateBadge({ status: 'VALID', matchesOrgNumber: false })).toEqual({ tone: 'bad', key: 'settings.units.cert.mismatch' });
  });
});

describe('case type forms', () => {
  const ct: CaseType = {
    code: 'bygglov',
    name: 'Bygglov',
    defaultProtectionClass: 2,
    subjectTemplate: 'Beslut i ärende {caseReference}',
    bodyTemplate: null,
    allowedChannels: ['DIGITAL', 'PRINT'],
    retentionRuleId: null,
    diaryEnabled: false,
    active: true,
    archivedAt: null,
    version: 1,
    updatedAt: '2026-01-01T00:00:00Z',
  };

  it('turn the form into a new case type (a blank body template is none)', () => {
    expect(newCaseTypeInput({ ...caseTypeForm(ct), code: ' ny ', bodyTemplate: '  ', print: false })).toEqual({
      code: 'ny',
      name: 'Bygglov',
      defaultProtectionClass: 2,
      subjectTemplate: 'Beslut i ärende {caseReference}',
      bodyTemplate: null,
      allowedChannels: ['DIGITAL'],
      retentionRuleId: null,
      diaryEnabled: false,
    });
  });

  it('send only the changed fields of an existing one', () => {
    expect(caseTypeChanges(ct, caseTypeForm(ct))).toBeNull();
    expect(caseTypeChanges(ct, { ...caseTypeForm(ct), defaultProtectionClass: '3', bodyTemplate: 'Hej {caseType}' })).toEqual({ defaultProtectionClass: 3, bodyTemplate: 'Hej {caseType}' });
    expect(caseTypeChanges({ ...ct, bodyTemplate: 'Hej' }, { ...caseTypeForm(ct), bodyTemplate: '' })).toEqual({ bodyTemplate: null });
  });
});

describe('channel rules', () => {
  it('send only the changed rules; an empty deadline returns it to the hub’s default', () => {
    const own = { ...SETTINGS, deadlineHours: 48, deadlineHoursIsDefault: false };
    expect(rulesForm(SETTINGS).deadlineHours).toBe('');
    expect(rulesChanges(SETTINGS, rulesForm(SETTINGS))).toEqual({ ok: true, input: null });
    expect(rulesChanges(SETTINGS, { ...rulesForm(SETTINGS), printAllowed: false, missingAddressRule: 'UNDELIVERABLE', deadlineHours: ' 36 ' })).toEqual({
      ok: true,
      input: { printAllowed: false, missingAddressRule: 'UNDELIVERABLE', deadlineHours: 36 },
    });
    expect(rulesChanges(own, { ...rulesForm(own), deadlineHours: '' })).toEqual({ ok: true, input: { deadlineHours: null } });
    expect(rulesChanges(own, { ...rulesForm(own), deadlineHours: '1,5' })).toEqual({ ok: false, field: 'deadlineHours' });
  });
});

describe('envelope forms', () => {
  it('read millimetres written with a comma or a point', () => {
    expect(parseMm('4,5')).toBe(4.5);
    expect(parseMm(' 44 ')).toBe(44);
    expect(parseMm('4.')).toBeNull();
    expect(parseMm('-3')).toBeNull();
    expect(parseMm('')).toBeNull();
  });

  it('stand for the vendor’s defaults as null, and a standard profile replaces the own one', () => {
    const form = envelopeForm(SETTINGS);
    expect(form).toMatchObject({ vendorId: '', postageClass: 'ECONOMY', profile: '', duplex: '', colour: '' });
    expect(envelopeInput(form)).toEqual({ ok: true, input: { vendorId: null, postageClass: 'ECONOMY', duplex: null, colour: null, envelopeProfile: null, customEnvelopeProfile: null } });
    expect(envelopeInput({ ...form, profile: 'C4-V2', duplex: 'no', colour: 'yes', postageClass: 'FIRST_CLASS' })).toEqual({
      ok: true,
      input: { vendorId: null, postageClass: 'FIRST_CLASS', duplex: false, colour: true, envelopeProfile: 'C4-V2', customEnvelopeProfile: null },
    });
  });

  it('start an own profile from the one in use, and name the measurements that are not numbers', () => {
    const form = { ...withCustomFrom(envelopeForm(SETTINGS), C5H2), profile: CUSTOM };
    expect(form.custom.numbers['window.x']).toBe('90');
    const withName = { ...form, custom: { ...form.custom, name: 'Vårt kuvert', source: 'Datablad', numbers: { ...form.custom.numbers, windowPaddingMm: '4,5', 'window.y': 'fyrtio' } } };
    expect(envelopeInput(withName)).toEqual({ ok: false, fields: ['window.y'] });
    const fixed = { ...withName, custom: { ...withName.custom, numbers: { ...withName.custom.numbers, 'window.y': '46' } } };
    const out = envelopeInput(fixed);
    expect(out.ok && out.input).toMatchObject({
      envelopeProfile: null,
      customEnvelopeProfile: { name: 'Vårt kuvert', envelope: 'C5', source: 'Datablad', window: { x: 90, y: 46, width: 105, height: 35 }, windowPaddingMm: 4.5, printableArea: { topMm: 10 } },
    });
  });

  it('show the municipality’s own profile when it has one', () => {
    const own = { ...C5H2, id: 'demo-kommun-custom', name: 'Vårt kuvert', window: { x: 92, y: 46, width: 100, height: 34 } };
    const form = envelopeForm({ ...SETTINGS, print: { ...SETTINGS.print, customEnvelopeProfile: own, effectiveEnvelopeProfile: own } });
    expect(form.profile).toBe(CUSTOM);
    expect(form.custom).toMatchObject({ name: 'Vårt kuvert', numbers: { 'window.x': '92', 'window.height': '34' } });
  });
});
