import { Inject, UseInterceptors } from '@nestjs/common';
import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Role, Roles } from '@hub/auth';
import { isCancellable, LetterIntakeService, LetterResendService, ResendCheck, ResendRefusedError } from '@hub/letters';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { Caller } from '../caller/caller';
import { CallerInterceptor } from '../caller/caller.interceptor';
import { CurrentCaller } from '../caller/current-caller.decorator';
import { GraphqlContext } from '../caller/graphql-context';
import { toLogCaller } from '../delivery-log/delivery-log.resolver';
import { ApiError, ApiErrorCode } from '../errors/api-error-code';
import { createBatchLoader } from '../letters/letter-events.loader';
import { PostalAddressInput } from '../letters/letter.inputs';
import { toLetterType } from '../letters/letter.mapper';
import { LetterType } from '../letters/letter.types';
import { LetterContentService, LetterExtras } from './letter-content.service';
import { OverviewService } from './overview.service';
import { LetterBodyType, LetterSearchOptionsType, OverviewType, ResendCheckType } from './overview.types';

/** The console's people: the overview and the letter actions are not for case systems. */
const CONSOLE_USERS = [Role.CaseOfficer, Role.TenantAdmin] as const;

/** The console's start page and the choices of its letter search. */
@Resolver()
@UseInterceptors(CallerInterceptor)
export class OverviewResolver {
  private readonly service: OverviewService;

  constructor(@Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    this.service = new OverviewService(options.tenantDb);
  }

  @Query(() => OverviewType, {
    description:
      'The overview: letters created today and this week (Swedish calendar) by channel and state, failures and held letters needing action, ' +
      'print batches waiting for their vendor and (tenant admins) sending unit certificates that expire within 30 days. A tenant admin sees the ' +
      'municipality, a case officer the sending unit their token names (claim sending_unit).',
  })
  @Roles(...CONSOLE_USERS)
  overview(@CurrentCaller() caller: Caller): Promise<OverviewType> {
    return this.service.overview(toLogCaller(caller));
  }

  @Query(() => LetterSearchOptionsType, { description: 'The sending units the caller may search and the mailbox operators the municipality\'s letters went to.' })
  @Roles(...CONSOLE_USERS)
  letterSearchOptions(@CurrentCaller() caller: Caller): Promise<LetterSearchOptionsType> {
    return this.service.searchOptions(toLogCaller(caller));
  }
}

/** What the console shows of a letter besides the letter view (the message as sent, resend links), and resending. */
@Resolver(() => LetterType)
@UseInterceptors(CallerInterceptor)
export class LetterConsoleResolver {
  private readonly content: LetterContentService;
  private readonly resends: LetterResendService;
  private readonly extrasLoaders = new WeakMap<GraphqlContext, (id: string) => Promise<LetterExtras | null>>();
  private readonly resendLoaders = new WeakMap<GraphqlContext, (id: string) => Promise<ResendCheck | null>>();

  constructor(intake: LetterIntakeService, @Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    this.content = new LetterContentService(options.tenantDb);
    this.resends = new LetterResendService(options.tenantDb, intake);
  }

  @ResolveField(() => LetterBodyType, { nullable: true, description: 'The body as the hub accepted it (HTML already reduced to the safe subset); null when the letter had none or retention removed it.' })
  async body(@Parent() letter: LetterType, @Context() ctx: GraphqlContext): Promise<LetterBodyType | null> {
    const x = await this.extras(letter, ctx);
    return x?.bodyText !== null && x?.bodyText !== undefined ? { contentType: x.bodyType, text: x.bodyText } : null;
  }

  @ResolveField(() => Date, { nullable: true, description: 'When retention (gallring) removed the content (subject, body, attachments, printed PDF).' })
  async contentPurgedAt(@Parent() letter: LetterType, @Context() ctx: GraphqlContext): Promise<Date | null> {
    return (await this.extras(letter, ctx))?.contentPurgedAt ?? null;
  }

  @ResolveField(() => Date, { nullable: true, description: 'When retention pseudonymised or removed the recipient and removed the postal address and case reference.' })
  async identifiersPurgedAt(@Parent() letter: LetterType, @Context() ctx: GraphqlContext): Promise<Date | null> {
    return (await this.extras(letter, ctx))?.identifiersPurgedAt ?? null;
  }

