import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TrueTypeFont } from './truetype-font';

/** DejaVu Sans regular and bold: Latin with å ä ö é and most of the world's scripts; free licence. */
export interface LetterFonts {
  regular: TrueTypeFont;
  bold: TrueTypeFont;
}

let fonts: LetterFonts | undefined;

/** The letter fonts, read from the dejavu-fonts-ttf package and parsed once per process. */
export function letterFonts(): LetterFonts {
  if (!fonts) {
    const dir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    fonts = {
      regular: new TrueTypeFont(readFileSync(join(dir, 'DejaVuSans.ttf')), 'DejaVuSans'),
      bold: new TrueTypeFont(readFileSync(join(dir, 'DejaVuSans-Bold.ttf')), 'DejaVuSans-Bold'),
    };
  }
  return fonts;
}
