import { extractRoles, extractTenant, principalFromClaims } from './principal';

describe('extractTenant', () => {
  it('reads Keycloak Organizations claims: an array of aliases, or an object keyed by alias', () => {
    expect(extractTenant(['demo-kommun'])).toBe('demo-kommun');
    expect(extractTenant({ 'demo-kommun': { id: '5d1a9f4e-0b7c-4c1e-9a57-2f3c8e1d6b90' } })).toBe('demo-kommun');
  });

  it('reads a plain string from a configured claim', () => {
    expect(extractTenant('region-x')).toBe('region-x');
  });

  it('gives no tenant unless there is exactly one', () => {
    expect(extractTenant(['demo-kommun', 'annan-kommun'])).toBeUndefined();
    expect(extractTenant({ a: {}, b: {} })).toBeUndefined();
    expect(extractTenant([])).toBeUndefined();
    expect(extractTenant({})).toBeUndefined();
    expect(extractTenant('')).toBeUndefined();
    expect(extractTenant(undefined)).toBeUndefined();
    expect(extractTenant(42)).toBeUndefined();
    expect(extractTenant([42, null])).toBeUndefined();
  });

  it('counts a repeated alias once', () => {
    expect(extractTenant(['demo-kommun', 'demo-kommun'])).toBe('demo-kommun');
  });
});

describe('extractRoles', () => {
  const audience = 'dispatch-hub-api';

  it('unites realm roles, roles of the API client and a plain roles claim, and drops unknown names', () => {
    const claims = {
      realm_access: { roles: ['case-officer', 'offline_access', 'default-roles-dispatch-hub'] },
      resource_access: { [audience]: { roles: ['tenant-admin'] }, account: { roles: ['manage-account', 'platform-admin'] } },
      roles: ['case-officer', 'print-vendor'],
    };
    expect(extractRoles(claims, { audience }).sort()).toEqual(['case-officer', 'print-vendor', 'tenant-admin']);
  });

  it('reads only the configured dotted path when one is set', () => {
    const claims = { realm_access: { roles: ['case-officer'] }, hub: { roles: ['platform-admin'] } };
    expect(extractRoles(claims, { audience, rolesClaim: 'hub.roles' })).toEqual(['platform-admin']);
  });

  it('accepts a space-separated string and never walks into the prototype', () => {
    expect(extractRoles({ roles: 'case-system print-vendor' }, { audience })).toEqual(['case-system', 'print-vendor']);
    expect(extractRoles({}, { audience, rolesClaim: 'constructor.name' })).toEqual([]);
    expect(extractRoles({}, { audience })).toEqual([]);
  });
});

describe('principalFromClaims', () => {
  it('maps a Keycloak access token to a Principal', () => {
    const principal = principalFromClaims(
      {
        sub: 'f3b1c2d4-0000-4000-8000-000000000001',
        azp: 'dispatch-hub-console',
        client_id: 'ignored-when-azp-is-present',
        organization: { 'demo-kommun': { id: 'org-id' } },
        realm_access: { roles: ['case-officer'] },
        sending_unit: 'bygg-och-miljo',
        jti: 'token-1',
        exp: 1_900_000_000,
      },
      { audience: 'dispatch-hub-api', tenantClaim: 'organization', sendingUnitClaim: 'sending_unit' },
    );
    expect(principal).toEqual({
      subject: 'f3b1c2d4-0000-4000-8000-000000000001',
      clientId: 'dispatch-hub-console',
      tenantRef: 'demo-kommun',
      roles: ['case-officer'],
      sendingUnitRef: 'bygg-och-miljo',
      tokenId: 'token-1',
      expiresAt: new Date(1_900_000_000_000),
    });
  });

  it('leaves out what the token does not carry', () => {
    const principal = principalFromClaims(
      { sub: 'platform-operator', client_id: 'ops', realm_access: { roles: ['platform-admin'] }, exp: 1_900_000_000 },
      { audience: 'dispatch-hub-api', tenantClaim: 'organization', sendingUnitClaim: 'sending_unit' },
    );
    expect(principal).toEqual({ subject: 'platform-operator', clientId: 'ops', roles: ['platform-admin'], expiresAt: new Date(1_900_000_000_000) });
  });
});
