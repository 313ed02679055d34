import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PixelRef } from './pixel-stats';

export enum DeliveryStatus {
  PENDING = 'pending',
  DELIVERED = 'delivered',
  SKIPPED = 'skipped',
  RETRYING = 'retrying',
  FAILED = 'failed',
}
registerEnumType(DeliveryStatus, {
  name: 'DeliveryStatus',
  description: 'State of one (conversion, destination pixel) delivery, as the dispatcher last reported it',
});

export enum DeliveryCommandKind {
  REDELIVER = 'redeliver',
  BACKFILL = 'backfill',
}
registerEnumType(DeliveryCommandKind, { name: 'DeliveryCommandKind' });

@ObjectType('Delivery', { description: 'A conversion delivered (or not) to one destination pixel' })
export class DeliveryType {
  @Field({ description: 'Destination dispatcher, e.g. snapchat-capi' }) destination: string;
  @Field() pixelId: string;
  @Field(() => DeliveryStatus) status: DeliveryStatus;
  @Field(() => String, {
    nullable: true,
    description: 'Machine-readable reason: no_mapping, too_old, insufficient_identifiers, invalid_authentication, …',
  })
  reasonCode: string | null;
  @Field(() => String, { nullable: true, description: 'What the destination said, or what to fix' }) message:
    string | null;
  @Field(() => Int) attempts: number;
  @Field(() => Int, { nullable: true, description: 'HTTP status of the last attempt' }) httpStatus: number | null;
  @Field(() => String, { nullable: true, description: 'Snapchat event name it was sent as' }) eventName: string | null;
  @Field() testMode: boolean;
  @Field(() => [String], { description: 'Where the pixel is configured for this conversion: channel, offer or both' })
  placements: string[];
  @Field(() => Date, { nullable: true }) nextAttemptAt: Date | null;
  @Field(() => Date, { nullable: true }) deliveredAt: Date | null;
  @Field(() => Date) updatedAt: Date;
}

@ObjectType('DeliveryCommandStatusCount')
export class DeliveryCommandStatusCount {
  @Field(() => DeliveryStatus) status: DeliveryStatus;
  @Field(() => Int) count: number;
}

@ObjectType('DeliveryCommand', {
  description: 'A redeliver or backfill request and how far the dispatchers got with it',
})
export class DeliveryCommandType {
  @Field(() => ID) id: string;
  @Field(() => DeliveryCommandKind) kind: DeliveryCommandKind;
  @Field(() => Date) requestedAt: Date;
  @Field(() => Int, { nullable: true, description: 'redeliver: how many conversions were named' }) conversionCount:
    number | null;
  @Field(() => String, { nullable: true, description: 'redeliver: the one pixel id to resend to, if any' }) pixelId:
    string | null;
  @Field(() => ID, { nullable: true, description: 'backfill: the pixel configuration' }) pixelConfigId: string | null;
  @Field(() => PixelRef, { nullable: true, description: 'backfill: the pixel configuration (config-service entity)' })
  pixel: PixelRef | null;
  @Field(() => Int, { nullable: true, description: 'backfill: how many days back' }) sinceDays: number | null;
  @Field(() => Int, { description: 'Delivery results the dispatchers reported for this command so far' })
  results: number;
  @Field(() => [DeliveryCommandStatusCount], { description: 'Those results by their latest status' })
  byStatus: DeliveryCommandStatusCount[];
}
