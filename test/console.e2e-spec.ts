/**
 * The web console in Debian's Chromium against the real stack (`npm run build` first): one stack
 * and one browser for every flow file under test/console/. Screenshots of each page are kept in
 * test-artifacts/console/; axe-core checks every page for serious and critical WCAG 2.1 AA violations.
 */
import type { Browser, Page } from 'playwright-core';
import { ConsoleTestContext, DemoUser } from './console/context';
import { lettersFlows } from './console/letters.flows';
import { platformFlows } from './console/platform.flows';
import { sendFlows } from './console/send.flows';
import { settingsCoreFlows } from './console/settings-core.flows';
import { settingsIntegrationsFlows } from './console/settings-integrations.flows';
import { shellFlows } from './console/shell.flows';
import { launchBrowser, loginToConsole } from './support/console-browser';
import { ConsoleStack, startConsoleStack } from './support/console-stack';

jest.setTimeout(120_000);

let stack: ConsoleStack | undefined;
let browser: Browser | undefined;
const pages: Page[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startConsoleStack('console-e2e'), launchBrowser()]);
}, 180_000);

afterAll(async () => {
  await Promise.all(pages.map((p) => p.context().close().catch(() => undefined)));
  await browser?.close();
  await stack?.stop();
}, 60_000);

const ctx = (): ConsoleTestContext => ({
  stack: stack!,
  browser: browser!,
  async login(user: DemoUser, lang: 'sv' | 'en' = 'sv') {
    const page = await loginToConsole(browser!, stack!.baseUrl, user, 'demo', lang);
    pages.push(page);
    return page;
  },
});

shellFlows(ctx);
lettersFlows(ctx);
sendFlows(ctx);
settingsCoreFlows(ctx);
settingsIntegrationsFlows(ctx);
platformFlows(ctx);
