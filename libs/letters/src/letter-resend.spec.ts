/**
 * Resending a letter against PostgreSQL (the application role, row-level security): two resends at
 * once make one new letter, a resend interrupted after the intake is completed by the next attempt,
 * an event message is resent as an event message, and another municipality cannot resend a letter.
 * The rules through the GraphQL API are in libs/api-graphql/src/overview/letter-console.api.spec.ts.
 */
import { TenantDb } from '@hub/persistence';
import { HubDatabase, startHubDatabase } from '../../../test/support';
import { LetterNotFoundError, LetterValidationError } from './intake/intake.errors';
import { IntakeContext } from './intake/intake.types';
import { LetterIntakeService } from './intake/letter-intake.service';
import { LetterResendService, resendKey, ResendRefusedError } from './letter-resend';

jest.setTimeout(60_000);

let hub: HubDatabase;
let intake: LetterIntakeService;
let resends: LetterResendService;
let officer: IntakeContext;

const ADDRESS = { name: 'Test Testsson', lines: ['Storgatan 1'], postalCode: '123 45', city: 'Demostad' };

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'letter-resend' });
  const db = new TenantDb(await hub.appOrm(6));
  intake = new LetterIntakeService(db, { defaultDeadlineHours: 24, bulkMax: 100, pageSizeMax: 100 });
  resends = new LetterResendService(db, intake);
  officer = { tenantId: hub.demo.tenantId, actor: 'hanna' };
});

afterAll(() => hub?.drop());

async function failedLetter(input: Record<string, unknown> = {}): Promise<string> {
  const { letter } = await intake.submit(officer, { recipient: '201001012382', sendingUnit: 'bygg', subject: 'Beslut', body: { text: 'Hej' }, protectionClass: 1, postalAddress: ADDRESS, ...input });
  await hub.ownerQuery(`update letter set status = 'FAILED', status_reason = 'NOT_REGISTERED' where id = $1`, [letter.id]);
  return letter.id;
}

const events = async (id: string) => (await hub.ownerQuery<{ type: string }>(`select type from letter_event where letter_id = $1 order by id`, [id])).map((r) => r.type);

it('makes one new letter when the same letter is resent twice at once', async () => {
  const id = await failedLetter();
  const results = await Promise.all([resends.resend(officer, id, { reason: 'igen' }), resends.resend(officer, id, { reason: 'igen' })]);
  expect(new Set(results.map((r) => r.letter.id)).size).toBe(1);
  expect(results.map((r) => r.created).sort()).toEqual([false, true]);
  const rows = await hub.ownerQuery<{ id: string; resend_of: string }>(`select id, resend_of from letter where idempotency_key = $1`, [resendKey(id)]);
  expect(rows).toEqual([{ id: results[0].letter.id, resend_of: id }]);
  expect((await events(id)).filter((t) => t === 'RESENT')).toHaveLength(1);
  expect(await events(results[0].letter.id)).toEqual(['ACCEPTED', 'RESEND_OF']);
});

it('completes a resend that was interrupted between the intake and the link', async () => {
  const id = await failedLetter();
  // The earlier attempt got as far as the new letter (same key, same content), then the process died.
  const { letter: orphan } = await intake.submit(officer, {
    recipient: '201001012382',
    sendingUnit: 'bygg',
    subject: 'Beslut',
    body: { contentType: 'text/plain', text: 'Hej' },
    protectionClass: 1,
    channelPreference: 'AUTO',
    postalAddress: ADDRESS,
    protectedIdentity: false,
    category: 'CASE',
    attachments: [],
    idempotencyKey: resendKey(id),
  });
  const result = await resends.resend(officer, id);
  expect(result).toMatchObject({ created: false, originalId: id });
  expect(result.letter.id).toBe(orphan.id);
  expect((await hub.ownerQuery(`select resent_as from letter where id = $1`, [id]))[0]).toEqual({ resent_as: orphan.id });
});

it('resends an event message as an event message, digital only, with its OfficialMatter', async () => {
  const { letter } = await intake.submitEvent(officer, {
    recipient: '198101032384',
    sendingUnit: 'bygg',
    subject: 'Ärendet har fått ny handläggare',
    body: { text: 'Hej' },
    protectionClass: 1,
    officialMatter: { officialMatterId: 'BN 2026-9', matterStatus: 'senderinitiative', eventType: 'Ny handläggare' },
  });
  await hub.ownerQuery(`update letter set status = 'FAILED' where id = $1`, [letter.id]);
  await expect(resends.resend(officer, letter.id, { postalAddress: ADDRESS })).rejects.toBeInstanceOf(LetterValidationError);
  const { letter: again } = await resends.resend(officer, letter.id);
  expect(again).toMatchObject({ category: 'EVENT', channelPreference: 'DIGITAL_ONLY', postalAddress: null });
  expect(again.officialMatter).toEqual(letter.officialMatter);
});

it('cannot resend another municipality\'s letter, and names the rule it breaks', async () => {
  const id = await failedLetter();
  await expect(resends.resend({ tenantId: hub.other.tenantId, actor: 'x' }, id)).rejects.toBeInstanceOf(LetterNotFoundError);
  expect(await resends.check({ tenantId: hub.other.tenantId, actor: 'x' }, [id])).toEqual(new Map());
  await hub.ownerQuery(`update letter set status = 'DELIVERED' where id = $1`, [id]);
  const refusal = await resends.resend(officer, id).catch((e: unknown) => e);
  expect(refusal).toBeInstanceOf(ResendRefusedError);
  expect((refusal as ResendRefusedError).refusal).toBe('STATUS_NOT_RESENDABLE');
});
