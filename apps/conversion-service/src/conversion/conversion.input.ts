import { Field, ID, InputType } from 'type-graphql';
import { ConversionStatus } from './conversion.type';

@InputType('ConversionFilter')
export class ConversionFilterInput {
  @Field(() => ID, { nullable: true }) campaignId?: string | null;
  @Field(() => ID, { nullable: true }) offerId?: string | null;
  @Field(() => ID, { nullable: true }) trafficChannelId?: string | null;
  @Field(() => String, { nullable: true, description: 'Conversion type name, exact (case-sensitive)' }) type?:
    string | null;
  @Field(() => ConversionStatus, { nullable: true }) status?: ConversionStatus | null;
  @Field(() => Date, { nullable: true, description: 'Received at or after (inclusive)' }) from?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Received before (exclusive)' }) to?: Date | null;
}
