/**
 * The console's letter API through the real API composition over HTTP with real tokens: the letter's
 * extra fields (body, resend links and check), `resendLetter` and its rules, and the REST files of a
 * letter (`/console/v1/letters/:id/pdf`, `/attachments/:n`): roles, tenant isolation, the PDF as
 * printed or rendered now, and 410 once retention (the real purge) removed the content.
 */
import { execFileSync } from 'node:child_process';
import { makeTestPdf } from '@hub/testing';
import { TenantDb } from '@hub/persistence';
import { RetentionPurge } from '@hub/retention';
import { OidcClientSeed, RunningOidcIssuer, startOidcIssuer } from '../../../../apps/simulators/src/oidc/oidc-issuer';
import { AUDIENCE, CLIENTS, createTestDatabase, errorCode, getToken, gql, ok, RunningApi, startApi, testConfig, TestDatabase } from '../../../../test/support/api-helpers';

jest.setTimeout(120_000);

const NOT_REGISTERED = '201001012382';
const SECRET = 'test-secret-0123456789';
const EXTRA = {
  officerBygg: { clientId: 'console-officer-bygg', clientSecret: SECRET, tenant: 'demo-kommun', roles: ['case-officer'], sendingUnit: 'bygg' },
  otherAdmin: { clientId: 'console-other-admin', clientSecret: SECRET, tenant: 'annan-kommun', roles: ['tenant-admin'] },
} satisfies Record<string, OidcClientSeed>;

let db: TestDatabase;
let issuer: RunningOidcIssuer;
let api: RunningApi;
const tokens: Record<string, string> = {};

const LETTER_FIELDS = `id status subject caseReference caseType protectionClass recipient sendingUnit { code } postalAddress { name lines postalCode city }
  attachments { position filename sizeBytes sha256 } body { contentType text } resendOf resentAs cancellable resend { allowed refusal message }
  idempotencyKey events { type detail }`;
type LetterData = {
  id: string;
  status: string;
  subject: string;
  caseReference: string;
  caseType: string | null;
  protectionClass: number;
  recipient: string;
  sendingUnit: { code: string };
  postalAddress: { name: string; lines: string[]; postalCode: string; city: string } | null;
  attachments: { position: number; filename: string; sizeBytes: number; sha256: string }[];
  body: { contentType: string; text: string } | null;
  resendOf: string | null;
  resentAs: string | null;
  cancellable: boolean;
  resend: { allowed: boolean; refusal: string | null; message: string | null };
  idempotencyKey: string | null;
  events: { type: string; detail: Record<string, unknown> }[];
};

const ADDRESS = { name: 'Test Testsson', lines: ['Storgatan 1'], postalCode: '123 45', city: 'Demostad' };

async function submit(input: Record<string, unknown>, who = 'demoCaseSystem'): Promise<string> {
  const data = ok(await gql<{ submitLetter: { id: string } }>(api.graphqlUrl, tokens[who], `mutation($input: LetterInput!) { submitLetter(input: $input) { id } }`, { input }));
  return data.submitLetter.id;
}

async function letter(id: string, who = 'demoAdmin'): Promise<LetterData> {
  return ok(await gql<{ letter: LetterData }>(api.graphqlUrl, tokens[who], `query($id: ID!) { letter(id: $id) { ${LETTER_FIELDS} } }`, { id })).letter;
}

const RESEND = `mutation($id: ID!, $reason: String, $postalAddress: PostalAddressInput) { resendLetter(id: $id, reason: $reason, postalAddress: $postalAddress) { ${LETTER_FIELDS} } }`;
const resend = (id: string, variables: Record<string, unknown> = {}, who = 'officerBygg') => gql<{ resendLetter: LetterData }>(api.graphqlUrl, tokens[who], RESEND, { id, ...variables });

/** Moves a letter to a state as the worker would have (the test runs no worker). */
async function setStatus(id: string, status: string, reason: string | null = null): Promise<void> {
  await db.ownerQuery(`update letter set status = $2, status_reason = $3, updated_at = now() where id = $1`, [id, status, reason]);
}

function get(path: string, who?: string): Promise<Response> {
  return fetch(`${api.url}${path}`, { headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });
}

const pdfText = (pdf: Buffer) => execFileSync('pdftotext', ['-', '-'], { input: pdf }).toString('utf8');

beforeAll(async () => {
  [db, issuer] = await Promise.all([
    createTestDatabase('console-letters'),
    startOidcIssuer({ port: 0, issuerPath: '/realms/dispatch-hub', audience: AUDIENCE, clients: [...Object.values(CLIENTS), ...Object.values(EXTRA)] }),
  ]);
  api = await startApi(testConfig(db, issuer), { reachability: null });
  for (const who of ['demoCaseSystem', 'demoAdmin', 'otherCaseSystem'] as const) tokens[who] = await getToken(issuer, who);
  for (const [who, seed] of Object.entries(EXTRA)) tokens[who] = await getToken(issuer, seed);
});

