import { Inject, UseInterceptors } from '@nestjs/common';
import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Role, Roles } from '@hub/auth';
import { BulkItemResult, LetterIntakeService } from '@hub/letters';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { ApiError, ApiErrorCode } from '../errors/api-error-code';
import { Caller } from '../caller/caller';
import { CallerInterceptor } from '../caller/caller.interceptor';
import { CurrentCaller } from '../caller/current-caller.decorator';
import { GraphqlContext } from '../caller/graphql-context';
import { createEventsLoader } from './letter-events.loader';
import { EventMessageInputType, LetterFilterInput, LetterInputType, ServiceMessageInputType, ServiceRecipientInputType } from './letter.inputs';
import { toEventInput, toEventType, toIntakeInputs, toLetterType, toServiceInput } from './letter.mapper';
import { BulkSubmitResultType, LetterConnectionType, LetterEventType, LetterType } from './letter.types';

/** Who may submit, read, list and cancel letters of their municipality. */
export const LETTER_ROLES = [Role.CaseSystem, Role.CaseOfficer, Role.TenantAdmin] as const;

/** Where a connection keeps how to count its letters, for `totalCount` (counted only when selected). */
const COUNT = Symbol('count');
type Connection = LetterConnectionType & { [COUNT]: () => Promise<number> };

@Resolver(() => LetterConnectionType)
export class LetterConnectionResolver {
  @ResolveField(() => Int, { nullable: true, description: 'How many letters match the filter (counted only when asked for).' })
  totalCount(@Parent() connection: Connection): Promise<number> {
    return connection[COUNT]();
  }
}

@Resolver(() => LetterType)
@UseInterceptors(CallerInterceptor)
export class LetterResolver {
  constructor(
    private readonly intake: LetterIntakeService,
    @Inject(API_GRAPHQL_OPTIONS) private readonly options: ApiGraphqlOptions,
  ) {}

  @Query(() => LetterType, { description: 'One letter of your municipality. NOT_FOUND for an unknown id or another municipality\'s letter.' })
  @Roles(...LETTER_ROLES)
  async letter(@Args('id', { type: () => ID }) id: string, @CurrentCaller() caller: Caller): Promise<LetterType> {
    return toLetterType(await this.intake.get(caller, id));
  }

