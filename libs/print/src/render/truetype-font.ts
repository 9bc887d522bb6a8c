/*
 * A small TrueType reader that pdfkit accepts as an already-parsed font (pdfkit ≥ 0.17 takes any object
 * with a `layout` method in `doc.font()`/`registerFont()`).
 *
 * Why not let pdfkit parse the TTF itself: pdfkit (through fontkit) parses the whole file again for every
 * document (≈ 30 ms for DejaVu Sans), shapes every word with the OpenType engine per document, and
 * rebuilds the subset by decoding every glyph. Here the file is parsed once per process; layout is one
 * glyph per code point with the font's advance widths (no kerning, no ligatures: text extraction and
 * search stay exact, which print vendors' and archive tools rely on); the per-document subset copies the
 * glyphs' bytes as they are (composite glyphs with their components renumbered) plus the hinting tables.
 * Everything cached here is derived from the immutable font file; nothing else is shared between
 * documents.
 */

/** What pdfkit's EmbeddedFont reads from a glyph. */
export interface Glyph {
  readonly id: number;
  /** In font units. */
  readonly advanceWidth: number;
  readonly codePoints: number[];
}

interface Position {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
}

/** What pdfkit expects back from `layout` (it scales the positions in place, so they are fresh per call). */
export interface GlyphRun {
  glyphs: Glyph[];
  positions: Position[];
  readonly advanceWidth: number;
}

interface GlyphData {
  bytes: Uint8Array;
  /** Byte offsets (within `bytes`) of the component glyph ids of a composite glyph, with those ids. */
  components: { at: number; gid: number }[];
}

interface Table {
  offset: number;
  length: number;
}


export class TrueTypeFont {
  readonly postscriptName: string;
  readonly unitsPerEm: number;
  readonly ascent: number;
  readonly descent: number;
  readonly lineGap: number;
  readonly capHeight: number;
  readonly xHeight: number;
  readonly italicAngle: number;
  readonly bbox: { minX: number; minY: number; maxX: number; maxY: number };
  // The table views pdfkit's EmbeddedFont reads when it writes the font descriptor.
  readonly head: { macStyle: { italic: boolean } };
  readonly post: { isFixedPitch: boolean };
  readonly 'OS/2': { sFamilyClass: number };

  private readonly data: DataView;
  private readonly tables = new Map<string, Table>();
  private readonly cmap = new Map<number, number>();
  private readonly numGlyphs: number;
  private readonly numberOfHMetrics: number;
  private readonly longLoca: boolean;
  private readonly glyphsByCodePoint = new Map<number, Glyph>();
  private readonly glyphsById = new Map<number, Glyph>();
  private readonly glyphData = new Map<number, GlyphData>();
  /** Raw copies of the tables a subset takes over unchanged (hinting programs and control values). */
  private readonly verbatim: { tag: string; bytes: Uint8Array }[] = [];

  /** The font file, never written to (a plain Uint8Array, so that `slice` copies as it does not on a Buffer). */
  readonly file: Uint8Array;

  constructor(file: Uint8Array, fallbackName = 'Font') {
    this.file = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
    this.data = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const d = this.data;
    const version = d.getUint32(0);
    if (version !== 0x00010000 && version !== 0x74727565 /* 'true' */) {
      throw new Error(`not a TrueType font (sfnt version 0x${version.toString(16)}); CFF-flavoured OpenType is not supported`);
    }
    const numTables = d.getUint16(4);
    for (let i = 0; i < numTables; i++) {
      const at = 12 + 16 * i;
      this.tables.set(this.tag(at), { offset: d.getUint32(at + 8), length: d.getUint32(at + 12) });
    }
    for (const required of ['head', 'hhea', 'maxp', 'hmtx', 'loca', 'glyf', 'cmap']) {
      if (!this.tables.has(required)) throw new Error(`TrueType font without a "${required}" table`);
    }
    const head = this.table('head').offset;
    this.unitsPerEm = d.getUint16(head + 18);
    this.bbox = { minX: d.getInt16(head + 36), minY: d.getInt16(head + 38), maxX: d.getInt16(head + 40), maxY: d.getInt16(head + 42) };
    this.head = { macStyle: { italic: (d.getUint16(head + 44) & 2) !== 0 } };
    this.longLoca = d.getInt16(head + 50) === 1;

    const hhea = this.table('hhea').offset;
    this.ascent = d.getInt16(hhea + 4);
    this.descent = d.getInt16(hhea + 6);
    this.lineGap = d.getInt16(hhea + 8);
    this.numberOfHMetrics = d.getUint16(hhea + 34);
    this.numGlyphs = d.getUint16(this.table('maxp').offset + 4);

    const os2 = this.tables.get('OS/2');
    let capHeight = this.ascent;
    let xHeight = 0;
    let familyClass = 0;
    if (os2) {
      familyClass = d.getInt16(os2.offset + 30);
      if (d.getUint16(os2.offset) >= 2 && os2.length >= 90) {
        xHeight = d.getInt16(os2.offset + 86);
        capHeight = d.getInt16(os2.offset + 88);
      }
    }
    this.capHeight = capHeight;
    this.xHeight = xHeight;
    this['OS/2'] = { sFamilyClass: familyClass };

    const post = this.tables.get('post');
    this.italicAngle = post ? d.getInt32(post.offset + 4) / 65536 : 0;
    this.post = { isFixedPitch: post ? d.getUint32(post.offset + 12) !== 0 : false };

    this.postscriptName = this.readPostscriptName() ?? fallbackName;
    this.readCmap();
    for (const tag of ['cvt ', 'fpgm', 'prep']) {
      const t = this.tables.get(tag);
      if (t) this.verbatim.push({ tag, bytes: this.file.subarray(t.offset, t.offset + t.length) });
    }
  }

