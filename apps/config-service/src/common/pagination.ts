import { Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import {
  ListOrder,
  PageInfo,
  mapConnection,
  paginateKeyset,
  type ConnectionPage,
  type PageArgs,
} from '@snaptrack/util-federation';

export type Page<T> = ConnectionPage<T>;

/**
 * Keyset pagination over (created_at, id), oldest first unless `page.orderBy` says otherwise (the paging contract of
 * docs/api.md, shared by every subgraph through util-federation). `qb` must already be scoped to the account.
 */
export function paginate<T extends ObjectLiteral & { createdAt: Date; id: string }>(
  qb: SelectQueryBuilder<T>,
  page: PageArgs,
  defaultOrder: ListOrder = ListOrder.OLDEST_FIRST,
): Promise<Page<T>> {
  const a = qb.alias;
  return paginateKeyset(qb, page, {
    time: `${a}.created_at`,
    id: `${a}.id`,
    key: (row) => [row.createdAt, row.id],
    defaultOrder,
    uuidIds: true,
  });
}

export const mapPage = mapConnection;

/** `{ nodes, pageInfo, totalCount }` for one node type. */
export function Connection<T extends object>(node: ClassType<T>) {
  @ObjectType()
  abstract class ConnectionClass {
    @Field(() => [node]) nodes: T[];
    @Field(() => PageInfo) pageInfo: PageInfo;
    @Field(() => Int, { description: 'All nodes of the list (with its filters), on every page' })
    totalCount: number;
  }
  return ConnectionClass;
}
