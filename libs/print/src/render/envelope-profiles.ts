import { A4, EnvelopeProfile, PrintProblem, PrintValidationError, RectMm } from '../print.types';

/*
 * Where the numbers come from (searched in July 2026; the SIS standard text itself is not public and no
 * Swedish manufacturer data sheet with millimetre figures for "C5 H2"/"V2" could be found):
 *
 * [harrykuvert] harrykuvert.se/kuvertguide ("Fönsterplacering"): a Swedish standard fixes the window
 *   placement; two placements are standard, left (V2) and right (H2); the window's size differs between
 *   envelope formats but its placement is always the same.
 * [officeconsult] officeconsult.no, "Brevmaler: plassering av mottakerfelt i vinduskonvolutter" (the Nordic
 *   placement, Norwegian source): most windows start 15 mm from the left edge; C5 envelopes: window 44 mm
 *   from the top, 35 mm high, 105 mm wide; EC4 envelopes: 42 mm from the top, 40 mm high, 100 mm wide.
 * [kursnavet] kursnavet.se, "Brevuppställning" (the SIS business-letter layout): the recipient's address
 *   starts at ruler position 0 in a left-aligned letter and at position 9.2 (cm from the left margin) in a
 *   right-aligned one, on line 7. This places a right-aligned address roughly 100–115 mm from the sheet's
 *   left edge depending on the margin, which the H2 windows below contain.
 * [21grams] 21grams.se, "Adressera rätt" (PostNord's machine-sorting rules): address in 10–12 pt, straight
 *   left edge, no blank lines. Hence the renderer's 10 pt address font.
 *
 * Assumptions (ours, not from a source), to be checked against the vendor's envelope data sheet:
 * - V2 windows take the Nordic numbers of [officeconsult] as they are (15 mm from the left; C5: top 44 mm,
 *   105 × 35 mm; C4: top 42 mm, 100 × 40 mm, the EC4 figures used for C4).
 * - H2 windows are the V2 windows mirrored about the sheet's vertical centre line (15 mm from the right
 *   edge), as "the placement is the same, only the side differs" [harrykuvert].
 * - 4 mm window padding (address kept that far inside the window edges, for the sheet's play in the
 *   envelope), the sender block (top left, 15–100 mm across, 12–38 mm down, clear of both windows) and
 *   the printable area (15 mm left and right, kept free for inserter marks; 10 mm top; 15 mm bottom).
 */

const SHARED_ASSUMPTIONS =
  'Assumed (ours): 4 mm window padding; sender block 15–100 mm across, 12–38 mm down; printable area ' +
  '15 mm left/right (inserter marks), 10 mm top, 15 mm bottom. Check against the vendor\'s envelope data sheet.';
const SWEDISH_STANDARD =
  'harrykuvert.se/kuvertguide: the Swedish standard has two window placements, V2 (left) and H2 (right), ' +
  'the same on every format, only the window size differs.';
const NORDIC_NUMBERS =
  'officeconsult.no "Brevmaler: plassering av mottakerfelt i vinduskonvolutter": windows 15 mm from the left; ' +
  'C5 window 44 mm from the top, 105 × 35 mm; EC4 window 42 mm from the top, 100 × 40 mm.';

const SENDER_BLOCK: RectMm = { x: 15, y: 12, width: 85, height: 26 };
const PRINTABLE_AREA = { topMm: 10, rightMm: 15, bottomMm: 15, leftMm: 15 };
const WINDOW_PADDING_MM = 4;

function mirrored(window: RectMm): RectMm {
  return { ...window, x: A4.widthMm - window.x - window.width };
}

const C5_LEFT_WINDOW: RectMm = { x: 15, y: 44, width: 105, height: 35 };
const C4_LEFT_WINDOW: RectMm = { x: 15, y: 42, width: 100, height: 40 };

/** The ids of the profiles shipped with the library. */
export type EnvelopeProfileId = 'C5-H2' | 'C5-V2' | 'C4-H2' | 'C4-V2';

/**
 * The common Swedish window placements for C5 (A4 folded once) and C4 (A4 unfolded) envelopes, right (H2,
 * höger) and left (V2, vänster) window. Each profile's `source` says which numbers come from where and
 * which are assumptions.
 */