  /** The glyph for a code point (.notdef, glyph 0, when the font has none). */
  glyphForCodePoint(cp: number): Glyph {
    let glyph = this.glyphsByCodePoint.get(cp);
    if (!glyph) {
      const gid = this.cmap.get(cp) ?? 0;
      glyph = { id: gid, advanceWidth: this.advanceOf(gid), codePoints: [cp] };
      this.glyphsByCodePoint.set(cp, glyph);
    }
    return glyph;
  }

  /** Whether the font has a glyph for the code point. */
  hasCodePoint(cp: number): boolean {
    return this.cmap.has(cp);
  }

  getGlyph(gid: number): Glyph {
    let glyph = this.glyphsById.get(gid);
    if (!glyph) {
      glyph = { id: gid, advanceWidth: this.advanceOf(gid), codePoints: [] };
      this.glyphsById.set(gid, glyph);
    }
    return glyph;
  }

  /** One glyph per code point, advance widths only (see the file comment). */
  layout(text: string): GlyphRun {
    const glyphs: Glyph[] = [];
    const positions: Position[] = [];
    for (let i = 0; i < text.length; i++) {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) i++;
      const glyph = this.glyphForCodePoint(cp);
      glyphs.push(glyph);
      positions.push({ xAdvance: glyph.advanceWidth, yAdvance: 0, xOffset: 0, yOffset: 0 });
    }
    return {
      glyphs,
      positions,
      get advanceWidth() {
        let w = 0;
        for (const p of positions) w += p.xAdvance;
        return w;
      },
    };
  }

  /** The width of `text` in points at `sizePt`, as `layout` places it. */
  widthOf(text: string, sizePt: number): number {
    let units = 0;
    for (let i = 0; i < text.length; i++) {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) i++;
      units += this.glyphForCodePoint(cp).advanceWidth;
    }
    return (units * sizePt) / this.unitsPerEm;
  }

  /** A per-document subset, as pdfkit's EmbeddedFont uses it (`includeGlyph`, `encode`). */
  createSubset(): TrueTypeSubset {
    return new TrueTypeSubset(this);
  }

  /** @internal the glyph's bytes and composite references, read once per process. */
  glyph(gid: number): GlyphData {
    let g = this.glyphData.get(gid);
    if (!g) {
      g = this.readGlyph(gid);
      this.glyphData.set(gid, g);
    }
    return g;
  }

  /** @internal */
  metrics(gid: number): { advance: number; lsb: number } {
    const hmtx = this.table('hmtx').offset;
    const n = this.numberOfHMetrics;
    if (gid < n) return { advance: this.data.getUint16(hmtx + 4 * gid), lsb: this.data.getInt16(hmtx + 4 * gid + 2) };
    return { advance: this.data.getUint16(hmtx + 4 * (n - 1)), lsb: this.data.getInt16(hmtx + 4 * n + 2 * (gid - n)) };
  }

  /** @internal the raw bytes of a table. */
  rawTable(tag: string): Uint8Array {
    const t = this.table(tag);
    return this.file.subarray(t.offset, t.offset + t.length);
  }

  /** @internal */
  verbatimTables(): readonly { tag: string; bytes: Uint8Array }[] {
    return this.verbatim;
  }

  private advanceOf(gid: number): number {
    return gid < this.numGlyphs ? this.metrics(gid).advance : 0;
  }

  private readGlyph(gid: number): GlyphData {
    if (gid >= this.numGlyphs) return { bytes: new Uint8Array(0), components: [] };
    const d = this.data;
    const loca = this.table('loca').offset;
    const start = this.longLoca ? d.getUint32(loca + 4 * gid) : d.getUint16(loca + 2 * gid) * 2;
    const end = this.longLoca ? d.getUint32(loca + 4 * gid + 4) : d.getUint16(loca + 2 * gid + 2) * 2;
    const glyf = this.table('glyf').offset;
    const bytes = this.file.subarray(glyf + start, glyf + end);
    const components: { at: number; gid: number }[] = [];
    if (bytes.length >= 10 && d.getInt16(glyf + start) < 0) {
      // Composite glyph: a list of component records (flags, glyph index, arguments, transform).
      let at = 10;
      for (;;) {
        const flags = d.getUint16(glyf + start + at);
        components.push({ at: at + 2, gid: d.getUint16(glyf + start + at + 2) });
        at += 4 + (flags & 0x0001 ? 4 : 2);
        if (flags & 0x0008) at += 2;
        else if (flags & 0x0040) at += 4;
        else if (flags & 0x0080) at += 8;
        if (!(flags & 0x0020)) break;
      }
    }
    return { bytes, components };
  }

  private table(tag: string): Table {
    const t = this.tables.get(tag);
    if (!t) throw new Error(`TrueType font without a "${tag}" table`);
    return t;
  }

  private tag(at: number): string {
    return String.fromCharCode(this.file[at], this.file[at + 1], this.file[at + 2], this.file[at + 3]);
  }

  private readPostscriptName(): string | undefined {
    const name = this.tables.get('name');
    if (!name) return undefined;
    const d = this.data;
    const count = d.getUint16(name.offset + 2);
    const strings = name.offset + d.getUint16(name.offset + 4);
    let mac: string | undefined;
    for (let i = 0; i < count; i++) {
      const rec = name.offset + 6 + 12 * i;
      if (d.getUint16(rec + 6) !== 6) continue;
      const platform = d.getUint16(rec);
      const length = d.getUint16(rec + 8);
      const at = strings + d.getUint16(rec + 10);
      if (platform === 3 || platform === 0) {
        let s = '';
        for (let k = 0; k + 1 < length; k += 2) s += String.fromCharCode(d.getUint16(at + k));
        return s;
      }
      if (platform === 1) mac = String.fromCharCode(...this.file.subarray(at, at + length));
    }
    return mac;
  }

  private readCmap(): void {
    const d = this.data;
    const cmap = this.table('cmap').offset;
    const n = d.getUint16(cmap + 2);
    let best: { format: number; offset: number; rank: number } | undefined;
    for (let i = 0; i < n; i++) {
      const platform = d.getUint16(cmap + 4 + 8 * i);
      const encoding = d.getUint16(cmap + 6 + 8 * i);
      const offset = cmap + d.getUint32(cmap + 8 + 8 * i);
      const format = d.getUint16(offset);
      const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
      if (!unicode || (format !== 4 && format !== 12)) continue;
      const rank = format === 12 ? 2 : 1;
      if (!best || rank > best.rank) best = { format, offset, rank };
    }
    if (!best) throw new Error('TrueType font without a Unicode cmap (format 4 or 12)');
    const o = best.offset;
    if (best.format === 12) {
      const groups = d.getUint32(o + 12);
      for (let g = 0; g < groups; g++) {
        const at = o + 16 + 12 * g;
        const first = d.getUint32(at);
        const last = d.getUint32(at + 4);
        const gid = d.getUint32(at + 8);
        for (let cp = first; cp <= last; cp++) this.cmap.set(cp, gid + (cp - first));
      }
      return;
    }
    const segX2 = d.getUint16(o + 6);
    const ends = o + 14;
    const starts = ends + segX2 + 2;
    const deltas = starts + segX2;
    const rangeOffsets = deltas + segX2;
    for (let s = 0; s < segX2; s += 2) {
      const end = d.getUint16(ends + s);
      const start = d.getUint16(starts + s);
      const delta = d.getInt16(deltas + s);
      const rangeOffset = d.getUint16(rangeOffsets + s);
      for (let cp = start; cp <= end && cp !== 0xffff; cp++) {
        let gid: number;
        if (rangeOffset === 0) {
          gid = (cp + delta) & 0xffff;
        } else {
          const at = rangeOffsets + s + rangeOffset + 2 * (cp - start);
          gid = d.getUint16(at);
          if (gid !== 0) gid = (gid + delta) & 0xffff;
        }
        if (gid !== 0) this.cmap.set(cp, gid);
      }
    }
  }
}

