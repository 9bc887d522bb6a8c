/** The print vendor settings' own rules (no database): each broken rule names its field. */
import { checkPrintVendorFields } from './print-vendor-admin';

const VALID = {
  name: 'Nordtryck AB',
  clientId: 'nordtryck-client',
  envelopeProfile: 'C5-H2',
  maxPages: 20,
  maxBatchLetters: 5000,
  cutoffTimes: ['10:00', '15:00'],
  maxWaitSeconds: null,
  ackDeadlineMinutes: 240,
  duplex: true,
  colour: false,
  postageClasses: ['FIRST_CLASS', 'ECONOMY'] as ('FIRST_CLASS' | 'ECONOMY')[],
  active: true,
};
const rules = (patch: Partial<typeof VALID> | Record<string, unknown>) => checkPrintVendorFields({ ...VALID, ...patch } as typeof VALID).map((v) => `${v.path}:${v.rule}`);

describe('print vendor settings', () => {
  it('accept a vendor closing batches at cut-off times, or only after a longest wait', () => {
    expect(rules({})).toEqual([]);
    expect(rules({ cutoffTimes: [], maxWaitSeconds: 3600 })).toEqual([]);
  });

  it('refuse a vendor whose batches might never close', () => {
    expect(rules({ cutoffTimes: [], maxWaitSeconds: null })).toEqual(['cutoffTimes:closing']);
  });

  it('name each bad field', () => {
    expect(rules({ name: ' X ', clientId: 'has space', envelopeProfile: 'DL', maxPages: 501, maxBatchLetters: 0, ackDeadlineMinutes: 1.5, maxWaitSeconds: 0 })).toEqual([
      'name:length',
      'clientId:format',
      'envelopeProfile:enum',
      'maxPages:range',
      'maxBatchLetters:range',
      'ackDeadlineMinutes:range',
      'maxWaitSeconds:range',
    ]);
    expect(rules({ cutoffTimes: ['10:00', '24:00', '10:00'] })).toEqual(['cutoffTimes[1]:format', 'cutoffTimes:unique']);
    expect(rules({ cutoffTimes: Array.from({ length: 25 }, (_, i) => `${String(i % 24).padStart(2, '0')}:${i < 24 ? '00' : '30'}`) })).toEqual(['cutoffTimes:maxItems']);
    expect(rules({ postageClasses: [] })).toEqual(['postageClasses:required']);
    expect(rules({ postageClasses: ['ECONOMY', 'B-POST', 'ECONOMY'] })).toEqual(['postageClasses[1]:enum', 'postageClasses:unique']);
  });
});
