import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../common/pagination';
import type { TrackingDomainEntity } from './tracking-domain.entity';
import { txtRecordName, txtRecordValue } from './dns-verifier';

export enum TrackingDomainVerificationStatus {
  PENDING = 'PENDING',
  VERIFIED = 'VERIFIED',
}
registerEnumType(TrackingDomainVerificationStatus, {
  name: 'TrackingDomainVerificationStatus',
  description: 'PENDING: serves no click or postback until verifyTrackingDomain finds the TXT record',
});

@ObjectType('TrackingDomainVerificationRecord', {
  description: 'The DNS TXT record that proves the account controls the hostname',
})
export class TrackingDomainVerificationRecord {
  @Field({ description: 'e.g. _snaptrack.trk.example.com' }) name: string;
  @Field(() => String) type: 'TXT';
  @Field({ description: 'e.g. snaptrack-verification=<token>' }) value: string;
}

@Directive('@key(fields: "id")')
@ObjectType('TrackingDomain', {
  description: 'A custom tracking domain of the account; tracking links and postback URLs use the default one',
})
export class TrackingDomainType {
  @Field(() => ID) id: string;
  @Field() hostname: string;
  @Field() isDefault: boolean;
  @Field(() => TrackingDomainVerificationStatus) verificationStatus: TrackingDomainVerificationStatus;
  @Field(() => TrackingDomainVerificationRecord, {
    description: 'Create this record at your DNS provider, then call verifyTrackingDomain',
  })
  verificationRecord: TrackingDomainVerificationRecord;
  @Field(() => Date, { nullable: true }) verifiedAt: Date | null;
  @Field(() => Int) version: number;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;

  static from(e: TrackingDomainEntity): TrackingDomainType {
    return Object.assign(new TrackingDomainType(), {
      id: e.id,
      hostname: e.hostname,
      isDefault: e.isDefault,
      verificationStatus: e.verificationStatus as TrackingDomainVerificationStatus,
      verificationRecord: Object.assign(new TrackingDomainVerificationRecord(), {
        name: txtRecordName(e.hostname),
        type: 'TXT',
        value: txtRecordValue(e.verificationToken),
      }),
      verifiedAt: e.verifiedAt,
      version: e.version,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    });
  }
}

@ObjectType('TrackingDomainConnection')
export class TrackingDomainConnection extends Connection(TrackingDomainType) {}
