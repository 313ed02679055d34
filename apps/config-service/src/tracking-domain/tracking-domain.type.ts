import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { Connection } from '../common/pagination';
import type { TrackingDomainEntity } from './tracking-domain.entity';

@Directive('@key(fields: "id")')
@ObjectType('TrackingDomain', {
  description: 'A custom tracking domain of the account; tracking links and postback URLs use the default one',
})
export class TrackingDomainType {
  @Field(() => ID) id: string;
  @Field() hostname: string;
  @Field() isDefault: boolean;
  @Field(() => Int) version: number;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;

  static from(e: TrackingDomainEntity): TrackingDomainType {
    return Object.assign(new TrackingDomainType(), {
      id: e.id,
      hostname: e.hostname,
      isDefault: e.isDefault,
      version: e.version,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    });
  }
}

@ObjectType('TrackingDomainConnection')
export class TrackingDomainConnection extends Connection(TrackingDomainType) {}
