import type { GraphQLError } from 'graphql';
import { ListOrder, connectionPage, mapConnection, paginateKeyset, type KeysetQuery } from './pagination';

const info = { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null };

describe('connection pages', () => {
  it('counts totalCount only when it is read, once, and carries it through mapConnection', async () => {
    const count = jest.fn(async () => 7);
    const page = connectionPage([1, 2], info, count);
    const mapped = mapConnection(page, (n) => `#${n}`);
    expect(mapped.nodes).toEqual(['#1', '#2']);
    expect(count).not.toHaveBeenCalled();
    expect(JSON.stringify(mapped)).not.toContain('totalCount'); // not enumerable: spreading does not count
    expect(count).not.toHaveBeenCalled();
    expect(await mapped.totalCount).toBe(7);
    expect(await page.totalCount).toBe(7);
    expect(count).toHaveBeenCalledTimes(1);
  });

  it('refuses mixed directions and bad sizes before any query', async () => {
    const qb = new Proxy({} as KeysetQuery<unknown>, {
      get: () => {
        throw new Error('no query expected');
      },
    });
    const opts = {
      time: 't',
      id: 'i',
      key: () => [new Date(), 'x'] as [Date, string],
      defaultOrder: ListOrder.OLDEST_FIRST,
    };
    const code = (e: unknown) => [(e as GraphQLError).extensions.code, (e as GraphQLError).extensions.field];
    await expect(paginateKeyset(qb, { first: 1, last: 1 }, opts).catch(code)).resolves.toEqual([
      'BAD_USER_INPUT',
      'last',
    ]);
    await expect(paginateKeyset(qb, { after: 'x', before: 'y' }, opts).catch(code)).resolves.toEqual([
      'BAD_USER_INPUT',
      'last',
    ]);
    await expect(paginateKeyset(qb, { last: 101 }, opts).catch(code)).resolves.toEqual(['BAD_USER_INPUT', 'last']);
    await expect(paginateKeyset(qb, { first: 0 }, opts).catch(code)).resolves.toEqual(['BAD_USER_INPUT', 'first']);
    await expect(paginateKeyset(qb, { before: 'not-a-cursor' }, opts).catch(code)).resolves.toEqual([
      'BAD_USER_INPUT',
      'before',
    ]);
  });
});
