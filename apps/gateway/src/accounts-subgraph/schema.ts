import type { NonEmptyArray } from 'type-graphql';
import { AccountResolver } from './account.resolver';

/** The accounts subgraph the gateway serves itself (internal port). No I/O here: used to print the SDL. */

export const resolvers: NonEmptyArray<Function> = [AccountResolver];
