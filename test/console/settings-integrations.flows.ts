/**
 * Console flows: settings-integrations, as the tenant admin. A webhook created (its secret shown
 * once), rotated, changed and deleted; a diary hook; an API client registered at the identity
 * provider from the browser, whose id and secret read off the page get a token that works against
 * the API, rotated (the issuer refuses the old secret) and revoked (the API refuses the client);
 * a retention rule with its errors and a dry-run table; the audit trail lists these changes and
 * its chain verifies. Every state is screenshotted and checked with axe.
 */
import type { Page } from 'playwright-core';
import { openFromMenu } from '../support/console-browser';
import { checkPage, ConsoleFlows } from './context';

const run = Date.now().toString(36);

async function clientCredentials(tokenEndpoint: string, clientId: string, clientSecret: string): Promise<{ status: number; token?: string }> {
  const res = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await res.json()) as { access_token?: string };
  return { status: res.status, token: body.access_token };
}

async function caseTypes(graphqlUrl: string, token: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ caseTypes { code } }' }) });
  const body = (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
  return { status: res.status, code: body.errors?.[0]?.extensions?.code ?? (body.data ? 'OK' : undefined) };
}

/** The value of a read-only field the page shows once (exact label: the copy button's name also contains it). */
const shownValue = (page: Page, label: string) => page.getByLabel(label, { exact: true }).inputValue();