  @Query(() => LetterConnectionType, {
    description: 'Your municipality\'s letters, newest first. `first` is at most PAGE_SIZE_MAX (200 by default); follow pageInfo.endCursor with `after`.',
    // Costed as page size × node cost by the query-limits plugin's connection estimator.
  })
  @Roles(...LETTER_ROLES)
  async letters(
    @CurrentCaller() caller: Caller,
    @Args('filter', { type: () => LetterFilterInput, nullable: true }) filter?: LetterFilterInput | null,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size; default 50 (or PAGE_SIZE_MAX when smaller).' }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<Connection> {
    const page = await this.intake.list(caller, filter ?? {}, first, after);
    return {
      edges: page.items.map((i) => ({ cursor: i.cursor, node: toLetterType(i.letter) })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      [COUNT]: () => this.intake.count(caller, filter ?? {}),
    };
  }

  @Mutation(() => LetterType, {
    description:
      'Hands one letter to the hub. It is stored ACCEPTED and queued for dispatch in one transaction. ' +
      'Refused with VALIDATION_FAILED (extensions.fields) or IDEMPOTENCY_CONFLICT.',
  })
  @Roles(...LETTER_ROLES)
  async submitLetter(@Args('input', { type: () => LetterInputType }) input: LetterInputType, @CurrentCaller() caller: Caller): Promise<LetterType> {
    const [letter] = await toIntakeInputs([input]);
    try {
      const result = await this.intake.submit(caller, letter);
      if (result.created) this.options.metrics.lettersAccepted.inc({ mode: 'single' });
      return toLetterType(result.letter);
    } catch (e) {
      this.options.metrics.lettersRefused.inc({ mode: 'single', code: (e as { code?: string }).code ?? 'INTERNAL' });
      throw e;
    }
  }

  @Mutation(() => BulkSubmitResultType, {
    description:
      'Hands many letters to the hub in one call (at most BULK_MAX_LETTERS, 5,000 by default). Each is accepted or refused on its own; ' +
      'results come in input order with their index. Accepted letters are stored in one transaction.',
    // The bulk's size is bounded by BULK_MAX_LETTERS, not by the complexity limit.
    complexity: ({ childComplexity }) => 1 + childComplexity,
  })
  @Roles(...LETTER_ROLES)
  async submitLetters(@Args('inputs', { type: () => [LetterInputType] }) inputs: LetterInputType[], @CurrentCaller() caller: Caller): Promise<BulkSubmitResultType> {
    if (inputs.length > this.options.config.BULK_MAX_LETTERS) {
      throw new ApiError(
        ApiErrorCode.BadUserInput,
        `inputs has ${inputs.length} letters; at most ${this.options.config.BULK_MAX_LETTERS} fit in one call: split them into several calls.`,
      );
    }
    return this.bulkResult(await this.intake.submitMany(caller, await toIntakeInputs(inputs)));
  }

  @Mutation(() => LetterType, {
    description:
      'Sends an event message (händelsemeddelande): a status update in a case, as the v3 OfficialMatter extension (event id, case id, preceding event id, matter status). ' +
      'Digital only: a recipient who cannot take it digitally makes it FAILED (UNDELIVERABLE, with the reason), it is never printed. ' +
      'Refused with VALIDATION_FAILED (extensions.fields) or IDEMPOTENCY_CONFLICT, like submitLetter.',
  })
  @Roles(...LETTER_ROLES)
  async submitEventMessage(@Args('input', { type: () => EventMessageInputType }) input: EventMessageInputType, @CurrentCaller() caller: Caller): Promise<LetterType> {
    try {
      const result = await this.intake.submitEvent(caller, await toEventInput(input));
      if (result.created) this.options.metrics.lettersAccepted.inc({ mode: 'single' });
      return toLetterType(result.letter);
    } catch (e) {
      this.options.metrics.lettersRefused.inc({ mode: 'single', code: (e as { code?: string }).code ?? 'INTERNAL' });
      throw e;
    }
  }

  @Mutation(() => BulkSubmitResultType, {
    description:
      'Sends a service message (servicemeddelande): one message to many recipients (at most BULK_MAX_LETTERS), each becoming a SERVICE letter through the bulk path, ' +
      'accepted or refused on its own (results by the recipient\'s index; paths relative to recipients[index]). A mistake in the message itself refuses the whole call ' +
      'with VALIDATION_FAILED and paths under "message". A recipient listed twice is refused the second time.',
    complexity: ({ childComplexity }) => 1 + childComplexity,
  })
  @Roles(...LETTER_ROLES)
  async submitServiceMessage(
    @Args('message', { type: () => ServiceMessageInputType }) message: ServiceMessageInputType,
    @Args('recipients', { type: () => [ServiceRecipientInputType] }) recipients: ServiceRecipientInputType[],
    @CurrentCaller() caller: Caller,
  ): Promise<BulkSubmitResultType> {
    if (recipients.length > this.options.config.BULK_MAX_LETTERS) {
      throw new ApiError(
        ApiErrorCode.BadUserInput,
        `recipients has ${recipients.length} entries; at most ${this.options.config.BULK_MAX_LETTERS} fit in one call: split them into several calls.`,
      );
    }
    return this.bulkResult(await this.intake.submitService(caller, await toServiceInput(message, recipients)));
  }

  private bulkResult(results: BulkItemResult[]): BulkSubmitResultType {
    let accepted = 0;
    let created = 0;
    const out = results.map((r) => {
      if (r.ok) {
        accepted++;
        if (r.created) created++;
        return { index: r.index, letter: toLetterType(r.letter), created: r.created, code: null, errors: null };
      }
      this.options.metrics.lettersRefused.inc({ mode: 'bulk', code: r.code });
      return { index: r.index, letter: null, created: null, code: r.code, errors: r.fields };
    });
    this.options.metrics.lettersAccepted.inc({ mode: 'bulk' }, created);
    return { accepted, refused: results.length - accepted, results: out };
  }

  @Mutation(() => LetterType, {
    description: 'Cancels a letter that has not been signed for dispatch (ACCEPTED or ROUTING). NOT_CANCELLABLE names the state it is in otherwise.',
  })
  @Roles(...LETTER_ROLES)
  async cancelLetter(
    @Args('id', { type: () => ID }) id: string,
    @CurrentCaller() caller: Caller,
    @Args('reason', { type: () => String, nullable: true, description: 'Why (kept in the letter\'s history).' }) reason?: string | null,
  ): Promise<LetterType> {
    return toLetterType(await this.intake.cancel(caller, id, reason));
  }

  @ResolveField(() => [LetterEventType], { description: 'The letter\'s history, oldest first.', complexity: ({ childComplexity }) => 10 * childComplexity })
  async events(@Parent() letter: LetterType, @Context() ctx: GraphqlContext): Promise<LetterEventType[]> {
    const caller = ctx.caller;
    if (!caller) throw new Error('events resolved without a caller');
    ctx.eventsLoader ??= createEventsLoader((ids) => this.intake.events(caller, ids));
    return (await ctx.eventsLoader(letter.id)).map(toEventType);
  }
}
