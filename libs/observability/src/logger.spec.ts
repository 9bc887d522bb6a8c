import { Writable } from 'node:stream';
import { TenantContext } from '@hub/tenancy';
import { createLogger, maskPersonalIds } from './logger';

describe('logging', () => {
  it('masks personnummer and samordningsnummer but not organisation ids', () => {
    expect(maskPersonalIds('to 198101032384 and 20200161-2395 from 162120001231')).toBe('to 19810103-**** and 20200161-**** from 162120001231');
  });

  it('masks in messages and fields, redacts secrets and adds the tenant', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
    const child = createLogger('t', 'info', sink);
    TenantContext.run({ tenantId: 'aaaaaaaa-0000-0000-0000-000000000000' }, () =>
      child.info({ recipient: '198101032384', nested: { authorization: 'Bearer x' } }, 'sent to 199001012385'),
    );
    const entry = JSON.parse(lines[0]);
    expect(entry.recipient).toBe('19810103-****');
    expect(entry.msg).toBe('sent to 19900101-****');
    expect(entry.nested.authorization).toBe('[redacted]');
    expect(entry.tenantId).toBe('aaaaaaaa-0000-0000-0000-000000000000');
  });
});

