import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { translate } from './i18n';
import { MESSAGES } from './messages';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) && !/\.spec\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe('console messages', () => {
  it('has every key in Swedish and in English', () => {
    const sv = Object.keys(MESSAGES.sv).sort();
    const en = Object.keys(MESSAGES.en).sort();
    expect(sv.filter((k) => !en.includes(k))).toEqual([]);
    expect(en.filter((k) => !sv.includes(k))).toEqual([]);
    expect(Object.entries(MESSAGES.sv).filter(([, v]) => !v.trim())).toEqual([]);
  });

  it('knows every literal key the code passes to t()', () => {
    const used = new Set<string>();
    for (const file of sources(join(__dirname, '..'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'/g)) used.add(m[1]);
    }
    expect([...used].filter((k) => !(k in MESSAGES.sv)).sort()).toEqual([]);
  });

  it('fills placeholders and falls back to the key', () => {
    expect(translate('en', 'app.loggedInAs', { name: 'Adam' })).toBe('Logged in as Adam');
    expect(translate('sv', 'no.such.key')).toBe('no.such.key');
  });
});
