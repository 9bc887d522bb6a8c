/**
 * The GraphQL intake API end to end: a fresh database, the real OIDC issuer for tokens, the API in
 * process on a free port, called over HTTP.
 */
import type { RunningOidcIssuer } from '../apps/simulators/src/oidc/oidc-issuer';
import type { RunningSimulators } from '../apps/simulators/src/simulators';
import { pickTestPersonnummer } from '@hub/testing';
import {
  createTestDatabase,
  errorCode,
  getToken,
  gql,
  ok,
  ownerQuery,
  pdfOfSize,
  RunningApi,
  startApi,
  startTestIssuer,
  startTestSimulators,
  testConfig,
  TestDatabase,
  tinyPdf,
} from './support/api-helpers';

// Real processes and a real database on a shared machine: seconds, not milliseconds.
jest.setTimeout(60_000);

let db: TestDatabase;
let issuer: RunningOidcIssuer;
let sims: RunningSimulators;
let api: RunningApi;
let caseSystem: string;
let officer: string;

const SUBMIT = `mutation Submit($input: LetterInput!) {
  submitLetter(input: $input) {
    id status recipient recipientKind subject bodyType protectionClass channelPreference caseReference idempotencyKey
    sendingUnit { code name } attachments { position filename contentType sizeBytes sha256 }
    createdAt deadlineAt events { type fromStatus toStatus detail }
  }
}`;

const LETTER = `query Letter($id: ID!) { letter(id: $id) { id status statusReason events { type fromStatus toStatus } } }`;

interface SubmitData {
  submitLetter: {
    id: string;
    status: string;
    recipient: string;
    subject: string;
    bodyType: string;
    idempotencyKey: string | null;
    sendingUnit: { code: string; name: string };
    attachments: { position: number; filename: string; sizeBytes: number }[];
    events: { type: string; fromStatus: string | null; toStatus: string; detail: Record<string, unknown> }[];
    createdAt: string;
    deadlineAt: string;
  };
}

function input(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    recipient: '198101032384',
    subject: 'Beslut om bygglov',
    body: { contentType: 'text/plain', text: 'Hej! Ditt bygglov är beviljat.' },
    protectionClass: 1,
    caseReference: 'BN 2026-77',
    ...over,
  };
}

const submit = (token: string, over: Record<string, unknown> = {}) => gql<SubmitData>(api.graphqlUrl, token, SUBMIT, { input: input(over) });

beforeAll(async () => {
  [db, issuer, sims] = await Promise.all([createTestDatabase('api_intake'), startTestIssuer(), startTestSimulators()]);
  api = await startApi(testConfig(db, issuer, { FAR_URL: sims.farUrl }));
  [caseSystem, officer] = await Promise.all([getToken(issuer, 'demoCaseSystem'), getToken(issuer, 'demoOfficer')]);
});

afterAll(async () => {
  await api?.close();
  await Promise.all([issuer?.close(), sims?.close()]);
  await db?.drop();
});

