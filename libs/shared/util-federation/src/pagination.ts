import 'reflect-metadata';
import { ArgsType, Field, Int, registerEnumType } from 'type-graphql';
import { badInput } from './errors';
import type { PageInfo } from './shared-types';

/**
 * Opaque cursor over (createdAt, id) keyset pagination. The time may be a string with microseconds, as PostgreSQL
 * keeps them (a JavaScript Date has milliseconds only: a cursor made from it would repeat its own row).
 */
export function encodeCursor(createdAt: Date | string, id: string): string {
  const at = typeof createdAt === 'string' ? createdAt : createdAt.toISOString();
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

export function decodeCursor(
  cursor: string | null | undefined,
  arg: 'after' | 'before' = 'after',
): { createdAt: Date; id: string; at: string } | null {
  if (!cursor) return null;
  try {
    const [ts, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const createdAt = new Date(ts);
    if (typeof ts !== 'string' || Number.isNaN(createdAt.getTime()) || typeof id !== 'string') throw new Error('bad');
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(ts)) throw new Error('bad');
    return { createdAt, id, at: ts };
  } catch {
    throw badInput(`${arg}: malformed cursor`, arg);
  }
}

export function clampFirst(first: number | null | undefined, max = 100, arg: 'first' | 'last' = 'first'): number {
  if (first === null || first === undefined) return 20;
  if (!Number.isInteger(first) || first < 1 || first > max) throw badInput(`${arg} must be between 1 and ${max}`, arg);
  return first;
}

/**
 * The order of a list by its time key (created, received or clicked): every list takes `orderBy: ListOrder` with a
 * documented default. Shared by every subgraph (same values everywhere, so composition merges it).
 */
export enum ListOrder {
  OLDEST_FIRST = 'OLDEST_FIRST',
  NEWEST_FIRST = 'NEWEST_FIRST',
}
registerEnumType(ListOrder, {
  name: 'ListOrder',
  description: 'Order of a list by its time (createdAt; receivedAt for conversions, clickedAt for clicks), then id',
});

/** The paging arguments every list takes: `first`/`after` forwards, or `last`/`before` backwards. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  orderBy?: ListOrder | null;
}

/** One page of a list: the connection shape every subgraph returns. */
export interface ConnectionPage<T> {
  nodes: T[];
  pageInfo: PageInfo;
  /** All items of the list (the filter applied, the cursor not); counted only when the field is asked for. */
  readonly totalCount: Promise<number>;
}

export interface KeysetOptions<T> {
  /** SQL of the time and id columns, e.g. `c.created_at` and `c.id` (no joins in `qb`: one raw row per node). */
  time: string;
  id: string;
  /** The (time, id) of a row, for its cursor. */
  key: (row: T) => [Date, string];
  /** The list's documented default order. */
  defaultOrder: ListOrder;
  /** Ids are UUIDs: a cursor with another id is malformed (BAD_USER_INPUT), and the parameter is cast to uuid. */
  uuidIds?: boolean;
  /** How to count the whole list (default: COUNT over `qb` without the cursor). */
  count?: () => Promise<number>;
}

/**
 * The part of TypeORM's SelectQueryBuilder paging uses (structural: this library must not import TypeORM, since the
 * stateless gateway loads it).
 */
export interface KeysetQuery<T> {
  clone(): KeysetQuery<T>;
  andWhere(where: string, parameters?: Record<string, unknown>): KeysetQuery<T>;
  orderBy(sort: string, order: 'ASC' | 'DESC'): KeysetQuery<T>;
  addOrderBy(sort: string, order: 'ASC' | 'DESC'): KeysetQuery<T>;
  select(selection: string): KeysetQuery<T>;
  addSelect(selection: string, alias: string): KeysetQuery<T>;
  limit(limit: number): KeysetQuery<T>;
  getMany(): Promise<T[]>;
  getCount(): Promise<number>;
  getRawOne(): Promise<unknown>;
  getRawAndEntities(): Promise<{ entities: T[]; raw: Array<Record<string, unknown>> }>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A page with a lazily counted `totalCount` (the count runs only if a client selects the field). */
export function connectionPage<T>(nodes: T[], pageInfo: PageInfo, count: () => Promise<number>): ConnectionPage<T> {
  let counted: Promise<number> | undefined;
  const page = { nodes, pageInfo } as ConnectionPage<T>;
  Object.defineProperty(page, 'totalCount', { enumerable: false, get: () => (counted ??= count()) });
  return page;
}

/** The same page with each node mapped (the lazy count carried over). */
export function mapConnection<A, B>(page: ConnectionPage<A>, fn: (a: A) => B): ConnectionPage<B> {
  return connectionPage(page.nodes.map(fn), page.pageInfo, () => page.totalCount);
}

/**
 * Keyset pagination over (time, id) for every list (docs/api.md, "Paging"): `first` (1-100, default 20) items after
 * the cursor `after`, or the `last` items before `before`, in `orderBy` (default `defaultOrder`); nodes are always in
 * that order. `hasNextPage`/`hasPreviousPage` are exact (one indexed EXISTS probe on the other side of a cursor).
 * `qb` must already be scoped to the caller's account and filtered; it is not used after this call.
 */
export async function paginateKeyset<T>(
  qb: KeysetQuery<T>,
  args: PageArgs,
  opts: KeysetOptions<T>,
): Promise<ConnectionPage<T>> {
  const backward = (args.last !== null && args.last !== undefined) || !!args.before;
  if (backward && ((args.first !== null && args.first !== undefined) || args.after))
    throw badInput('page forwards (first, after) or backwards (last, before), not both', 'last');
  const n = backward ? clampFirst(args.last, 100, 'last') : clampFirst(args.first);
  const cursor = backward ? decodeCursor(args.before, 'before') : decodeCursor(args.after, 'after');
  const arg = backward ? 'before' : 'after';
  if (cursor && opts.uuidIds && !UUID.test(cursor.id)) throw badInput(`${arg}: malformed cursor`, arg);
  const ascending = (args.orderBy ?? opts.defaultOrder) === ListOrder.OLDEST_FIRST;
  // Rows are read in the direction of travel: forwards in the list's order, backwards against it.
  const readAscending = ascending !== backward;
  const idParam = opts.uuidIds ? 'CAST(:pageCursorId AS uuid)' : ':pageCursorId';
  const row = `(${opts.time}, ${opts.id})`;
  const at = `(:pageCursorAt, ${idParam})`;
  const params = cursor ? { pageCursorAt: cursor.at, pageCursorId: cursor.id } : {};
  const count = opts.count ?? (() => qb.clone().getCount());
  // Is there anything on the other side of the cursor (the cursor's own row included)?
  const otherSide = cursor
    ? qb
        .clone()
        .andWhere(`${row} ${readAscending ? '<=' : '>='} ${at}`, params)
        .select('1')
        .limit(1)
        .getRawOne()
        .then((r) => r !== undefined)
    : Promise.resolve(false);
  const page = qb.clone();
  if (cursor) page.andWhere(`${row} ${readAscending ? '>' : '<'} ${at}`, params);
  const dir = readAscending ? 'ASC' : 'DESC';
  // The time as PostgreSQL has it (microseconds) for the cursors.
  const precise = `to_char(${opts.time} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  const [{ entities, raw }, beyondCursor] = await Promise.all([
    page
      .addSelect(precise, 'page_cursor_time')
      .orderBy(opts.time, dir)
      .addOrderBy(opts.id, dir)
      .limit(n + 1)
      .getRawAndEntities(),
    otherSide,
  ]);
  const times = new Map<T, string>();
  if (raw.length === entities.length)
    entities.forEach((e, i) => times.set(e, String(raw[i].page_cursor_time ?? '') || opts.key(e)[0].toISOString()));
  const more = entities.length > n;
  const nodes = entities.slice(0, n);
  if (backward) nodes.reverse();
  const cursorOf = (r: T | undefined) => (r ? encodeCursor(times.get(r) ?? opts.key(r)[0], opts.key(r)[1]) : null);
  const pageInfo: PageInfo = {
    startCursor: cursorOf(nodes[0]),
    endCursor: cursorOf(nodes[nodes.length - 1]),
    hasNextPage: backward ? beyondCursor : more,
    hasPreviousPage: backward ? more : beyondCursor,
  };
  return connectionPage(nodes, pageInfo, count);
}

/** The arguments of every list field (the paging contract of docs/api.md). */
@ArgsType()
export class ConnectionArgs implements PageArgs {
  @Field(() => Int, { nullable: true, description: 'Page forwards: at most this many nodes (1-100, default 20)' })
  first?: number | null;
  @Field(() => String, { nullable: true, description: 'Page forwards: the nodes after this cursor (endCursor)' })
  after?: string | null;
  @Field(() => Int, { nullable: true, description: 'Page backwards: at most this many nodes (1-100, default 20)' })
  last?: number | null;
  @Field(() => String, { nullable: true, description: 'Page backwards: the nodes before this cursor (startCursor)' })
  before?: string | null;
  @Field(() => ListOrder, { nullable: true, description: "Order of the list (default: see the field's description)" })
  orderBy?: ListOrder | null;
}
