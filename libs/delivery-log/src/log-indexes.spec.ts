/**
 * The delivery log's searches use an index whatever they filter on: a synthetic log of a few hundred
 * thousand letters (Skatteverket's test personnummer), analysed, then every search of
 * `syntheticSearchCases` explained with EXPLAIN (ANALYZE, FORMAT JSON) through the application's
 * connection: no sequential scan of `letter`, the expected index where one is clearly best, and well
 * under 100 ms. The same searches over 10 million letters are measured by `npm run bench:export`.
 */
import { pickTestPersonnummer } from '@hub/testing';
import { TenantDb } from '@hub/persistence';
import { HubDatabase, startHubDatabase } from '../../../test/support';
import { DeliveryLogService } from './delivery-log.service';
import { LogCaller } from './log-access';
import { seedSyntheticLog, syntheticOfficerUnit, syntheticSearchCases, SyntheticLogOptions } from './synthetic-log';

jest.setTimeout(300_000);

const ROWS = Number(process.env.LOG_INDEX_TEST_ROWS ?? 150_000);
const LIMIT_MS = 100;

let hub: HubDatabase;
let service: DeliveryLogService;
let options: SyntheticLogOptions;
const unitCodes = ['bygg', 'social', ...[1, 2, 3, 4, 5, 6].map((i) => `enhet-${i}`)];
const callers: Record<'admin' | 'officer' | 'caseSystem', LogCaller> = {} as never;

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'log-indexes' });
  service = new DeliveryLogService(new TenantDb(await hub.appOrm()), { pageSizeMax: 200 });
  const A = hub.demo.tenantId;
  const units = [hub.demo.units.bygg.id, hub.demo.units.social.id];
  for (const code of unitCodes.slice(2)) {
    const [u] = await hub.ownerQuery<{ id: string }>(`insert into sending_unit (tenant_id, code, name, org_number) values ($1, $2, $2, '162120001231') returning id`, [A, code]);
    units.push(u.id);
  }
  const clients = (await hub.ownerQuery<{ id: string }>(`insert into api_client (tenant_id, client_id, name) select $1, 'system-' || n, 'System ' || n from generate_series(1, 2) n returning id`, [A])).map((c) => c.id);
  const [own] = await hub.ownerQuery<{ id: string }>(`select id from api_client where tenant_id = $1 and client_id = 'demo-case-system'`, [A]);
  clients.push(own.id);
  options = {
    tenantId: A,
    unitIds: units,
    apiClientIds: clients,
    recipients: pickTestPersonnummer(20_000, 7),
    caseTypes: ['bygglov', 'strandskydd', 'ekonomiskt-bistand', 'forskola', 'parkeringstillstand', 'serveringstillstand', 'faktura', 'livsmedel', 'bostadsanpassning', 'fardtjanst'],
    count: ROWS,
    stepSeconds: 30,
  };
  // Indexes built after the load (as a restore would): faster than keeping them up to date row by row.
  await seedSyntheticLog(hub.ownerQuery, { ...options, deferIndexes: true });
  // Another municipality's letters in the same table (the same recipients, the same times).
  await seedSyntheticLog(hub.ownerQuery, { ...options, tenantId: hub.other.tenantId, unitIds: [hub.other.unitId], apiClientIds: [hub.other.apiClientId], count: Math.floor(ROWS / 10) });
  await hub.ownerQuery('analyze letter');
  callers.admin = { tenantId: A, actor: 'admin', roles: ['tenant-admin'] };
  callers.officer = { tenantId: A, actor: 'officer', roles: ['case-officer'], sendingUnitRef: syntheticOfficerUnit(options, unitCodes) };
  callers.caseSystem = { tenantId: A, actor: 'demo-case-system', roles: ['case-system'], apiClientId: own.id };
});

afterAll(async () => {
  await hub?.drop();
});

it('has the log it is meant to measure', async () => {
  const [n] = await hub.ownerQuery<{ n: number }>(`select count(*)::int as n from letter where tenant_id = $1`, [hub.demo.tenantId]);
  expect(n.n).toBe(ROWS);
});

describe('every search of the log uses an index', () => {
  const cases = () => syntheticSearchCases(options, unitCodes);
  // The list is built once the data exists; its names are fixed.
  const names = syntheticSearchCases({ recipients: ['198101032384'], caseTypes: ['x'], count: 1 }, ['x']).map((c) => c.name);

  it.each(names)('%s', async (name) => {
    const c = cases().find((x) => x.name === name)!;
    // The fastest of three runs: the machine is shared, and a search that is slow because of its plan is slow every time.
    const explain = async (after?: string | null) => {
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(await service.explainSearch(callers[c.caller], c.filter, 50, after));
      return runs.sort((x, y) => x.executionMs - y.executionMs)[0];
    };
    const first = await explain();
    const pages = [first];
    if (c.secondPage) {
      expect(first.endCursor).not.toBeNull();
      pages.push(await explain(first.endCursor));
    }
    for (const e of pages) {
      const seen = { sequentialScans: e.sequentialScans.filter((t) => t === 'letter'), anIndex: e.indexes.length > 0, ...(c.index ? { expected: e.indexes.includes(c.index) } : {}) };
      expect({ name, ...seen, indexes: e.indexes }).toEqual({ name, sequentialScans: [], anIndex: true, ...(c.index ? { expected: true } : {}), indexes: e.indexes });
      expect(e.executionMs).toBeLessThan(LIMIT_MS);
    }
    // The searches find something (a search that matches nothing proves little about paging).
    expect(first.rows).toBeGreaterThan(0);
  });
});