describe('submitLetter', () => {
  it('accepts a letter: ACCEPTED, an ACCEPTED event and a dispatch outbox row, in the case system\'s bound unit', async () => {
    const r = await submit(caseSystem, { attachments: [{ filename: 'beslut.pdf', contentBase64: tinyPdf().toString('base64') }] });
    const letter = ok(r).submitLetter;
    expect(letter).toMatchObject({
      status: 'ACCEPTED',
      recipient: '198101032384',
      subject: 'Beslut om bygglov',
      sendingUnit: { code: 'bygg' },
      attachments: [{ position: 0, filename: 'beslut.pdf', sizeBytes: tinyPdf().length }],
      events: [{ type: 'ACCEPTED', fromStatus: null, toStatus: 'ACCEPTED', detail: { actor: 'demo-case-system', attachments: 1, channelPreference: 'AUTO' } }],
    });
    expect(new Date(letter.deadlineAt).getTime() - new Date(letter.createdAt).getTime()).toBe(24 * 3600_000);
    const outbox = await ownerQuery(db, 'select job, payload, tenant_id from outbox where letter_id = $1', [letter.id]);
    expect(outbox).toEqual([{ job: 'dispatch-letter', payload: { tenantId: db.demo.tenantId, letterId: letter.id }, tenant_id: db.demo.tenantId }]);
    expect(await ownerQuery(db, 'select api_client_id is not null as by_client from letter where id = $1', [letter.id])).toEqual([{ by_client: true }]);
  });

  it('returns the same letter for a retry with the same key and content, and IDEMPOTENCY_CONFLICT for other content', async () => {
    const first = ok(await submit(caseSystem, { idempotencyKey: 'BN-2026-77-beslut' })).submitLetter;
    const retry = ok(await submit(caseSystem, { idempotencyKey: 'BN-2026-77-beslut' })).submitLetter;
    expect(retry.id).toBe(first.id);
    const conflict = await submit(caseSystem, { idempotencyKey: 'BN-2026-77-beslut', subject: 'Ett annat beslut' });
    expect(errorCode(conflict)).toBe('IDEMPOTENCY_CONFLICT');
    expect(conflict.errors![0].message).toMatch(new RegExp(`already used for letter ${first.id}.*use a new key`));
    expect(await ownerQuery(db, 'select count(*)::int as n from letter where idempotency_key = $1', ['BN-2026-77-beslut'])).toEqual([{ n: 1 }]);
  });

  it('keeps one letter when the same idempotent request arrives 10 times at once', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => submit(caseSystem, { idempotencyKey: 'concurrent-retry' })));
    const ids = new Set(results.map((r) => ok(r).submitLetter.id));
    expect(ids.size).toBe(1);
    expect(await ownerQuery(db, 'select count(*)::int as n from outbox where letter_id = $1', [[...ids][0]])).toEqual([{ n: 1 }]);
  });

  it('refuses invalid fields with VALIDATION_FAILED listing each field, rule and fix', async () => {
    const r = await submit(caseSystem, {
      recipient: '198101032385',
      sendingUnit: 'social',
      subject: 'x'.repeat(300),
      protectionClass: 4,
      channelPreference: 'PRINT_ONLY',
      attachments: [{ filename: 'a.pdf', contentBase64: Buffer.from('not a pdf').toString('base64') }, { filename: 'b.pdf', contentBase64: 'not base64!' }],
      idempotencyKey: 'k'.repeat(201),
    });
    expect(errorCode(r)).toBe('VALIDATION_FAILED');
    expect(r.data).toBeNull();
    const fields = r.errors![0].extensions!.fields!;
    expect(fields.map((f) => `${f.path}:${f.rule}`)).toEqual([
      'recipient:luhn',
      'sendingUnit:bound',
      'subject:maxLength',
      'protectionClass:range',
      'attachments[0].content:contentType',
      'attachments[1].content:format',
      'postalAddress:required',
      'idempotencyKey:maxLength',
    ]);
    expect(fields.find((f) => f.path === 'sendingUnit')!.message).toMatch(/may only send as "bygg"/);
    expect(r.errors![0].message).toMatch(/Fix these fields/);
  });

  it('refuses a letter whose attachments do not fit the 2 MB wire limit, naming the limit', async () => {
    const r = await submit(caseSystem, { attachments: [{ filename: 'stor.pdf', contentBase64: pdfOfSize(1_600_000).toString('base64') }] });
    expect(errorCode(r)).toBe('VALIDATION_FAILED');
    expect(r.errors![0].extensions!.fields).toEqual([expect.objectContaining({ path: 'attachments', rule: 'maxSize', message: expect.stringMatching(/at most 2097152 bytes/) })]);
    const fits = ok(await submit(caseSystem, { attachments: [{ filename: 'stor.pdf', contentBase64: pdfOfSize(1_500_000).toString('base64') }] }));
    expect(fits.submitLetter.attachments[0].sizeBytes).toBe(1_500_000);
  });

  it('reduces HTML bodies to the safe subset', async () => {
    const html = '<h1>Beslut</h1><p style="color:red" onclick="steal()">Se <a href="https://demo.se/beslut">beslutet</a>.</p><script>steal()</script><img src="https://track.example/x.gif"><iframe src="https://evil.example"></iframe>';
    const letter = ok(await submit(officer, { sendingUnit: 'social', body: { contentType: 'text/html', text: html } })).submitLetter;
    expect(letter.bodyType).toBe('text/html');
    const [row] = await ownerQuery<{ body_text: string }>(db, 'select body_text from letter where id = $1', [letter.id]);
    expect(row.body_text).toBe('<h1>Beslut</h1><p>Se <a href="https://demo.se/beslut">beslutet</a>.</p>');
    expect(letter.events[0].detail).toMatchObject({ htmlSanitized: true });
  });

  it('takes attachments as GraphQL multipart uploads (with the preflight header), and refuses them without it (CSRF)', async () => {
    const pdf = tinyPdf('upload');
    const form = () => {
      const f = new FormData();
      f.set(
        'operations',
        JSON.stringify({
          query: SUBMIT,
          variables: { input: input({ attachments: [{ filename: 'beslut.pdf', file: null }, { file: null }] }) },
        }),
      );
      f.set('map', JSON.stringify({ 0: ['variables.input.attachments.0.file'], 1: ['variables.input.attachments.1.file'] }));
      f.set('0', new Blob([pdf], { type: 'application/pdf' }), 'ignored-name.pdf');
      f.set('1', new Blob([tinyPdf('second')], { type: 'application/pdf' }), 'bilaga 2.pdf');
      return f;
    };
    const send = async (headers: Record<string, string>) => {
      const res = await fetch(api.graphqlUrl, { method: 'POST', headers: { authorization: `Bearer ${caseSystem}`, ...headers }, body: form() });
      return { status: res.status, body: (await res.json()) as { data?: SubmitData; errors?: { message: string; extensions?: { code?: string } }[] } };
    };
    const accepted = await send({ 'apollo-require-preflight': 'true' });
    expect(accepted.body.errors).toBeUndefined();
    expect(accepted.body.data!.submitLetter.attachments.map((a) => [a.filename, a.sizeBytes])).toEqual([
      ['beslut.pdf', pdf.length],
      ['bilaga 2.pdf', tinyPdf('second').length],
    ]);
    const [stored] = await ownerQuery<{ content: Buffer }>(db, 'select content from letter_attachment where letter_id = $1 and position = 0', [accepted.body.data!.submitLetter.id]);
    expect(stored.content.equals(pdf)).toBe(true);

    const refused = await send({});
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(refused.body.errors![0].message).toMatch(/apollo-require-preflight/);
  });
});

