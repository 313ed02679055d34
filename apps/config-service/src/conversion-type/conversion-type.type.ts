import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../common/pagination';
import type { ConversionTypeEntity } from './conversion-type.entity';

/** What conversion-service does with a second postback for the same conversion type. */
export enum ConversionDuplicatePolicy {
  /** Every postback creates a new conversion. */
  CREATE = 'create',
  /** A second postback of this type for the same click is ignored. */
  IGNORE_SAME_CLICK = 'ignore_same_click',
  /** A second postback of this type with the same event id is ignored. */
  IGNORE_SAME_EVENT_ID = 'ignore_same_event_id',
}
registerEnumType(ConversionDuplicatePolicy, {
  name: 'ConversionDuplicatePolicy',
  description: 'Duplicate-postback policy of a conversion type',
  valuesConfig: {
    CREATE: { description: 'Every postback creates a new conversion' },
    IGNORE_SAME_CLICK: { description: 'Ignore a second postback of this type for the same click' },
    IGNORE_SAME_EVENT_ID: { description: 'Ignore a second postback of this type with the same event id' },
  },
});

@Directive('@key(fields: "id")')
@ObjectType('ConversionType', {
  description: "A kind of conversion; a postback's `type` must equal its name exactly (case-sensitive)",
})
export class ConversionTypeType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field(() => ConversionDuplicatePolicy) duplicatePolicy: ConversionDuplicatePolicy;
  @Field({ description: 'Used for postbacks that carry no type; at most one per account' }) isDefault: boolean;
  @Field(() => Int) version: number;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;

  static from(e: ConversionTypeEntity): ConversionTypeType {
    return Object.assign(new ConversionTypeType(), {
      id: e.id,
      name: e.name,
      duplicatePolicy: e.duplicatePolicy as ConversionDuplicatePolicy,
      isDefault: e.isDefault,
      version: e.version,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    });
  }
}

@ObjectType('ConversionTypeConnection')
export class ConversionTypeConnection extends Connection(ConversionTypeType) {}