export const settingsIntegrationsFlows: ConsoleFlows = (ctx) => {
  describe('settings-integrations', () => {
    it('webhooks: create (the secret shown once), rotate, change, look at deliveries, delete', async () => {
      const page = await ctx().login('admin');
      await openFromMenu(page, 'Webhooks');
      await page.waitForLoadState('networkidle');
      await checkPage(page, 'settings-webhooks');

      const url = `https://arende-${run}.example/hubb/handelser`;
      await page.getByRole('button', { name: 'Ny webhook' }).click();
      await page.getByLabel(/^Adress \(URL\)/).fill(url);
      await page.getByLabel('Beskrivning', { exact: true }).fill('Ärendesystemet');
      // Only cancellations: the flows of other pages must not make deliveries to this address.
      for (const event of ['Levererat digitalt', 'Skickas på papper', 'Returnerat', 'Misslyckades']) await page.getByLabel(event, { exact: true }).uncheck();
      await page.getByRole('button', { name: 'Skapa webhook' }).click();
      await page.getByText('Välj minst en händelse.').waitFor();
      await checkPage(page, 'settings-webhooks-no-events');
      await page.getByLabel('Avbrutet', { exact: true }).check();
      await page.getByRole('button', { name: 'Skapa webhook' }).click();

      await page.getByRole('heading', { name: `Signeringshemlighet för ${url}` }).waitFor();
      const secret = await shownValue(page, 'Signeringshemlighet');
      expect(secret).toMatch(/^whsec_/);
      await page.getByText('Du kommer inte att se det här igen').waitFor();
      await checkPage(page, 'settings-webhooks-created-secret');
      await page.getByRole('button', { name: 'Jag har sparat uppgifterna' }).click();
      const row = page.getByRole('row', { name: new RegExp(url.replace(/[.]/g, '\\.')) });
      await row.waitFor();
      expect(await page.content()).not.toContain(secret);
      await page.reload();
      await row.waitFor();
      expect(await page.content()).not.toContain(secret);

      await row.getByRole('button', { name: `Byt hemlighet för ${url}` }).click();
      await page.getByLabel('Övergångstid för den gamla hemligheten (timmar)').fill('500');
      await page.getByRole('button', { name: 'Byt hemlighet', exact: true }).click();
      await page.getByText('Ange ett heltal från 0 till 168.').waitFor();
      await page.getByLabel('Övergångstid för den gamla hemligheten (timmar)').fill('2');
      await page.getByRole('button', { name: 'Byt hemlighet', exact: true }).click();
      await page.getByRole('heading', { name: `Signeringshemlighet för ${url}` }).waitFor();
      const rotated = await shownValue(page, 'Signeringshemlighet');
      expect(rotated).toMatch(/^whsec_/);
      expect(rotated).not.toBe(secret);
      await page.getByRole('button', { name: 'Jag har sparat uppgifterna' }).click();
      await row.getByText('Gamla hemligheten gäller till').waitFor();
      await checkPage(page, 'settings-webhooks-rotated');

      await row.getByRole('button', { name: `Ändra ${url}` }).click();
      await page.getByLabel(/^Adress \(URL\)/).fill('ftp://fel.example/x');
      await page.getByRole('button', { name: 'Spara' }).click();
      // The API's field error, next to the field.
      await page.locator('.field-error').filter({ has: page.getByLabel(/^Adress \(URL\)/) }).locator('.error-text').waitFor();
      await checkPage(page, 'settings-webhooks-edit-error');
      await page.getByLabel(/^Adress \(URL\)/).fill(url);
      await page.getByLabel('Beskrivning', { exact: true }).fill('Ärendesystemet (test)');
      await page.getByRole('button', { name: 'Spara' }).click();
      await page.getByRole('status').filter({ hasText: 'Sparat.' }).waitFor();

      await row.getByRole('button', { name: `Leveranser till ${url}` }).click();
      await page.getByRole('heading', { name: `Leveranser till ${url}` }).waitFor();
      await page.getByText('Inga leveranser.').waitFor();
      await checkPage(page, 'settings-webhooks-deliveries');

      await row.getByRole('button', { name: `Ta bort ${url}` }).click();
      await page.getByRole('alertdialog', { name: `Ta bort webhooken ${url}?` }).waitFor();
      await checkPage(page, 'settings-webhooks-delete-confirm');
      await page.getByRole('button', { name: 'Ja, ta bort webhooken' }).click();
      await page.getByRole('status').filter({ hasText: `Webhooken ${url} är borttagen.` }).waitFor();
      await row.waitFor({ state: 'detached' });
      expect(await ctx().stack.hub.ownerQuery(`select 1 from webhook_subscription where url = $1`, [url])).toEqual([]);
      await checkPage(page, 'settings-webhooks-deleted');
      await page.context().close();
    });

    it('diary hooks: create one (secret once), and delete it', async () => {
      const page = await ctx().login('admin');
      await openFromMenu(page, 'Diarieföring');
      await page.waitForLoadState('networkidle');
      await checkPage(page, 'settings-diary');
      const name = `Diariet ${run}`;
      await page.getByRole('button', { name: 'Ny koppling' }).click();
      await page.getByLabel(/^Namn/).fill(name);
      await page.getByLabel(/^Diariets adress \(URL\)/).fill(`https://diarium-${run}.example/registrera`);
      // Off: registers nothing while other flows send letters.
      await page.getByLabel('På', { exact: true }).uncheck();
      await page.getByRole('button', { name: 'Skapa koppling' }).click();
      await page.getByRole('heading', { name: `Signeringshemlighet för ${name}` }).waitFor();
      expect(await shownValue(page, 'Signeringshemlighet')).toMatch(/\S{24,}/);
      await checkPage(page, 'settings-diary-created-secret');
      await page.getByRole('button', { name: 'Jag har sparat uppgifterna' }).click();
      const row = page.getByRole('row', { name: new RegExp(name) });
      await row.getByText('Avstängd').waitFor();
      await row.getByRole('button', { name: `Ta bort ${name}` }).click();
      await page.getByRole('button', { name: 'Ja, ta bort kopplingen' }).click();
      await page.getByRole('status').filter({ hasText: `Kopplingen ${name} är borttagen.` }).waitFor();
      await checkPage(page, 'settings-diary-deleted');
      await page.context().close();
    });

    it('API clients: registered at the identity provider from the browser, its token works, rotated and revoked', async () => {
      const { stack } = ctx();
      const page = await ctx().login('admin');
      await openFromMenu(page, 'API-klienter');
      await page.waitForLoadState('networkidle');
      // The demo's hand-registered client is there, marked as such.
      await page.getByRole('row', { name: /demo-case-system/ }).getByText('Registrerad för hand.').waitFor();
      await checkPage(page, 'settings-api-clients');

      const name = `Bygglovssystemet ${run}`;
      await page.getByRole('button', { name: 'Ny API-klient' }).click();
      await page.getByRole('button', { name: 'Skapa API-klient' }).click();
      await page.locator('.field-error').filter({ has: page.getByLabel(/^Namn/) }).locator('.error-text').waitFor();
      await checkPage(page, 'settings-api-clients-name-required');
      await page.getByLabel(/^Namn/).fill(name);
      await page.getByLabel('Avsändare', { exact: true }).selectOption('bygg');
      await page.getByRole('button', { name: 'Skapa API-klient' }).click();
      await page.getByRole('heading', { name: `Inloggningsuppgifter för ${name}` }).waitFor();
      const clientId = await shownValue(page, 'Klient-id');
      const secret = await shownValue(page, 'Klienthemlighet');
      const tokenEndpoint = await shownValue(page, 'Adress för token (client credentials)');
      expect(tokenEndpoint).toBe(stack.sims.tokenEndpoint);
      await checkPage(page, 'settings-api-clients-created');

      const first = await clientCredentials(tokenEndpoint, clientId, secret);
      expect(first.status).toBe(200);
      expect(JSON.parse(Buffer.from(first.token!.split('.')[1], 'base64url').toString())).toMatchObject({ organization: ['demo-kommun'], realm_access: { roles: ['case-system'] }, sending_unit: 'bygg' });
      expect(await caseTypes(stack.api.graphqlUrl, first.token!)).toEqual({ status: 200, code: 'OK' });

      await page.getByRole('button', { name: 'Jag har sparat uppgifterna' }).click();
      const row = page.getByRole('row', { name: new RegExp(name) });
      await row.getByText(clientId).waitFor();
      expect(await page.content()).not.toContain(secret);

      await row.getByRole('button', { name: `Byt hemlighet för ${name}` }).click();
      await page.getByRole('alertdialog', { name: `Byta hemlighet för ${name}?` }).getByText('Den gamla hemligheten slutar gälla direkt').waitFor();
      await checkPage(page, 'settings-api-clients-rotate-confirm');
      await page.getByRole('button', { name: 'Ja, byt hemlighet' }).click();
      await page.getByRole('heading', { name: `Ny klienthemlighet för ${name}` }).waitFor();
      const rotated = await shownValue(page, 'Klienthemlighet');
      expect(rotated).not.toBe(secret);
      expect(await shownValue(page, 'Klient-id')).toBe(clientId);
      await checkPage(page, 'settings-api-clients-rotated');
      expect((await clientCredentials(tokenEndpoint, clientId, secret)).status).toBe(401);
      const second = await clientCredentials(tokenEndpoint, clientId, rotated);
      expect(second.status).toBe(200);
      expect(await caseTypes(stack.api.graphqlUrl, second.token!)).toEqual({ status: 200, code: 'OK' });
      await page.getByRole('button', { name: 'Jag har sparat uppgifterna' }).click();

      await row.getByRole('button', { name: `Återkalla ${name}` }).click();
      await page.getByRole('button', { name: 'Ja, återkalla' }).click();
      await page.getByRole('status').filter({ hasText: `${name} är återkallad.` }).waitFor();
      await row.getByText('Återkallad').waitFor();
      await row.getByText('Borttagen hos inloggningstjänsten.').waitFor();
      await checkPage(page, 'settings-api-clients-revoked');
      expect((await clientCredentials(tokenEndpoint, clientId, rotated)).status).toBe(401);
      // The token issued before: refused at once by the API that revoked the client.
      const answer = await caseTypes(stack.api.graphqlUrl, second.token!);
      expect(answer.code).toBe('FORBIDDEN');
      await page.context().close();
    }, 120_000);

    it('retention: a rule with its errors next to the fields, in words, and the dry-run table', async () => {
      const page = await ctx().login('admin');
      await openFromMenu(page, 'Gallring');
      await page.waitForLoadState('networkidle');
      await checkPage(page, 'settings-retention');

      await page.getByRole('button', { name: 'Ny gallringsregel' }).click();
      await page.getByLabel('Skyddsklass', { exact: true }).selectOption('3');
      await page.getByLabel('Innehållet tas bort efter (dagar), N').fill('400');
      await page.getByLabel('Mottagarens uppgifter tas bort efter (dagar), M').fill('200');
      await page.getByRole('button', { name: 'Skapa regel' }).click();
      await page.getByText('Innehållet (400 dagar) måste tas bort senast samtidigt som mottagarens uppgifter (200 dagar).').waitFor();
      await checkPage(page, 'settings-retention-order-error');

      await page.getByLabel('Innehållet tas bort efter (dagar), N').fill('3650');
      await page.getByLabel('Mottagarens uppgifter tas bort efter (dagar), M').fill('7300');
      await page.getByLabel('Brevet och loggen raderas efter (dagar), K').fill('36500');
      await page.getByLabel('Tas bort helt').check();
      await page.getByLabel('Beskrivning', { exact: true }).fill(`Flödestest ${run}`);
      await page.getByText('Efter 7300 dagar tas mottagarens personnummer, postadress och diarienummer bort.').waitFor();
      await page.getByRole('button', { name: 'Skapa regel' }).click();
      await page.getByRole('status').filter({ hasText: 'Gallringsregeln är skapad.' }).waitFor();
      const row = page.getByRole('row', { name: /Alla ärendetyper, skyddsklass 3/ });
      await row.getByText('Efter 36500 dagar raderas brevet med hela sin logg.').waitFor();

      // The same scope again: the API's error, next to the case type.
      await page.getByRole('button', { name: 'Ny gallringsregel' }).click();
      await page.getByLabel('Skyddsklass', { exact: true }).selectOption('3');
      await page.getByLabel('Brevet och loggen raderas efter (dagar), K').fill('100');
      await page.getByRole('button', { name: 'Skapa regel' }).click();
      await page.locator('.field-error').filter({ has: page.getByLabel('Ärendetyp', { exact: true }) }).locator('.error-text').getByText(/already exists/).waitFor();
      await checkPage(page, 'settings-retention-duplicate');
      await page.getByRole('button', { name: 'Avbryt' }).click();

      // A class-3 letter delivered eleven years ago: its content is due under the rule (3650 days), its recipient not yet (7300).
      const { hub } = ctx().stack;
      await hub.ownerQuery(
        `insert into letter (tenant_id, sending_unit_id, content_hash, recipient_id, recipient_kind, subject, body_text, protection_class, channel_preference,
                             status, channel, deadline_at, created_at, updated_at, dispatched_at)
         values ($1, $2, md5(random()::text), '198101032384', 'personnummer', 'Beslut', 'Gammalt brev', 3, 'AUTO',
                 'DELIVERED', 'DIGITAL', now() - interval '4000 days', now() - interval '4000 days', now() - interval '4000 days', now() - interval '4000 days')`,
        [hub.demo.tenantId, hub.demo.units.bygg.id],
      );
      await page.getByRole('button', { name: 'Förhandsgranska gallring' }).click();
      const table = page.getByRole('table', { name: 'Vad gallringen skulle ta bort nu, per regel och steg' });
      const headers = table.getByRole('columnheader');
      await headers.filter({ hasText: 'Alla ärendetyper, skyddsklass 3' }).waitFor();
      const columns = await headers.allTextContents();
      expect(columns[0]).toBe('Steg');
      expect(columns[columns.length - 1]).toBe('Totalt');
      const ours = columns.indexOf('Alla ärendetyper, skyddsklass 3');
      const counts = async (step: string) => (await table.getByRole('row', { name: new RegExp(`^${step}`) }).locator('th, td').allTextContents())[ours];
      expect(await counts('Brev: innehåll bort')).toBe('1');
      expect(await counts('Brev: mottagare bort')).toBe('0');
      expect(await counts('Brev raderas')).toBe('0');
      await page.getByRole('row', { name: /Förhandsgranskning/ }).first().waitFor();
      await checkPage(page, 'settings-retention-dry-run');
      await page.context().close();
    });

    it('audit trail: lists these changes in words and the chain verifies', async () => {
      const page = await ctx().login('admin');
      await openFromMenu(page, 'Ändringslogg');
      for (const action of ['Webhook skapad', 'Webhookens hemlighet bytt', 'Webhook borttagen', 'API-klient registrerad', 'API-klientens hemlighet bytt', 'API-klient återkallad', 'Gallringsregel skapad']) {
        await page.getByRole('cell', { name: new RegExp(`^${action}`) }).first().waitFor();
      }
      // Who: the admin, by name.
      await page.getByRole('cell', { name: 'Du (Adam Admin)' }).first().waitFor();
      await checkPage(page, 'settings-audit');
      await page.getByRole('button', { name: 'Verifiera kedjan' }).click();
      await page.getByRole('status').filter({ hasText: 'Kedjan är hel' }).waitFor();
      await checkPage(page, 'settings-audit-verified');
      await page.context().close();
    });
  });
};
