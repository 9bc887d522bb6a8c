import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';
import { MailboxOperatorType } from '../letters/letter.types';

export const ReachabilityReasonEnum = {
  NOT_REGISTERED: 'NOT_REGISTERED',
  SENDER_NOT_ACCEPTED: 'SENDER_NOT_ACCEPTED',
  PENDING: 'PENDING',
  NO_SUPPLIER: 'NO_SUPPLIER',
} as const;
registerEnumType(ReachabilityReasonEnum, {
  name: 'ReachabilityReason',
  description:
    'Why a recipient cannot get digital mail: NOT_REGISTERED (no secure mailbox), SENDER_NOT_ACCEPTED (has blocked this sender or all senders), ' +
    'PENDING (the mailbox is not yet active), NO_SUPPLIER (no operator address).',
});

@ObjectType('Reachability', { description: 'What FaR (förmedlingsadressregistret) answers for one recipient and this sender.' })
export class ReachabilityType {
  @Field({ description: 'The recipient id as asked (normalised to 12 digits).' })
  recipient!: string;

  @Field({ description: 'true: a letter to this recipient from this sender goes digitally.' })
  deliverable!: boolean;

  @Field(() => MailboxOperatorType, { nullable: true })
  operator?: MailboxOperatorType | null;

  @Field(() => ReachabilityReasonEnum, { nullable: true, description: 'Set exactly when not deliverable.' })
  reason?: keyof typeof ReachabilityReasonEnum | null;
}
