import type { NonEmptyArray } from 'type-graphql';
import { AccountResolver, ViewerResolver } from './account/account.resolver';

/** Resolver classes of the accounts subgraph; printing the SDL needs nothing else (no I/O). */

export const resolvers: NonEmptyArray<Function> = [AccountResolver, ViewerResolver];
