import { EnvelopeProfile, PrintValidationError } from '../print.types';
import { defineEnvelopeProfile, ENVELOPE_PROFILES, envelopeProfile } from './index';

const valid = (): EnvelopeProfile => ({
  id: 'C5-H2-vendor',
  name: 'Vendor C5, right window',
  envelope: 'C5',
  window: { x: 100, y: 45, width: 90, height: 40 },
  windowPaddingMm: 3,
  senderBlock: { x: 15, y: 12, width: 80, height: 25 },
  printableArea: { topMm: 10, rightMm: 12, bottomMm: 12, leftMm: 15 },
  source: 'Vendor X envelope data sheet, 2026-03',
});

function problemsOf(input: EnvelopeProfile) {
  try {
    defineEnvelopeProfile(input);
  } catch (e) {
    expect(e).toBeInstanceOf(PrintValidationError);
    return (e as PrintValidationError).problems;
  }
  throw new Error('expected the profile to be refused');
}

describe('shipped envelope profiles', () => {
  it('ships C5 and C4, right (H2) and left (V2) window, each with its sources', () => {
    expect(Object.keys(ENVELOPE_PROFILES).sort()).toEqual(['C4-H2', 'C4-V2', 'C5-H2', 'C5-V2']);
    for (const [id, p] of Object.entries(ENVELOPE_PROFILES)) {
      expect(p.id).toBe(id);
      expect(p.envelope).toBe(id.slice(0, 2));
      expect(p.source).toMatch(/harrykuvert\.se/);
      expect(p.source).toMatch(/officeconsult\.no/);
      expect(p.source).toMatch(/Assumed/);
      // A right window lies right of the centre line, a left one left of it.
      const centre = p.window.x + p.window.width / 2;
      if (id.endsWith('H2')) expect(centre).toBeGreaterThan(105);
      else expect(centre).toBeLessThan(105);
      // Each passes the same checks as a vendor's profile.
      expect(() => defineEnvelopeProfile(p)).not.toThrow();
    }
  });

  it('are frozen', () => {
    const p = envelopeProfile('C5-H2');
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.window)).toBe(true);
  });

  it('envelopeProfile names the known ids when the id is unknown', () => {
    expect(() => envelopeProfile('DL-H2')).toThrow(/unknown envelope profile "DL-H2".*C5-H2, C5-V2, C4-H2, C4-V2/);
  });
});

describe('defineEnvelopeProfile', () => {
  it('returns a frozen copy of a valid profile', () => {
    const input = valid();
    const p = defineEnvelopeProfile(input);
    expect(p).toEqual(input);
    expect(p).not.toBe(input);
    expect(Object.isFrozen(p.printableArea)).toBe(true);
  });

  it('refuses a window off the page', () => {
    const p = valid();
    p.window = { x: 150, y: 45, width: 90, height: 40 };
    expect(problemsOf(p)).toEqual([
      expect.objectContaining({ code: 'INVALID_PROFILE', field: 'profile.window', message: expect.stringMatching(/must lie on the A4 page/) }),
    ]);
  });

  it('refuses a window outside the printable area', () => {
    const p = valid();
    p.window = { x: 110, y: 45, width: 95, height: 40 };
    expect(problemsOf(p)).toEqual([
      expect.objectContaining({ field: 'profile.window', message: expect.stringMatching(/inside the printable area \(x 15–198 mm/) }),
    ]);
  });

  it('refuses a window below the fold of a C5 sheet', () => {
    const p = valid();
    p.window = { x: 100, y: 130, width: 90, height: 40 };
    expect(problemsOf(p)).toEqual([
      expect.objectContaining({ field: 'profile.window', message: expect.stringMatching(/top 148\.5 mm.*reaches 170 mm/) }),
    ]);
  });

  it('refuses a sender block that overlaps the window or leaves the printable area', () => {
    const p = valid();
    p.senderBlock = { x: 15, y: 30, width: 100, height: 30 };
    expect(problemsOf(p)).toEqual([expect.objectContaining({ field: 'profile.senderBlock', message: expect.stringMatching(/overlaps the window/) })]);
    p.senderBlock = { x: 5, y: 5, width: 60, height: 20 };
    expect(problemsOf(p)).toEqual([
      expect.objectContaining({ field: 'profile.senderBlock', message: expect.stringMatching(/inside the printable area/) }),
    ]);
  });

  it('refuses margins that no printer has or that leave no room for a letter', () => {
    const p = valid();
    p.printableArea = { topMm: 0, rightMm: 12, bottomMm: 80, leftMm: 15 };
    const problems = problemsOf(p);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'profile.printableArea.topMm', message: expect.stringMatching(/between 3 and 60 mm, got 0/) }),
        expect.objectContaining({ field: 'profile.printableArea.bottomMm', message: expect.stringMatching(/got 80/) }),
      ]),
    );
    p.printableArea = { topMm: 10, rightMm: 50, bottomMm: 12, leftMm: 50 };
    p.window = { x: 60, y: 45, width: 90, height: 40 };
    p.senderBlock = { x: 55, y: 12, width: 80, height: 25 };
    expect(problemsOf(p)).toEqual([
      expect.objectContaining({ field: 'profile.printableArea', message: expect.stringMatching(/is 110 × 275 mm; a letter needs at least 120 × 180 mm/) }),
    ]);
  });

  it('refuses a padding that leaves no room for an address', () => {
    const p = valid();
    p.windowPaddingMm = 14;
    expect(problemsOf(p)).toEqual([
      expect.objectContaining({ field: 'profile.windowPaddingMm', message: expect.stringMatching(/leaves 62 × 12 mm; an address needs at least 60 × 12\.7 mm/) }),
    ]);
  });

  it('lists every problem of a profile at once, including missing fields and non-numbers', () => {
    const p = { ...valid(), id: '', source: ' ', envelope: 'B4', windowPaddingMm: -1, window: { x: 'a', y: 45, width: 0, height: 40 } } as unknown as EnvelopeProfile;
    const fields = problemsOf(p).map((x) => x.field);
    expect(fields).toEqual(
      expect.arrayContaining(['profile.id', 'profile.source', 'profile.envelope', 'profile.windowPaddingMm', 'profile.window.x', 'profile.window.width']),
    );
    expect(problemsOf(p).every((x) => x.code === 'INVALID_PROFILE' && x.message.length > 20)).toBe(true);
  });
});
