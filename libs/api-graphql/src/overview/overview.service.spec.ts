/**
 * The overview's figures against PostgreSQL (as the application role, under row-level security),
 * at a fixed "now": which letters count as today's and this week's (Swedish calendar), which
 * failures and held letters are listed, the waiting print batches, the certificate alerts, the
 * officer's unit scope, the other municipality's letters left out; and the search form's options.
 */
import { randomUUID } from 'node:crypto';
import { LogAccessDeniedError, LogCaller } from '@hub/delivery-log';
import { TenantDb } from '@hub/persistence';
import { HubDatabase, startHubDatabase } from '../../../../test/support';
import { OverviewService } from './overview.service';

jest.setTimeout(60_000);

// Wednesday 4 March 2026, 11:00 in Stockholm.
const NOW = new Date('2026-03-04T10:00:00Z');
const P1 = '198101032384';

let hub: HubDatabase;
let service: OverviewService;
let admin: LogCaller;
let officer: LogCaller;
const ids: Record<string, string> = {};

interface Row {
  name: string;
  unit?: 'bygg' | 'social' | 'other';
  status: string;
  channel?: 'DIGITAL' | 'PRINT' | null;
  createdAt: string;
  subject?: string;
  protectionClass?: number;
  operator?: [string, string];
  resentAs?: string;
}

async function insert(rows: Row[]): Promise<void> {
  for (const r of rows) {
    const id = randomUUID();
    const other = r.unit === 'other';
    const unitId = other ? hub.other.unitId : hub.demo.units[r.unit ?? 'bygg'].id;
    const created = new Date(r.createdAt);
    await hub.ownerQuery(
      `insert into letter (id, tenant_id, sending_unit_id, content_hash, recipient_id, recipient_kind, case_reference, subject, protection_class, channel_preference,
                           status, status_reason, channel, operator_id, operator_name, deadline_at, created_at, updated_at, resent_as)
       values ($1, $2, $3, 'x', $4, 'personnummer', 'DNR ' || $5, $6, $7, 'AUTO', $8, $9, $10, $11, $12, $13::timestamptz + interval '1 day', $13, $13::timestamptz + interval '1 hour', $14)`,
      [
        id,
        other ? hub.other.tenantId : hub.demo.tenantId,
        unitId,
        P1,
        r.name,
        r.subject ?? `Beslut ${r.name}`,
        r.protectionClass ?? 1,
        r.status,
        r.status === 'FAILED' ? 'NOT_REGISTERED' : r.status === 'HELD' ? 'PROTECTED_IDENTITY' : null,
        r.channel ?? null,
        r.operator?.[0] ?? null,
        r.operator?.[1] ?? null,
        created,
        r.resentAs ?? null,
      ],
    );
    ids[r.name] = id;
  }
}

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'overview' });
  service = new OverviewService(new TenantDb(await hub.appOrm(3)));
  admin = { tenantId: hub.demo.tenantId, actor: 'admin', roles: ['tenant-admin'] };
  officer = { tenantId: hub.demo.tenantId, actor: 'officer', roles: ['case-officer'], sendingUnitRef: 'bygg' };
  const kivra: [string, string] = ['165599000014', 'Kivra'];
  await insert([
    { name: 'A', status: 'DELIVERED', channel: 'DIGITAL', createdAt: '2026-03-04T08:00:00Z', operator: kivra },
    // 00:30 on Wednesday in Stockholm: today's, although it is Tuesday in UTC.
    { name: 'B', status: 'POSTED', channel: 'PRINT', createdAt: '2026-03-03T23:30:00Z' },
    { name: 'C', unit: 'social', status: 'FAILED', createdAt: '2026-03-03T12:00:00Z', subject: 'Känsligt ämne', protectionClass: 3 },
    // 00:30 on Monday in Stockholm: this week's.
    { name: 'D', status: 'HELD', createdAt: '2026-03-01T23:30:00Z' },
    // 23:30 on Sunday in Stockholm: last week's.
    { name: 'E', status: 'DELIVERED', channel: 'DIGITAL', createdAt: '2026-03-01T22:30:00Z', operator: ['165599000022', 'Min myndighetspost'] },
    { name: 'F', status: 'RETURNED', channel: 'PRINT', createdAt: '2026-02-20T09:00:00Z' },
    // Older than the 30 days failures are listed for.
    { name: 'G', status: 'FAILED', createdAt: '2026-01-20T09:00:00Z' },
    { name: 'I', status: 'HELD', createdAt: '2025-06-01T09:00:00Z' },
    { name: 'J', unit: 'social', status: 'PRINT_FAILED', channel: 'PRINT', createdAt: '2026-03-02T00:00:00Z' },
    // Created after "now" (a clock a little ahead elsewhere): not counted.
    { name: 'K', status: 'ACCEPTED', createdAt: '2026-03-04T12:00:00Z' },
    // The other municipality's letters, at the same times.
    { name: 'X1', unit: 'other', status: 'FAILED', createdAt: '2026-03-04T08:00:00Z', operator: ['165567828172', 'Fortnox'] },
    { name: 'X2', unit: 'other', status: 'HELD', createdAt: '2026-03-04T08:00:00Z' },
  ]);
  // A failure that was resent needs nothing more.
  await insert([{ name: 'H', status: 'FAILED', createdAt: '2026-02-25T09:00:00Z', resentAs: ids.A }]);

  const batch = (tenantId: string, status: string, createdMinutesAgo: number, readyMinutesAgo: number | null, ackByMinutes: number | null) =>
    hub.ownerQuery<{ id: string }>(
      `insert into print_batch (tenant_id, vendor_id, postage_class, status, letters, pages, sheets, created_at, ready_at, acknowledge_by)
       values ($1, 'demo-print', 'ECONOMY', $2, 3, 7, 5, $3::timestamptz - make_interval(mins => $4), $3::timestamptz - make_interval(mins => $5), $3::timestamptz + make_interval(mins => $6))
       returning id`,
      [tenantId, status, NOW, createdMinutesAgo, readyMinutesAgo, ackByMinutes],
    );
  ids.batchReady = (await batch(hub.demo.tenantId, 'READY', 100, 90, -10))[0].id;
  ids.batchAssembling = (await batch(hub.demo.tenantId, 'ASSEMBLING', 5, null, null))[0].id;
  await batch(hub.demo.tenantId, 'ACKNOWLEDGED', 300, 290, 60);
  await batch(hub.other.tenantId, 'READY', 50, 40, 200);

  await hub.ownerQuery(`update sending_unit set certificate_not_after = $2::timestamptz + interval '10 days 1 hour' where id = $1`, [hub.demo.units.social.id, NOW]);
  await hub.ownerQuery(`update sending_unit set certificate_not_after = $2::timestamptz + interval '400 days' where id = $1`, [hub.demo.units.bygg.id, NOW]);
  await hub.ownerQuery(`insert into sending_unit (tenant_id, code, name, org_number) values ($1, 'skola', 'Demo kommun, Skolnämnden', '162120001231')`, [hub.demo.tenantId]);
  await hub.ownerQuery(
    `insert into sending_unit (tenant_id, code, name, org_number, certificate_pem, certificate_not_after) values ($1, 'vard', 'Demo kommun, Vårdnämnden', '162120001231', 'x', $2::timestamptz - interval '2 days')`,
    [hub.demo.tenantId, NOW],
  );
});