describe('submitLetters', () => {
  it('accepts 1,000 letters in one call, refusing the bad ones by index with field paths', async () => {
    const people = pickTestPersonnummer(1000, 7);
    const inputs = people.map((recipient, i) => input({ recipient, idempotencyKey: `utskick-2026-11-${i}` }));
    inputs[10] = input({ recipient: '19810103238' });
    inputs[11] = input({ subject: null });
    inputs[512] = input({ protectionClass: 2, subject: `Beslut för ${people[512]}` });
    inputs[998] = input({ attachments: [{ filename: 'x.pdf', contentBase64: 'JVBERi0=' }, { filename: 'y.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', contentBase64: 'UEsDBA==' }] });
    const query = `mutation Bulk($inputs: [LetterInput!]!) {
      submitLetters(inputs: $inputs) { accepted refused results { index created code letter { id status recipient } errors { path rule message } } }
    }`;
    const started = Date.now();
    const r = await gql<{ submitLetters: { accepted: number; refused: number; results: { index: number; created: boolean | null; code: string | null; letter: { id: string; status: string; recipient: string } | null; errors: { path: string; rule: string }[] | null }[] } }>(
      api.graphqlUrl,
      caseSystem,
      query,
      { inputs },
    );
    const ms = Date.now() - started;
    const bulk = ok(r).submitLetters;
    expect(bulk).toMatchObject({ accepted: 996, refused: 4 });
    expect(bulk.results.map((x) => x.index)).toEqual(inputs.map((_, i) => i));
    const refused = bulk.results.filter((x) => x.letter === null);
    expect(refused.map((x) => [x.index, x.code, x.errors!.map((e) => `${e.path}:${e.rule}`)])).toEqual([
      [10, 'VALIDATION_FAILED', ['recipient:format']],
      [11, 'VALIDATION_FAILED', ['subject:required']],
      [512, 'VALIDATION_FAILED', ['subject:personalData']],
      [998, 'VALIDATION_FAILED', ['attachments[1].contentType:contentType']],
    ]);
    const accepted = bulk.results.filter((x) => x.letter);
    expect(accepted.every((x) => x.letter!.status === 'ACCEPTED' && x.created === true)).toBe(true);
    expect(accepted[0].letter!.recipient).toBe(people[0]);
    const ids = accepted.map((x) => x.letter!.id);
    expect(await ownerQuery(db, 'select count(*)::int as n from outbox where letter_id = any($1::uuid[])', [ids])).toEqual([{ n: 996 }]);
    process.stdout.write(`submitLetters: 1,000 letters over HTTP in ${ms} ms\n`);

    // The whole bulk again (a client retrying after a timeout): the same letters, nothing new.
    const again = ok(await gql<typeof bulk extends infer B ? { submitLetters: B } : never>(api.graphqlUrl, caseSystem, query, { inputs })).submitLetters;
    expect(again.results.filter((x) => x.letter).map((x) => x.letter!.id)).toEqual(ids);
    expect(again.results.some((x) => x.created)).toBe(false);
  });
});

