import { Field, ObjectType, type ClassType } from 'type-graphql';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { PageInfo, badInput, clampFirst, decodeCursor, encodeCursor } from '@snaptrack/util-federation';
import { isUuid } from './ids';

export interface Page<T> {
  nodes: T[];
  pageInfo: PageInfo;
}

/** Keyset pagination over (created_at, id), oldest first. `qb` must already be scoped to the account. */
export async function paginate<T extends ObjectLiteral & { createdAt: Date; id: string }>(
  qb: SelectQueryBuilder<T>,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Page<T>> {
  const n = clampFirst(first);
  const cursor = decodeCursor(after);
  const a = qb.alias;
  if (cursor) {
    if (!isUuid(cursor.id)) throw badInput('after: malformed cursor', 'after');
    qb.andWhere(`(${a}.createdAt, ${a}.id) > (:cursorAt, :cursorId)`, {
      cursorAt: cursor.createdAt,
      cursorId: cursor.id,
    });
  }
  const rows = await qb
    .orderBy(`${a}.createdAt`, 'ASC')
    .addOrderBy(`${a}.id`, 'ASC')
    .limit(n + 1)
    .getMany();
  const nodes = rows.slice(0, n);
  const last = nodes[nodes.length - 1];
  return {
    nodes,
    pageInfo: { hasNextPage: rows.length > n, endCursor: last ? encodeCursor(last.createdAt, last.id) : null },
  };
}

export function mapPage<A, B>(page: Page<A>, fn: (a: A) => B): Page<B> {
  return { nodes: page.nodes.map(fn), pageInfo: page.pageInfo };
}

/** `{ nodes, pageInfo }` for one node type. */
export function Connection<T extends object>(node: ClassType<T>) {
  @ObjectType()
  abstract class ConnectionClass {
    @Field(() => [node]) nodes: T[];
    @Field(() => PageInfo) pageInfo: PageInfo;
  }
  return ConnectionClass;
}
