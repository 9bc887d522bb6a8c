/**
 * Console flows of the letters pages and the overview, against the real stack: a case system's letter
 * found by a search and followed to "Levererat" with its operator and TransId, its PDF shown; a search
 * exported as CSV (read back with the strict RFC 4180 reader) and as JSON Lines, compared with the
 * search; a held letter cancelled; a held letter released to print with an address, reaching "Postat";
 * an undeliverable letter resent; and the overview's counts compared with the database.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { parseCsv } from '@hub/testing';
import { checkPage, ConsoleFlows, ConsoleTestContext } from './context';

/** Reachable at the Kivra-like operator in the demo register. */
const REACHABLE = '198101032384';
/** Type Not in FaR: goes to print (or, digital only, nowhere). */
const NOT_REGISTERED = '201001012382';
const ADDRESS = { name: 'Test Testsson', lines: ['Storgatan 1'], postalCode: '123 45', city: 'Demostad' };

async function submit(ctx: ConsoleTestContext, input: Record<string, unknown>): Promise<string> {
  const token = await ctx.stack.clientToken('demo-case-system');
  const res = await fetch(ctx.stack.api.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: 'mutation($input: LetterInput!) { submitLetter(input: $input) { id } }', variables: { input } }),
  });
  const body = (await res.json()) as { data?: { submitLetter: { id: string } }; errors?: unknown[] };
  if (!body.data) throw new Error(`submitLetter failed: ${JSON.stringify(body.errors)}`);
  return body.data.submitLetter.id;
}

/** The letter page's state (the contract: <p id="letter-status"> with the badge) shows `status`. */
async function waitForStatus(page: Page, status: string, timeout = 90_000): Promise<void> {
  await page.locator('#letter-status').filter({ hasText: status }).waitFor({ timeout });
}

async function openLetter(page: Page, id: string): Promise<void> {
  await page.goto(`/letters/${id}`);
  await page.locator('#letter-status').waitFor();
}

/** The value shown for a term of a Facts list. */
const fact = (page: Page, term: string) => page.locator('dl.facts > div', { has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) }).locator('dd');

/** The whole number of an overview figure card. */
async function figure(page: Page, label: string): Promise<number> {
  const text = await page.locator('li.figure', { has: page.locator('.figure-label', { hasText: new RegExp(`^${label}$`) }) }).locator('.stat').textContent();
  return Number((text ?? '').replace(/\D/g, ''));
}

