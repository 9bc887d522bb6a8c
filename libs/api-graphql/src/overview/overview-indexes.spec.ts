/**
 * The overview reads a bounded part of the log: on a synthetic log of several months (Skatteverket's
 * test personnummer, analysed), every statement of the overview and of the search options is
 * explained with EXPLAIN (ANALYZE, FORMAT JSON) through the application's connection, for a tenant
 * admin and for a case officer: no sequential scan of `letter`, and far fewer letter rows read than
 * the municipality has (the week, the last 30 days' failures, the held letters, one probe per operator).
 */
import { seedSyntheticLog } from '@hub/delivery-log';
import { sql } from '@hub/letters';
import { TenantDb } from '@hub/persistence';
import { pickTestPersonnummer } from '@hub/testing';
import { HubDatabase, startHubDatabase } from '../../../../test/support';
import { OPERATORS_SQL, overviewBounds, OverviewScopeRef, overviewStatements } from './overview.service';

jest.setTimeout(180_000);

const ROWS = 6000;
// One letter every 50 minutes: about seven months of letters, ending now.
const STEP_SECONDS = 3000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

let hub: HubDatabase;
let db: TenantDb;
const now = new Date();

beforeAll(async () => {
  hub = await startHubDatabase({ label: 'overview-indexes' });
  db = new TenantDb(await hub.appOrm(2));
  const start = new Date(now.getTime() - ROWS * STEP_SECONDS * 1000);
  const base = {
    unitIds: [hub.demo.units.bygg.id, hub.demo.units.social.id],
    recipients: pickTestPersonnummer(500, 3),
    caseTypes: ['bygglov', 'forskola'],
    stepSeconds: STEP_SECONDS,
    start,
  };
  const [client] = await hub.ownerQuery<{ id: string }>(`select id from api_client where tenant_id = $1`, [hub.demo.tenantId]);
  await seedSyntheticLog(hub.ownerQuery, { ...base, tenantId: hub.demo.tenantId, apiClientIds: [client.id], count: ROWS });
  await seedSyntheticLog(hub.ownerQuery, { ...base, tenantId: hub.other.tenantId, unitIds: [hub.other.unitId], apiClientIds: [hub.other.apiClientId], count: ROWS / 2 });
  await hub.ownerQuery('analyze');
});

afterAll(async () => {
  await hub?.drop();
});

async function explain(text: string, params: unknown[]): Promise<PlanNode[]> {
  return db.inTenant(hub.demo.tenantId, async (em) => {
    const [{ 'QUERY PLAN': [result] }] = (await sql<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(em, `explain (analyze, format json) ${text}`, params)).rows;
    const nodes: PlanNode[] = [];
    const walk = (n: PlanNode) => {
      nodes.push(n);
      (n.Plans ?? []).forEach(walk);
    };
    walk(result.Plan);
    return nodes;
  });
}

const scopes = (): Record<string, OverviewScopeRef> => ({
  admin: { tenantId: hub.demo.tenantId, unitId: null, unitCode: null },
  officer: { tenantId: hub.demo.tenantId, unitId: hub.demo.units.bygg.id, unitCode: 'bygg' },
});

it('has the log it is meant to measure', async () => {
  const [n] = await hub.ownerQuery<{ n: number; week: number }>(`select count(*)::int as n, count(*) filter (where created_at >= now() - interval '7 days')::int as week from letter where tenant_id = $1`, [hub.demo.tenantId]);
  expect(n.n).toBe(ROWS);
  expect(n.week).toBeGreaterThan(150);
});

describe.each(['admin', 'officer'])('the overview of a %s reads through indexes only', (who) => {
  const names = overviewStatements({ tenantId: 'x', unitId: null, unitCode: null }, overviewBounds(new Date()), true).map((s) => s.name);

  it.each(names)('%s', async (name) => {
    const statement = overviewStatements(scopes()[who], overviewBounds(now), true).find((s) => s.name === name)!;
    const nodes = await explain(statement.text, statement.params);
    const letterScans = nodes.filter((n) => n['Relation Name'] === 'letter');
    expect(nodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'letter')).toEqual([]);
    // Every letter row it touches is one of a bounded set: far from the municipality's 6,000.
    const read = letterScans.reduce((sum, n) => sum + n['Actual Rows'] * n['Actual Loops'], 0);
    expect(read).toBeLessThan(ROWS / 10);
  });
});

it('finds the operators for the search form with a probe per operator, not by reading the digital letters', async () => {
  const nodes = await explain(OPERATORS_SQL, [hub.demo.tenantId]);
  expect(nodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'letter')).toEqual([]);
  expect(nodes.filter((n) => n['Relation Name'] === 'letter').reduce((sum, n) => sum + n['Actual Rows'] * n['Actual Loops'], 0)).toBeLessThan(20);
});
