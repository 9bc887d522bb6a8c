import { Inject, UseInterceptors } from '@nestjs/common';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '@hub/auth';
import { LetterIntakeService, LetterValidationError } from '@hub/letters';
import { checkRecipientId } from '@hub/mina-meddelanden';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { Caller } from '../caller/caller';
import { CallerInterceptor } from '../caller/caller.interceptor';
import { CurrentCaller } from '../caller/current-caller.decorator';
import { ApiError, ApiErrorCode } from '../errors/api-error-code';
import { LETTER_ROLES } from '../letters/letter.resolver';
import { ReachabilityType } from './reachability.types';

/** FaR takes at most 1,000 recipients per call; the gateway splits larger lists. */
export const MAX_REACHABILITY_RECIPIENTS = 5000;

@Resolver(() => ReachabilityType)
@UseInterceptors(CallerInterceptor)
export class ReachabilityResolver {
  constructor(
    private readonly intake: LetterIntakeService,
    @Inject(API_GRAPHQL_OPTIONS) private readonly options: ApiGraphqlOptions,
  ) {}

  @Query(() => [ReachabilityType], {
    description:
      'Asks FaR, ahead of sending, whether each recipient can receive digital mail from your sending unit (K2). ' +
      `At most ${MAX_REACHABILITY_RECIPIENTS} recipients per call; answers come in the order asked.`,
  })
  @Roles(...LETTER_ROLES)
  async checkReachability(
    @Args('recipients', { type: () => [String] }) recipients: string[],
    @CurrentCaller() caller: Caller,
    @Args('sendingUnit', { type: () => String, nullable: true, description: 'The sending unit whose organisation number FaR checks (default: your bound or only unit).' })
    sendingUnit?: string | null,
  ): Promise<ReachabilityType[]> {
    if (recipients.length === 0) return [];
    if (recipients.length > MAX_REACHABILITY_RECIPIENTS) {
      throw new ApiError(ApiErrorCode.BadUserInput, `recipients has ${recipients.length} ids; at most ${MAX_REACHABILITY_RECIPIENTS} per call: split the list.`);
    }
    const ids: string[] = [];
    const problems = recipients.flatMap((raw, i) => {
      const r = checkRecipientId(String(raw).replace(/[-+]/, ''));
      if (r.ok) ids.push(r.id);
      return r.ok ? [] : [{ path: `recipients[${i}]`, rule: r.rule, message: `${r.message} (write it as 12 digits, e.g. 198101032384)` }];
    });
    if (problems.length) throw new LetterValidationError(problems, 'Some recipient ids are invalid');
    const unit = await this.intake.sendingUnit(caller, sendingUnit);
    const far = this.options.reachability;
    if (!far) throw new ApiError(ApiErrorCode.UpstreamUnavailable, 'The hub is not connected to FaR right now (no förmedlare credential loaded); try again later or contact the hub\'s operator.');
    const answers = await far.isReachable(unit.orgNumber, ids);
    return answers.map((a) => ({
      recipient: a.recipientId,
      deliverable: a.deliverable,
      operator: a.operator ? { id: a.operator.id, name: a.operator.name } : null,
      reason: a.reason ?? null,
    }));
  }
}
