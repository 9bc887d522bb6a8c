import { Inject, UseInterceptors } from '@nestjs/common';
import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Role, Roles } from '@hub/auth';
import { DiaryHookService, DiaryRegistrationView } from '@hub/diary';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { Caller } from '../caller/caller';
import { CallerInterceptor } from '../caller/caller.interceptor';
import { CurrentCaller } from '../caller/current-caller.decorator';
import { GraphqlContext } from '../caller/graphql-context';
import { ApiError, ApiErrorCode } from '../errors/api-error-code';
import { createBatchLoader } from '../letters/letter-events.loader';
import { LetterType } from '../letters/letter.types';
import { diaryApiSettings } from './diary-settings';
import {
  CreateDiaryHookInputType,
  DiaryFailureType,
  DiaryHookType,
  DiaryHookWithSecretType,
  DiaryRegistrationType,
  UpdateDiaryHookInputType,
} from './diary.types';

const who = (caller: Caller) => ({ tenantId: caller.tenantId, actor: caller.actor });

function toRegistration(r: DiaryRegistrationView): DiaryRegistrationType {
  return {
    id: r.id,
    hookId: r.hookId,
    status: r.status,
    number: r.registrationNumber,
    registeredAt: r.registeredAt,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt,
    lastError: r.lastError,
    lastAttemptAt: r.lastAttemptAt,
    failedAt: r.failedAt,
  };
}

function diaryService(options: ApiGraphqlOptions): DiaryHookService | undefined {
  const settings = diaryApiSettings(options);
  return settings.vault ? new DiaryHookService({ db: options.tenantDb, ...settings, vault: settings.vault }) : undefined;
}

/** Diary hooks (diarieföring) and their failed registrations: the municipality's admins only. Every change is audited. */
@Resolver(() => DiaryHookType)
@UseInterceptors(CallerInterceptor)
export class DiaryHookResolver {
  private readonly diary: DiaryHookService | undefined;

  constructor(@Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    this.diary = diaryService(options);
  }

  private service(): DiaryHookService {
    if (!this.diary) throw new ApiError(ApiErrorCode.UpstreamUnavailable, 'Diary hooks are unavailable: the API was started without MASTER_KEY, so hook secrets cannot be kept encrypted.');
    return this.diary;
  }

  @Query(() => [DiaryHookType], { description: 'Your municipality\'s diary hooks: the tenant-wide one first, then per case type (never their secrets).' })
  @Roles(Role.TenantAdmin)
  diaryHooks(@CurrentCaller() caller: Caller): Promise<DiaryHookType[]> {
    return this.service().list(who(caller));
  }

  @Mutation(() => DiaryHookWithSecretType, {
    description:
      'Creates a diary hook; returns its signing secret once. The URL must be https. One hook per case type and one for all; ' +
      'a hook registers letters dispatched after it was created. VALIDATION_FAILED names each bad field.',
  })
  @Roles(Role.TenantAdmin)
  createDiaryHook(@Args('input', { type: () => CreateDiaryHookInputType }) input: CreateDiaryHookInputType, @CurrentCaller() caller: Caller): Promise<DiaryHookWithSecretType> {
    return this.service().create(who(caller), input);
  }

  @Mutation(() => DiaryHookWithSecretType, { description: 'Changes a diary hook (only the fields given); with rotateSecret, returns the new secret once. NOT_FOUND for an unknown id.' })
  @Roles(Role.TenantAdmin)
  updateDiaryHook(
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { type: () => UpdateDiaryHookInputType }) input: UpdateDiaryHookInputType,
    @CurrentCaller() caller: Caller,
  ): Promise<DiaryHookWithSecretType> {
    return this.service().update(who(caller), id, input);
  }

  @Mutation(() => Boolean, { description: 'Deletes a diary hook: it registers nothing more, and its waiting and failed registrations are cancelled (registered ones keep their number).' })
  @Roles(Role.TenantAdmin)
  async deleteDiaryHook(@Args('id', { type: () => ID }) id: string, @CurrentCaller() caller: Caller): Promise<boolean> {
    await this.service().delete(who(caller), id);
    return true;
  }

  @Query(() => [DiaryFailureType], { description: 'Registrations that failed, newest first, with the last error; includeRetrying adds those still retried after an error.' })
  @Roles(Role.TenantAdmin)
  async diaryFailures(
    @CurrentCaller() caller: Caller,
    @Args('first', { type: () => Int, nullable: true, description: 'At most 200; default 50.' }) first?: number | null,
    @Args('includeRetrying', { type: () => Boolean, nullable: true }) includeRetrying?: boolean | null,
    @Args('hookId', { type: () => ID, nullable: true }) hookId?: string | null,
  ): Promise<DiaryFailureType[]> {
    const failures = await this.service().failures(who(caller), { first, includeRetrying, hookId });
    return failures.map((f) => ({ ...toRegistration(f), letterId: f.letterId, hookName: f.hookName, caseReference: f.caseReference, caseTypeCode: f.caseTypeCode, lastHttpStatus: f.lastHttpStatus }));
  }

  @Mutation(() => [DiaryRegistrationType], { description: 'Sends a letter\'s FAILED diary registrations again, with a new retry period. NOT_FOUND when the letter has none.' })
  @Roles(Role.TenantAdmin)
  async retryDiaryRegistration(@Args('letterId', { type: () => ID }) letterId: string, @CurrentCaller() caller: Caller): Promise<DiaryRegistrationType[]> {
    return (await this.service().retry(who(caller), letterId)).map(toRegistration);
  }
}

/** A letter's diary registration, for everyone who may read the letter. */
@Resolver(() => LetterType)
@UseInterceptors(CallerInterceptor)
export class LetterDiaryResolver {
  private readonly diary: DiaryHookService | undefined;
  private readonly loaders = new WeakMap<GraphqlContext, (letterId: string) => Promise<DiaryRegistrationView | null>>();

  constructor(@Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    this.diary = diaryService(options);
  }

  @ResolveField('diaryRegistration', () => DiaryRegistrationType, {
    nullable: true,
    description: 'The letter\'s registration in the municipality\'s registry (diarieföring), once it was dispatched and a diary hook applied; the number comes from the registry.',
  })
  async diaryRegistration(@Parent() letter: LetterType, @Context() ctx: GraphqlContext): Promise<DiaryRegistrationType | null> {
    const caller = ctx.caller;
    if (!caller) throw new Error('diaryRegistration resolved without a caller');
    const diary = this.diary;
    if (!diary) return null;
    let loader = this.loaders.get(ctx);
    if (!loader) {
      loader = createBatchLoader<DiaryRegistrationView | null>((ids) => diary.forLetters(caller, ids), null);
      this.loaders.set(ctx, loader);
    }
    const found = await loader(letter.id);
    return found ? toRegistration(found) : null;
  }
}
