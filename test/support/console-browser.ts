/**
 * The web console in a real browser for tests: Debian's Chromium driven by playwright-core (it
 * cannot download its own browser here), login through the identity provider's real form
 * (Authorization Code + PKCE), axe-core checks (WCAG 2.1 A/AA) and screenshots kept as artifacts
 * under test-artifacts/console/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { ROOT } from './hub-database';

/** Where screenshots go (CI keeps the directory as the run's artifacts). */
export const CONSOLE_ARTIFACTS = process.env.CONSOLE_ARTIFACTS_DIR ?? join(ROOT, 'test-artifacts', 'console');

const CHROMIUM_CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((p): p is string => !!p);

export function chromiumPath(): string {
  const found = CHROMIUM_CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error(`No Chromium found (looked at ${CHROMIUM_CANDIDATES.join(', ')}); install Debian's chromium package (.ci/run does) or set CHROMIUM_PATH.`);
  return found;
}

/** Headless Chromium with the flags this machine needs (no sandbox as root, no background network). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/**
 * Opens the console at `baseUrl`, clicks "Logga in", fills the identity provider's form and waits
 * until the console shows who is logged in. Returns the page (a fresh context per user).
 */
export async function loginToConsole(browser: Browser, baseUrl: string, username: string, password = 'demo', lang: 'sv' | 'en' = 'sv'): Promise<Page> {
  const context = await browser.newContext({ baseURL: baseUrl, locale: lang === 'sv' ? 'sv-SE' : 'en-GB', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  if (lang === 'en') await page.addInitScript(() => localStorage.setItem('hub.console.lang', 'en'));
  await page.goto('/');
  await page.getByRole('button', { name: lang === 'sv' ? 'Logga in' : 'Log in' }).click();
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('form button, form input[type="submit"]').first().click();
  await page.getByText(lang === 'sv' ? 'Inloggad som' : 'Logged in as').waitFor({ timeout: 15_000 });
  return page;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

let axeSource: string | undefined;

/** Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page; returns the serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axeSource); // through the DevTools protocol: the console's CSP (script-src 'self') stays on
  const result = await page.evaluate(async () => {
    // Runs in the page (DOM types are not in the test's TypeScript program).
    const g = globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> }; document: unknown };
    return g.axe.run(g.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
}

/** Fails with the violations listed when axe finds a serious or critical one. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const violations = await seriousAxeViolations(page);
  if (violations.length) {
    throw new Error(`${what}: axe found ${violations.length} serious/critical WCAG violation(s):\n${JSON.stringify(violations, null, 2)}`);
  }
}

/** Saves a full-page screenshot as test-artifacts/console/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(CONSOLE_ARTIFACTS, { recursive: true });
  const file = join(CONSOLE_ARTIFACTS, `${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Navigates inside the console by its menu link (as a user would) and waits for the page heading. */
export async function openFromMenu(page: Page, linkName: string | RegExp): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: linkName, exact: typeof linkName === 'string' }).click();
  await page.getByRole('heading', { level: 1 }).waitFor();
}
