/**
 * Console flows of the platform pages as the platform admin (plattform): onboard a municipality
 * (field errors first, then the new one in the list), test the connections to FaR and the mailbox
 * operators (FaR answers), and register and change a print vendor (a field error, an inactive vendor
 * created, edited, and the refusal to activate it while municipalities rely on the only vendor).
 */
import type { Page } from 'playwright-core';
import { checkPage, ConsoleFlows } from './context';

/** The error text shown with a labelled field (the ui.tsx field frame). */
const fieldError = (page: Page, label: RegExp) => page.locator('.field', { has: page.getByLabel(label) }).locator('.error-text');

/** A Luhn-valid organisationsnummer of group 2 (municipalities), distinct per run. */
function orgNumber(seed: number): string {
  const nine = `212${String(seed % 1_000_000).padStart(6, '0')}`;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(nine[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return `${nine.slice(0, 6)}-${nine.slice(6)}${(10 - (sum % 10)) % 10}`;
}

async function open(page: Page, path: string, title: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: title, exact: true }).click();
  await page.waitForURL((u) => u.pathname === path);
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

export const platformFlows: ConsoleFlows = (ctx) => {
  describe('platform', () => {
    const stamp = Date.now();
    const suffix = stamp.toString(36);
    const vendorId = `flodtryck-${suffix}`;

    afterAll(async () => {
      // The vendor made here is inactive, but until the print path ignores inactive vendors a
      // second registered vendor would take the demo municipality's default vendor away from the
      // flows that run after these: remove it (nothing refers to it).
      await ctx().stack.hub.ownerQuery(`delete from print_vendor where id = $1`, [vendorId]);
    });

    it('onboards a municipality: field errors first, then it is listed', async () => {
      const page = await ctx().login('plattform');
      await open(page, '/platform/tenants', 'Kommuner');
      await page.getByRole('table', { name: /Kommuner \(\d+\)/ }).getByRole('row', { name: /Demo kommun/ }).waitFor();
      await checkPage(page, 'platform-tenants');

      await page.getByRole('button', { name: 'Ny kommun' }).click();
      const form = page.getByRole('form', { name: 'Ny kommun' });
      await form.getByLabel(/^Namn/).fill(`Flodby kommun ${suffix}`);
      expect(await form.getByLabel(/^Alias/).inputValue()).toBe(`flodby-kommun-${suffix}`);
      await form.getByLabel(/^Organisationsnummer/).fill('212000-1232');
      await form.getByLabel(/^Postnummer/).fill('12');
      await form.getByRole('button', { name: 'Lägg till kommunen' }).click();
      await form.getByRole('alert').filter({ hasText: 'Rätta de markerade fälten.' }).waitFor();
      await fieldError(page, /^Organisationsnummer/).filter({ hasText: 'check digit' }).waitFor();
      await fieldError(page, /^Kod/).filter({ hasText: 'is required' }).waitFor();
      await fieldError(page, /^Postnummer/).filter({ hasText: 'five digits' }).waitFor();
      await checkPage(page, 'platform-tenants-onboard-errors');

      const org = orgNumber(stamp);
      await form.getByLabel(/^Organisationsnummer/).fill(org);
      await form.getByLabel(/^Kod/).fill('bygg');
      await form.getByLabel(/^Avsändarens namn/).fill(`Flodby kommun ${suffix}, Byggnadsnämnden`);
      await form.getByLabel(/^Avsändarens organisationsnummer/).fill(org);
      await form.getByLabel(/^Returadress/).fill('Byggförvaltningen\nBox 12');
      await form.getByLabel(/^Postnummer/).fill('891 23');
      await form.getByLabel(/^Ort/).fill('Flodby');
      await form.getByLabel(/^Tidsgräns för digital leverans/).fill('48');
      await form.getByLabel('Brev till utskrift som saknar postadress').selectOption('UNDELIVERABLE');
      await form.getByRole('button', { name: 'Lägg till kommunen' }).click();
      await page.getByRole('status').filter({ hasText: `Flodby kommun ${suffix} är tillagd.` }).waitFor();
      expect(await page.getByRole('status').filter({ hasText: 'är tillagd' }).textContent()).toContain(`flodby-kommun-${suffix}`);
      const row = page.getByRole('table', { name: /Kommuner \(\d+\)/ }).getByRole('row', { name: new RegExp(`Flodby kommun ${suffix}`) });
      await row.waitFor();
      expect(await row.textContent()).toContain(org);
      expect(await row.getByRole('cell').nth(2).textContent()).toBe('1');
      await checkPage(page, 'platform-tenants-onboarded');

      const [stored] = await ctx().stack.hub.ownerQuery<{ settings: Record<string, unknown>; units: string }>(
        `select settings, (select count(*) from sending_unit u where u.tenant_id = t.id) as units from tenant t where alias = $1`,
        [`flodby-kommun-${suffix}`],
      );
      expect(stored).toEqual({ settings: expect.objectContaining({ deadlineHours: 48, missingAddressRule: 'UNDELIVERABLE', printAllowed: true }), units: '1' });
      await page.context().close();
    });

    it('shows the connection settings and tests the connections: FaR answers', async () => {
      const page = await ctx().login('plattform');
      await open(page, '/platform/connections', 'FaR och brevlådeoperatörer');
      const settings = page.getByRole('region', { name: 'Inställningar' });
      await settings.getByText('FAR_URL').waitFor();
      await settings.getByText(/kan inte ändras här/).waitFor();
      await page.getByRole('region', { name: 'Förmedlarcertifikat' }).getByText('559123-4561').waitFor();
      await checkPage(page, 'platform-connections');

      await page.getByRole('button', { name: 'Testa anslutningen' }).click();
      const results = page.getByRole('table', { name: 'Resultat per anslutning' });
      await results.waitFor({ timeout: 60_000 });
      const far = results.getByRole('row', { name: /FaR/ }).first();
      expect(await far.getByRole('cell').nth(0).textContent()).toBe('Fungerar');
      expect(await far.textContent()).toContain('FaR svarade att testpersonen 198101032384 kan ta emot digital post');
      // The summary says how many work (other flows may have left faults in the simulators' operators).
      await page.getByRole('status').filter({ hasText: /Alla anslutningar fungerar\.|anslutningar fungerar inte\./ }).waitFor();
      expect(await results.getByRole('row').count()).toBeGreaterThanOrEqual(2);
      await checkPage(page, 'platform-connections-checked');
      await page.context().close();
    });

    it('registers a print vendor, changes it, and refuses to activate it while municipalities use the only one', async () => {
      const page = await ctx().login('plattform');
      await open(page, '/platform/print-vendors', 'Tryckerier');
      const table = page.getByRole('table', { name: /Tryckerier \(\d+\)/ });
      await table.getByRole('row', { name: /demo-print/ }).waitFor();
      await page.getByRole('region', { name: 'Omgångar som inte kvitterats i tid' }).waitFor();
      await checkPage(page, 'platform-print-vendors');

      await page.getByRole('button', { name: 'Nytt tryckeri' }).click();
      const form = page.getByRole('form', { name: 'Nytt tryckeri' });
      await form.getByLabel(/^Id/).fill(vendorId);
      await form.getByLabel(/^Namn/).fill(`Flodtryck AB ${suffix}`);
      await form.getByLabel(/^Klient-id/).fill(`${vendorId}-client`);
      await form.getByLabel(/^Brytpunkter/).fill('10:00, 25:00');
      expect(await form.getByLabel('Aktivt: får brev').isChecked()).toBe(false);
      await form.getByRole('button', { name: 'Spara' }).click();
      await fieldError(page, /^Brytpunkter/).filter({ hasText: '25:00' }).waitFor();
      await checkPage(page, 'platform-print-vendor-error');

      await form.getByLabel(/^Brytpunkter/).fill('10:00, 14:30');
      await form.getByRole('button', { name: 'Spara' }).click();
      await page.getByRole('status').filter({ hasText: `Flodtryck AB ${suffix} är registrerat.` }).waitFor();
      const row = table.getByRole('row', { name: new RegExp(vendorId) });
      await row.waitFor();
      expect(await row.textContent()).toContain('Inaktivt');
      expect(await row.textContent()).toContain('10:00, 14:30');

      await page.getByRole('button', { name: `Ändra Flodtryck AB ${suffix}` }).click();
      const edit = page.getByRole('form', { name: `Ändra Flodtryck AB ${suffix}` });
      await edit.getByLabel(/^Längsta väntan/).fill('3600');
      await edit.getByLabel('Första klass').uncheck();
      await edit.getByRole('button', { name: 'Spara' }).click();
      await page.getByRole('status').filter({ hasText: `Ändringarna i Flodtryck AB ${suffix} är sparade.` }).waitFor();
      // The list is read again after the save.
      await row.filter({ hasText: /3\s600 s/ }).waitFor();
      expect(await row.getByRole('cell').nth(1).textContent()).toBe('Ekonomi');
      await checkPage(page, 'platform-print-vendor-saved');

      await page.getByRole('button', { name: `Ändra Flodtryck AB ${suffix}` }).click();
      await edit.getByLabel('Aktivt: får brev').check();
      await edit.getByRole('button', { name: 'Spara' }).click();
      await edit.locator('#vendor-active-error').filter({ hasText: /name no print vendor/ }).waitFor();
      await checkPage(page, 'platform-print-vendor-activate-refused');
      expect(await row.textContent()).toContain('Inaktivt');
      await page.context().close();
    });
  });
};
