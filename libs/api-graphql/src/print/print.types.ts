import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import type { PostageClassName } from '@hub/letters';
import { PostageClassEnum } from '../letters/letter.types';

@ObjectType('PrintBatch', { description: 'A print batch: letters of one municipality for one vendor and postage class, pulled by the vendor as one PDF and manifest.' })
export class PrintBatchType {
  @Field(() => ID)
  id!: string;

  @Field()
  vendorId!: string;

  @Field(() => PostageClassEnum)
  postageClass!: PostageClassName;

  @Field({ description: 'ASSEMBLING, READY (for the vendor), ACKNOWLEDGED, PRINTED, POSTED or FAILED.' })
  status!: string;

  @Field(() => Int)
  letters!: number;

  @Field(() => Int)
  pages!: number;

  @Field(() => Int)
  sheets!: number;

  @Field(() => String, { nullable: true, description: 'SIZE, CUTOFF or MAX_WAIT.' })
  closeReason?: string | null;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  readyAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'The vendor must acknowledge before this time.' })
  acknowledgeBy?: Date | null;

  @Field(() => Date, { nullable: true })
  acknowledgedAt?: Date | null;

  @Field({ description: 'The vendor did not acknowledge it in time (the platform operator was alerted).' })
  notAcknowledgedInTime!: boolean;
}

@ObjectType('PrintStatusChange', { description: 'One step of a letter on paper: PRINT_RENDERED, BATCHED, PRINTED, POSTED, RETURNED or PRINT_FAILED.' })
export class PrintStatusChangeType {
  @Field()
  status!: string;

  @Field({ description: 'When it happened (as the vendor reported it, for the vendor\'s statuses).' })
  at!: Date;

  @Field(() => String, { nullable: true, description: 'The vendor\'s reason (RETURNED, PRINT_FAILED).' })
  reason?: string | null;
}

@ObjectType('LetterPrint', { description: 'What happened to a letter on the print path.' })
export class LetterPrintType {
  @Field()
  vendorId!: string;

  @Field(() => PostageClassEnum)
  postageClass!: PostageClassName;

  @Field({ description: 'READY (waiting for a batch), BATCHED, PRINTED, POSTED, RETURNED or FAILED.' })
  status!: string;

  @Field(() => Int, { description: 'Pages of the print-ready PDF (blank back pages included).' })
  pages!: number;

  @Field(() => Int)
  sheets!: number;

  @Field()
  duplex!: boolean;

  @Field()
  colour!: boolean;

  @Field({ description: 'The envelope profile the address was placed for, e.g. C5-H2.' })
  envelopeProfile!: string;

  @Field()
  renderedAt!: Date;

  @Field(() => PrintBatchType, { nullable: true })
  batch?: PrintBatchType | null;

  @Field(() => Int, { nullable: true, description: 'First page of the letter in the batch PDF.' })
  firstPage?: number | null;

  @Field(() => Int, { nullable: true })
  lastPage?: number | null;

  @Field(() => [PrintStatusChangeType], { description: 'The print status history, oldest first.' })
  history!: PrintStatusChangeType[];
}

@ObjectType('UnacknowledgedPrintBatch', { description: 'A batch its vendor did not acknowledge in time (platform operator\'s view).' })
export class UnacknowledgedPrintBatchType {
  @Field(() => ID)
  batchId!: string;

  @Field(() => ID)
  tenantId!: string;

  @Field()
  tenantName!: string;

  @Field()
  vendorId!: string;

  @Field(() => Int)
  letters!: number;

  @Field(() => Date, { nullable: true })
  readyAt?: Date | null;

  @Field()
  acknowledgeBy!: Date;

  @Field()
  flaggedAt!: Date;
}

@InputType('ReleaseHeldLetterInput')
export class ReleaseHeldLetterInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: 'Why it may go to print now (kept in the history).' })
  note?: string | null;
}
