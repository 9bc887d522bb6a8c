import { Inject, UseInterceptors } from '@nestjs/common';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { Role, Roles } from '@hub/auth';
import { API_GRAPHQL_OPTIONS, ApiGraphqlOptions } from '../api-graphql.options';
import { Caller } from '../caller/caller';
import { CallerInterceptor } from '../caller/caller.interceptor';
import { CurrentCaller } from '../caller/current-caller.decorator';
import { SendingUnitType } from '../letters/letter.types';
import { ChannelPreviewService } from './channel-preview.service';
import { ChannelPreviewInputType, ChannelPreviewType } from './send.types';

/** Who writes letters by hand in the console. */
const SENDERS_BY_HAND = [Role.CaseOfficer, Role.TenantAdmin] as const;

/** Sending by hand (the console's send page): the units one may send as, and the channel a draft would take. */
@Resolver(() => ChannelPreviewType)
@UseInterceptors(CallerInterceptor)
export class SendResolver {
  private readonly service: ChannelPreviewService;

  constructor(@Inject(API_GRAPHQL_OPTIONS) options: ApiGraphqlOptions) {
    this.service = new ChannelPreviewService(options.tenantDb, options.reachability);
  }

  @Query(() => ChannelPreviewType, {
    description:
      'Which channel the hub would choose for this letter draft if it were sent now (DIGITAL, PRINT, HOLD or UNDELIVERABLE) and why: ' +
      'the dispatch\'s channel switch with FaR\'s live answer, the case type\'s rules as at intake and your municipality\'s settings. ' +
      'A draft submitLetter would refuse is refused the same way (VALIDATION_FAILED with the same field paths); UPSTREAM_UNAVAILABLE when FaR does not answer. ' +
      'Nothing is stored.',
  })
  @Roles(...SENDERS_BY_HAND)
  channelPreview(@Args('input', { type: () => ChannelPreviewInputType }) input: ChannelPreviewInputType, @CurrentCaller() caller: Caller): Promise<ChannelPreviewType> {
    return this.service.preview(caller, input);
  }

  @Query(() => [SendingUnitType], { description: 'The sending units of your municipality that a letter may be sent as (LetterInput.sendingUnit), by code.' })
  @Roles(...SENDERS_BY_HAND)
  sendingUnitChoices(@CurrentCaller() caller: Caller): Promise<SendingUnitType[]> {
    return this.service.sendingUnits(caller);
  }
}
