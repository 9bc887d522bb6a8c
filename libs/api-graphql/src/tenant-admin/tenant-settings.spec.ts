/** The channel and print rules as pure data: how a change is checked and applied, and what letters get. */
import type { PrintVendor } from '@hub/print-path';
import { certificateStatus, daysLeft } from './sender-certificate';
import { checkSendingUnitInput } from './sending-unit.service';
import { changeTenantSettings, effectivePrint } from './tenant-settings';


const PROFILE = {
  name: 'Vårt kuvert',
  envelope: 'C5',
  window: { x: 92, y: 46, width: 100, height: 34 },
  windowPaddingMm: 4,
  senderBlock: { x: 15, y: 12, width: 70, height: 26 },
  printableArea: { topMm: 10, rightMm: 15, bottomMm: 15, leftMm: 15 },
  source: 'Datablad',
};
const VENDOR: PrintVendor = {
  id: 'demo-print',
  name: 'Demo',
  clientId: 'c',
  envelopeProfile: 'C5-H2',
  maxPages: 20,
  maxBatchLetters: 1000,
  cutoffTimes: [],
  ackDeadlineMinutes: 60,
  duplex: true,
  colour: false,
  postageClasses: ['FIRST_CLASS', 'ECONOMY'],
  active: true,
};
const ECONOMY_ONLY: PrintVendor = { ...VENDOR, id: 'annat-tryckeri', postageClasses: ['ECONOMY'] };
const RETIRED: PrintVendor = { ...VENDOR, id: 'gammalt-tryckeri', active: false };
const KNOWN = { vendors: [VENDOR, ECONOMY_ONLY, RETIRED], customProfileId: 'demo-kommun-custom' };

describe('a change to the channel and print rules', () => {
  it('keeps what is left out, removes what is null, and lists each change for the audit trail', () => {
    const current = { printAllowed: true, deadlineHours: 24, printByProtectionClass: { '3': 'HOLD' as const }, print: { postageClass: 'FIRST_CLASS' as const, duplex: false } };
    const out = changeTenantSettings(current, { fallbackToPrint: false, deadlineHours: null, print: { duplex: null, colour: true } }, KNOWN);
    expect(out).toEqual({
      ok: true,
      next: { printAllowed: true, fallbackToPrint: false, print: { postageClass: 'FIRST_CLASS', colour: true } },
      changes: {
        fallbackToPrint: { from: null, to: false },
        deadlineHours: { from: 24, to: null },
        'print.duplex': { from: false, to: null },
        'print.colour': { from: null, to: true },
      },
    });
    // The policy's own key is not among the rules' keys: the service leaves it in place.
    expect(out.ok && 'printByProtectionClass' in out.next).toBe(false);
  });

  it('changes nothing when nothing differs', () => {
    expect(changeTenantSettings({ printAllowed: true }, { printAllowed: true }, KNOWN)).toEqual({ ok: true, next: { printAllowed: true }, changes: {} });
  });

  it('lets a standard profile and an own one replace each other, never both at once', () => {
    const own = changeTenantSettings({ print: { envelopeProfile: 'C4-V2' } }, { print: { customEnvelopeProfile: PROFILE } }, KNOWN);
    expect(own.ok && own.next.print).toEqual({ customEnvelopeProfile: expect.objectContaining({ id: 'demo-kommun-custom', name: 'Vårt kuvert' }) });
    const standard = changeTenantSettings(own.ok ? own.next : {}, { print: { envelopeProfile: 'C5-V2' } }, KNOWN);
    expect(standard.ok && standard.next.print).toEqual({ envelopeProfile: 'C5-V2' });
    const both = changeTenantSettings({}, { print: { envelopeProfile: 'C5-V2', customEnvelopeProfile: PROFILE } }, KNOWN);
    expect(both).toEqual({ ok: false, fields: [expect.objectContaining({ path: 'print.envelopeProfile', rule: 'exclusive' })] });
  });

  it('names each wrong field, the print library’s profile checks included', () => {
    const out = changeTenantSettings({}, { deadlineHours: 1441, print: { vendorId: 'okänd', customEnvelopeProfile: { ...PROFILE, printableArea: { topMm: 1, rightMm: 15, bottomMm: 15, leftMm: 15 }, source: ' ' } } }, KNOWN);
    expect(out.ok ? [] : out.fields.map((f) => f.path)).toEqual([
      'deadlineHours',
      'print.vendorId',
      'print.customEnvelopeProfile.source',
      'print.customEnvelopeProfile.printableArea.topMm',
    ]);
  });
});