afterAll(async () => {
  await api?.close();
  await issuer?.close();
  await db?.drop();
});

describe('resendLetter', () => {
  it('sends a failed letter again through the intake, with the same content, linked both ways', async () => {
    const attachment = await makeTestPdf('Beslut bilaga');
    const id = await submit({
      recipient: NOT_REGISTERED,
      subject: 'Beslut om bygglov',
      caseReference: 'BN 2026-501',
      body: { text: 'Hej! Här är beslutet.' },
      protectionClass: 2,
      postalAddress: ADDRESS,
      attachments: [{ filename: 'beslut.pdf', contentBase64: attachment.toString('base64') }],
    });
    await setStatus(id, 'RETURNED', 'ADDRESSEE_UNKNOWN');
    const before = await letter(id);
    expect(before.resend).toEqual({ allowed: true, refusal: null, message: null });
    expect(before.cancellable).toBe(false);
    expect(before.body).toEqual({ contentType: 'text/plain', text: 'Hej! Här är beslutet.' });

    const corrected = { name: 'Test Testsson', lines: ['Nygatan 2'], postalCode: '543 21', city: 'Nystad' };
    const created = ok(await resend(id, { reason: 'Ny adress från Skatteverket', postalAddress: corrected })).resendLetter;
    expect(created.id).not.toBe(id);
    expect(created).toMatchObject({
      status: 'ACCEPTED',
      subject: 'Beslut om bygglov',
      caseReference: 'BN 2026-501',
      protectionClass: 2,
      recipient: NOT_REGISTERED,
      sendingUnit: { code: 'bygg' },
      postalAddress: corrected,
      body: { contentType: 'text/plain', text: 'Hej! Här är beslutet.' },
      resendOf: id,
      resentAs: null,
      idempotencyKey: `resend:${id}`,
    });
    expect(created.attachments.map((a) => [a.filename, a.sha256])).toEqual(before.attachments.map((a) => [a.filename, a.sha256]));
    expect(created.events.map((e) => e.type)).toEqual(['ACCEPTED', 'RESEND_OF']);
    expect(created.events[1].detail).toMatchObject({ resendOf: id, reason: 'Ny adress från Skatteverket', addressCorrected: true });

    const after = await letter(id);
    expect(after.resentAs).toBe(created.id);
    expect(after.resend).toMatchObject({ allowed: false, refusal: 'ALREADY_RESENT' });
    expect(after.events.map((e) => e.type).slice(-1)).toEqual(['RESENT']);
    expect(after.events.at(-1)!.detail).toMatchObject({ resentAs: created.id, reason: 'Ny adress från Skatteverket' });
    // It keeps the case system's API client: the case system sees it in its own part of the log.
    const [row] = await db.ownerQuery<{ same: boolean }>(`select a.api_client_id is not distinct from b.api_client_id and b.api_client_id is not null as same from letter a, letter b where a.id = $1 and b.id = $2`, [id, created.id]);
    expect(row.same).toBe(true);
    // Queued for dispatch like any letter.
    expect(await db.ownerQuery(`select 1 from outbox where letter_id = $1`, [created.id])).toHaveLength(1);

    // A second resend is refused and names the first.
    const again = await resend(id);
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    expect(again.errors![0].extensions).toMatchObject({ reason: 'ALREADY_RESENT', resentAs: created.id });
  });

  it('refuses letters that did not end undelivered, a cancelled one included', async () => {
    const delivered = await submit({ recipient: NOT_REGISTERED, subject: 'Kallelse', body: { text: 'x' }, protectionClass: 1 });
    await setStatus(delivered, 'DELIVERED');
    const cancelled = await submit({ recipient: NOT_REGISTERED, subject: 'Kallelse', body: { text: 'y' }, protectionClass: 1 });
    ok(await gql(api.graphqlUrl, tokens.demoAdmin, `mutation($id: ID!) { cancelLetter(id: $id, reason: "fel mottagare") { id } }`, { id: cancelled }));
    for (const id of [delivered, cancelled]) {
      const r = await resend(id);
      expect(r.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'STATUS_NOT_RESENDABLE' });
      expect((await letter(id)).resend).toMatchObject({ allowed: false, refusal: 'STATUS_NOT_RESENDABLE' });
    }
    expect(await db.ownerQuery(`select 1 from letter where resend_of = any($1::uuid[])`, [[delivered, cancelled]])).toHaveLength(0);
  });

  it('refuses a letter whose case type is archived, and applies today\'s case type rules to the resend', async () => {
    await db.ownerQuery(
      `insert into case_type (tenant_id, code, name, default_protection_class, subject_template, allowed_channels)
       values ($1, 'resend-arkiv', 'Arkiverad', 1, 'Beslut', '{DIGITAL,PRINT}'), ($1, 'resend-klass', 'Klass', 1, 'Beslut', '{DIGITAL,PRINT}')`,
      [db.demo.tenantId],
    );
    const archived = await submit({ recipient: NOT_REGISTERED, caseType: 'resend-arkiv', body: { text: 'x' }, protectionClass: 1 });
    const raised = await submit({ recipient: NOT_REGISTERED, caseType: 'resend-klass', body: { text: 'x' }, protectionClass: 1 });
    await setStatus(archived, 'FAILED', 'NOT_REGISTERED');
    await setStatus(raised, 'FAILED', 'NOT_REGISTERED');
    await db.ownerQuery(`update case_type set archived_at = now() where code = 'resend-arkiv'`);
    // The municipality has since decided that this case type needs class 2: the old letter's class 1 is too low now.
    await db.ownerQuery(`update case_type set default_protection_class = 2 where code = 'resend-klass'`);

    expect((await resend(archived)).errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'CASE_TYPE_ARCHIVED' });
    const refused = await resend(raised);
    expect(errorCode(refused)).toBe('VALIDATION_FAILED');
    expect(refused.errors![0].extensions!.fields!.map((f) => f.path)).toEqual(['protectionClass']);
    expect((await letter(raised)).resentAs).toBeNull();
  });

  it('checks a corrected postal address field by field', async () => {
    const id = await submit({ recipient: NOT_REGISTERED, subject: 'Beslut', body: { text: 'x' }, protectionClass: 1, postalAddress: ADDRESS });
    await setStatus(id, 'PRINT_FAILED', 'PAPER_JAM');
    const r = await resend(id, { postalAddress: { ...ADDRESS, postalCode: '12' } });
    expect(errorCode(r)).toBe('VALIDATION_FAILED');
    expect(r.errors![0].extensions!.fields!.map((f) => f.path)).toEqual(['postalAddress.postalCode']);
    expect((await letter(id)).resentAs).toBeNull();
    const tooLong = await resend(id, { reason: 'x'.repeat(501) });
    expect(tooLong.errors![0].extensions!.fields!.map((f) => f.path)).toEqual(['reason']);
  });

  it('is for the municipality\'s people only, and another municipality\'s letter does not exist', async () => {
    const id = await submit({ recipient: NOT_REGISTERED, subject: 'Beslut', body: { text: 'x' }, protectionClass: 1 });
    await setStatus(id, 'FAILED', 'NOT_REGISTERED');
    expect(errorCode(await resend(id, {}, 'demoCaseSystem'))).toBe('FORBIDDEN');
    expect(errorCode(await resend(id, {}, 'otherAdmin'))).toBe('NOT_FOUND');
    expect(errorCode(await resend('not-a-uuid', {}, 'demoAdmin'))).toBe('NOT_FOUND');
    const done = ok(await resend(id, {}, 'demoAdmin')).resendLetter;
    expect(done.resendOf).toBe(id);
  });
});

