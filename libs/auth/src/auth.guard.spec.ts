import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { ArgumentsHost, Catch, Controller, ExceptionFilter, Get, INestApplication, Module } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { GraphQLModule, Query, Resolver } from '@nestjs/graphql';
import { ClsModule, ClsService } from 'nestjs-cls';
import { RunningOidcIssuer, startOidcIssuer } from '../../../apps/simulators/src/oidc/oidc-issuer';
import { AuthenticationError, ForbiddenError } from './auth.errors';
import { PRINCIPAL_CLS_KEY } from './auth.guard';
import { AuthModule } from './auth.module';
import { CurrentPrincipal } from './current-principal.decorator';
import type { Principal } from './principal';
import { Public } from './public.decorator';
import { Role } from './roles';
import { Roles } from './roles.decorator';

const AUDIENCE = 'dispatch-hub-api';

@Controller()
class ProbeController {
  constructor(private readonly cls: ClsService) {}

  @Public()
  @Get('health')
  health() {
    return { ok: true };
  }

  @Get('me')
  me(@CurrentPrincipal() principal: Principal) {
    return { subject: principal.subject, tenant: principal.tenantRef, fromCls: this.cls.get<Principal>(PRINCIPAL_CLS_KEY)?.subject };
  }

  @Roles(Role.TenantAdmin, Role.PlatformAdmin)
  @Get('admin')
  admin(@CurrentPrincipal() principal: Principal) {
    return { admin: principal.subject };
  }
}

@Resolver()
class ProbeResolver {
  @Public()
  @Query(() => String)
  ping() {
    return 'pong';
  }

  @Query(() => String)
  whoami(@CurrentPrincipal() principal: Principal) {
    return `${principal.subject}@${principal.tenantRef}`;
  }

  @Roles(Role.PlatformAdmin)
  @Query(() => String)
  platformOnly() {
    return 'secret';
  }
}

// Stands in for the API layer's mapping: the auth library itself knows no HTTP status codes.
@Catch(AuthenticationError, ForbiddenError)
class AuthErrorsToHttp implements ExceptionFilter {
  catch(err: AuthenticationError | ForbiddenError, host: ArgumentsHost) {
    if (host.getType() !== 'http') throw err;
    const res = host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>();
    res.status(err instanceof AuthenticationError ? 401 : 403).json({ code: err.code, reason: err instanceof AuthenticationError ? err.reason : undefined, message: err.message });
  }
}

async function token(issuer: RunningOidcIssuer, clientId: string): Promise<string> {
  const res = await fetch(issuer.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: `${clientId}-secret` }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('AuthGuard in a Nest application (REST and GraphQL)', () => {
  let issuer: RunningOidcIssuer;
  let app: INestApplication;
  let base: string;
  let caseSystemToken: string;
  let adminToken: string;

  beforeAll(async () => {
    issuer = await startOidcIssuer({
      port: 0,
      issuerPath: '/realms/dispatch-hub',
      audience: AUDIENCE,
      clients: [
        { clientId: 'case-system', clientSecret: 'case-system-secret', tenant: 'demo-kommun', roles: ['case-system'] },
        { clientId: 'kommun-admin', clientSecret: 'kommun-admin-secret', tenant: 'demo-kommun', roles: ['tenant-admin'] },
      ],
    });

    @Module({
      imports: [
        ClsModule.forRoot({ global: true, middleware: { mount: true } }),
        AuthModule.forRoot({ issuer: issuer.issuer, audience: AUDIENCE }),
        GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true, context: ({ req }: { req: unknown }) => ({ req }) }),
      ],
      controllers: [ProbeController],
      providers: [ProbeResolver, { provide: APP_FILTER, useClass: AuthErrorsToHttp }],
    })
    class ProbeModule {}

    app = await NestFactory.create(ProbeModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    [caseSystemToken, adminToken] = await Promise.all([token(issuer, 'case-system'), token(issuer, 'kommun-admin')]);
  });

  afterAll(async () => {
    await app?.close();
    await issuer?.close();
  });

  const get = async (path: string, bearer?: string) => {
    const res = await fetch(`${base}${path}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  const graphql = async (query: string, bearer?: string) => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify({ query }),
    });
    return (await res.json()) as { data?: Record<string, unknown> | null; errors?: { message: string }[] };
  };

  it('lets a @Public() route through without a token', async () => {
    expect(await get('/health')).toEqual({ status: 200, body: { ok: true } });
  });

  it('answers 401 on a guarded route without a token or with a bad one', async () => {
    const missing = await get('/me');
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'missing-token' });
    const garbage = await get('/me', 'garbage');
    expect(garbage).toMatchObject({ status: 401, body: { reason: 'malformed' } });
  });

  it('gives the handler the Principal, on the request and in CLS', async () => {
    expect(await get('/me', caseSystemToken)).toEqual({ status: 200, body: { subject: 'case-system', tenant: 'demo-kommun', fromCls: 'case-system' } });
  });

  it('answers 403 naming the roles required when the token lacks them, 200 when it has one', async () => {
    const forbidden = await get('/admin', caseSystemToken);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(forbidden.body.message).toContain('requires one of the roles tenant-admin, platform-admin; the token carries case-system');
    expect(await get('/admin', adminToken)).toEqual({ status: 200, body: { admin: 'kommun-admin' } });
  });

  it('guards GraphQL resolvers the same way', async () => {
    expect(await graphql('{ ping }')).toEqual({ data: { ping: 'pong' } });
    expect(await graphql('{ whoami }', caseSystemToken)).toEqual({ data: { whoami: 'case-system@demo-kommun' } });

    const anonymous = await graphql('{ whoami }');
    expect(anonymous.data).toBeNull();
    expect(anonymous.errors?.[0].message).toContain('No access token');

    const forbidden = await graphql('{ platformOnly }', adminToken);
    expect(forbidden.data).toBeNull();
    expect(forbidden.errors?.[0].message).toContain('requires one of the roles platform-admin');
  });
});
