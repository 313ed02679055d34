import type { NonEmptyArray } from 'type-graphql';
import { TemplateResolver } from './template/template.resolver';

/** Resolver classes of this subgraph; printing the SDL needs nothing else (no I/O). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const resolvers: NonEmptyArray<Function> = [TemplateResolver];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const referenceResolvers: Record<string, Record<string, any>> = {};
