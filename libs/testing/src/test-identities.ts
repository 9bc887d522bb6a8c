import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO_PACKAGE_NAME = 'dispatch-hub';

function findRepoRoot(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        const { name } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: unknown };
        if (name === REPO_PACKAGE_NAME) return dir;
      } catch {
        // Some other package.json (a fixture, a half-written file): keep walking up.
      }
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`no package.json named "${REPO_PACKAGE_NAME}" above ${start}: cannot find testdata/`);
    }
  }
}

function readNumbers(prefix: string): string[] {
  const dir = path.join(findRepoRoot(__dirname), 'testdata');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.csv'))
    .sort();
  if (files.length === 0) throw new Error(`no ${prefix}*.csv in ${dir}`);
  const numbers: string[] = [];
  for (const file of files) {
    const lines = fs.readFileSync(path.join(dir, file), 'utf8').split(/\r?\n/);
    lines.forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || (index === 0 && !/^\d/.test(line))) return;
      // A corrupt data file must fail loudly, not thin out the tests that iterate over it.
      if (!/^\d{12}$/.test(line)) {
        throw new Error(`${file}:${index + 1}: not a 12-digit number: ${JSON.stringify(line)}`);
      }
      numbers.push(line);
    });
  }
  return numbers;
}

let personnummer: string[] | undefined;
let samordningsnummer: string[] | undefined;

/**
 * Every testpersonnummer Skatteverket publishes (testdata/testpersonnummer-*.csv, 12 digits,
 * YYYYMMDDNNNN), in file order. These are never assigned to real people: use them wherever a test
 * needs a person.
 */
export function loadTestPersonnummer(): string[] {
  personnummer ??= readNumbers('testpersonnummer-');
  return [...personnummer];
}

/** Every test samordningsnummer (testdata/testsamordningsnummer-*.csv, 12 digits, day of birth + 60). */
export function loadTestSamordningsnummer(): string[] {
  samordningsnummer ??= readNumbers('testsamordningsnummer-');
  return [...samordningsnummer];
}

/** mulberry32: tiny, fast, and the same sequence on every platform for a given seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` distinct test personnummer, chosen pseudo-randomly but deterministically: the same `n` and
 * `seed` always give the same numbers in the same order.
 */
export function pickTestPersonnummer(n: number, seed = 1): string[] {
  const all = loadTestPersonnummer();
  if (!Number.isInteger(n) || n < 0 || n > all.length) {
    throw new RangeError(`n must be an integer from 0 to ${all.length}, got ${n}`);
  }
  const next = prng(seed);
  // Partial Fisher–Yates: only the first n positions need shuffling.
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(next() * (all.length - i));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, n);
}