afterAll(async () => {
  await hub?.drop();
});

describe('overview of a tenant admin (the municipality)', () => {
  it('counts today\'s and this week\'s letters by channel and state, Swedish calendar', async () => {
    const o = await service.overview(admin, NOW);
    expect(o).toMatchObject({ scope: 'MUNICIPALITY', sendingUnit: null, generatedAt: NOW });
    expect(o.today).toEqual({
      from: new Date('2026-03-03T23:00:00Z'),
      total: 2,
      byChannel: [
        { key: 'DIGITAL', count: 1 },
        { key: 'PRINT', count: 1 },
        { key: 'NONE', count: 0 },
      ],
      byStatus: [
        { key: 'DELIVERED', count: 1 },
        { key: 'POSTED', count: 1 },
      ],
      byChannelAndStatus: [
        { channel: 'DIGITAL', status: 'DELIVERED', count: 1 },
        { channel: 'PRINT', status: 'POSTED', count: 1 },
      ],
    });
    expect(o.week.from).toEqual(new Date('2026-03-01T23:00:00Z'));
    expect(o.week.total).toBe(5);
    expect(o.week.byChannel).toEqual([
      { key: 'DIGITAL', count: 1 },
      { key: 'PRINT', count: 2 },
      { key: 'NONE', count: 2 },
    ]);
    expect(o.week.byStatus).toEqual([
      { key: 'DELIVERED', count: 1 },
      { key: 'HELD', count: 1 },
      { key: 'POSTED', count: 1 },
      { key: 'PRINT_FAILED', count: 1 },
      { key: 'FAILED', count: 1 },
    ]);
    expect(o.week.byChannelAndStatus).toEqual([
      { channel: 'DIGITAL', status: 'DELIVERED', count: 1 },
      { channel: 'PRINT', status: 'POSTED', count: 1 },
      { channel: 'PRINT', status: 'PRINT_FAILED', count: 1 },
      { channel: 'NONE', status: 'HELD', count: 1 },
      { channel: 'NONE', status: 'FAILED', count: 1 },
    ]);
  });

  it('lists the failures of the last 30 days that were not resent (withholding a class 3 subject), and every held letter', async () => {
    const o = await service.overview(admin, NOW);
    expect(o.failures.total).toBe(3);
    expect(o.failures.since).toEqual(new Date('2026-02-02T10:00:00Z'));
    expect(o.failures.letters.map((l) => l.id)).toEqual([ids.C, ids.J, ids.F]);
    expect(o.failures.letters[0]).toEqual({
      id: ids.C,
      status: 'FAILED',
      statusReason: 'NOT_REGISTERED',
      subject: null,
      subjectWithheld: true,
      caseReference: 'DNR C',
      sendingUnit: 'social',
      createdAt: new Date('2026-03-03T12:00:00Z'),
      updatedAt: new Date('2026-03-03T13:00:00Z'),
    });
    expect(o.failures.letters[1]).toMatchObject({ subject: 'Beslut J', subjectWithheld: false });
    expect(o.held).toMatchObject({ total: 2, since: null });
    expect(o.held.letters.map((l) => [l.id, l.statusReason])).toEqual([
      [ids.D, 'PROTECTED_IDENTITY'],
      [ids.I, 'PROTECTED_IDENTITY'],
    ]);
  });

  it('lists the print batches waiting for the vendor, oldest first, with their age', async () => {
    const o = await service.overview(admin, NOW);
    expect(o.printBatchesWaiting.total).toBe(2);
    expect(o.printBatchesWaiting.batches).toEqual([
      {
        id: ids.batchReady,
        vendorId: 'demo-print',
        vendorName: expect.any(String),
        status: 'READY',
        letters: 3,
        pages: 7,
        waitingSince: new Date(NOW.getTime() - 90 * 60_000),
        ageMinutes: 90,
        acknowledgeBy: new Date(NOW.getTime() - 10 * 60_000),
        overdue: true,
      },
      expect.objectContaining({ id: ids.batchAssembling, status: 'ASSEMBLING', waitingSince: new Date(NOW.getTime() - 5 * 60_000), ageMinutes: 5, acknowledgeBy: null, overdue: false }),
    ]);
  });

  it('warns of certificates that are missing, expired or expire within 30 days, soonest first', async () => {
    const o = await service.overview(admin, NOW);
    expect(o.certificates).toEqual([
      { unitCode: 'skola', unitName: 'Demo kommun, Skolnämnden', state: 'MISSING', notAfter: null, daysLeft: null },
      { unitCode: 'vard', unitName: 'Demo kommun, Vårdnämnden', state: 'EXPIRED', notAfter: new Date(NOW.getTime() - 2 * 86_400_000), daysLeft: -2 },
      { unitCode: 'social', unitName: hub.demo.units.social.name, state: 'EXPIRING', notAfter: new Date(NOW.getTime() + 10 * 86_400_000 + 3_600_000), daysLeft: 10 },
    ]);
  });
});