  @ResolveField(() => ID, { nullable: true, description: 'The letter this one resends (resendLetter).' })
  async resendOf(@Parent() letter: LetterType, @Context() ctx: GraphqlContext): Promise<string | null> {
    return (await this.extras(letter, ctx))?.resendOf ?? null;
  }

  @ResolveField(() => ID, { nullable: true, description: 'The letter this one was resent as (resendLetter).' })
  async resentAs(@Parent() letter: LetterType, @Context() ctx: GraphqlContext): Promise<string | null> {
    return (await this.extras(letter, ctx))?.resentAs ?? null;
  }

  @ResolveField(() => Boolean, { description: 'cancelLetter would cancel it now (ACCEPTED, ROUTING, PRINT_PENDING or HELD).' })
  cancellable(@Parent() letter: LetterType): boolean {
    return isCancellable(letter.status);
  }

  @ResolveField(() => ResendCheckType, { description: 'Whether resendLetter would send it again now, and if not, why.' })
  async resend(@Parent() letter: LetterType, @Context() ctx: GraphqlContext): Promise<ResendCheckType> {
    const caller = callerOf(ctx);
    let loader = this.resendLoaders.get(ctx);
    if (!loader) {
      loader = createBatchLoader<ResendCheck | null>((ids) => this.resends.check(caller, ids), null);
      this.resendLoaders.set(ctx, loader);
    }
    const check = await loader(letter.id);
    if (!check) throw new ApiError(ApiErrorCode.NotFound, `No letter ${JSON.stringify(letter.id)} exists for your organisation.`);
    return { allowed: check.allowed, refusal: check.refusal, message: check.message };
  }

  @Mutation(() => LetterType, {
    description:
      'Sends a letter that ended without reaching its recipient (FAILED, PRINT_FAILED or RETURNED) again, as a new letter with the same content, recipient, ' +
      'sending unit, case type, protection class and channel preference, and its postal address or a corrected one. It goes through the normal intake ' +
      '(every rule applies again) and is routed afresh. Both letters are linked (resendOf, resentAs) and get an event (RESEND_OF, RESENT). ' +
      'Refused with BAD_USER_INPUT and extensions.reason: STATUS_NOT_RESENDABLE, ALREADY_RESENT (extensions.resentAs), CONTENT_PURGED or CASE_TYPE_ARCHIVED; ' +
      'VALIDATION_FAILED when the letter breaks a rule today (paths of the letter input, e.g. postalAddress.postalCode).',
  })
  @Roles(...CONSOLE_USERS)
  async resendLetter(
    @Args('id', { type: () => ID, description: 'The letter to send again.' }) id: string,
    @CurrentCaller() caller: Caller,
    @Args('reason', { type: () => String, nullable: true, description: 'Why it is sent again (kept in both letters\' history; one line, at most 500 characters).' })
    reason?: string | null,
    @Args('postalAddress', { type: () => PostalAddressInput, nullable: true, description: 'A corrected postal address for the new letter (else the original\'s).' })
    postalAddress?: PostalAddressInput | null,
  ): Promise<LetterType> {
    try {
      const result = await this.resends.resend(caller, id, { reason, postalAddress });
      return toLetterType(result.letter);
    } catch (e) {
      if (e instanceof ResendRefusedError) throw new ApiError(ApiErrorCode.BadUserInput, e.message, { reason: e.refusal, ...(e.resentAs ? { resentAs: e.resentAs } : {}) });
      throw e;
    }
  }

  private extras(letter: LetterType, ctx: GraphqlContext): Promise<LetterExtras | null> {
    const caller = callerOf(ctx);
    let loader = this.extrasLoaders.get(ctx);
    if (!loader) {
      loader = createBatchLoader<LetterExtras | null>((ids) => this.content.extras(caller, ids), null);
      this.extrasLoaders.set(ctx, loader);
    }
    return loader(letter.id);
  }
}

function callerOf(ctx: GraphqlContext): Caller {
  if (!ctx.caller) throw new Error('a letter field resolved without a caller');
  return ctx.caller;
}
