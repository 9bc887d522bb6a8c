import { DynamicModule, InjectionToken, Module, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { AuthSettings, TokenVerifier } from './token-verifier';

/** Options for {@link AuthModule.forRootAsync}, to take the settings from the config module. */
export interface AuthModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  useFactory: (...args: never[]) => AuthSettings | Promise<AuthSettings>;
}

/**
 * Provides {@link TokenVerifier} and registers {@link AuthGuard} as a global guard, so every route and
 * resolver needs a valid token unless marked `@Public()`.
 */
@Module({})
export class AuthModule {
  static forRoot(settings: AuthSettings): DynamicModule {
    // Built here, not lazily, so that bad settings stop the application at boot.
    const verifier = new TokenVerifier(settings);
    return {
      module: AuthModule,
      global: true,
      providers: [{ provide: TokenVerifier, useValue: verifier }, { provide: APP_GUARD, useClass: AuthGuard }],
      exports: [TokenVerifier],
    };
  }

  static forRootAsync(options: AuthModuleAsyncOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: TokenVerifier,
          inject: options.inject ?? [],
          useFactory: async (...args: never[]) => new TokenVerifier(await options.useFactory(...args)),
        },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [TokenVerifier],
    };
  }
}