/**
 * The glyphs one document uses, renumbered from 0 (.notdef) up, written as a TrueType font with the
 * tables PDF needs for an embedded TrueType (CIDFontType2) font: head, hhea, maxp, loca, glyf, hmtx and
 * the hinting tables cvt, fpgm, prep when the font has them.
 */
export class TrueTypeSubset {
  private readonly newIds = new Map<number, number>();
  private readonly glyphs: number[] = [];

  constructor(private readonly font: TrueTypeFont) {
    this.includeGlyph(0);
  }

  includeGlyph(gid: number): number {
    let id = this.newIds.get(gid);
    if (id === undefined) {
      id = this.glyphs.length;
      this.glyphs.push(gid);
      this.newIds.set(gid, id);
    }
    return id;
  }

  encode(): Uint8Array {
    const glyfParts: Uint8Array[] = [];
    const offsets: number[] = [];
    let offset = 0;
    // Components found while copying are appended to `glyphs`, so iterate by index.
    for (let i = 0; i < this.glyphs.length; i++) {
      const data = this.font.glyph(this.glyphs[i]);
      let bytes = data.bytes;
      if (data.components.length > 0) {
        // A copy: the component ids are renumbered for this subset, the font file stays as it is.
        bytes = new Uint8Array(bytes);
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        for (const c of data.components) view.setUint16(c.at, this.includeGlyph(c.gid));
      }
      offsets.push(offset);
      glyfParts.push(bytes);
      offset += bytes.length;
      const pad = (4 - (bytes.length % 4)) % 4;
      if (pad) {
        glyfParts.push(new Uint8Array(pad));
        offset += pad;
      }
    }
    offsets.push(offset);
    const count = this.glyphs.length;

    const glyf = concat(glyfParts, offset);
    const loca = new Uint8Array(4 * (count + 1));
    const locaView = new DataView(loca.buffer);
    offsets.forEach((o, i) => locaView.setUint32(4 * i, o));
    const hmtx = new Uint8Array(4 * count);
    const hmtxView = new DataView(hmtx.buffer);
    this.glyphs.forEach((gid, i) => {
      const m = this.font.metrics(gid);
      hmtxView.setUint16(4 * i, m.advance);
      hmtxView.setInt16(4 * i + 2, m.lsb);
    });
    const head = this.font.rawTable('head').slice();
    const headView = new DataView(head.buffer);
    headView.setUint32(8, 0); // checkSumAdjustment: 0 while checksumming, set over the whole file at the end
    headView.setInt16(50, 1); // indexToLocFormat: long offsets
    const hhea = this.font.rawTable('hhea').slice();
    new DataView(hhea.buffer).setUint16(34, count);
    const maxp = this.font.rawTable('maxp').slice();
    new DataView(maxp.buffer).setUint16(4, count);

    const tables = [
      ...this.font.verbatimTables(),
      { tag: 'glyf', bytes: glyf },
      { tag: 'head', bytes: head },
      { tag: 'hhea', bytes: hhea },
      { tag: 'hmtx', bytes: hmtx },
      { tag: 'loca', bytes: loca },
      { tag: 'maxp', bytes: maxp },
    ].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
    return writeSfnt(tables);
  }
}

