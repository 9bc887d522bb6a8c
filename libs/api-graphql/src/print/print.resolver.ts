import { Inject, UseInterceptors } from '@nestjs/common';
import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Role, Roles } from '@hub/auth';
import { LetterIntakeService } from '@hub/letters';
import { LetterPrintService, LetterPrintView } from '@hub/print-path';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { Caller } from '../caller/caller';
import { CallerInterceptor } from '../caller/caller.interceptor';
import { CurrentCaller } from '../caller/current-caller.decorator';
import { GraphqlContext } from '../caller/graphql-context';
import { createBatchLoader } from '../letters/letter-events.loader';
import { PostalAddressInput } from '../letters/letter.inputs';
import { toLetterType } from '../letters/letter.mapper';
import { LetterType } from '../letters/letter.types';
import { LetterPrintType, PrintBatchType, UnacknowledgedPrintBatchType } from './print.types';

/** Who may release a held letter to print: the municipality's people, not its machines. */
const RELEASE_ROLES = [Role.CaseOfficer, Role.TenantAdmin] as const;

/** The print path in the API: a letter's print details, the municipality's batches, releasing a held letter. */
@Resolver(() => LetterType)
@UseInterceptors(CallerInterceptor)
export class LetterPrintResolver {
  private readonly print: LetterPrintService;

  constructor(
    private readonly intake: LetterIntakeService,
    @Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions,
  ) {
    this.print = new LetterPrintService(options.tenantDb);
  }

  @ResolveField('print', () => LetterPrintType, { nullable: true, description: 'The print path\'s details (batch, pages, postage, status history), once the letter is rendered for print.' })
  async printDetails(@Parent() letter: LetterType, @Context() ctx: GraphqlContext): Promise<LetterPrintType | null> {
    const caller = ctx.caller;
    if (!caller) throw new Error('print resolved without a caller');
    ctx.printLoader ??= createBatchLoader<LetterPrintView | null>((ids) => this.print.forLetters(caller, ids), null);
    return (await ctx.printLoader(letter.id)) as LetterPrintType | null;
  }

  @Query(() => [PrintBatchType], { description: 'Your municipality\'s print batches, newest first.' })
  @Roles(Role.CaseOfficer, Role.TenantAdmin)
  printBatches(
    @CurrentCaller() caller: Caller,
    @Args('status', { type: () => String, nullable: true }) status?: string | null,
    @Args('first', { type: () => Int, nullable: true, description: 'At most 200; default 50.' }) first?: number | null,
  ): Promise<PrintBatchType[]> {
    return this.print.batches(caller, { status, first });
  }

  @Mutation(() => LetterType, {
    description:
      'Releases a HELD letter to print (after manual handling: a protected identity, a missing address, a letter that could not be printed as it was). ' +
      'Give postalAddress when the letter has none or it must change. The letter is then rendered and batched like any other.',
  })
  @Roles(...RELEASE_ROLES)
  async releaseHeldLetter(
    @Args('id', { type: () => ID }) id: string,
    @CurrentCaller() caller: Caller,
    @Args('postalAddress', { type: () => PostalAddressInput, nullable: true }) postalAddress?: PostalAddressInput | null,
    @Args('note', { type: () => String, nullable: true, description: 'Why it may go to print now (kept in the history).' }) note?: string | null,
  ): Promise<LetterType> {
    await this.print.releaseToPrint(caller, id, postalAddress, note);
    return toLetterType(await this.intake.get(caller, id));
  }
}

/** The platform operator's view of the print path (no tenant). */
@Resolver(() => UnacknowledgedPrintBatchType)
export class PlatformPrintResolver {
  private readonly print: LetterPrintService;

  constructor(@Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    this.print = new LetterPrintService(options.tenantDb);
  }

  @Query(() => [UnacknowledgedPrintBatchType], { description: 'Print batches their vendors did not acknowledge in time, across municipalities.' })
  @Roles(Role.PlatformAdmin)
  unacknowledgedPrintBatches(): Promise<UnacknowledgedPrintBatchType[]> {
    return this.print.unacknowledged();
  }
}