describe('GET /console/v1/letters/:id/pdf and /attachments/:n', () => {
  let digital: string;
  let printed: string;
  const printedPdf = Buffer.from('%PDF-1.4\n% the print item exactly as the vendor got it\n%%EOF\n', 'latin1');

  beforeAll(async () => {
    digital = await submit({
      recipient: NOT_REGISTERED,
      subject: 'Beslut om strandskydd',
      caseReference: 'BN 2026-777',
      body: { text: 'Nämnden beviljar dispens.' },
      protectionClass: 1,
      attachments: [{ filename: 'Beslut åäö.pdf', contentBase64: (await makeTestPdf('Bilagans text')).toString('base64') }],
    });
    printed = await submit({ recipient: NOT_REGISTERED, subject: 'Faktura', body: { text: 'x' }, protectionClass: 1, postalAddress: ADDRESS });
    await db.ownerQuery(`update letter set status = 'PRINT_PENDING', channel = 'PRINT' where id = $1`, [printed]);
    await db.ownerQuery(
      `insert into print_item (letter_id, tenant_id, vendor_id, postage_class, status, pdf, pdf_sha256, pages, sheets, duplex, colour, envelope_profile, address_lines, return_address)
       values ($1, $2, 'demo-print', 'ECONOMY', 'READY', $3, encode(sha256($3), 'hex'), 1, 1, false, false, 'C5-H2', '[]', '[]')`,
      [printed, db.demo.tenantId, printedPdf],
    );
  });

  it('renders a letter that did not go to print, in the print layout, with its attachment merged', async () => {
    for (const who of ['demoAdmin', 'officerBygg']) {
      const res = await get(`/console/v1/letters/${digital}/pdf`, who);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('x-letter-pdf')).toBe('RENDITION');
      expect(res.headers.get('x-attachments-merged')).toBe('true');
      const pdf = Buffer.from(await res.arrayBuffer());
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const text = pdfText(pdf);
      for (const words of ['Beslut om strandskydd', 'BN 2026-777', 'Nämnden beviljar dispens.', 'Bilagans text']) expect(text).toContain(words);
      // No personnummer anywhere in it.
      expect(text).not.toContain(NOT_REGISTERED);
    }
  });

  it('gives the print item exactly as printed once the letter was rendered for print', async () => {
    const res = await get(`/console/v1/letters/${printed}/pdf`, 'demoAdmin');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-letter-pdf')).toBe('AS_PRINTED');
    expect(Buffer.from(await res.arrayBuffer()).equals(printedPdf)).toBe(true);
  });

  it('serves an attachment by its position, with its name', async () => {
    const res = await get(`/console/v1/letters/${digital}/attachments/0`, 'officerBygg');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Beslut aao.pdf"; filename*=UTF-8''${encodeURIComponent('Beslut åäö.pdf')}`);
    const [stored] = await db.ownerQuery<{ content: Buffer }>(`select content from letter_attachment where letter_id = $1`, [digital]);
    expect(Buffer.from(await res.arrayBuffer()).equals(stored.content)).toBe(true);
    for (const n of ['1', 'x', '-1']) {
      const missing = await get(`/console/v1/letters/${digital}/attachments/${n}`, 'officerBygg');
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    }
  });

  it('is 404 for another municipality\'s letter and an unknown id, 403 for a case system, 401 without a token', async () => {
    for (const path of [`/console/v1/letters/${digital}/pdf`, `/console/v1/letters/${digital}/attachments/0`]) {
      const other = await get(path, 'otherAdmin');
      expect(other.status).toBe(404);
      expect(((await other.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'NOT_FOUND' });
      expect((await get(path, 'demoCaseSystem')).status).toBe(403);
      const anonymous = await get(path);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    }
    expect((await get(`/console/v1/letters/00000000-0000-7000-8000-000000000000/pdf`, 'demoAdmin')).status).toBe(404);
    expect((await get(`/console/v1/letters/nonsense/pdf`, 'demoAdmin')).status).toBe(404);
  });

  it('answers 410 once retention removed the content, and the letter can no longer be resent', async () => {
    // Both letters are finished and 40 days old; a content rule of 30 days for their case type purges them.
    await db.ownerQuery(
      `insert into case_type (tenant_id, code, name, default_protection_class, subject_template, allowed_channels) values ($1, 'gallras', 'Gallras', 1, 'Beslut', '{DIGITAL,PRINT}')`,
      [db.demo.tenantId],
    );
    await db.ownerQuery(`insert into retention_rule (tenant_id, case_type_code, content_after_days) values ($1, 'gallras', 30)`, [db.demo.tenantId]);
    await db.ownerQuery(
      `update letter set case_type_code = 'gallras', status = case when id = $1 then 'FAILED' else 'POSTED' end,
              created_at = now() - interval '40 days', dispatched_at = case when id = $2 then now() - interval '40 days' end
        where id = any(array[$1, $2]::uuid[])`,
      [digital, printed],
    );
    const appDb = new TenantDb(await db.appOrm(2));
    const [record] = await new RetentionPurge({ db: appDb }).run({ tenantId: db.demo.tenantId, actor: 'test' }, { dryRun: false, trigger: 'MANUAL' });
    expect(record.counts).toMatchObject({ contentLetters: 2, contentAttachments: 1, contentPrintPdfs: 1 });

    for (const path of [`/console/v1/letters/${digital}/pdf`, `/console/v1/letters/${digital}/attachments/0`, `/console/v1/letters/${printed}/pdf`]) {
      const res = await get(path, 'demoAdmin');
      expect(res.status).toBe(410);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('CONTENT_PURGED');
      expect(body.error.message).toMatch(/retention rules \(gallring\)/);
    }
    const purged = await letter(digital);
    expect(purged.body).toBeNull();
    expect(purged.resend).toMatchObject({ allowed: false, refusal: 'CONTENT_PURGED' });
    expect((await resend(digital)).errors![0].extensions).toMatchObject({ reason: 'CONTENT_PURGED' });
  });
});