function writeSfnt(tables: { tag: string; bytes: Uint8Array }[]): Uint8Array {
  const n = tables.length;
  const dirSize = 12 + 16 * n;
  let size = dirSize;
  for (const t of tables) size += align4(t.bytes.length);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const entrySelector = Math.floor(Math.log2(n));
  const searchRange = 2 ** entrySelector * 16;
  view.setUint32(0, 0x00010000);
  view.setUint16(4, n);
  view.setUint16(6, searchRange);
  view.setUint16(8, entrySelector);
  view.setUint16(10, n * 16 - searchRange);
  let at = dirSize;
  let headAt = -1;
  tables.forEach((t, i) => {
    const rec = 12 + 16 * i;
    for (let k = 0; k < 4; k++) out[rec + k] = t.tag.charCodeAt(k);
    view.setUint32(rec + 4, checksum(t.bytes));
    view.setUint32(rec + 8, at);
    view.setUint32(rec + 12, t.bytes.length);
    out.set(t.bytes, at);
    if (t.tag === 'head') headAt = at;
    at += align4(t.bytes.length);
  });
  if (headAt >= 0) {
    view.setUint32(headAt + 8, (0xb1b0afba - checksum(out)) >>> 0);
  }
  return out;
}

function checksum(bytes: Uint8Array): number {
  let sum = 0;
  const whole = bytes.length & ~3;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < whole; i += 4) sum = (sum + view.getUint32(i)) >>> 0;
  if (whole < bytes.length) {
    let last = 0;
    for (let i = whole; i < whole + 4; i++) last = (last << 8) | (i < bytes.length ? bytes[i] : 0);
    sum = (sum + (last >>> 0)) >>> 0;
  }
  return sum;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