describe('letters and letter', () => {
  it('pages newest first with cursors, filters, counts, and caps the page size', async () => {
    const query = `query Page($first: Int, $after: String, $filter: LetterFilter) {
      letters(first: $first, after: $after, filter: $filter) { totalCount edges { cursor node { id createdAt } } pageInfo { hasNextPage endCursor } }
    }`;
    type Page = { letters: { totalCount: number; edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (;;) {
      const page: Page = ok(await gql<Page>(api.graphqlUrl, officer, query, { first: 200, after })) ;
      total = page.letters.totalCount;
      seen.push(...page.letters.edges.map((e) => e.node.id));
      if (!page.letters.pageInfo.hasNextPage) break;
      after = page.letters.pageInfo.endCursor;
    }
    const rows = await ownerQuery<{ id: string }>(db, 'select id from letter where tenant_id = $1 order by created_at desc, id desc', [db.demo.tenantId]);
    expect(seen).toEqual(rows.map((r) => r.id));
    expect(total).toBe(rows.length);

    const byCase = ok(await gql<Page>(api.graphqlUrl, officer, query, { first: 5, filter: { caseReference: 'BN 2026-77', sendingUnit: 'social' } }));
    expect(byCase.letters.edges.length).toBeGreaterThan(0);

    const tooBig = await gql(api.graphqlUrl, officer, query, { first: 201 });
    expect(errorCode(tooBig)).toBe('PAGE_SIZE_EXCEEDED');
    expect(tooBig.errors![0].message).toMatch(/at most 200/);
    const badCursor = await gql(api.graphqlUrl, officer, query, { first: 5, after: 'bm90LWEtY3Vyc29y' });
    expect(errorCode(badCursor)).toBe('BAD_USER_INPUT');
  });

  it('answers NOT_FOUND for an unknown or malformed id', async () => {
    expect(errorCode(await gql(api.graphqlUrl, officer, LETTER, { id: '0190b8a0-0000-7000-8000-000000000000' }))).toBe('NOT_FOUND');
    expect(errorCode(await gql(api.graphqlUrl, officer, LETTER, { id: 'not-a-uuid' }))).toBe('NOT_FOUND');
  });
});

describe('cancelLetter', () => {
  const CANCEL = `mutation Cancel($id: ID!, $reason: String) { cancelLetter(id: $id, reason: $reason) { id status statusReason events { type fromStatus toStatus } } }`;

  it('cancels before dispatch, and refuses once the letter is signed, naming its state', async () => {
    const a = ok(await submit(caseSystem)).submitLetter;
    const cancelled = ok(await gql<{ cancelLetter: { status: string; statusReason: string; events: { type: string }[] } }>(api.graphqlUrl, officer, CANCEL, { id: a.id, reason: 'fel mottagare' })).cancelLetter;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', statusReason: 'cancelled: fel mottagare' });
    expect(cancelled.events.map((e) => e.type)).toEqual(['ACCEPTED', 'CANCELLED']);
    const twice = await gql(api.graphqlUrl, officer, CANCEL, { id: a.id });
    expect(errorCode(twice)).toBe('NOT_CANCELLABLE');

    const b = ok(await submit(caseSystem)).submitLetter;
    // The worker has taken it: signed for dispatch.
    await ownerQuery(db, `update letter set status = 'SIGNED', updated_at = now() where id = $1`, [b.id]);
    const late = await gql(api.graphqlUrl, caseSystem, CANCEL, { id: b.id });
    expect(errorCode(late)).toBe('NOT_CANCELLABLE');
    expect(late.errors![0].message).toMatch(/already in state SIGNED/);
    expect(ok(await gql<{ letter: { status: string } }>(api.graphqlUrl, officer, LETTER, { id: b.id })).letter.status).toBe('SIGNED');
  });
});

describe('checkReachability', () => {
  const CHECK = `query Check($recipients: [String!]!, $unit: String) { checkReachability(recipients: $recipients, sendingUnit: $unit) { recipient deliverable reason operator { id name } } }`;
  type Check = { checkReachability: { recipient: string; deliverable: boolean; reason: string | null; operator: { name: string } | null }[] };

  it('asks FaR (the simulator) with the sending unit as sender, in input order', async () => {
    const r = ok(await gql<Check>(api.graphqlUrl, caseSystem, CHECK, { recipients: ['198101032384', '19500118-2046', '201001012382', '199001022384', '198001032385'] }));
    expect(r.checkReachability.map((x) => [x.recipient, x.deliverable, x.reason])).toEqual([
      ['198101032384', true, null],
      ['195001182046', true, null],
      ['201001012382', false, 'NOT_REGISTERED'],
      ['199001022384', false, 'PENDING'],
      ['198001032385', true, null],
    ]);
    expect(r.checkReachability[0].operator!.name).toMatch(/Kivra/i);
    // This person has blocked Socialnämnden only: the sender is the unit asked for.
    const social = ok(await gql<Check>(api.graphqlUrl, officer, CHECK, { recipients: ['198001032385'], unit: 'social' }));
    expect(social.checkReachability[0]).toMatchObject({ deliverable: false, reason: 'SENDER_NOT_ACCEPTED' });
  });

  it('refuses invalid ids with their positions, and a unit the client is not bound to', async () => {
    const r = await gql(api.graphqlUrl, caseSystem, CHECK, { recipients: ['198101032384', '123'] });
    expect(errorCode(r)).toBe('VALIDATION_FAILED');
    expect(r.errors![0].extensions!.fields!.map((f) => f.path)).toEqual(['recipients[1]']);
    expect(errorCode(await gql(api.graphqlUrl, caseSystem, CHECK, { recipients: ['198101032384'], unit: 'social' }))).toBe('VALIDATION_FAILED');
    expect(errorCode(await gql(api.graphqlUrl, officer, CHECK, { recipients: ['198101032384'] }))).toBe('VALIDATION_FAILED');
  });
});
