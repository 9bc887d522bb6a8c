/**
 * Console flows of /send as the case officer: the control step for two recipients (one with a
 * digital mailbox, one without), a letter with a PDF attachment whose preview says digital and which
 * is delivered, a letter with a postal address whose preview says paper and which is posted, and
 * the API's field error next to "Ärendemening".
 */
import type { Page } from 'playwright-core';
import { tinyPdf } from '../support/api-helpers';
import { checkPage, ConsoleFlows } from './context';

/** Reachable at the Kivra-like operator in the demo register. */
const REACHABLE = '198101032384';
/** Type Not in FaR: goes to print. */
const NOT_REGISTERED = '201001012382';
const LETTER_URL = /\/letters\/[0-9a-f-]{36}$/;

/** The error text shown with a labelled field (the ui.tsx field frame). */
const fieldError = (page: Page, label: string) => page.locator('.field', { has: page.getByLabel(label, { exact: false }) }).locator('.error-text');

async function openSend(page: Page): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: 'Skicka', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Skicka' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Skriv brev' }).waitFor();
}

/** Waits until the letter page's status (the letters area's contract) shows `status`. */
async function waitForStatus(page: Page, status: string): Promise<void> {
  await page.locator('#letter-status').filter({ hasText: status }).waitFor({ timeout: 90_000 });
}

