import { hasRole, userFromClaims } from './user';

describe('userFromClaims', () => {
  it('reads Keycloak roles, organisation and sending unit', () => {
    const user = userFromClaims(
      { sub: 'u1', realm_access: { roles: ['case-officer', 'offline_access'] }, organization: ['demo-kommun'], sending_unit: 'bygg', preferred_username: 'hanna' },
      { name: 'Hanna Handläggare' },
    );
    expect(user).toEqual({ subject: 'u1', name: 'Hanna Handläggare', username: 'hanna', roles: ['case-officer'], tenant: 'demo-kommun', sendingUnit: 'bygg' });
    expect(hasRole(user, 'tenant-admin')).toBe(false);
    expect(hasRole(user, 'tenant-admin', 'case-officer')).toBe(true);
  });

  it('takes client roles and the organisation map form; several organisations name no tenant', () => {
    expect(userFromClaims({ sub: 'u', resource_access: { 'dispatch-hub-api': { roles: ['tenant-admin'] } }, organization: { 'demo-kommun': { id: 'x' } } })).toMatchObject({ roles: ['tenant-admin'], tenant: 'demo-kommun' });
    expect(userFromClaims({ sub: 'u', organization: ['a', 'b'] }).tenant).toBeUndefined();
  });
});
