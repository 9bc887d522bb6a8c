import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants.js';
import { RESOLVER_NAME_METADATA, RESOLVER_TYPE_METADATA } from '@nestjs/graphql';
import { GraphQLObjectType } from 'graphql';
import { PUBLIC_METADATA, ROLES_METADATA } from '@hub/auth';
import { API_RESOLVERS, PLATFORM_RESOLVERS } from './api-graphql.module';
import { CallerInterceptor } from './caller/caller.interceptor';
import { buildApiSchema } from './schema-printer';

type Handler = { resolver: string; method: string; guarded: 'roles' | 'public' | false; roles?: string[] };

/** Every root field (Query, Mutation, Subscription) the resolvers define, with how it is guarded. */
function rootHandlers(): Map<string, Handler> {
  const out = new Map<string, Handler>();
  for (const cls of API_RESOLVERS) {
    const proto = cls.prototype as unknown as Record<string, unknown>;
    for (const method of Object.getOwnPropertyNames(proto)) {
      const fn = proto[method];
      if (method === 'constructor' || typeof fn !== 'function') continue;
      const type = Reflect.getMetadata(RESOLVER_TYPE_METADATA, fn) as string | undefined;
      if (type !== 'Query' && type !== 'Mutation' && type !== 'Subscription') continue;
      const name = (Reflect.getMetadata(RESOLVER_NAME_METADATA, fn) as string | undefined) ?? method;
      const roles = (Reflect.getMetadata(ROLES_METADATA, fn) ?? Reflect.getMetadata(ROLES_METADATA, cls)) as string[] | undefined;
      const isPublic = Boolean(Reflect.getMetadata(PUBLIC_METADATA, fn) ?? Reflect.getMetadata(PUBLIC_METADATA, cls));
      out.set(`${type}.${name}`, { resolver: cls.name, method, guarded: roles?.length ? 'roles' : isPublic ? 'public' : false, roles });
    }
  }
  return out;
}

describe('every resolver is guarded', () => {
  it('gives each root field of the schema @Roles(...) or an explicit @Public()', async () => {
    const schema = await buildApiSchema();
    const handlers = rootHandlers();
    const fields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]
      .filter((t): t is GraphQLObjectType => Boolean(t))
      .flatMap((t) => Object.keys(t.getFields()).map((f) => `${t.name}.${f}`));
    expect(fields.length).toBeGreaterThan(0);
    const unguarded = fields.filter((f) => !handlers.get(f)?.guarded);
    if (unguarded.length) {
      throw new Error(`unguarded root fields (add @Roles(...) or @Public() to the resolver method): ${unguarded.map((f) => `${f} (${handlers.get(f)?.resolver ?? 'no handler found'})`).join(', ')}`);
    }
    // And no handler escapes the check by not being in the schema (e.g. a renamed field).
    expect([...handlers.keys()].sort()).toEqual([...fields].sort());
    // Today nothing in the API is public.
    expect([...handlers.values()].filter((h) => h.guarded === 'public')).toEqual([]);
  });

  it('resolves the caller (tenant) on every resolver with root fields, except the platform admin’s', () => {
    for (const cls of API_RESOLVERS) {
      if ((PLATFORM_RESOLVERS as readonly unknown[]).includes(cls)) continue;
      const hasRoot = Object.getOwnPropertyNames(cls.prototype).some((m) => {
        const type = Reflect.getMetadata(RESOLVER_TYPE_METADATA, (cls.prototype as unknown as Record<string, unknown>)[m] as object) as string | undefined;
        return type === 'Query' || type === 'Mutation' || type === 'Subscription';
      });
      if (!hasRoot) continue;
      const interceptors = (Reflect.getMetadata(INTERCEPTORS_METADATA, cls) ?? []) as unknown[];
      expect({ resolver: cls.name, caller: interceptors.includes(CallerInterceptor) }).toEqual({ resolver: cls.name, caller: true });
    }
  });

  it('lets only the platform admin use the resolvers that work without a tenant', () => {
    const platform = [...rootHandlers().values()].filter((h) => PLATFORM_RESOLVERS.some((cls) => cls.name === h.resolver));
    expect(platform.length).toBeGreaterThan(0);
    for (const h of platform) expect({ field: h.method, roles: h.roles }).toEqual({ field: h.method, roles: ['platform-admin'] });
  });

  it('registers every @Resolver class of the library (none left out of API_RESOLVERS)', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')) files.push(join(dir, e.name));
      }
    };
    walk(__dirname);
    const declared = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/^@Resolver\([\s\S]*?^export class (\w+)/gm)].map((m) => m[1]));
    expect(declared.sort()).toEqual(API_RESOLVERS.map((c) => c.name).sort());
  });
});
