/** What every console flow file gets: the running stack, a browser, and a login per demo user. */
import type { Browser, Page } from 'playwright-core';
import { expectAccessible, loginToConsole, screenshot } from '../support/console-browser';
import type { ConsoleStack } from '../support/console-stack';

export type DemoUser = 'handlaggare' | 'admin' | 'plattform';

export interface ConsoleTestContext {
  stack: ConsoleStack;
  browser: Browser;
  /** A fresh browser context logged in as the user (closed after the test file). */
  login(user: DemoUser, lang?: 'sv' | 'en'): Promise<Page>;
}

/** A flow file registers its tests (describe/it) with a getter for the context that beforeAll fills. */
export type ConsoleFlows = (ctx: () => ConsoleTestContext) => void;

/** Screenshot (kept as an artifact) and axe check of the page as it is now. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  await expectAccessible(page, name);
}

export { loginToConsole };