describe('the print vendor', () => {
  it('must be active, and handle the postage class letters get', () => {
    const retired = changeTenantSettings({}, { print: { vendorId: 'gammalt-tryckeri' } }, KNOWN);
    expect(retired).toEqual({ ok: false, fields: [expect.objectContaining({ path: 'print.vendorId', rule: 'inactive', message: expect.stringMatching(/choose one of demo-print, annat-tryckeri/) })] });
    const postage = changeTenantSettings({ print: { postageClass: 'FIRST_CLASS' } }, { print: { vendorId: 'annat-tryckeri' } }, KNOWN);
    expect(postage).toEqual({ ok: false, fields: [expect.objectContaining({ path: 'print.postageClass', rule: 'vendor' })] });
    expect(changeTenantSettings({ print: { postageClass: 'FIRST_CLASS' } }, { print: { vendorId: 'annat-tryckeri', postageClass: null } }, KNOWN).ok).toBe(true);
  });
});

describe('what letters are printed with', () => {
  it('is the tenant’s choice, else the vendor’s, and says why letters are held when no vendor applies', () => {
    expect(effectivePrint({}, [VENDOR])).toMatchObject({ vendor: { id: 'demo-print' }, envelopeProfile: { id: 'C5-H2' }, duplex: true, colour: false, postageClass: 'ECONOMY', problem: null });
    expect(effectivePrint({ print: { envelopeProfile: 'C4-V2', duplex: false } }, [VENDOR])).toMatchObject({ envelopeProfile: { id: 'C4-V2' }, duplex: false });
    expect(effectivePrint({}, [VENDOR, RETIRED])).toMatchObject({ vendor: { id: 'demo-print' }, problem: null });
    expect(effectivePrint({}, [VENDOR, ECONOMY_ONLY]).problem).toMatch(/2 print vendors are active: choose one/);
    expect(effectivePrint({ print: { vendorId: 'borta' } }, [VENDOR]).problem).toMatch(/"borta" is not registered/);
    expect(effectivePrint({ print: { vendorId: 'gammalt-tryckeri' } }, KNOWN.vendors).problem).toMatch(/"gammalt-tryckeri" is not active/);
    expect(effectivePrint({ print: { vendorId: 'annat-tryckeri', postageClass: 'FIRST_CLASS' } }, KNOWN.vendors).problem).toMatch(/does not handle postage class FIRST_CLASS/);
    expect(effectivePrint({}, []).problem).toMatch(/no print vendor is active/);
  });
});

describe('certificate periods', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const at = (days: number) => new Date(now.getTime() + days * 24 * 3600 * 1000);

  it('count whole days left, and warn from 30 days before the end', () => {
    expect(daysLeft(at(31), now)).toBe(31);
    expect(daysLeft(at(30.5), now)).toBe(30);
    expect(certificateStatus({ notBefore: at(-300), notAfter: at(31) }, now)).toBe('VALID');
    expect(certificateStatus({ notBefore: at(-300), notAfter: at(30.5) }, now)).toBe('EXPIRES_SOON');
    expect(certificateStatus({ notBefore: at(-300), notAfter: now }, now)).toBe('EXPIRED');
    expect(daysLeft(at(-2), now)).toBe(-2);
    expect(certificateStatus({ notBefore: at(1), notAfter: at(400) }, now)).toBe('NOT_YET_VALID');
  });
});

describe('a sending unit’s fields', () => {
  it('are normalised: the organisation number to 16 + 10 digits, blank address lines dropped', () => {
    expect(checkSendingUnitInput({ code: 'bygg', name: ' Byggnadsnämnden ', orgNumber: '212000-1231', postalAddress: ['Box 1', ' ', '123 45 Demostad'] }, true)).toEqual({
      ok: true,
      value: { code: 'bygg', name: 'Byggnadsnämnden', orgNumber: '162120001231', postalAddress: ['Box 1', '123 45 Demostad'] },
    });
  });

  it('refuse a change of code, a personnummer as organisation number, and too many address lines', () => {
    const out = checkSendingUnitInput({ code: 'annan', orgNumber: '19810103-2384', postalAddress: ['a', 'b', 'c', '123 45 X'] }, false);
    expect(out.ok ? [] : out.fields.map((f) => `${f.path}:${f.rule}`)).toEqual(['code:immutable', 'orgNumber:format', 'postalAddress:maxLines']);
  });
});