export const ENVELOPE_PROFILES: Readonly<Record<EnvelopeProfileId, EnvelopeProfile>> = deepFreeze({
  'C5-H2': {
    id: 'C5-H2',
    name: 'C5 envelope, right window (H2)',
    envelope: 'C5',
    window: mirrored(C5_LEFT_WINDOW),
    windowPaddingMm: WINDOW_PADDING_MM,
    senderBlock: SENDER_BLOCK,
    printableArea: PRINTABLE_AREA,
    source:
      `Window x 90, y 44, 105 × 35 mm. ${SWEDISH_STANDARD} Size and top from ${NORDIC_NUMBERS} ` +
      'Assumed (ours): H2 is the C5 V2 window mirrored to 15 mm from the right edge. ' +
      'kursnavet.se "Brevuppställning" (SIS layout: right-aligned address at ruler position 9.2 cm, line 7) ' +
      `falls inside this window. ${SHARED_ASSUMPTIONS}`,
  },
  'C5-V2': {
    id: 'C5-V2',
    name: 'C5 envelope, left window (V2)',
    envelope: 'C5',
    window: C5_LEFT_WINDOW,
    windowPaddingMm: WINDOW_PADDING_MM,
    senderBlock: SENDER_BLOCK,
    printableArea: PRINTABLE_AREA,
    source:
      `Window x 15, y 44, 105 × 35 mm. ${SWEDISH_STANDARD} Numbers from ${NORDIC_NUMBERS} ` +
      `Assumed (ours): the Swedish V2 placement equals these Nordic numbers. ${SHARED_ASSUMPTIONS}`,
  },
  'C4-H2': {
    id: 'C4-H2',
    name: 'C4 envelope, right window (H2)',
    envelope: 'C4',
    window: mirrored(C4_LEFT_WINDOW),
    windowPaddingMm: WINDOW_PADDING_MM,
    senderBlock: SENDER_BLOCK,
    printableArea: PRINTABLE_AREA,
    source:
      `Window x 95, y 42, 100 × 40 mm. ${SWEDISH_STANDARD} Size and top from ${NORDIC_NUMBERS} ` +
      'Assumed (ours): the EC4 figures hold for C4, and H2 is the C4 V2 window mirrored to 15 mm from the ' +
      `right edge. ${SHARED_ASSUMPTIONS}`,
  },
  'C4-V2': {
    id: 'C4-V2',
    name: 'C4 envelope, left window (V2)',
    envelope: 'C4',
    window: C4_LEFT_WINDOW,
    windowPaddingMm: WINDOW_PADDING_MM,
    senderBlock: SENDER_BLOCK,
    printableArea: PRINTABLE_AREA,
    source:
      `Window x 15, y 42, 100 × 40 mm. ${SWEDISH_STANDARD} Numbers from ${NORDIC_NUMBERS} ` +
      `Assumed (ours): the EC4 figures hold for C4 and the Swedish V2 placement equals them. ${SHARED_ASSUMPTIONS}`,
  },
});

/** One of the shipped profiles by id; throws naming the known ids when there is none. */
export function envelopeProfile(id: string): EnvelopeProfile {
  const profile = (ENVELOPE_PROFILES as Record<string, EnvelopeProfile>)[id];
  if (!profile) {
    throw new Error(
      `unknown envelope profile "${id}": the shipped profiles are ${Object.keys(ENVELOPE_PROFILES).join(', ')}; ` +
        'define another with defineEnvelopeProfile()',
    );
  }
  return profile;
}

/** The address must show at least name, street and "postal code city" at 10 pt. */
const MIN_ADDRESS_LINES = 3;
const ADDRESS_LINE_MM = (12 / 72) * 25.4; // 10 pt type on 12 pt leading
const MIN_WINDOW_INNER_HEIGHT_MM = ADDRESS_LINE_MM * MIN_ADDRESS_LINES;
const MIN_WINDOW_INNER_WIDTH_MM = 60;
/** No production printer prints to the very edge; more than this on one side leaves no room for a letter. */
const MIN_MARGIN_MM = 3;
const MAX_MARGIN_MM = 60;
const MIN_PRINTABLE_WIDTH_MM = 120;
const MIN_PRINTABLE_HEIGHT_MM = 180;
/** Where the part of the sheet that faces the window ends (from the top) once folded for the envelope. */
const FACING_PART_MM: Record<EnvelopeProfile['envelope'], number> = {
  C4: A4.heightMm,
  C5: A4.heightMm / 2,
  'C5/6': A4.heightMm / 3,
};