export const sendFlows: ConsoleFlows = (ctx) => {
  describe('send', () => {
    const stamp = `s${Date.now().toString(36)}`; // one per flow file: the files share one database

    it('checks reachability for two recipients and shows both answers', async () => {
      const page = await ctx().login('handlaggare');
      await openSend(page);
      await checkPage(page, 'send-empty');
      // A bad line is named before anything is asked.
      await page.getByLabel('Personnummer eller samordningsnummer (ett per rad)').fill(`${REACHABLE}\n19810103238`);
      await page.getByRole('button', { name: 'Kontrollera', exact: true }).click();
      await fieldError(page, 'Personnummer eller samordningsnummer (ett per rad)').filter({ hasText: 'rad 2 (19810103238)' }).waitFor();
      await checkPage(page, 'send-check-bad-line');

      await page.getByLabel('Personnummer eller samordningsnummer (ett per rad)').fill(`${REACHABLE}\n${NOT_REGISTERED}`);
      await page.getByRole('button', { name: 'Kontrollera', exact: true }).click();
      const table = page.getByRole('table', { name: 'Svar från FaR per mottagare' });
      await table.waitFor();
      const rows = table.getByRole('row');
      expect(await rows.count()).toBe(3);
      const reachable = rows.filter({ hasText: '19810103-2384' });
      expect(await reachable.getByRole('cell').nth(0).textContent()).toBe('Ja');
      expect(await reachable.getByRole('cell').nth(1).textContent()).toMatch(/Kivra/);
      const paper = rows.filter({ hasText: '20100101-2382' });
      expect(await paper.getByRole('cell').nth(0).textContent()).toBe('Nej');
      expect(await paper.getByRole('cell').nth(2).textContent()).toBe('Mottagaren har ingen digital brevlåda.');
      expect(await page.getByRole('list', { name: 'Sammanfattning' }).textContent()).toBe('2 kontrollerade1 kan ta emot digital post1 kan inte ta emot digital post');
      await checkPage(page, 'send-check-result');
      await page.context().close();
    });

    it('sends a letter with an attachment to a recipient with a mailbox: the preview says digital, and it is delivered', async () => {
      const page = await ctx().login('handlaggare');
      await openSend(page);
      await page.getByLabel('Personnummer eller samordningsnummer (ett per rad)').fill(REACHABLE);
      await page.getByRole('button', { name: 'Kontrollera', exact: true }).click();
      // "Skicka brev" on the reachable row starts the letter to that recipient.
      await page.getByRole('link', { name: 'Skicka brev till 19810103-2384' }).click();
      const recipient = page.getByLabel('Mottagare');
      expect(await recipient.inputValue()).toBe(REACHABLE);
      // Focus moves to the form, where the officer goes on writing.
      await page.waitForFunction(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id === 'send-recipient');

      const subject = `Beslut om bygglov ${stamp}`;
      await page.getByLabel('Skyddsklass').selectOption('2');
      await page.getByLabel('Ärendemening').fill(subject);
      await page.getByLabel('Brevtext').fill('Hej!\n\nNi har beviljats bygglov. Beslutet finns som bilaga.');
      await page.getByLabel('Diarienummer').fill(`BN 2026-${stamp}`);
      await page.getByLabel('Bilagor (PDF)').setInputFiles({ name: 'beslut.pdf', mimeType: 'application/pdf', buffer: tinyPdf('beslut') });
      await page.getByRole('list', { name: 'Valda bilagor' }).getByRole('button', { name: 'Ta bort beslut.pdf' }).waitFor();

      await page.getByRole('button', { name: 'Förhandsgranska kanal' }).click();
      const panel = page.getByRole('status', { name: 'Så skickas brevet' });
      await panel.getByText('Brevet skickas till mottagarens digitala brevlåda.').waitFor();
      expect(await panel.textContent()).toMatch(/Digitalt.*Kivra/);
      await checkPage(page, 'send-preview-digital');

      // A double click sends one letter (one idempotency key per draft; the button waits for the answer).
      await page.getByRole('button', { name: 'Skicka brevet' }).dblclick();
      await page.waitForURL(LETTER_URL);
      const id = new URL(page.url()).pathname.split('/').pop()!;
      const stored = await ctx().stack.hub.ownerQuery<{ id: string; attachments: number; protection_class: number; recipient_id: string }>(
        `select l.id, l.protection_class, l.recipient_id, (select count(*)::int from letter_attachment a where a.letter_id = l.id) as attachments from letter l where l.subject = $1`,
        [subject],
      );
      expect(stored).toEqual([{ id, attachments: 1, protection_class: 2, recipient_id: REACHABLE }]);
      await waitForStatus(page, 'Levererat');
      await checkPage(page, 'send-letter-delivered');
      await page.context().close();
    });

    it('sends a letter with a postal address to a recipient without a mailbox: the preview says paper, and it is posted', async () => {
      const page = await ctx().login('handlaggare');
      await openSend(page);
      const subject = `Påminnelse om avgift ${stamp}`;
      await page.getByLabel('Mottagare').fill(NOT_REGISTERED);
      await page.getByLabel('Skyddsklass').selectOption('1');
      await page.getByLabel('Ärendemening').fill(subject);
      await page.getByLabel('Brevtext').fill('Hej!\n\nDetta är en påminnelse om avgiften för ert ärende.');
      await page.getByLabel('Namn', { exact: true }).fill('Bo Berg');
      await page.getByLabel('Adressrad 1').fill('Storgatan 1');
      await page.getByLabel('Adressrad 2').fill('Lgh 1101');
      await page.getByLabel('Postnummer').fill('123 45');
      await page.getByLabel('Ort', { exact: true }).fill('Demostad');

      await page.getByRole('button', { name: 'Förhandsgranska kanal' }).click();
      const panel = page.getByRole('status', { name: 'Så skickas brevet' });
      await panel.getByText('Brevet skrivs ut och skickas med post.').waitFor();
      expect(await panel.textContent()).toContain('Mottagaren har ingen digital brevlåda.');
      await checkPage(page, 'send-preview-print');
      // Changing what decides the channel makes the answer stale until it is asked again.
      await page.getByLabel('Postnummer').fill('123 46');
      await panel.getByText(/Uppgifterna har ändrats sedan förhandsgranskningen/).waitFor();

      await page.getByRole('button', { name: 'Skicka brevet' }).click();
      await page.waitForURL(LETTER_URL);
      await waitForStatus(page, 'Postat');
      await checkPage(page, 'send-letter-posted');
      await page.context().close();
    });

    it('previews a letter that would be held (no address) or could not be delivered (digital only)', async () => {
      const page = await ctx().login('handlaggare');
      await openSend(page);
      await page.getByLabel('Mottagare').fill(NOT_REGISTERED);
      await page.getByLabel('Skyddsklass').selectOption('1');
      const panel = page.getByRole('status', { name: 'Så skickas brevet' });
      await page.getByRole('button', { name: 'Förhandsgranska kanal' }).click();
      await panel.getByText('Brevet pausas och väntar på manuell hantering.').waitFor();
      expect(await panel.textContent()).toContain('Det finns ingen postadress att skriva ut brevet med');
      expect(await panel.textContent()).toContain('Regeln för brev utan postadress (missingAddressRule)');
      await checkPage(page, 'send-preview-held');
      await page.getByLabel('Kanal', { exact: true }).selectOption('DIGITAL_ONLY');
      await page.getByRole('button', { name: 'Förhandsgranska kanal' }).click();
      await panel.getByText('Brevet kan varken skickas digitalt eller på papper.').waitFor();
      expect(await panel.textContent()).toContain('Brevet får bara skickas digitalt');
      await checkPage(page, 'send-preview-undeliverable');
      await page.context().close();
    });

    it('shows the API’s field error next to "Ärendemening" for a personnummer in the subject, and sends nothing', async () => {
      const page = await ctx().login('handlaggare');
      await openSend(page);
      const subject = `Beslut för ${REACHABLE} ${stamp}`;
      await page.getByLabel('Mottagare').fill(REACHABLE);
      await page.getByLabel('Skyddsklass').selectOption('1');
      await page.getByLabel('Ärendemening').fill(subject);
      await page.getByLabel('Brevtext').fill('Hej!');
      await page.getByRole('button', { name: 'Skicka brevet' }).click();
      await fieldError(page, 'Ärendemening').filter({ hasText: /personnummer/ }).waitFor();
      expect(await page.getByLabel('Ärendemening').getAttribute('aria-invalid')).toBe('true');
      expect(new URL(page.url()).pathname).toBe('/send');
      expect(await ctx().stack.hub.ownerQuery(`select id from letter where subject = $1`, [subject])).toEqual([]);
      await checkPage(page, 'send-subject-error');
      await page.context().close();
    });
  });
};
