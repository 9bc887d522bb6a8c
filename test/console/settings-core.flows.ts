/**
 * Console flows of the tenant admin's core settings: a case type created and raised to protection
 * class 3 while a case officer is writing a class-2 letter of it (the send page refuses it, with the
 * error next to "Skyddsklass", and so does the API); a channel rule and a protection-class rule
 * changed, seen after a reload and restored; the envelope preview as a PDF; a new sending unit with
 * a PKCS#12 certificate installed and its expiry shown.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import type { Page } from 'playwright-core';
import { gql } from '../support/api-helpers';
import { CONSOLE_ARTIFACTS } from '../support/console-browser';
import { checkPage, ConsoleFlows } from './context';

/** The error shown with a labelled field (the ui.tsx field frame). */
const fieldError = (page: Page, label: string | RegExp) => page.locator('.field', { has: page.getByLabel(label) }).locator('.error-text');

async function openSettings(page: Page, link: string, heading = link): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

export const settingsCoreFlows: ConsoleFlows = (ctx) => {
  describe('settings-core', () => {
    const stamp = `c${Date.now().toString(36)}`; // one per flow file: the files share one database

    it('creates a case type, raises its class to 3 while an officer writes a class-2 letter of it, and the letter is refused next to "Skyddsklass"', async () => {
      const { stack } = ctx();
      const code = `e2e-${stamp}`;
      const name = `Bygglov e2e ${stamp}`;
      const admin = await ctx().login('admin');
      await openSettings(admin, 'Ärendetyper');
      await admin.getByRole('table', { name: 'Kommunens ärendetyper, även arkiverade' }).waitFor();
      await checkPage(admin, 'settings-case-types');
      await admin.getByRole('button', { name: 'Ny ärendetyp' }).click();
      await admin.getByLabel(/^Kod/).fill(code);
      await admin.getByLabel(/^Namn/).fill(name);
      await admin.getByLabel(/^Mall för ärendemening/).fill('Beslut i ärende {caseReference}');
      await admin.getByLabel(/^Mall för brevtext/).fill('Hej!\n\n{sendingUnit} har beslutat i ditt ärende {caseReference} den {date}.');
      // The live preview: filled in by the API with the intake's own template code.
      const preview = admin.getByRole('region', { name: 'Förhandsvisning' });
      await preview.getByText('Beslut i ärende BN 2026-123').waitFor();
      await preview.getByText(/Demo kommun, Samhällsbyggnadsnämnden har beslutat i ditt ärende BN 2026-123 den \d{4}-\d{2}-\d{2}\./).waitFor();
      // An unknown placeholder is named before saving.
      await admin.getByLabel(/^Mall för ärendemening/).fill('Beslut för {namn}');
      await preview.getByText(/\{namn\} is not a known placeholder/).waitFor();
      await checkPage(admin, 'settings-case-types-preview-problem');
      await admin.getByLabel(/^Mall för ärendemening/).fill('Beslut i ärende {caseReference}');
      await preview.getByText('Beslut i ärende BN 2026-123').waitFor();
      await admin.getByRole('button', { name: 'Spara', exact: true }).click();
      await admin.getByRole('status').filter({ hasText: `Ärendetypen ${name} är skapad.` }).waitFor();
      await admin.getByRole('table').getByRole('row').filter({ hasText: code }).waitFor();
      await checkPage(admin, 'settings-case-types-created');

      // The officer starts a class-2 letter of the case type (class 1 now, so 2 is allowed).
      const officer = await ctx().login('handlaggare');
      await officer.getByRole('navigation').getByRole('link', { name: 'Skicka', exact: true }).click();
      await officer.getByRole('heading', { level: 2, name: 'Skriv brev' }).waitFor();
      await officer.getByLabel(/^Mottagare/).fill('198101032384');
      await officer.getByLabel(/^Ärendetyp/).selectOption(code);
      await officer.getByLabel(/^Skyddsklass/).selectOption('2');
      await officer.getByLabel(/^Diarienummer/).fill(`BN 2026-${stamp}`);
      await officer.getByLabel(/^Brevtext/).fill('Hej! Beslutet gäller ditt bygglov.');

      // Meanwhile the admin raises the case type's default class to 3.
      await admin.getByLabel(/^Standardskyddsklass/).selectOption('3');
      await admin.getByRole('button', { name: 'Spara', exact: true }).click();
      await admin.getByRole('status').filter({ hasText: `Ändringarna av ${name} är sparade.` }).waitFor();
      await admin.getByRole('table').getByRole('row').filter({ hasText: code }).getByText('Skyddsklass 3').waitFor();
      await checkPage(admin, 'settings-case-types-class-3');
      const [row] = await stack.hub.ownerQuery<{ default_protection_class: number }>(`select default_protection_class from case_type where code = $1`, [code]);
      expect(Number(row.default_protection_class)).toBe(3);

      // The officer sends: the hub refuses class 2, and the page shows why next to "Skyddsklass".
      await officer.getByRole('button', { name: 'Skicka brevet' }).click();
      await fieldError(officer, /^Skyddsklass/).filter({ hasText: /3/ }).waitFor();
      expect(await officer.getByLabel(/^Skyddsklass/).getAttribute('aria-invalid')).toBe('true');
      expect(new URL(officer.url()).pathname).toBe('/send');
      await checkPage(officer, 'settings-case-types-enforced-on-send');
      await officer.context().close();

      // And the API refuses it for a case system too.
      const token = await stack.clientToken('demo-case-system');
      const refused = await gql(`${stack.baseUrl}/graphql`, token, `mutation($input: LetterInput!) { submitLetter(input: $input) { id } }`, {
        input: { recipient: '198101032384', caseType: code, protectionClass: 2, caseReference: `BN 2026-${stamp}`, body: { text: 'Hej' } },
      });
      expect(refused.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
      expect(refused.errors?.[0]?.extensions?.fields).toEqual([expect.objectContaining({ path: 'protectionClass', rule: 'caseType' })]);

      // Archived after a confirmation; the table says so.
      await admin.getByRole('button', { name: 'Arkivera ärendetypen' }).click();
      await admin.getByRole('alertdialog', { name: `Vill du arkivera ${name}? Nya brev kan då inte ange ärendetypen.` }).waitFor();
      await checkPage(admin, 'settings-case-types-archive-confirm');
      await admin.getByRole('alertdialog', { name: /Vill du arkivera/ }).getByRole('button', { name: 'Arkivera ärendetypen' }).click();
      await admin.getByRole('status').filter({ hasText: `Ärendetypen ${name} är arkiverad.` }).waitFor();
      await admin.getByRole('table').getByRole('row').filter({ hasText: code }).getByText('Arkiverad').waitFor();
      await admin.context().close();
    });

    it('changes a channel rule and a protection-class rule, sees them after a reload, and restores them', async () => {
      const { stack } = ctx();
      const page = await ctx().login('admin');
      await openSettings(page, 'Kanal- och utskriftsregler');
      const missing = page.getByRole('group', { name: 'Brev utan postadress' });
      expect(await missing.getByLabel('Pausa brevet för manuell hantering').isChecked()).toBe(true);
      await checkPage(page, 'settings-rules');
      await missing.getByLabel('Brevet kan inte levereras').check();
      const hours = await page.getByLabel('Tid för digital leverans (timmar)').inputValue();
      await page.getByLabel('Tid för digital leverans (timmar)').fill('ett dygn');
      await page.getByRole('button', { name: 'Spara', exact: true }).click();
      await fieldError(page, 'Tid för digital leverans (timmar)').filter({ hasText: 'Ange hela timmar' }).waitFor();
      await checkPage(page, 'settings-rules-bad-hours');
      await page.getByLabel('Tid för digital leverans (timmar)').fill(hours);
      await page.getByRole('button', { name: 'Spara', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Reglerna är sparade.' }).waitFor();

      const policy = page.getByRole('table', { name: 'Vad varje skyddsklass tillåter' });
      await policy.getByRole('combobox', { name: /Skyddsklass 3/ }).selectOption('HOLD');
      await page.getByRole('button', { name: 'Spara skyddsklasser' }).click();
      await page.getByRole('status').filter({ hasText: 'Skyddsklasserna är sparade.' }).waitFor();

      try {
        await page.reload();
        await page.getByRole('heading', { level: 1, name: 'Kanal- och utskriftsregler' }).waitFor();
        await page.getByRole('group', { name: 'Brev utan postadress' }).waitFor();
        expect(await page.getByRole('group', { name: 'Brev utan postadress' }).getByLabel('Brevet kan inte levereras').isChecked()).toBe(true);
        expect(await page.getByRole('table', { name: 'Vad varje skyddsklass tillåter' }).getByRole('combobox', { name: /Skyddsklass 3/ }).inputValue()).toBe('HOLD');
        const [{ settings }] = await stack.hub.ownerQuery<{ settings: Record<string, unknown> }>(`select settings from tenant where alias = 'demo-kommun'`);
        expect(settings).toMatchObject({ missingAddressRule: 'UNDELIVERABLE', printByProtectionClass: { '3': 'HOLD' } });
        await checkPage(page, 'settings-rules-changed');
      } finally {
        // Restored: the other flows share the demo municipality.
        await page.getByRole('group', { name: 'Brev utan postadress' }).getByLabel('Pausa brevet för manuell hantering').check();
        await page.getByRole('button', { name: 'Spara', exact: true }).click();
        await page.getByRole('status').filter({ hasText: 'Reglerna är sparade.' }).waitFor();
        await page.getByRole('table', { name: 'Vad varje skyddsklass tillåter' }).getByRole('combobox', { name: /Skyddsklass 3/ }).selectOption('ALLOW');
        await page.getByRole('button', { name: 'Spara skyddsklasser' }).click();
        await page.getByRole('status').filter({ hasText: 'Skyddsklasserna är sparade.' }).waitFor();
      }
      const [{ settings }] = await stack.hub.ownerQuery<{ settings: Record<string, unknown> }>(`select settings from tenant where alias = 'demo-kommun'`);
      expect(settings.missingAddressRule).toBe('HOLD');
      expect(settings.printByProtectionClass).toMatchObject({ '3': 'ALLOW' });
      await page.context().close();
    });

    it('previews a letter as a PDF with unsaved envelope settings, and names a wrong measurement', async () => {
      const before = await ctx().stack.hub.ownerQuery<{ settings: { print?: unknown } }>(`select settings from tenant where alias = 'demo-kommun'`);
      const page = await ctx().login('admin');
      await openSettings(page, 'Kuvert och porto');
      await page.getByLabel(/^Kuvertprofil/).waitFor();
      await checkPage(page, 'settings-envelope');
      await page.getByLabel(/^Kuvertprofil/).selectOption('C5-V2');
      // The PDF the API rendered (the console's CSP keeps page scripts from reading blob: URLs, so it is read off the wire).
      const answer = page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('PrintPreview'));
      await page.getByRole('button', { name: 'Förhandsgranska' }).click();
      const body = (await (await answer).json()) as { data: { printPreview: { pdfBase64: string; envelopeProfile: { id: string } } } };
      const pdf = Buffer.from(body.data.printPreview.pdfBase64, 'base64');
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      mkdirSync(CONSOLE_ARTIFACTS, { recursive: true });
      // Kept beside the screenshots (headless Chromium does not draw PDFs in frames).
      writeFileSync(join(CONSOLE_ARTIFACTS, 'settings-envelope-preview.pdf'), pdf);
      expect(body.data.printPreview.envelopeProfile.id).toBe('C5-V2');
      // Shown in a frame from a blob: URL, which the browser loaded.
      const frame = page.getByTitle('Provutskrift (PDF)');
      await frame.waitFor();
      const src = (await frame.getAttribute('src'))!;
      expect(src).toMatch(/^blob:/);
      for (let i = 0; i < 50 && !page.frames().some((f) => f.url() === src); i++) await page.waitForTimeout(100);
      expect(page.frames().map((f) => f.url())).toContain(src);
      await page.getByText('Anna Exempelsson, Exempelgatan 12 lgh 1101, 123 45 EXEMPELSTAD').waitFor();
      await checkPage(page, 'settings-envelope-preview');

      // An own profile whose window is too low for a C5 envelope: the print library's message, in the window's group.
      await page.getByLabel(/^Kuvertprofil/).selectOption('custom');
      await page.getByLabel(/^Namn på profilen/).fill(`Vårt kuvert ${stamp}`);
      await page.getByLabel(/^Källa för måtten/).fill('Kuvertleverantörens datablad');
      await page.getByLabel(/^Fönster, överkant/).fill('140');
      await page.getByRole('button', { name: 'Förhandsgranska' }).click();
      await page.getByRole('group', { name: 'Fönster' }).locator('.error-text').filter({ hasText: /148.5 mm/ }).waitFor();
      await checkPage(page, 'settings-envelope-custom-error');
      // Nothing was saved by previewing.
      const [{ settings }] = await ctx().stack.hub.ownerQuery<{ settings: { print?: unknown } }>(`select settings from tenant where alias = 'demo-kommun'`);
      expect(settings.print).toEqual(before[0].settings.print);
      await page.context().close();
    });

    it('creates a sending unit, installs a PKCS#12 certificate (after a wrong password), and shows its expiry', async () => {
      const { stack } = ctx();
      const pki = stack.hub.pkiDir;
      const certPem = readFileSync(join(pki, 'municipality-2120001231.crt.pem'), 'utf8');
      const keyPem = readFileSync(join(pki, 'municipality-2120001231.key.pem'), 'utf8');
      const p12 = Buffer.from(
        forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(keyPem), [forge.pki.certificateFromPem(certPem)], 'rätt-lösen', { algorithm: '3des' })).getBytes(),
        'binary',
      );
      const code = `e2e-${stamp}`;
      const name = `Demo kommun, Miljönämnden ${stamp}`;
      const page = await ctx().login('admin');
      await openSettings(page, 'Avsändare och certifikat');
      await page.getByRole('table', { name: 'Kommunens avsändare och deras certifikat' }).getByRole('row').filter({ hasText: 'bygg' }).waitFor();
      await checkPage(page, 'settings-units');

      await page.getByRole('button', { name: 'Ny avsändare' }).click();
      await page.getByLabel(/^Kod/).fill(code);
      await page.getByLabel(/^Namn/).fill(name);
      await page.getByLabel(/^Organisationsnummer/).fill('212000-1232');
      await page.getByLabel(/^Postadress/).fill('Miljöförvaltningen\nBox 300\nDemostad');
      await page.getByRole('button', { name: 'Spara', exact: true }).click();
      // The checksum and the postal code line are named next to their fields.
      await fieldError(page, /^Organisationsnummer/).filter({ hasText: /check digit/ }).waitFor();
      await fieldError(page, /^Postadress/).filter({ hasText: /postal code/ }).waitFor();
      await checkPage(page, 'settings-units-new-errors');
      await page.getByLabel(/^Organisationsnummer/).fill('212000-1231');
      await page.getByLabel(/^Postadress/).fill('Miljöförvaltningen\nBox 300\n123 47 Demostad');
      await page.getByRole('button', { name: 'Spara', exact: true }).click();
      await page.getByRole('status').filter({ hasText: `Avsändaren ${name} är skapad.` }).waitFor();
      const row = page.getByRole('table', { name: 'Kommunens avsändare och deras certifikat' }).getByRole('row').filter({ hasText: code });
      await row.getByText('Inget certifikat').waitFor();

      const certificate = page.getByRole('region', { name: `Certifikat för ${name}` });
      await certificate.getByLabel('PKCS#12-fil', { exact: true }).setInputFiles({ name: 'miljo.p12', mimeType: 'application/x-pkcs12', buffer: p12 });
      await certificate.getByLabel(/^Lösenord/).fill('fel-lösen');
      await certificate.getByRole('button', { name: 'Installera certifikat' }).click();
      await certificate.locator('.field', { has: page.getByLabel(/^Lösenord/) }).locator('.error-text').filter({ hasText: /does not open the PKCS#12 file/ }).waitFor();
      await checkPage(page, 'settings-units-wrong-password');
      await certificate.getByLabel(/^Lösenord/).fill('rätt-lösen');
      await certificate.getByRole('button', { name: 'Installera certifikat' }).click();
      await certificate.getByRole('status').filter({ hasText: `Certifikatet är installerat för ${name}` }).waitFor();

      // Its expiry, in the list as in the certificate's facts.
      const notAfter = forge.pki.certificateFromPem(certPem).validity.notAfter;
      // Formatted by the browser, as the console formats it.
      const expiry = await page.evaluate((iso) => new Intl.DateTimeFormat('sv-SE', { dateStyle: 'medium', timeZone: 'Europe/Stockholm' }).format(new Date(iso)), notAfter.toISOString());
      await row.getByText(`Giltigt till ${expiry}`).waitFor();
      await row.getByText(/^Giltigt, \d+ dagar kvar$/).waitFor();
      await certificate.getByText('SERIALNUMBER=162120001231', { exact: false }).first().waitFor();
      await checkPage(page, 'settings-units-certificate-installed');
      const [unit] = await stack.hub.ownerQuery<{ certificate_not_after: Date; has_key: boolean }>(
        `select certificate_not_after, key_ciphertext is not null as has_key from sending_unit where code = $1`,
        [code],
      );
      expect(unit).toEqual({ certificate_not_after: new Date(Math.floor(notAfter.getTime() / 1000) * 1000), has_key: true });
      await page.context().close();
    });
  });
};