const ENVELOPES = new Set<string>(['C4', 'C5', 'C5/6']);
/** Profiles that passed `checkEnvelopeProfile` (frozen, so they cannot change after the check). */
const validated = new WeakSet<EnvelopeProfile>();

/**
 * Validates a custom (vendor's or tenant's) envelope profile: the window inside the page, inside the
 * printable area and on the part of the sheet that faces it once folded, large enough for an address;
 * the sender block inside the printable area and clear of the window; sane margins. Returns a frozen
 * copy; throws a `PrintValidationError` whose `INVALID_PROFILE` problems say what is wrong.
 */
export function defineEnvelopeProfile(input: EnvelopeProfile): EnvelopeProfile {
  const problems = checkEnvelopeProfile(input);
  if (problems.length > 0) throw new PrintValidationError(problems);
  const profile = deepFreeze(structuredClone(input));
  validated.add(profile);
  return profile;
}

/** The problems of a profile (empty when it is usable); the shipped and defined profiles are checked once. */
export function checkEnvelopeProfile(profile: EnvelopeProfile): PrintProblem[] {
  if (validated.has(profile)) return [];
  const problems: PrintProblem[] = [];
  const bad = (field: string, message: string) => problems.push({ code: 'INVALID_PROFILE', field: `profile.${field}`, message });

  if (typeof profile?.id !== 'string' || profile.id.trim() === '') bad('id', 'give the profile a non-empty id, e.g. "C5-H2-vendorX"');
  if (typeof profile?.name !== 'string' || profile.name.trim() === '') bad('name', 'give the profile a non-empty name');
  if (typeof profile?.source !== 'string' || profile.source.trim() === '') {
    bad('source', 'say where the numbers come from (the envelope maker\'s data sheet, the vendor\'s specification)');
  }
  if (!ENVELOPES.has(profile?.envelope)) bad('envelope', `envelope must be one of C4, C5, C5/6, got ${JSON.stringify(profile?.envelope)}`);

  const window = checkRect(profile?.window, 'window', bad);
  const sender = checkRect(profile?.senderBlock, 'senderBlock', bad);
  const padding = profile?.windowPaddingMm;
  const paddingOk = isNumber(padding) && padding >= 0;
  if (!paddingOk) bad('windowPaddingMm', `windowPaddingMm must be a number ≥ 0 (millimetres), got ${JSON.stringify(padding)}`);

  const area = profile?.printableArea;
  let printable: RectMm | undefined;
  if (!area || typeof area !== 'object') {
    bad('printableArea', 'printableArea must give topMm, rightMm, bottomMm and leftMm (the margins the vendor cannot print in)');
  } else {
    let marginsOk = true;
    for (const side of ['topMm', 'rightMm', 'bottomMm', 'leftMm'] as const) {
      const m = area[side];
      if (!isNumber(m) || m < MIN_MARGIN_MM || m > MAX_MARGIN_MM) {
        marginsOk = false;
        bad(
          `printableArea.${side}`,
          `the ${side.replace('Mm', '')} margin must be between ${MIN_MARGIN_MM} and ${MAX_MARGIN_MM} mm, got ${JSON.stringify(m)}`,
        );
      }
    }
    if (marginsOk) {
      printable = {
        x: area.leftMm,
        y: area.topMm,
        width: A4.widthMm - area.leftMm - area.rightMm,
        height: A4.heightMm - area.topMm - area.bottomMm,
      };
      if (printable.width < MIN_PRINTABLE_WIDTH_MM || printable.height < MIN_PRINTABLE_HEIGHT_MM) {
        bad(
          'printableArea',
          `the printable area is ${fmtMm(printable.width)} × ${fmtMm(printable.height)} mm; a letter needs at least ` +
            `${MIN_PRINTABLE_WIDTH_MM} × ${MIN_PRINTABLE_HEIGHT_MM} mm: reduce the margins`,
        );
      }
    }
  }

  const page: RectMm = { x: 0, y: 0, width: A4.widthMm, height: A4.heightMm };
  if (window) {
    if (!contains(page, window)) {
      bad('window', `the window ${describeRect(window)} must lie on the A4 page (210 × 297 mm)`);
    } else if (printable && !contains(printable, window)) {
      bad('window', `the window ${describeRect(window)} must lie inside the printable area ${describeRect(printable)}`);
    }
    const envelope = profile.envelope;
    if (ENVELOPES.has(envelope) && window.y + window.height > FACING_PART_MM[envelope] + 1e-9) {
      bad(
        'window',
        `for a ${envelope} envelope the window must lie in the top ${fmtMm(FACING_PART_MM[envelope])} mm of the sheet ` +
          `(the part that faces the window once folded); it reaches ${fmtMm(window.y + window.height)} mm`,
      );
    }
    if (paddingOk) {
      const innerW = window.width - 2 * padding;
      const innerH = window.height - 2 * padding;
      if (innerW < MIN_WINDOW_INNER_WIDTH_MM || innerH < MIN_WINDOW_INNER_HEIGHT_MM) {
        bad(
          'windowPaddingMm',
          `inside the padding the window leaves ${fmtMm(Math.max(0, innerW))} × ${fmtMm(Math.max(0, innerH))} mm; an address ` +
            `needs at least ${MIN_WINDOW_INNER_WIDTH_MM} × ${fmtMm(MIN_WINDOW_INNER_HEIGHT_MM)} mm (${MIN_ADDRESS_LINES} lines at 10 pt): ` +
            'reduce the padding or enlarge the window',
        );
      }
    }
  }
  if (sender) {
    if (printable && !contains(printable, sender)) {
      bad('senderBlock', `the sender block ${describeRect(sender)} must lie inside the printable area ${describeRect(printable)}`);
    } else if (!printable && !contains(page, sender)) {
      bad('senderBlock', `the sender block ${describeRect(sender)} must lie on the A4 page`);
    }
    if (window && intersects(sender, window)) {
      bad('senderBlock', `the sender block ${describeRect(sender)} overlaps the window ${describeRect(window)}: move one of them`);
    }
  }
  return problems;
}

