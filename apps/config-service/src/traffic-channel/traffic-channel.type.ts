import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { KeyValue } from '@snaptrack/util-federation';
import { Connection } from '../common/pagination';
import type { TrafficChannelEntity } from './traffic-channel.entity';

export enum ChannelIntegrationStatus {
  /** No channel-level pixel with an access token yet: conversions from this channel reach no Snap pixel. */
  NOT_CONFIGURED = 'NOT_CONFIGURED',
  /** A pixel with a token is set; events go to Snap's live endpoint. */
  READY = 'READY',
  /** A pixel with a token is set in test mode; events go to Snap's validate endpoint. */
  TEST_MODE = 'TEST_MODE',
  /** The channel's template has no Conversions API data source (e.g. Custom). */
  NOT_APPLICABLE = 'NOT_APPLICABLE',
}
registerEnumType(ChannelIntegrationStatus, {
  name: 'ChannelIntegrationStatus',
  description: "State of a traffic channel's Conversions API data source",
});

@Directive('@key(fields: "id")')
@ObjectType('TrafficChannel', { description: 'Where clicks come from (Snapchat, Custom…), created from a template' })
export class TrafficChannelType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field({ description: 'Key of the template it was created from (trafficChannelTemplates)' }) templateKey: string;
  @Field(() => String, {
    nullable: true,
    description: 'Landing-URL parameter carrying the network click id (ScCid for Snapchat)',
  })
  clickIdParam: string | null;
  @Field(() => [KeyValue], { description: 'Tracking parameters bound to network URL macros' }) parameters: KeyValue[];
  @Field(() => Int) version: number;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;

  static from(e: TrafficChannelEntity): TrafficChannelType {
    return Object.assign(new TrafficChannelType(), {
      id: e.id,
      name: e.name,
      templateKey: e.templateKey,
      clickIdParam: e.clickIdParam,
      parameters: e.parameters.map((p) => ({ name: p.name, value: p.value })),
      version: e.version,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    });
  }
}

@ObjectType('TrafficChannelConnection')
export class TrafficChannelConnection extends Connection(TrafficChannelType) {}
