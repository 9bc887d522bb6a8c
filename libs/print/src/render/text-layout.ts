import { TrueTypeFont } from './truetype-font';

/** NFC (å as one character, not a + ring), CRLF to LF, tabs to spaces, other control characters dropped. */
export function cleanText(s: string): string {
  return s
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    // Matching control characters is the point here.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b\u2028\u2029\ufeff]/g, '');
}

/** Paragraphs of a plain-text body: blank lines separate them; a single line break stays a line break. */
export function paragraphs(body: string): string[][] {
  return cleanText(body)
    .split(/\n[ \u00a0]*\n+/)
    .map((p) => p.split('\n').map((l) => l.replace(/[ \u00a0]+$/u, '')))
    .filter((p) => p.some((l) => l.trim() !== ''));
}

export interface MeasuredLine {
  text: string;
  /** Points at the size the line was wrapped for. */
  width: number;
}

/**
 * Greedy line breaking at spaces within `maxWidth` points; a word longer than a line is cut between
 * characters (a long URL or reference must still stay inside the printable area).
 */
export function wrap(font: TrueTypeFont, sizePt: number, text: string, maxWidth: number): MeasuredLine[] {
  const lines: MeasuredLine[] = [];
  const space = font.widthOf(' ', sizePt);
  const words = text.split(' ');
  let line = '';
  let width = 0;
  const flush = () => {
    lines.push({ text: line, width });
    line = '';
    width = 0;
  };
  for (const word of words) {
    if (word === '') continue;
    const w = font.widthOf(word, sizePt);
    if (line !== '' && width + space + w <= maxWidth) {
      line += ` ${word}`;
      width += space + w;
      continue;
    }
    if (line !== '') flush();
    if (w <= maxWidth) {
      line = word;
      width = w;
      continue;
    }
    for (const ch of word) {
      const cw = font.widthOf(ch, sizePt);
      if (line !== '' && width + cw > maxWidth) flush();
      line += ch;
      width += cw;
    }
  }
  if (line !== '' || lines.length === 0) flush();
  return lines;
}