function checkRect(rect: RectMm | undefined, field: string, bad: (field: string, message: string) => void): RectMm | undefined {
  if (!rect || typeof rect !== 'object') {
    bad(field, `${field} must be a rectangle { x, y, width, height } in millimetres from the top-left corner`);
    return undefined;
  }
  let ok = true;
  for (const key of ['x', 'y', 'width', 'height'] as const) {
    const v = rect[key];
    const positive = key === 'width' || key === 'height';
    if (!isNumber(v) || (positive ? v <= 0 : v < 0)) {
      ok = false;
      bad(`${field}.${key}`, `${field}.${key} must be a number ${positive ? '> 0' : '≥ 0'} (millimetres), got ${JSON.stringify(v)}`);
    }
  }
  return ok ? rect : undefined;
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

const EPS = 1e-6;

/** Whether `inner` lies inside `outer` (edges may touch). */
export function contains(outer: RectMm, inner: RectMm): boolean {
  return (
    inner.x >= outer.x - EPS &&
    inner.y >= outer.y - EPS &&
    inner.x + inner.width <= outer.x + outer.width + EPS &&
    inner.y + inner.height <= outer.y + outer.height + EPS
  );
}

/** Whether two rectangles share some area (touching edges do not count). */
export function intersects(a: RectMm, b: RectMm): boolean {
  return a.x < b.x + b.width - EPS && b.x < a.x + a.width - EPS && a.y < b.y + b.height - EPS && b.y < a.y + a.height - EPS;
}

/** The printable area of a profile as a rectangle. */
export function printableRect(profile: EnvelopeProfile): RectMm {
  const a = profile.printableArea;
  return { x: a.leftMm, y: a.topMm, width: A4.widthMm - a.leftMm - a.rightMm, height: A4.heightMm - a.topMm - a.bottomMm };
}

export function fmtMm(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

export function describeRect(r: RectMm): string {
  return `(x ${fmtMm(r.x)}–${fmtMm(r.x + r.width)} mm, y ${fmtMm(r.y)}–${fmtMm(r.y + r.height)} mm)`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

for (const profile of Object.values(ENVELOPE_PROFILES)) {
  // The shipped profiles must pass the same checks as a vendor's; a failure here is a bug in this file.
  const problems = checkEnvelopeProfile(profile);
  if (problems.length > 0) throw new PrintValidationError(problems);
  validated.add(profile);
}
