import 'reflect-metadata';
import { Directive, Field, ObjectType } from 'type-graphql';

/** Relay-style page info, identical in every subgraph (hence @shareable). Import it; never redeclare it. */
@Directive('@shareable')
@ObjectType()
export class PageInfo {
  @Field(() => String, { nullable: true }) endCursor: string | null;
  @Field() hasNextPage: boolean;
}

/** A name/value pair (tracking parameters and the like), shared by every subgraph. */
@Directive('@shareable')
@ObjectType()
export class KeyValue {
  @Field() name: string;
  @Field() value: string;
}
