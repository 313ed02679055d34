import 'reflect-metadata';
import { Directive, Field, ObjectType } from 'type-graphql';

/**
 * Relay-style page info, identical in every subgraph (hence @shareable). Import it; never redeclare it. Filled by
 * paginateKeyset (pagination.ts).
 */
@Directive('@shareable')
@ObjectType()
export class PageInfo {
  @Field(() => String, { nullable: true, description: 'Cursor of the last node of the page: pass it as `after`' })
  endCursor: string | null;
  @Field({ description: 'More nodes after this page' }) hasNextPage: boolean;
  @Field(() => String, { nullable: true, description: 'Cursor of the first node of the page: pass it as `before`' })
  startCursor: string | null;
  @Field({ description: 'More nodes before this page' }) hasPreviousPage: boolean;
}

/** A name/value pair (tracking parameters and the like), shared by every subgraph. */
@Directive('@shareable')
@ObjectType()
export class KeyValue {
  @Field() name: string;
  @Field() value: string;
}
