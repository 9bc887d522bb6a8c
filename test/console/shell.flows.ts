/** The console's frame: login per role, the menu each role gets, language, every page reachable and accessible. */
import { checkPage, ConsoleFlows, DemoUser } from './context';

const TENANT_PAGES = ['/', '/letters', '/send'];
const SETTINGS = ['units', 'case-types', 'rules', 'envelope', 'webhooks', 'diary', 'retention', 'api-clients', 'audit'].map((p) => `/settings/${p}`);
const PLATFORM = ['tenants', 'connections', 'print-vendors'].map((p) => `/platform/${p}`);
/** The menu each demo user gets (apps/console/src/routes.tsx), and a page of another role. */
const MENU: Record<DemoUser, { pages: string[]; forbidden: string }> = {
  handlaggare: { pages: TENANT_PAGES, forbidden: '/settings/case-types' },
  admin: { pages: [...TENANT_PAGES, ...SETTINGS], forbidden: '/platform/tenants' },
  plattform: { pages: PLATFORM, forbidden: '/settings/units' },
};

export const shellFlows: ConsoleFlows = (ctx) => {
  describe('shell', () => {
    it('serves the console and its login settings without a token', async () => {
      const { baseUrl, sims } = ctx().stack;
      const page = await fetch(`${baseUrl}/letters`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toContain('<div id="root">');
      const config = (await (await fetch(`${baseUrl}/console/config.json`)).json()) as Record<string, string>;
      expect(config).toMatchObject({ issuer: sims.oidcIssuer, clientId: 'dispatch-hub-console' });
      // API paths are not swallowed by the console's page fallback.
      expect((await fetch(`${baseUrl}/graphql`, { headers: { accept: 'text/html' } })).headers.get('content-type')).not.toContain('text/html');
    });

    it('shows the login page first, and it is accessible', async () => {
      const context = await ctx().browser.newContext({ baseURL: ctx().stack.baseUrl });
      const page = await context.newPage();
      await page.goto('/');
      await page.getByRole('button', { name: 'Logga in' }).waitFor();
      await checkPage(page, 'login');
      await context.close();
    });

    for (const user of ['handlaggare', 'admin', 'plattform'] as DemoUser[]) {
      it(`gives ${user} exactly the pages of the role, each one accessible`, async () => {
        const page = await ctx().login(user);
        const expected = MENU[user].pages;
        const links = await page.getByRole('navigation').getByRole('link').evaluateAll((as) => as.map((a) => new URL((a as unknown as { href: string }).href).pathname));
        expect(links.sort()).toEqual(expected.sort());
        for (const path of expected) {
          await page.getByRole('navigation').locator(`a[href="${path}"]`).click();
          await page.getByRole('heading', { level: 1 }).waitFor();
          await page.waitForLoadState('networkidle');
          await checkPage(page, `${user}${path === '/' ? '-overview' : path.replace(/\//g, '-')}`);
        }
        // A page of another role is refused in the console too (the API refuses it anyway).
        await page.goto(MENU[user].forbidden);
        await page.getByRole('heading', { level: 1, name: 'Du har inte behörighet till den här sidan.' }).waitFor();
        await page.context().close();
      });
    }

    it('switches to English and remembers it', async () => {
      const page = await ctx().login('admin');
      await page.getByLabel('Språk').selectOption('en');
      await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      await page.reload();
      await page.getByText('Logged in as Adam Admin').waitFor();
      await checkPage(page, 'admin-overview-en');
      await page.context().close();
    });

    it('logs out', async () => {
      const page = await ctx().login('handlaggare');
      await page.getByRole('button', { name: 'Logga ut' }).click();
      await page.waitForURL((u) => !u.pathname.includes('/session/end') || true);
      await page.goto('/');
      await page.getByRole('button', { name: 'Logga in' }).waitFor();
      await page.context().close();
    });
  });
};