describe('overview of a case officer (their sending unit)', () => {
  it('counts and lists only the unit\'s letters, and no certificates', async () => {
    const o = await service.overview(officer, NOW);
    expect(o).toMatchObject({ scope: 'SENDING_UNIT', sendingUnit: 'bygg', certificates: null });
    expect([o.today.total, o.week.total]).toEqual([2, 3]);
    expect(o.failures.letters.map((l) => l.id)).toEqual([ids.F]);
    expect(o.held.letters.map((l) => l.id)).toEqual([ids.D, ids.I]);
    // Print batches hold letters of every unit: the officer sees the municipality's.
    expect(o.printBatchesWaiting.total).toBe(2);
  });

  it('refuses an officer whose token names no sending unit, or one the municipality does not have', async () => {
    await expect(service.overview({ ...officer, sendingUnitRef: undefined }, NOW)).rejects.toBeInstanceOf(LogAccessDeniedError);
    await expect(service.overview({ ...officer, sendingUnitRef: 'finns-inte' }, NOW)).rejects.toThrow(/not a sending unit of your municipality/);
  });
});

describe('letter search options', () => {
  it('offers the units the caller may search and the operators the municipality\'s letters went to', async () => {
    expect(await service.searchOptions(admin)).toEqual({
      sendingUnits: [
        { code: 'bygg', name: hub.demo.units.bygg.name },
        { code: 'skola', name: 'Demo kommun, Skolnämnden' },
        { code: 'social', name: hub.demo.units.social.name },
        { code: 'vard', name: 'Demo kommun, Vårdnämnden' },
      ].sort((a, b) => a.name.localeCompare(b.name, 'en')),
      operators: [
        { id: '165599000014', name: 'Kivra' },
        { id: '165599000022', name: 'Min myndighetspost' },
      ],
    });
    expect((await service.searchOptions(officer)).sendingUnits).toEqual([{ code: 'bygg', name: hub.demo.units.bygg.name }]);
  });
});