export const lettersFlows: ConsoleFlows = (ctx) => {
  describe('letters', () => {
    const stamp = `l${Date.now().toString(36)}`; // one per flow file: the files share one database

    it('finds a case system\'s letter in the search, follows it to "Levererat" with operator and TransId, and shows its PDF', async () => {
      const reference = `BN E2E-${stamp}-1`;
      const subject = `Beslut om bygglov ${stamp}`;
      const id = await submit(ctx(), { recipient: REACHABLE, subject, caseReference: reference, body: { text: 'Hej!\n\nNi har beviljats bygglov.' }, protectionClass: 1 });
      const page = await ctx().login('handlaggare');
      await page.getByRole('navigation').getByRole('link', { name: 'Brev', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Brev' }).waitFor();
      await page.getByLabel('Diarienummer').fill(reference);
      await page.getByRole('button', { name: 'Sök', exact: true }).click();
      await page.waitForURL((u) => u.searchParams.get('caseReference') === reference);
      const table = page.getByRole('table', { name: 'Brev som matchar sökningen, nyast först' });
      const row = table.getByRole('row').filter({ hasText: subject });
      await row.waitFor();
      expect(await table.getByRole('row').count()).toBe(2);
      // The recipient is masked until the row is opened.
      expect(await row.textContent()).toContain('19810103-XXXX');
      await checkPage(page, 'letters-search');

      await row.getByRole('link', { name: subject }).click();
      await page.waitForURL(`**/letters/${id}`);
      await page.getByRole('heading', { level: 1, name: subject }).waitFor();
      await waitForStatus(page, 'Levererat');
      await fact(page, 'Brevlådeoperatör').filter({ hasText: 'Kivra' }).waitFor();
      expect((await fact(page, 'Kvitto \\(TransId\\)').textContent())?.trim()).toMatch(/\S{4,}/);
      expect(await fact(page, 'Mottagare').textContent()).toContain('19810103-2384');
      const history = page.getByRole('region', { name: 'Händelser' });
      await history.getByText('Levererat till den digitala brevlådan').waitFor();
      await checkPage(page, 'letter-delivered');

      const pdf = page.waitForResponse((r) => r.url().endsWith(`/console/v1/letters/${id}/pdf`));
      await page.getByRole('button', { name: 'Visa PDF' }).click();
      const response = await pdf;
      expect(response.status()).toBe(200);
      expect(response.headers()['content-type']).toBe('application/pdf');
      expect(response.headers()['x-letter-pdf']).toBe('RENDITION');
      // The bytes themselves, fetched the way the page does (the session's token from sessionStorage).
      const head = await page.evaluate(async (path) => {
        const g = globalThis as unknown as { sessionStorage: { getItem(k: string): string | null }; fetch: typeof fetch };
        const { accessToken } = JSON.parse(g.sessionStorage.getItem('hub.console.tokens') ?? '{}') as { accessToken: string };
        const bytes = new Uint8Array(await (await g.fetch(path, { headers: { authorization: `Bearer ${accessToken}` } })).arrayBuffer());
        return String.fromCharCode(...bytes.slice(0, 5));
      }, `/console/v1/letters/${id}/pdf`);
      expect(head).toBe('%PDF-');
      await page.locator('iframe.pdf[title="Brevet som PDF"]').waitFor();
      await page.getByText('Visar en återgivning av brevet.').waitFor();
      await checkPage(page, 'letter-pdf');

      // Back returns to the same search.
      await page.goBack();
      await page.waitForURL((u) => u.pathname === '/letters' && u.searchParams.get('caseReference') === reference);
      expect(await page.getByLabel('Diarienummer').inputValue()).toBe(reference);
      await page.context().close();
    });

    it('exports the current search as CSV and JSON Lines, with the same letters as the search', async () => {
      const reference = `BN E2E-${stamp}-2`;
      const ids = [];
      for (const n of [1, 2, 3]) ids.push(await submit(ctx(), { recipient: REACHABLE, subject: `Kallelse ${n} ${stamp}`, caseReference: reference, body: { text: 'Välkommen.' }, protectionClass: 1 }));
      const page = await ctx().login('admin');
      await page.goto(`/letters?caseReference=${encodeURIComponent(reference)}`);
      const table = page.getByRole('table', { name: 'Brev som matchar sökningen, nyast först' });
      await table.getByRole('row').nth(3).waitFor();
      const shown = await table.getByRole('link').evaluateAll((as) => as.map((a) => new URL((a as unknown as { href: string }).href).pathname.split('/').pop()));
      expect([...shown].sort()).toEqual([...ids].sort());

      const csvDownload = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Exportera CSV' }).click();
      const csvFile = join(tmpdir(), `letters-${stamp}.csv`);
      await (await csvDownload).saveAs(csvFile);
      const [header, ...rows] = parseCsv(readFileSync(csvFile, 'utf8'));
      expect(header.slice(0, 4)).toEqual(['letterId', 'createdAt', 'dispatchedAt', 'recipient']);
      const col = (name: string) => header.indexOf(name);
      // The same letters as the search shows (the export runs oldest first, the list newest first).
      expect(rows.map((r) => r[col('letterId')])).toEqual([...shown].reverse());
      expect(new Set(rows.map((r) => r[col('caseReference')]))).toEqual(new Set([reference]));
      expect(rows.map((r) => r[col('recipient')])).toEqual([REACHABLE, REACHABLE, REACHABLE]);

      const jsonlDownload = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Exportera JSON Lines' }).click();
      const jsonlFile = join(tmpdir(), `letters-${stamp}.jsonl`);
      await (await jsonlDownload).saveAs(jsonlFile);
      const lines = readFileSync(jsonlFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { letterId: string; subject: string });
      expect(lines.map((l) => l.letterId)).toEqual([...shown].reverse());
      await checkPage(page, 'letters-export');
      await page.context().close();
    });

    it('cancels a held letter after asking', async () => {
      const subject = `Beslut skyddad ${stamp}`;
      const id = await submit(ctx(), { recipient: NOT_REGISTERED, subject, caseReference: `BN E2E-${stamp}-3`, body: { text: 'Hej.' }, protectionClass: 1, protectedIdentity: true });
      const page = await ctx().login('handlaggare');
      await openLetter(page, id);
      await waitForStatus(page, 'Pausat');
      await page.locator('#letter-status').getByText('mottagaren har skyddade personuppgifter').waitFor();
      await page.getByRole('button', { name: 'Avbryt brevet' }).click();
      await page.getByRole('heading', { name: 'Avbryta brevet?' }).waitFor();
      await page.getByLabel('Anledning (sparas i brevets historik)').fill('Fel mottagare');
      await checkPage(page, 'letter-cancel-confirm');
      await page.getByRole('button', { name: 'Ja, avbryt brevet' }).click();
      await waitForStatus(page, 'Avbrutet', 15_000);
      await page.getByRole('status').filter({ hasText: 'Brevet är avbrutet.' }).waitFor();
      await page.getByRole('region', { name: 'Händelser' }).getByText('Orsak: Fel mottagare.').waitFor();
      await checkPage(page, 'letter-cancelled');
      await page.context().close();
    });

    it('releases a held letter to print with an address, and it is posted', async () => {
      const subject = `Beslut att skriva ut ${stamp}`;
      const id = await submit(ctx(), { recipient: NOT_REGISTERED, subject, caseReference: `BN E2E-${stamp}-4`, body: { text: 'Hej.' }, protectionClass: 1, protectedIdentity: true });
      const page = await ctx().login('handlaggare');
      await openLetter(page, id);
      await waitForStatus(page, 'Pausat');
      await checkPage(page, 'letter-held');
      await page.getByRole('button', { name: 'Släpp till utskrift' }).click();
      await page.getByRole('heading', { name: 'Släppa brevet till utskrift?' }).waitFor();
      // No address was given: the form asks for one.
      await page.getByLabel(/^Namn/).fill(ADDRESS.name);
      await page.getByLabel(/^Adressrad 1/).fill(ADDRESS.lines[0]);
      await page.getByLabel(/^Postnummer/).fill(ADDRESS.postalCode);
      await page.getByLabel(/^Ort/).fill(ADDRESS.city);
      await page.getByLabel('Anteckning').fill('Adressen kontrollerad med mottagaren.');
      await checkPage(page, 'letter-release-form');
      await page.getByRole('button', { name: 'Släpp till utskrift' }).click();
      await page.getByRole('status').filter({ hasText: 'Brevet är släppt till utskrift.' }).waitFor();
      await waitForStatus(page, 'Postat');
      const print = page.getByRole('region', { name: 'Utskrift' });
      await print.getByRole('table', { name: 'Utskriftens steg' }).getByText('Postat').waitFor();
      await page.getByRole('region', { name: 'Händelser' }).getByText('Anteckning: Adressen kontrollerad med mottagaren.').waitFor();
      expect(await fact(page, 'Postadress').textContent()).toContain('Storgatan 1');
      // Now the PDF is the one the vendor printed.
      await page.getByRole('button', { name: 'Visa PDF' }).click();
      await page.getByText('Visar PDF:en som den skrevs ut.').waitFor();
      await checkPage(page, 'letter-posted');
      await page.context().close();
    });

    it('resends a letter that could go neither way, linking the two', async () => {
      const subject = `Beslut endast digitalt ${stamp}`;
      const id = await submit(ctx(), { recipient: NOT_REGISTERED, subject, caseReference: `BN E2E-${stamp}-5`, body: { text: 'Hej.' }, protectionClass: 1, channelPreference: 'DIGITAL_ONLY' });
      const page = await ctx().login('handlaggare');
      await openLetter(page, id);
      await waitForStatus(page, 'Misslyckades');
      await page.getByRole('button', { name: 'Skicka igen' }).click();
      await page.getByLabel('Varför skickas brevet igen? (sparas i båda brevens historik)').fill('Mottagaren har skaffat digital brevlåda');
      await checkPage(page, 'letter-resend-form');
      await page.getByRole('button', { name: 'Skicka ett nytt brev' }).click();
      await page.waitForURL((u) => /^\/letters\/[0-9a-f-]{36}$/.test(u.pathname) && !u.pathname.endsWith(id));
      await page.getByText('Det här brevet är ett omskick av ett tidigare brev:').waitFor();
      await page.getByRole('region', { name: 'Händelser' }).getByText('Omskick av ett tidigare brev').waitFor();
      await checkPage(page, 'letter-resent');
      await page.getByRole('link', { name: 'det ursprungliga brevet' }).first().click();
      await page.waitForURL(`**/letters/${id}`);
      await page.getByText('Det här brevet har skickats igen som ett nytt brev:').waitFor();
      await page.getByText('Brevet har redan skickats igen.').waitFor();
      await page.context().close();
    });

    it('shows the overview with the counts the database has', async () => {
      const { hub } = ctx().stack;
      const tenant = (await hub.ownerQuery<{ id: string }>(`select id from tenant where alias = 'demo-kommun'`))[0].id;
      const counts = async () =>
        (
          await hub.ownerQuery<{ today: number; week: number; held: number; failures: number }>(
            `select count(*) filter (where created_at >= date_trunc('day', now() at time zone 'Europe/Stockholm') at time zone 'Europe/Stockholm')::int as today,
                    count(*) filter (where created_at >= date_trunc('week', now() at time zone 'Europe/Stockholm') at time zone 'Europe/Stockholm')::int as week,
                    count(*) filter (where status = 'HELD')::int as held,
                    count(*) filter (where status in ('FAILED','PRINT_FAILED','RETURNED') and created_at >= now() - interval '30 days' and resent_as is null)::int as failures
               from letter where tenant_id = $1`,
            [tenant],
          )
        )[0];
      const page = await ctx().login('admin');
      await page.getByRole('heading', { level: 1, name: 'Översikt' }).waitFor();
      // Letters of other flows may still be moving: compare once the page and the database agree (they must, within a few loads).
      let last: unknown;
      for (let i = 0; i < 10; i++) {
        await page.reload();
        await page.locator('li.figure').first().waitFor();
        const expected = await counts();
        const shown = { today: await figure(page, 'Brev i dag'), week: await figure(page, 'Brev den här veckan'), held: await figure(page, 'Pausade brev'), failures: await figure(page, 'Behöver åtgärd') };
        last = { expected, shown };
        if (JSON.stringify(expected) === JSON.stringify(shown)) break;
        await page.waitForTimeout(1000);
      }
      const { expected, shown } = last as { expected: unknown; shown: unknown };
      expect(shown).toEqual(expected);
      expect((shown as { today: number }).today).toBeGreaterThanOrEqual(7);
      await page.getByRole('figure', { name: /^I dag/ }).waitFor();
      await page.getByRole('table', { name: 'Brev per status' }).waitFor();
      await page.getByRole('heading', { level: 2, name: /^Certifikat som går ut/ }).waitFor();
      await checkPage(page, 'overview-admin');
      await page.context().close();

      const officer = await ctx().login('handlaggare');
      await officer.getByText('Brev från din enhet (bygg) i dag och den här veckan, och det som behöver åtgärdas.').waitFor();
      expect(await officer.getByRole('heading', { level: 2, name: /^Certifikat/ }).count()).toBe(0);
      await checkPage(officer, 'overview-officer');
      await officer.context().close();
    });
  });
};
